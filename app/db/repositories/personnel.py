"""The personnel directory: organisations, units, employees, assignments, change events.

A full sync loads the whole directory once into plain dicts and writes in bulk, never row by row: new rows by COPY
(PostgreSQL) or executemany (SQLite), changed rows by executemany UPDATEs by primary key, confirmed rows by a few
set-wise UPDATEs; every value already as the driver takes it (issue 17)."""

from __future__ import annotations

import itertools
import os
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, TypeVar

from sqlalchemy import Text, Uuid, bindparam, cast, select, text, type_coerce
from sqlalchemy.exc import DBAPIError
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
COPY_CHUNK = 100_000  # rows per COPY statement (PostgreSQL): each statement stays well within the statement timeout
CONFIRM_CHUNK = 1_000  # ids in one IN (…): well under both databases' bound-parameter limits
MAX_CHAIN = 10_000
# pg_advisory_xact_lock key: directory writers (full syncs, event batches) take turns. SQLite serialises
# writers anyway (every transaction begins IMMEDIATE).
DIRECTORY_LOCK = 0x57_69_74_68_55_44_69_72  # "WithUDir"
T = TypeVar("T")


# The employee's columns the full sync reads and writes, in one order (the stored directory's rows, the bulk load).
EMPLOYEE_COLUMNS = (
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


@dataclass
class DirectoryIds:
    """The database ids of the personnel system's keys; new rows get theirs when they are written. Kept as text, as
    the driver reads and writes them, never converted: 32 hex digits on SQLite (the storage of SQLAlchemy's Uuid
    there), a uuid's text on PostgreSQL (asyncpg writes text to a uuid column)."""

    organisations: dict[str, Any] = field(default_factory=dict)
    units: dict[str, Any] = field(default_factory=dict)
    employees: dict[str, Any] = field(default_factory=dict)
    assignments: dict[str, Any] = field(default_factory=dict)


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
        per-value processing would otherwise cost more than the query itself (50,000 employees). The database ids
        stay as the driver gave them (see DirectoryIds)."""
        directory, ids = Directory(), DirectoryIds()
        at, day = _decoder(_parse_at), _decoder(_parse_day)
        org_key: dict[Any, str] = {}
        for row_id, key, name, kind in await self._raw(Organisation, "id", "external_id", "name", "kind"):
            org_key[row_id], ids.organisations[key] = key, row_id
            directory.organisations[key] = OrganisationFacts(name, OrgKind(kind))

        units = await self._raw(
            OrgUnit, "id", "external_id", "organisation_id", "parent_id", "name", "head_employee_id"
        )
        unit_key = {row[0]: row[1] for row in units}

        employees = await self._raw(Employee, *EMPLOYEE_COLUMNS)
        person = {row[0]: row[1] for row in employees}
        people, facts = ids.employees, directory.employees
        for row_id, number, org_id, unit_id, sup_id, status, retired_on, unit_at, sup_at, status_at in employees:
            people[number] = row_id
            facts[number] = EmployeeFacts(
                org_key[org_id],
                unit_key[unit_id] if unit_id else None,
                person[sup_id] if sup_id else None,
                _STATUS[status],
                day(retired_on),
                at(unit_at),
                at(sup_at),
                at(status_at),
            )

        for row_id, key, org_id, parent_id, name, head_id in units:  # after the people: heads are people (SAN-4)
            ids.units[key] = row_id
            parent = unit_key[parent_id] if parent_id else None
            directory.units[key] = UnitFacts(org_key[org_id], parent, name, person[head_id] if head_id else None)

        assignment_key: dict[Any, str] = {}
        for row_id, key, org_id, kind, name in await self._raw(
            Assignment, "id", "external_id", "organisation_id", "kind", "name"
        ):
            assignment_key[row_id], ids.assignments[key] = key, row_id
            directory.assignments[key] = AssignmentFacts(org_key[org_id], AssignmentKind(kind), name)
        memberships = await self._raw(AssignmentMember, "assignment_id", "employee_id", "member", "effective_at")
        # SQLite's times are text: one Membership per distinct state (most rows share one or two), decoded once.
        # PostgreSQL's are datetimes already, a new object each, which would cost more to hash than to wrap.
        text_times = bool(memberships) and isinstance(memberships[0][3], str)
        states: dict[Any, dict[Any, Membership]] = {True: {}, False: {}}
        members_of = directory.members
        for assignment_id, employee_id, member, effective_at in memberships:
            if text_times:
                same_member = states[bool(member)]
                state = same_member.get(effective_at)
                if state is None:
                    state = same_member[effective_at] = Membership(bool(member), at(effective_at))
            else:
                state = Membership(bool(member), at(effective_at))
            key = assignment_key[assignment_id]
            members = members_of.get(key)
            if members is None:
                members = members_of[key] = {}
            members[person[employee_id]] = state
        return directory, ids

    async def _raw(self, model: Any, *names: str) -> list[Any]:
        """Columns without result processing. Ids as text: SQLite stores them so; PostgreSQL casts them (a text key
        hashes several times faster than asyncpg's UUID, and the directory is read by ids, 400,000 look-ups)."""
        table = model.__table__
        connection = await self.session.connection()
        postgresql = connection.dialect.name == "postgresql"
        columns = [cast(c, Text) if postgresql and isinstance(c.type, Uuid) else c for c in (table.c[n] for n in names)]
        return (await connection.execute(select(*(type_coerce(c, NullType()) for c in columns)))).all()

    async def write_sync(self, plan: SyncPlan, ids: DirectoryIds) -> None:
        """Write a checked sync plan: inserts parents before children (foreign keys hold after every
        statement), then overwrites; new rows get random ids.

        New rows are bulk-loaded the fastest way each database has (issue 17): COPY on PostgreSQL, one executemany
        per chunk on SQLite, with the values already as the driver stores them (no per-value type processing)."""
        wire = _Wire(self.session.bind.dialect)
        for changes, known in (
            (plan.organisations, ids.organisations),
            (plan.units, ids.units),
            (plan.employees, ids.employees),
            (plan.assignments, ids.assignments),
        ):
            known.update(zip(changes.created, new_ids(len(changes.created)), strict=True))
        org_ids, unit_ids, people, assignment_ids = ids.organisations, ids.units, ids.employees, ids.assignments

        def org_row(key: str, o: OrganisationFacts) -> tuple[Any, ...]:
            return org_ids[key], key, o.name, o.kind

        def unit_row(key: str, u: UnitFacts) -> tuple[Any, ...]:
            return unit_ids[key], key, org_ids[u.organisation], unit_ids[u.parent] if u.parent else None, u.name

        def employee_row(number: str, e: EmployeeFacts) -> tuple[Any, ...]:
            return (
                people[number],
                number,
                org_ids[e.organisation],
                unit_ids[e.unit] if e.unit else None,
                people[e.supervisor] if e.supervisor else None,
                e.status,
                wire.day(e.retired_on) if e.retired_on else None,
                wire.at(e.unit_at),
                wire.at(e.supervisor_at),
                wire.at(e.status_at),
            )

        def assignment_row(key: str, a: AssignmentFacts) -> tuple[Any, ...]:
            return assignment_ids[key], key, org_ids[a.organisation], a.kind, a.name

        def member_row(pair: tuple[str, str], m: Membership) -> tuple[Any, ...]:
            return assignment_ids[pair[0]], people[pair[1]], m.member, wire.at(m.effective_at)

        org_columns = ("id", "external_id", "name", "kind")
        unit_columns = ("id", "external_id", "organisation_id", "parent_id", "name")
        assignment_columns = ("id", "external_id", "organisation_id", "kind", "name")
        member_columns = ("assignment_id", "employee_id", "member", "effective_at")

        units_in_order = _parents_first({k: u.parent for k, u in plan.units.created.items()})
        people_in_order = _parents_first({n: e.supervisor for n, e in plan.employees.created.items()})
        organisations, units, employees = plan.organisations, plan.units, plan.employees
        assignments, members = plan.assignments, plan.members
        # Generators: on PostgreSQL the rows are made while COPY sends the earlier ones and the server checks them.
        await self._insert(Organisation, org_columns, (org_row(k, o) for k, o in organisations.created.items()))
        await self._insert(OrgUnit, unit_columns, (unit_row(k, units.created[k]) for k in units_in_order))
        await self._insert(Employee, EMPLOYEE_COLUMNS, (employee_row(n, employees.created[n]) for n in people_in_order))
        await self._insert(
            Assignment, assignment_columns, (assignment_row(k, a) for k, a in assignments.created.items())
        )
        await self._insert(AssignmentMember, member_columns, (member_row(p, m) for p, m in members.created.items()))
        await self._update(Organisation, org_columns, [org_row(k, o) for k, o in organisations.updated.items()])
        await self._update(OrgUnit, unit_columns, [unit_row(k, u) for k, u in units.updated.items()])
        await self._update(Employee, EMPLOYEE_COLUMNS, [employee_row(n, e) for n, e in employees.updated.items()])
        await self._update(
            Assignment, assignment_columns, [assignment_row(k, a) for k, a in assignments.updated.items()]
        )
        await self._update(AssignmentMember, member_columns, [member_row(p, m) for p, m in members.updated.items()])
        # SAN-4: unit heads are people, and people belong to units: heads are written once both exist.
        heads = [(k, u) for k, u in units.created.items() if u.head] + list(units.updated.items())
        await self._update(
            OrgUnit,
            ("id", "head_employee_id"),
            [(unit_ids[k], people[u.head] if u.head else None) for k, u in heads],
        )
        as_of = wire.at(plan.as_of)
        confirmed = [people[n] for n in employees.confirmed]
        for chunk in _chunks(confirmed, wire.ids_per_statement):
            await self._execute(_CONFIRM_EMPLOYEES[wire.postgresql], {"as_of": as_of, "ids": chunk})
        # Memberships: after the overwrites above, an assignment's confirmed pairs are exactly its rows that are
        # still members with an earlier effective time (the plan skipped later ones and overwrote the others), so
        # one statement per chunk of assignments instead of 100,000 single-row updates; the count double-checks.
        touched = 0
        for chunk in _chunks(sorted({assignment_ids[a] for a, _ in members.confirmed}), wire.ids_per_statement):
            touched += await self._execute(_CONFIRM_MEMBERS[wire.postgresql], {"as_of": as_of, "ids": chunk})
        if touched != len(members.confirmed):
            raise RuntimeError(f"confirmed {touched} memberships, planned {len(members.confirmed)}")

    async def _insert(self, model: Any, columns: tuple[str, ...], rows: Iterable[tuple[Any, ...]]) -> None:
        """New rows, their values as the driver takes them: COPY on PostgreSQL, executemany on SQLite; chunked, so
        that every statement stays well within the statement timeout."""
        table = model.__table__
        connection = await self.session.connection()
        if connection.dialect.name != "postgresql":
            compiled = table.insert().values({c: bindparam(c) for c in columns}).compile(dialect=connection.dialect)
            order = [columns.index(name) for name in compiled.positiontup or ()]
            same_order = order == list(range(len(columns)))
            for chunk in _batches(rows, CHUNK):
                params = chunk if same_order else [tuple(row[i] for i in order) for row in chunk]
                await connection.exec_driver_sql(str(compiled), params)
            return
        rows = iter(rows)
        first = next(rows, None)
        if first is None:
            return
        raw = await connection.get_raw_connection()
        if getattr(raw.dbapi_connection, "_transaction", True) is None:
            await connection.exec_driver_sql("SELECT 1")  # COPY runs in the unit of work's transaction, begun here
        while first is not None:
            records = itertools.chain((first,), itertools.islice(rows, COPY_CHUNK - 1))
            try:
                await raw.driver_connection.copy_records_to_table(table.name, records=records, columns=list(columns))
            except Exception as error:  # as SQLAlchemy reports a driver's errors (a timeout is a 503: is_unavailable)
                raise DBAPIError(f"COPY {table.name}", None, error) from error
            first = next(rows, None)

    async def _update(self, model: Any, columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
        """UPDATE … SET <the other columns> WHERE <primary key>, one executemany per chunk; the rows' values are
        in the order of `columns` (the primary key among them) and as the driver takes them."""
        if not rows:
            return
        table = model.__table__
        keys = [c.name for c in table.primary_key.columns]
        statement = (
            table.update()
            .where(*(table.c[k] == bindparam(f"key_{k}") for k in keys))
            .values({c: bindparam(c) for c in columns if c not in keys})
        )
        connection = await self.session.connection()
        compiled = statement.compile(dialect=connection.dialect)
        order = [columns.index(name.removeprefix("key_")) for name in compiled.positiontup or ()]
        for chunk in _chunks(rows, CHUNK):
            await connection.exec_driver_sql(str(compiled), [tuple(row[i] for i in order) for row in chunk])

    async def _execute(self, statement: Any, params: dict[str, Any]) -> int:
        return int((await self.session.execute(statement, params)).rowcount)  # type: ignore[attr-defined]


# Confirmed rows: their effective times move forward to the snapshot's. By PostgreSQL's array of ids, or by chunks of
# SQLite's IN list (the ids as the driver takes them: text()'s parameters are not processed).
_CONFIRM_EMPLOYEES = {
    True: text(
        "UPDATE employee SET unit_effective_at = :as_of, supervisor_effective_at = :as_of, "
        "status_effective_at = :as_of WHERE id = ANY(CAST(:ids AS uuid[]))"
    ),
    False: text(
        "UPDATE employee SET unit_effective_at = :as_of, supervisor_effective_at = :as_of, "
        "status_effective_at = :as_of WHERE id IN :ids"
    ).bindparams(bindparam("ids", expanding=True)),
}
_CONFIRM_MEMBERS = {
    True: text(
        "UPDATE assignment_member SET effective_at = :as_of "
        "WHERE assignment_id = ANY(CAST(:ids AS uuid[])) AND member AND effective_at < :as_of"
    ),
    False: text(
        "UPDATE assignment_member SET effective_at = :as_of "
        "WHERE assignment_id IN :ids AND member = 1 AND effective_at < :as_of"
    ).bindparams(bindparam("ids", expanding=True)),
}


class _Wire:
    """Values as the driver stores them. PostgreSQL (asyncpg) takes Python's values, ids as text or UUID alike;
    SQLite takes what SQLAlchemy's column types would have made of them: ids as 32 hex digits (new_ids, and as
    read), times and days as text (converted here once per distinct value: a snapshot gives most rows one time)."""

    def __init__(self, dialect: Any) -> None:
        self.postgresql = dialect.name == "postgresql"
        columns = Employee.__table__.c  # the dialect's own processors, as SQLAlchemy applies them
        self._at_text = columns.unit_effective_at.type.dialect_impl(dialect).bind_processor(dialect)
        self._day_text = columns.retired_on.type.dialect_impl(dialect).bind_processor(dialect)
        self._seen: dict[Any, Any] = {}
        self._last: tuple[Any, Any] = (None, None)
        # PostgreSQL: one array parameter per statement; SQLite: bound parameters (its limit is 32,766)
        self.ids_per_statement = 50_000 if self.postgresql else CONFIRM_CHUNK

    def at(self, value: datetime) -> Any:
        if self.postgresql or self._at_text is None:
            return value
        if value is self._last[0]:  # most rows carry the snapshot's own time object
            return self._last[1]
        found = self._seen.get(value)
        if found is None:
            found = self._seen[value] = self._at_text(value)
        self._last = (value, found)
        return found

    def day(self, value: date) -> Any:
        return value if self.postgresql or self._day_text is None else self._day_text(value)


def new_ids(n: int) -> list[str]:
    """n random (version 4) UUIDs as 32 hex digits, from one read of the system's randomness: uuid.uuid4() reads
    it once per id, and a first sync of 50,000 employees needs some 75,000 of them."""
    raw = bytearray(os.urandom(16 * n))
    raw[6::16] = bytes(b & 0x0F | 0x40 for b in raw[6::16])  # version 4
    raw[8::16] = bytes(b & 0x3F | 0x80 for b in raw[8::16])  # RFC 4122 variant
    digits = raw.hex()
    return [digits[i : i + 32] for i in range(0, 32 * n, 32)]


def _chunks(items: list[T], size: int) -> Iterator[list[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _batches(items: Iterable[T], size: int) -> Iterator[list[T]]:
    iterator = iter(items)
    while batch := list(itertools.islice(iterator, size)):
        yield batch


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
            return raw if getattr(raw, "tzinfo", None) is UTC else parse(raw)  # asyncpg's times are UTC already
        value = seen.get(raw)
        if value is None:
            value = seen[raw] = parse(raw)
        return value

    return decode
