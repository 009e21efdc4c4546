"""The personnel directory: organisations, units, employees, assignments, change events.

A full sync loads the whole directory once into plain dicts and writes with chunked executemany statements
(ORM bulk INSERT / bulk UPDATE by primary key), never row by row."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, TypeVar

from sqlalchemy import bindparam, select, text, type_coerce
from sqlalchemy.types import NullType

from app.db.models import (
    Assignment,
    AssignmentMember,
    Employee,
    Organisation,
    OrgUnit,
    PersonnelEvent,
)
from app.db.repositories.base import Repository
from app.domain.directory import (
    AssignmentFacts,
    Directory,
    EmployeeFacts,
    Membership,
    OrganisationFacts,
    SyncPlan,
    UnitFacts,
)
from app.domain.enums import AssignmentKind, EmployeeStatus, OrgKind

CHUNK = 5_000
CONFIRM_CHUNK = 1_000  # ids in one IN (…): well under both databases' bound-parameter limits
MAX_CHAIN = 10_000
# pg_advisory_xact_lock key: directory writers (full syncs, event batches) take turns. SQLite serialises
# writers anyway (every transaction begins IMMEDIATE).
DIRECTORY_LOCK = 0x57_69_74_68_55_44_69_72  # "WithUDir"
T = TypeVar("T")


@dataclass
class DirectoryIds:
    """The database ids of the personnel system's keys; new rows get theirs when they are written."""

    organisations: dict[str, uuid.UUID] = field(default_factory=dict)
    units: dict[str, uuid.UUID] = field(default_factory=dict)
    employees: dict[str, uuid.UUID] = field(default_factory=dict)
    assignments: dict[str, uuid.UUID] = field(default_factory=dict)


class PersonnelRepository(Repository):
    async def lock_directory(self) -> None:
        """One directory writer at a time, so a sync never overwrites an event it did not see."""
        if self.session.bind.dialect.name == "postgresql":
            await self.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": DIRECTORY_LOCK})

    # --- single rows (events) -------------------------------------------------------------------------------

    async def employee(self, employee_id: uuid.UUID) -> Employee | None:
        return await self.session.get(Employee, employee_id)

    async def employee_by_number(self, employee_number: str) -> Employee | None:
        return await self.session.scalar(select(Employee).where(Employee.employee_number == employee_number))

    async def employees_by_numbers(self, numbers: Iterable[str]) -> dict[str, Employee]:
        wanted = sorted(set(numbers))
        rows = await self.session.scalars(select(Employee).where(Employee.employee_number.in_(wanted)))
        return {e.employee_number: e for e in rows}

    async def organisation_by_external_id(self, external_id: str) -> Organisation | None:
        return await self.session.scalar(select(Organisation).where(Organisation.external_id == external_id))

    async def organisations(self, ids: list[uuid.UUID]) -> dict[uuid.UUID, Organisation]:
        if not ids:
            return {}
        rows = await self.session.scalars(select(Organisation).where(Organisation.id.in_(set(ids))))
        return {o.id: o for o in rows.all()}

    async def unit_ids(self, external_ids: Iterable[str]) -> dict[str, uuid.UUID]:
        wanted = sorted(set(external_ids))
        rows = await self.session.execute(
            select(OrgUnit.external_id, OrgUnit.id).where(OrgUnit.external_id.in_(wanted))
        )
        return {key: row_id for key, row_id in rows}

    async def assignment_ids(self, external_ids: Iterable[str]) -> dict[str, uuid.UUID]:
        wanted = sorted(set(external_ids))
        rows = await self.session.execute(
            select(Assignment.external_id, Assignment.id).where(Assignment.external_id.in_(wanted))
        )
        return {key: row_id for key, row_id in rows}

    async def known_event_ids(self, event_ids: Iterable[str]) -> set[str]:
        wanted = sorted(set(event_ids))
        rows = await self.session.scalars(select(PersonnelEvent.event_id).where(PersonnelEvent.event_id.in_(wanted)))
        return set(rows)

    async def membership(self, assignment_id: uuid.UUID, employee_id: uuid.UUID) -> AssignmentMember | None:
        return await self.session.get(AssignmentMember, (assignment_id, employee_id))

    async def chain_above(self, employee_id: uuid.UUID) -> list[uuid.UUID]:
        """The supervisors above a person, nearest first, as this transaction sees them (flushed or not)."""
        chain: list[uuid.UUID] = []
        current = await self.employee(employee_id)
        while current is not None and current.supervisor_id is not None and len(chain) < MAX_CHAIN:
            if current.supervisor_id in chain or current.supervisor_id == employee_id:
                break  # a stored cycle cannot happen (refused on the way in); stay finite regardless
            chain.append(current.supervisor_id)
            current = await self.employee(current.supervisor_id)
        return chain

    # --- the whole directory (full sync) --------------------------------------------------------------------

    async def load_directory(self) -> tuple[Directory, DirectoryIds]:
        """Every organisation, unit, employee, assignment and membership, keyed by the personnel system's ids.

        Read as the driver returns the values and decoded here, once per distinct value: the column types'
        per-value processing would otherwise cost more than the query itself (50,000 employees)."""
        directory, ids = Directory(), DirectoryIds()
        at, day = _decoder(_parse_at), _decoder(_parse_day)
        org_key: dict[Any, str] = {}
        for row_id, key, name, kind in await self._raw(Organisation, "id", "external_id", "name", "kind"):
            org_key[row_id], ids.organisations[key] = key, _uuid(row_id)
            directory.organisations[key] = OrganisationFacts(name, OrgKind(kind))

        units = await self._raw(
            OrgUnit, "id", "external_id", "organisation_id", "parent_id", "name", "head_employee_id"
        )
        unit_key = {row[0]: row[1] for row in units}

        employees = await self._raw(
            Employee,
            "id",
            "employee_number",
            "organisation_id",
            "unit_id",
            "supervisor_id",
            "status",
            "retired_on",
            "unit_effective_at",
            "supervisor_effective_at",
            "status_effective_at",
        )
        person = {row[0]: row[1] for row in employees}
        for row_id, number, org_id, unit_id, sup_id, status, retired_on, unit_at, sup_at, status_at in employees:
            ids.employees[number] = _uuid(row_id)
            directory.employees[number] = EmployeeFacts(
                organisation=org_key[org_id],
                unit=unit_key[unit_id] if unit_id else None,
                supervisor=person[sup_id] if sup_id else None,
                status=_STATUS[status],
                retired_on=day(retired_on),
                unit_at=at(unit_at),
                supervisor_at=at(sup_at),
                status_at=at(status_at),
            )

        for row_id, key, org_id, parent_id, name, head_id in units:  # after the people: heads are people (SAN-4)
            ids.units[key] = _uuid(row_id)
            parent = unit_key[parent_id] if parent_id else None
            directory.units[key] = UnitFacts(org_key[org_id], parent, name, person[head_id] if head_id else None)

        assignment_key: dict[Any, str] = {}
        for row_id, key, org_id, kind, name in await self._raw(
            Assignment, "id", "external_id", "organisation_id", "kind", "name"
        ):
            assignment_key[row_id], ids.assignments[key] = key, _uuid(row_id)
            directory.assignments[key] = AssignmentFacts(org_key[org_id], AssignmentKind(kind), name)
        for assignment_id, employee_id, member, effective_at in await self._raw(
            AssignmentMember, "assignment_id", "employee_id", "member", "effective_at"
        ):
            members = directory.members.setdefault(assignment_key[assignment_id], {})
            members[person[employee_id]] = Membership(bool(member), at(effective_at))
        return directory, ids

    async def _raw(self, model: Any, *names: str) -> list[Any]:
        """Columns without result processing (ids as the driver gives them: text on SQLite, UUID on PostgreSQL)."""
        table = model.__table__
        connection = await self.session.connection()
        return list(await connection.execute(select(*(type_coerce(table.c[n], NullType()) for n in names))))

    async def write_sync(self, plan: SyncPlan, ids: DirectoryIds) -> None:
        """Write a checked sync plan: inserts parents before children (foreign keys hold after every
        statement), then overwrites; new rows get random ids."""
        for changes, known in (
            (plan.organisations, ids.organisations),
            (plan.units, ids.units),
            (plan.employees, ids.employees),
            (plan.assignments, ids.assignments),
        ):
            for key in changes.created:
                known[key] = uuid.uuid4()

        def org_row(key: str, o: OrganisationFacts) -> dict[str, Any]:
            return {"id": ids.organisations[key], "external_id": key, "name": o.name, "kind": o.kind}

        def unit_row(key: str, u: UnitFacts) -> dict[str, Any]:
            parent = ids.units[u.parent] if u.parent else None
            return {
                "id": ids.units[key],
                "external_id": key,
                "organisation_id": ids.organisations[u.organisation],
                "parent_id": parent,
                "name": u.name,
            }

        def employee_row(number: str, e: EmployeeFacts) -> dict[str, Any]:
            return {
                "id": ids.employees[number],
                "employee_number": number,
                "organisation_id": ids.organisations[e.organisation],
                "unit_id": ids.units[e.unit] if e.unit else None,
                "supervisor_id": ids.employees[e.supervisor] if e.supervisor else None,
                "status": e.status,
                "retired_on": e.retired_on,
                "unit_effective_at": e.unit_at,
                "supervisor_effective_at": e.supervisor_at,
                "status_effective_at": e.status_at,
            }

        def assignment_row(key: str, a: AssignmentFacts) -> dict[str, Any]:
            return {
                "id": ids.assignments[key],
                "external_id": key,
                "organisation_id": ids.organisations[a.organisation],
                "kind": a.kind,
                "name": a.name,
            }

        def member_row(pair: tuple[str, str], m: Membership) -> dict[str, Any]:
            return {
                "assignment_id": ids.assignments[pair[0]],
                "employee_id": ids.employees[pair[1]],
                "member": m.member,
                "effective_at": m.effective_at,
            }

        units_in_order = _parents_first({k: u.parent for k, u in plan.units.created.items()})
        people_in_order = _parents_first({n: e.supervisor for n, e in plan.employees.created.items()})
        await self._insert(Organisation, [org_row(k, o) for k, o in plan.organisations.created.items()])
        await self._insert(OrgUnit, [unit_row(k, plan.units.created[k]) for k in units_in_order])
        await self._insert(Employee, [employee_row(n, plan.employees.created[n]) for n in people_in_order])
        await self._insert(Assignment, [assignment_row(k, a) for k, a in plan.assignments.created.items()])
        await self._insert(AssignmentMember, [member_row(p, m) for p, m in plan.members.created.items()])
        await self._update(Organisation, [org_row(k, o) for k, o in plan.organisations.updated.items()])
        await self._update(OrgUnit, [unit_row(k, u) for k, u in plan.units.updated.items()])
        await self._update(Employee, [employee_row(n, e) for n, e in plan.employees.updated.items()])
        await self._update(Assignment, [assignment_row(k, a) for k, a in plan.assignments.updated.items()])
        await self._update(AssignmentMember, [member_row(p, m) for p, m in plan.members.updated.items()])
        # SAN-4: unit heads are people, and people belong to units: heads are written once both exist.
        heads = [(k, u) for k, u in plan.units.created.items() if u.head] + list(plan.units.updated.items())
        await self._update(
            OrgUnit,
            [{"id": ids.units[k], "head_employee_id": ids.employees[u.head] if u.head else None} for k, u in heads],
        )
        employees = Employee.__table__
        at = {"unit_effective_at": plan.as_of, "supervisor_effective_at": plan.as_of, "status_effective_at": plan.as_of}
        for chunk in _chunks([ids.employees[n] for n in plan.employees.confirmed], CONFIRM_CHUNK):
            await self.session.execute(employees.update().where(employees.c.id.in_(chunk)).values(at))
        # Memberships: after the overwrites above, an assignment's confirmed pairs are exactly its rows that are
        # still members with an earlier effective time (the plan skipped later ones and overwrote the others), so
        # one statement per chunk of assignments instead of 100,000 single-row updates; the count double-checks.
        members = AssignmentMember.__table__
        touched = 0
        for chunk in _chunks(sorted({ids.assignments[a] for a, _ in plan.members.confirmed}), CONFIRM_CHUNK):
            confirm = members.update().where(
                members.c.assignment_id.in_(chunk), members.c.member.is_(True), members.c.effective_at < plan.as_of
            )
            touched += (await self.session.execute(confirm.values(effective_at=plan.as_of))).rowcount
        if touched != len(plan.members.confirmed):
            raise RuntimeError(f"confirmed {touched} memberships, planned {len(plan.members.confirmed)}")

    async def _insert(self, model: Any, rows: list[dict[str, Any]]) -> None:
        for chunk in _chunks(rows, CHUNK):
            await self.session.execute(model.__table__.insert(), chunk)

    async def _update(self, model: Any, rows: list[dict[str, Any]]) -> None:
        """UPDATE … SET <the other columns> WHERE <primary key>, one executemany per chunk."""
        table = model.__table__
        keys = [c.name for c in table.primary_key.columns]
        statement = table.update().where(*(table.c[k] == bindparam(f"key_{k}") for k in keys))
        for chunk in _chunks(rows, CHUNK):
            params = [{(f"key_{k}" if k in keys else k): v for k, v in row.items()} for row in chunk]
            await self.session.execute(statement, params)


def _chunks(items: list[T], size: int) -> Iterator[list[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _parents_first(parent_of: Mapping[str, str | None]) -> list[str]:
    """New rows ordered so that a parent (unit, supervisor) among them comes before its children. The relation
    is known to be acyclic; this is linear and needs no recursion (chains may be long)."""
    depth: dict[str, int] = {}
    for start in parent_of:
        path: list[str] = []
        node: str | None = start
        while node is not None and node in parent_of and node not in depth:
            path.append(node)
            node = parent_of[node]
        base = depth.get(node, -1) if node is not None else -1
        for offset, walked in enumerate(reversed(path), start=1):
            depth[walked] = base + offset
    return sorted(parent_of, key=depth.__getitem__)


_STATUS = {s.value: s for s in EmployeeStatus}


def _uuid(raw: Any) -> uuid.UUID:
    """An id read raw (32 hex digits on SQLite; asyncpg's UUID, a uuid.UUID, on PostgreSQL) or made here."""
    return raw if isinstance(raw, uuid.UUID) else uuid.UUID(hex=raw)


def _parse_at(raw: Any) -> datetime:
    if isinstance(raw, datetime):
        return raw if raw.tzinfo is UTC else raw.astimezone(UTC)
    return datetime.fromisoformat(raw).replace(tzinfo=UTC)  # SQLite keeps UTCDateTime as naive UTC text


def _parse_day(raw: Any) -> date:
    return raw if isinstance(raw, date) else date.fromisoformat(raw)


def _decoder(parse: Callable[[Any], T]) -> Callable[[Any], T | None]:
    """`parse`, once per distinct text (SQLite; a snapshot gives most rows the same effective time). Values the
    driver decoded already (PostgreSQL) are only checked: hashing an aware datetime costs more than that."""
    seen: dict[str, T] = {}

    def decode(raw: Any) -> T | None:
        if raw is None:
            return None
        if not isinstance(raw, str):
            return parse(raw)
        value = seen.get(raw)
        if value is None:
            value = seen[raw] = parse(raw)
        return value

    return decode
