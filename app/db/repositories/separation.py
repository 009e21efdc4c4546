"""Separation orders and the placements they are checked against (SEP-1 … SEP-6), and protected persons."""

from __future__ import annotations

import functools
import json
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, NamedTuple

from sqlalchemy import Select, TextClause, delete, func, literal, select, text, union
from sqlalchemy.orm import aliased
from sqlalchemy.sql.selectable import TextualSelect

from app.db.links import employee_mac, employee_macs
from app.db.models import (
    Assignment,
    AssignmentMember,
    Case,
    Employee,
    OrgUnit,
    PendingParty,
    ProtectedPerson,
    SeparationOrder,
    SeparationViolation,
    VictimWish,
)
from app.db.repositories.base import Repository
from app.domain.enums import EmployeeStatus, OrderStatus
from app.domain.escalation import ENDED_CASE_STATUSES
from app.domain.separation import Placement, Refusal, refusal_order

MAX_DEPTH = 500

# Recursive queries in the SQL both databases share. Cycles are refused when data comes in; the depth bound
# keeps a query finite whatever is stored.
_CHAIN_UP = text(
    """
    WITH RECURSIVE up(id, depth) AS (
        SELECT supervisor_id, 1 FROM employee WHERE id = :start
        UNION ALL
        SELECT e.supervisor_id, up.depth + 1 FROM employee e JOIN up ON e.id = up.id
        WHERE up.depth < :max_depth AND e.supervisor_id IS NOT NULL
    )
    SELECT id FROM up WHERE id IS NOT NULL ORDER BY depth
    """
)
# The employee (by number) and everyone below them in the chain of command, by employee number: whose orders a
# change of supervisor can touch. Their orders are then found by MAC (app.db.links).
_SUBTREE_NUMBERS = text(
    """
    WITH RECURSIVE down(id, depth) AS (
        SELECT id, 0 FROM employee WHERE employee_number = :start
        UNION ALL
        SELECT e.id, down.depth + 1 FROM down CROSS JOIN employee e
        WHERE e.supervisor_id = down.id AND down.depth < :max_depth
    )
    SELECT e.employee_number FROM down CROSS JOIN employee e WHERE e.id = down.id
    """
)


# SEP-2, SEP-4: the personnel system's check (`SeparationRepository.check_placement`). It answers
# `app.domain.separation.placement_refusals` (the specification; tests/api/test_separation_query.py proves the two
# agree on generated directories) for a placement given by external keys, and in the same round trip tells what
# the service needs to refuse bad input: whether the mover, unit, supervisor and assignment exist, the mover's
# status, whether the supervisor is the mover or below them (a cycle), and whether the asking machine client is
# still active and its token not revoked (so the token check needs no statement of its own).
#
# An order names its two people by MAC and encrypted id only (app.db.links, security review F3), so no statement
# can join orders to the directory by itself: the orders looked at — the mover's and, with a new supervisor, those
# of everyone below the mover — are found first by the MACs of those people (computed in Python; one indexed
# look-up, after one walk down the directory with a new supervisor), their ids decrypted, and handed to this
# statement as the `orders` rows ({orders}). Each side's unit, transitive chain of command and assignments are taken
# as they would be after the placement: the chain walks "effective supervisors", in which the mover's supervisor is
# the proposed one. One row per order and reason, after a first row with the facts. Written for both planners:
# one-row lookups are scalar subqueries (index lookups). PostgreSQL runs it with JIT off (`app.db.engine`): its row
# estimates for recursive CTEs would make every execution compile. docs/performance.md has the round trips' cost.
#
# `bench/separation_check.py` measures this against its own hand-written statements (bench/raw_check.py) run
# straight on the driver; the two are written separately on purpose (the baseline must not be the app's code), and
# the bench compares every answer. A change to the rules changes placement_refusals, this statement and RAW_CHECK.
_CHECK_PLACEMENT = """
    WITH RECURSIVE
    mover AS MATERIALIZED (SELECT id, status FROM employee WHERE employee_number = :employee),
    new_unit AS MATERIALIZED (SELECT id FROM org_unit WHERE external_id = :unit),
    new_assignment AS MATERIALIZED (SELECT id FROM assignment WHERE external_id = :assignment),
    new_supervisor AS MATERIALIZED (SELECT id FROM employee WHERE employee_number = :supervisor),
    above_supervisor(id, depth) AS (
        SELECT id, 0 FROM new_supervisor
        UNION ALL
        SELECT e.supervisor_id, a.depth + 1 FROM above_supervisor a CROSS JOIN employee e
        WHERE e.id = a.id AND e.supervisor_id IS NOT NULL AND a.depth < :max_depth
    ),
    orders(reference, victim_id, respondent_id) AS MATERIALIZED ({orders}),
    chain(person, id, depth) AS (
        SELECT p.id,
               CASE WHEN p.id = (SELECT id FROM mover) AND EXISTS (SELECT 1 FROM new_supervisor)
                    THEN (SELECT id FROM new_supervisor)
                    ELSE (SELECT e.supervisor_id FROM employee e WHERE e.id = p.id) END,
               1
        FROM (SELECT victim_id AS id FROM orders UNION SELECT respondent_id FROM orders) p
        UNION ALL
        SELECT c.person,
               CASE WHEN c.id = (SELECT id FROM mover) AND EXISTS (SELECT 1 FROM new_supervisor)
                    THEN (SELECT id FROM new_supervisor)
                    ELSE (SELECT e.supervisor_id FROM employee e WHERE e.id = c.id) END,
               c.depth + 1
        FROM chain c WHERE c.id IS NOT NULL AND c.depth < :max_depth
    ),
    refused(reference, reason) AS (
        SELECT o.reference, 'separated-same-unit' FROM orders o
        WHERE CASE WHEN o.victim_id = (SELECT id FROM mover) AND EXISTS (SELECT 1 FROM new_unit)
                   THEN (SELECT id FROM new_unit)
                   ELSE (SELECT e.unit_id FROM employee e WHERE e.id = o.victim_id) END
            = CASE WHEN o.respondent_id = (SELECT id FROM mover) AND EXISTS (SELECT 1 FROM new_unit)
                   THEN (SELECT id FROM new_unit)
                   ELSE (SELECT e.unit_id FROM employee e WHERE e.id = o.respondent_id) END
        UNION
        SELECT o.reference, 'separated-chain-of-command' FROM orders o
            JOIN chain c ON c.person = o.victim_id AND c.id = o.respondent_id
        UNION
        SELECT o.reference, 'separated-chain-of-command' FROM orders o
            JOIN chain c ON c.person = o.respondent_id AND c.id = o.victim_id
        UNION
        SELECT o.reference, 'separated-shared-assignment' FROM orders o
        WHERE EXISTS (SELECT 1 FROM assignment_member v CROSS JOIN assignment_member r
                      WHERE v.employee_id = o.victim_id AND v.member = :member
                        AND r.assignment_id = v.assignment_id AND r.employee_id = o.respondent_id
                        AND r.member = :member)
           OR EXISTS (SELECT 1 FROM new_assignment a CROSS JOIN assignment_member m
                      WHERE m.assignment_id = a.id AND m.member = :member
                        AND (o.victim_id = (SELECT id FROM mover) AND m.employee_id = o.respondent_id
                             OR o.respondent_id = (SELECT id FROM mover) AND m.employee_id = o.victim_id))
    )
    SELECT NULL AS reference, NULL AS reason,
           (SELECT status FROM mover) AS mover_status,
           EXISTS (SELECT 1 FROM new_unit) AS unit_found,
           EXISTS (SELECT 1 FROM new_supervisor) AS supervisor_found,
           EXISTS (SELECT 1 FROM new_assignment) AS assignment_found,
           EXISTS (SELECT 1 FROM above_supervisor a WHERE a.id = (SELECT id FROM mover)) AS cycle,
           (SELECT active FROM machine_client WHERE client_id = :client)
               AND NOT EXISTS (SELECT 1 FROM revoked_machine_token WHERE jti = :token) AS client_active
    UNION ALL
    SELECT reference, reason, NULL, NULL, NULL, NULL, NULL, NULL FROM refused
    """


def _orders_naming(macs: list[str]) -> Select[tuple[uuid.UUID]]:
    """The ids of the orders (of any status) naming any of the MACs: two index look-ups. Not with OR, nor with the
    status beside them: without statistics SQLite would then walk every active order through the status index; a
    person has few orders, whose status the caller reads."""
    return union(  # type: ignore[return-value]
        select(SeparationOrder.id).where(SeparationOrder.victim_mac.in_(macs)),
        select(SeparationOrder.id).where(SeparationOrder.respondent_mac.in_(macs)),
    )


# _orders_naming as plain SQL, with the orders' rows (for the check: see _active_orders_by_mac).
_ORDERS_NAMING = """
    SELECT reference, victim_id, respondent_id, status FROM separation_order WHERE id IN (
        SELECT id FROM separation_order WHERE victim_mac IN ({marks})
        UNION SELECT id FROM separation_order WHERE respondent_mac IN ({marks})
    )
"""


@dataclass(frozen=True)
class PlacementAnswer:
    """What the check found (see _CHECK_PLACEMENT)."""

    mover_status: EmployeeStatus | None  # None: no such employee
    unit_found: bool
    supervisor_found: bool
    assignment_found: bool
    cycle: bool
    client_active: bool
    refusals: list[Refusal]


# --- the batch check (SEP-4, `app.services.separation_batch`) ---------------------------------------------------
#
# A draft placement list of up to 10,000 placements is checked set-based: a fixed number of statements over the
# whole batch, each taking its keys as ONE bound parameter (a JSON array on SQLite, read with json_each; an array on
# PostgreSQL, read with unnest), so that neither database's limit on bound parameters is reached and the statement
# text does not depend on the batch's size. The answers are computed in memory by the service.

_KEYS_SQLITE = "SELECT value FROM json_each(:{name})"
_KEYS_PG = "SELECT unnest(CAST(:{name} AS {kind}[]))"
_BATCH_EMPLOYEES = """
    SELECT employee_number, id, status, unit_id, supervisor_id FROM employee WHERE employee_number IN ({numbers})
"""
_BATCH_UNITS = "SELECT external_id, id FROM org_unit WHERE external_id IN ({keys})"
_BATCH_ASSIGNMENTS = "SELECT external_id, id FROM assignment WHERE external_id IN ({keys})"
# Everyone below the starts (the starts included), each once.
_BELOW = """
    WITH RECURSIVE down(id) AS (
        SELECT id FROM employee WHERE id IN ({ids})
        UNION
        SELECT e.id FROM down CROSS JOIN employee e WHERE e.supervisor_id = down.id
    )
    SELECT e.employee_number FROM down CROSS JOIN employee e WHERE e.id = down.id
"""
# Each start and everyone above it in the stored chain of command, with unit and supervisor. UNION (not UNION ALL)
# visits each person once: finite whatever is stored, cycles included.
_ANCESTRY = """
    WITH RECURSIVE up(id) AS (
        SELECT id FROM employee WHERE id IN ({ids})
        UNION
        SELECT e.supervisor_id FROM up CROSS JOIN employee e WHERE e.id = up.id AND e.supervisor_id IS NOT NULL
    )
    SELECT e.id, e.unit_id, e.supervisor_id FROM up CROSS JOIN employee e WHERE e.id = up.id
"""
_MEMBER_ASSIGNMENTS = """
    SELECT employee_id, assignment_id FROM assignment_member WHERE employee_id IN ({ids}) AND member = :member
"""
_ALL_ACTIVE_ORDERS = "SELECT reference, victim_id, respondent_id, status FROM separation_order WHERE status = :active"
# _ORDERS_NAMING with the MACs as one parameter.
_ORDERS_BY_MACS = """
    SELECT reference, victim_id, respondent_id, status FROM separation_order WHERE id IN (
        SELECT id FROM separation_order WHERE victim_mac IN ({macs})
        UNION SELECT id FROM separation_order WHERE respondent_mac IN ({macs})
    )
"""


# An id as the batch look-ups give it, straight from the driver (no conversion for 50,000 rows): 32 hex digits on
# SQLite, a UUID on PostgreSQL. `SeparationRepository.key` turns a uuid.UUID into one.
DirectoryKey = str | uuid.UUID


class DirectoryPerson(NamedTuple):
    """An employee as the batch check reads them (by employee number). A tuple: the cyclic garbage collector stops
    tracking tuples of plain values, and a batch reads 10,000s of these."""

    id: DirectoryKey
    status: EmployeeStatus
    unit_id: DirectoryKey | None
    supervisor_id: DirectoryKey | None


# The check's two statements, one per shape (how many MACs, how many orders, which dialect), built once: parsing
# `text()` for its parameters cost ~0.35 ms per check, more than running them (docs/performance.md, issue 17).
@functools.lru_cache(maxsize=256)
def _orders_naming_sql(macs: int) -> TextualSelect:
    marks = ", ".join(f":m{i}" for i in range(macs))
    return text(_ORDERS_NAMING.format(marks=marks)).columns(
        SeparationOrder.reference, SeparationOrder.victim_id, SeparationOrder.respondent_id, SeparationOrder.status
    )


def _id_sql(dialect: str, name: str | None) -> str:
    """A bound id (or NULL) typed as the employee table's ids, for rows built from parameters."""
    value = f":{name}" if name else "NULL"
    return f"CAST({value} AS uuid)" if dialect == "postgresql" else value


@functools.lru_cache(maxsize=256)
def _check_placement(dialect: str, orders: int) -> TextClause:
    rows_sql = [
        f"SELECT CAST(:r{i} AS VARCHAR(20)), {_id_sql(dialect, f'v{i}')}, {_id_sql(dialect, f'p{i}')}"
        for i in range(orders)
    ]
    none = f"SELECT CAST(NULL AS VARCHAR(20)), {_id_sql(dialect, None)}, {_id_sql(dialect, None)} WHERE 1 = 0"
    return text(_CHECK_PLACEMENT.format(orders=" UNION ALL ".join(rows_sql) or none))


class SeparationRepository(Repository):
    @property
    def _dialect(self) -> str:
        return self.session.bind.dialect.name

    def _id_param(self, value: uuid.UUID) -> object:
        # UUIDs are native on PostgreSQL and 32-hex strings on SQLite (SQLAlchemy's Uuid type).
        return value if self._dialect == "postgresql" else value.hex

    async def subtree_numbers(self, employee_number: str) -> list[str]:
        """The employee numbers of everyone below the employee in the chain of command, the employee first."""
        rows = await self.session.execute(_SUBTREE_NUMBERS, {"start": employee_number, "max_depth": MAX_DEPTH})
        return [r[0] for r in rows]

    async def _active_orders_by_mac(self, macs: list[str]) -> list[tuple[str, uuid.UUID, uuid.UUID]]:
        """(reference, victim id, respondent id) of the active orders naming any of the MACs: _orders_naming's
        index look-ups, the ids decrypted. Plain SQL with one placeholder per MAC: the check's hot path, where the
        ORM's compiling of the expanding IN cost more than the round trip itself (docs/performance.md)."""
        rows = await self.session.execute(_orders_naming_sql(len(macs)), {f"m{i}": mac for i, mac in enumerate(macs)})
        return [(str(r[0]), r[1], r[2]) for r in rows if r[3] == OrderStatus.active]

    async def chain(self, employee_id: uuid.UUID) -> tuple[uuid.UUID, ...]:
        rows = await self.session.execute(_CHAIN_UP, {"start": self._id_param(employee_id), "max_depth": MAX_DEPTH})
        return tuple(r[0] if isinstance(r[0], uuid.UUID) else uuid.UUID(r[0]) for r in rows)

    async def assignments_of(self, employee_id: uuid.UUID) -> frozenset[uuid.UUID]:
        rows = await self.session.scalars(
            select(AssignmentMember.assignment_id).where(
                AssignmentMember.employee_id == employee_id, AssignmentMember.member.is_(True)
            )
        )
        return frozenset(rows.all())

    async def placement(self, employee: Employee) -> Placement:
        """Where the employee works now: unit, transitive chain of command, assignments."""
        return Placement(
            employee_id=employee.id,
            unit_id=employee.unit_id,
            chain=await self.chain(employee.id),
            assignments=await self.assignments_of(employee.id),
        )

    async def check_placement(
        self,
        employee_number: str,
        *,
        unit: str | None,
        supervisor: str | None,
        assignment: str | None,
        client_id: str,
        token_id: str | None = None,
    ) -> PlacementAnswer:
        """SEP-4: app.domain.separation.placement_refusals, by external keys, with the facts the service needs to
        refuse bad input and an inactive client. Two round trips (three with a new supervisor): the orders
        concerned, found by MAC (with a new supervisor, of everyone below the mover, found first), then
        _CHECK_PLACEMENT over them."""
        numbers = [employee_number]
        if supervisor is not None:
            numbers += await self.subtree_numbers(employee_number)
        orders = await self._active_orders_by_mac(employee_macs(numbers))
        params: dict[str, Any] = {
            "employee": employee_number,
            "unit": unit,
            "supervisor": supervisor,
            "assignment": assignment,
            "client": client_id,
            "token": token_id,
            "member": True,
            "max_depth": MAX_DEPTH,
        }
        for i, (reference, victim_id, respondent_id) in enumerate(orders):
            params[f"r{i}"], params[f"v{i}"], params[f"p{i}"] = (
                reference,
                self._id_param(victim_id),
                self._id_param(respondent_id),
            )
        rows = (await self.session.execute(_check_placement(self._dialect, len(orders)), params)).all()
        facts = next(r for r in rows if r[0] is None)
        refusals = sorted({Refusal(str(r[0]), str(r[1])) for r in rows if r[0] is not None}, key=refusal_order)
        return PlacementAnswer(
            mover_status=EmployeeStatus(facts[2]) if facts[2] is not None else None,
            unit_found=bool(facts[3]),
            supervisor_found=bool(facts[4]),
            assignment_found=bool(facts[5]),
            cycle=bool(facts[6]),
            client_active=bool(facts[7]),
            refusals=refusals,
        )

    async def placements(self, ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, Placement]:
        """Placements of many people in a fixed number of statements (one for units, one recursive query for
        every chain, one for assignments), however many orders a check touches."""
        wanted = list(set(ids))
        if not wanted:
            return {}
        units = dict(
            (await self.session.execute(select(Employee.id, Employee.unit_id).where(Employee.id.in_(wanted)))).all()
        )
        above = aliased(Employee)
        up = (
            select(Employee.id.label("start"), Employee.supervisor_id.label("id"), literal(1).label("depth"))
            .where(Employee.id.in_(wanted), Employee.supervisor_id.is_not(None))
            .cte("up", recursive=True)
        )
        up = up.union_all(
            select(up.c.start, above.supervisor_id, up.c.depth + 1)
            .join(above, above.id == up.c.id)
            .where(above.supervisor_id.is_not(None), up.c.depth < MAX_DEPTH)
        )
        chains: dict[uuid.UUID, list[uuid.UUID]] = {}
        for start, boss, _ in await self.session.execute(
            select(up.c.start, up.c.id, up.c.depth).order_by(up.c.start, up.c.depth)
        ):
            chains.setdefault(start, []).append(boss)
        memberships: dict[uuid.UUID, set[uuid.UUID]] = {}
        member_rows = await self.session.execute(
            select(AssignmentMember.employee_id, AssignmentMember.assignment_id).where(
                AssignmentMember.employee_id.in_(wanted), AssignmentMember.member.is_(True)
            )
        )
        for employee_id, assignment_id in member_rows:
            memberships.setdefault(employee_id, set()).add(assignment_id)
        return {
            pid: Placement(pid, units[pid], tuple(chains.get(pid, ())), frozenset(memberships.get(pid, ())))
            for pid in wanted
            if pid in units
        }

    async def employees(self, ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, Employee]:
        wanted = list(set(ids))
        if not wanted:
            return {}
        rows = await self.session.scalars(select(Employee).where(Employee.id.in_(wanted)))
        return {e.id: e for e in rows.all()}

    async def order(self, order_id: uuid.UUID) -> SeparationOrder | None:
        return await self.session.get(SeparationOrder, order_id)

    async def orders_for_case(self, case_id: uuid.UUID) -> list[SeparationOrder]:
        rows = await self.session.scalars(
            select(SeparationOrder)
            .where(SeparationOrder.case_id == case_id)
            .order_by(SeparationOrder.opened_on, SeparationOrder.reference)
        )
        return list(rows.all())

    async def active_orders_of(self, employee_numbers: Iterable[str]) -> list[SeparationOrder]:
        """The active orders naming any of the employees (by MAC, app.db.links)."""
        macs = employee_macs(employee_numbers)
        if not macs:
            return []
        rows = await self.session.scalars(select(SeparationOrder).where(SeparationOrder.id.in_(_orders_naming(macs))))
        return [o for o in rows.all() if o.status == OrderStatus.active]

    async def active_orders_below(self, employee_number: str) -> list[SeparationOrder]:
        """Active orders of the employee or of anyone below them in the chain of command: one walk down the
        directory, then one look-up by MAC."""
        return await self.active_orders_of(await self.subtree_numbers(employee_number))

    async def active_orders(self, offset: int, limit: int) -> tuple[list[SeparationOrder], int]:
        query = select(SeparationOrder).where(SeparationOrder.status == OrderStatus.active)
        total = await self.session.scalar(select(func.count()).select_from(query.subquery()))
        rows = await self.session.scalars(query.order_by(SeparationOrder.reference).offset(offset).limit(limit))
        return list(rows.all()), int(total or 0)

    async def all_active_orders(self) -> list[SeparationOrder]:
        rows = await self.session.scalars(select(SeparationOrder).where(SeparationOrder.status == OrderStatus.active))
        return list(rows.all())

    async def violation(self, violation_id: uuid.UUID) -> SeparationViolation | None:
        return await self.session.get(SeparationViolation, violation_id)

    async def order_between(self, case_id: uuid.UUID, victim_mac: str, respondent_mac: str) -> bool:
        """SEP-1: whether the case already has an order (of any status) between the two."""
        found = await self.session.scalar(
            select(SeparationOrder.id).where(
                SeparationOrder.case_id == case_id,
                SeparationOrder.victim_mac == victim_mac,
                SeparationOrder.respondent_mac == respondent_mac,
            )
        )
        return found is not None

    async def protected_keys(self, case_id: uuid.UUID) -> set[tuple[str, str]]:
        """RET-1: the case's protected persons as (MAC, role)."""
        rows = await self.session.execute(
            select(ProtectedPerson.employee_mac, ProtectedPerson.role).where(ProtectedPerson.case_id == case_id)
        )
        return {(mac, str(role)) for mac, role in rows.all()}

    async def pending_macs(self) -> set[str]:
        """SEP-1: the MACs of the numbers cases wait for the directory to learn (few: named but unknown)."""
        return set((await self.session.scalars(select(PendingParty.employee_mac).distinct())).all())

    async def take_pending(self, macs: list[str]) -> list[uuid.UUID]:
        """SEP-1: the running cases (not sealed, not closed or withdrawn) that wait for any of these MACs; the
        waiting rows for them are deleted (the number is known now, whatever the case's state)."""
        if not macs:
            return []
        rows = await self.session.execute(
            select(PendingParty.id, PendingParty.case_id, Case.sealed, Case.status)
            .join(Case, Case.id == PendingParty.case_id)
            .where(PendingParty.employee_mac.in_(macs))
        )
        found = rows.all()
        await self.session.execute(delete(PendingParty).where(PendingParty.id.in_([row_id for row_id, *_ in found])))
        running = {case_id for _, case_id, sealed, status in found if not sealed and status not in ENDED_CASE_STATUSES}
        return sorted(running)

    async def reference_taken(self, reference: str) -> bool:
        found = await self.session.scalar(select(SeparationOrder.id).where(SeparationOrder.reference == reference))
        return found is not None

    async def violations(self, order_ids: list[uuid.UUID]) -> list[SeparationViolation]:
        if not order_ids:
            return []
        rows = await self.session.scalars(
            select(SeparationViolation)
            .where(SeparationViolation.order_id.in_(order_ids))
            .order_by(SeparationViolation.detected_on, SeparationViolation.kind)
        )
        return list(rows.all())

    async def latest_wish(self, case_id: uuid.UUID) -> VictimWish | None:
        return await self.session.scalar(
            select(VictimWish)
            .where(VictimWish.case_id == case_id)
            .order_by(VictimWish.recorded_on.desc(), VictimWish.id)
            .limit(1)
        )

    async def wishes(self, case_id: uuid.UUID) -> list[VictimWish]:
        rows = await self.session.scalars(
            select(VictimWish).where(VictimWish.case_id == case_id).order_by(VictimWish.recorded_on)
        )
        return list(rows.all())

    async def protections_of(self, employee_number: str) -> list[ProtectedPerson]:
        """RET-1: where the employee is a protected person (by MAC, app.db.links)."""
        rows = await self.session.scalars(
            select(ProtectedPerson).where(ProtectedPerson.employee_mac == employee_mac(employee_number))
        )
        return list(rows.all())

    async def unit_by_external_id(self, external_id: str) -> OrgUnit | None:
        return await self.session.scalar(select(OrgUnit).where(OrgUnit.external_id == external_id))

    async def assignment_by_external_id(self, external_id: str) -> Assignment | None:
        return await self.session.scalar(select(Assignment).where(Assignment.external_id == external_id))

    async def labels(self, ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, str]:
        """Readable names for units ("unit X"), assignments ("committee Y") and people (employee numbers)."""
        wanted = list(set(ids))
        if not wanted:
            return {}
        labels: dict[uuid.UUID, str] = {}
        for unit in (await self.session.scalars(select(OrgUnit).where(OrgUnit.id.in_(wanted)))).all():
            labels[unit.id] = f"unit {unit.external_id} ({unit.name})"
        for a in (await self.session.scalars(select(Assignment).where(Assignment.id.in_(wanted)))).all():
            labels[a.id] = f"{a.kind} {a.external_id} ({a.name})"
        for e in (await self.session.scalars(select(Employee).where(Employee.id.in_(wanted)))).all():
            labels[e.id] = f"employee {e.employee_number}"
        return labels

    async def directory_snapshot(
        self, participant_ids: Iterable[uuid.UUID]
    ) -> tuple[dict[uuid.UUID, tuple[uuid.UUID | None, uuid.UUID | None]], dict[uuid.UUID, frozenset[uuid.UUID]]]:
        """For evaluating every order at once: (employee -> (unit, supervisor)) for everyone, and the assignments
        of the given participants."""
        rows = await self.session.execute(select(Employee.id, Employee.unit_id, Employee.supervisor_id))
        people = {r[0]: (r[1], r[2]) for r in rows}
        wanted = list(set(participant_ids))
        memberships: dict[uuid.UUID, set[uuid.UUID]] = {}
        for start in range(0, len(wanted), 1000):
            chunk = wanted[start : start + 1000]
            member_rows = await self.session.execute(
                select(AssignmentMember.employee_id, AssignmentMember.assignment_id).where(
                    AssignmentMember.employee_id.in_(chunk), AssignmentMember.member.is_(True)
                )
            )
            for employee_id, assignment_id in member_rows:
                memberships.setdefault(employee_id, set()).add(assignment_id)
        return people, {k: frozenset(v) for k, v in memberships.items()}

    # --- the batch check (SEP-4): see the note above `_BELOW` ---------------------------------------------------

    def _keys(self, **names: str) -> dict[str, str]:
        """Sets of keys, each bound as one parameter, for the templates' `{name}`: `json_each` on SQLite, `unnest`
        of a typed array (`kind`: text or uuid) on PostgreSQL."""
        template = _KEYS_PG if self._dialect == "postgresql" else _KEYS_SQLITE
        return {name: template.format(name=name, kind=kind) for name, kind in names.items()}

    def _keys_param(self, values: list[Any]) -> Any:
        return values if self._dialect == "postgresql" else json.dumps(values)

    def key(self, employee_id: uuid.UUID) -> DirectoryKey:
        """An id as the batch look-ups give them (`DirectoryKey`), e.g. for an order's decrypted ids."""
        return employee_id if self._dialect == "postgresql" else employee_id.hex

    async def _all(self, template: str, kinds: dict[str, str], params: dict[str, Any]) -> list[Any]:
        """Every row at once (`fetchall`: row by row, the async adapter's `fetchone` cost more than the query)."""
        statement = text(template.format(**self._keys(**kinds)))
        bound = {name: self._keys_param(value) if name in kinds else value for name, value in params.items()}
        return list((await self.session.execute(statement, bound)).all())

    async def batch_employees(self, numbers: Iterable[str]) -> dict[str, DirectoryPerson]:
        """The employees with these numbers (the unknown ones are missing from the answer)."""
        wanted = list(set(numbers))
        if not wanted:
            return {}
        rows = await self._all(_BATCH_EMPLOYEES, {"numbers": "text"}, {"numbers": wanted})
        return {r[0]: DirectoryPerson(r[1], EmployeeStatus(r[2]), r[3], r[4]) for r in rows}

    async def batch_unit_ids(self, external_ids: Iterable[str]) -> dict[str, DirectoryKey]:
        return await self._ids_by_external(_BATCH_UNITS, external_ids)

    async def batch_assignment_ids(self, external_ids: Iterable[str]) -> dict[str, DirectoryKey]:
        return await self._ids_by_external(_BATCH_ASSIGNMENTS, external_ids)

    async def _ids_by_external(self, template: str, external_ids: Iterable[str]) -> dict[str, DirectoryKey]:
        wanted = list(set(external_ids))
        if not wanted:
            return {}
        return {r[0]: r[1] for r in await self._all(template, {"keys": "text"}, {"keys": wanted})}

    async def numbers_below(self, employee_ids: Iterable[DirectoryKey]) -> set[str]:
        """The employee numbers of the given employees and of everyone below them in the stored chain of command
        (one recursive walk down from all of them; each person once)."""
        wanted = list(set(employee_ids))
        if not wanted:
            return set()
        return {r[0] for r in await self._all(_BELOW, {"ids": "uuid"}, {"ids": wanted})}

    async def count_active_orders(self) -> int:
        found = await self.session.scalar(
            select(func.count()).select_from(SeparationOrder).where(SeparationOrder.status == OrderStatus.active)
        )
        return int(found or 0)

    async def active_order_keys(self, macs: Iterable[str] | None) -> list[tuple[str, DirectoryKey, DirectoryKey]]:
        """(reference, victim, respondent) of the active orders naming any of the MACs (two index look-ups by MAC,
        as `_orders_naming`), or of every active order (`macs` None); the ids decrypted, as `DirectoryKey`s."""
        columns = (
            SeparationOrder.reference,
            SeparationOrder.victim_id,
            SeparationOrder.respondent_id,
            SeparationOrder.status,
        )
        if macs is None:
            statement = text(_ALL_ACTIVE_ORDERS)
            params: dict[str, Any] = {"active": OrderStatus.active.value}
        else:
            wanted = list(set(macs))
            if not wanted:
                return []
            statement = text(_ORDERS_BY_MACS.format(**self._keys(macs="text")))
            params = {"macs": self._keys_param(wanted)}
        rows = (await self.session.execute(statement.columns(*columns), params)).all()
        return [(r[0], self.key(r[1]), self.key(r[2])) for r in rows if r[3] == OrderStatus.active]

    async def ancestry(
        self, employee_ids: Iterable[DirectoryKey]
    ) -> dict[DirectoryKey, tuple[DirectoryKey | None, DirectoryKey | None]]:
        """employee -> (unit, supervisor) for the given employees and everyone above them in the stored chain of
        command: one recursive walk up from all of them."""
        wanted = list(set(employee_ids))
        if not wanted:
            return {}
        return {r[0]: (r[1], r[2]) for r in await self._all(_ANCESTRY, {"ids": "uuid"}, {"ids": wanted})}

    async def member_assignments(
        self, employee_ids: Iterable[DirectoryKey]
    ) -> dict[DirectoryKey, frozenset[DirectoryKey]]:
        """The assignments each of the employees is currently a member of."""
        wanted = list(set(employee_ids))
        if not wanted:
            return {}
        found: dict[DirectoryKey, set[DirectoryKey]] = {}
        for employee_id, assignment_id in await self._all(
            _MEMBER_ASSIGNMENTS, {"ids": "uuid"}, {"ids": wanted, "member": True}
        ):
            found.setdefault(employee_id, set()).add(assignment_id)
        return {k: frozenset(v) for k, v in found.items()}
