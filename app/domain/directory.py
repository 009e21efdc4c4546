"""The personnel directory that SEP-2 and SEP-4 read: references, cycles and effective times.

Rows are keyed by the personnel system's own ids (unit and assignment ids, employee numbers); the database ids
stay outside the domain. Every placement field carries the effective time of the change that set it, and a
change applies only if nothing later is stored (last writer by effective time wins, whatever the arrival order).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Generic, NamedTuple, TypeVar

from app.domain.enums import AssignmentKind, EmployeeStatus, OrgKind, PersonnelEventKind
from app.domain.errors import RuleViolation

K = TypeVar("K")
V = TypeVar("V")
LISTED = 20  # problems named in an error; the count says how many there were


class UnknownReference(RuleViolation):
    code = "unknown-reference"
    title = "The data refers to an organisation, unit, employee or assignment the directory does not know."


class DirectoryCycle(RuleViolation):
    code = "cycle"
    title = "The unit tree or the chain of command would contain a cycle."


class DuplicateInSnapshot(RuleViolation):
    code = "duplicate-in-snapshot"
    title = "The same organisation, unit, employee or assignment is listed twice."


class RemovalsNotConfirmed(RuleViolation):
    code = "removals-not-confirmed"
    title = "The full snapshot would mark more people as left than it may without confirm_removals."


class SyncMode(StrEnum):
    """What a snapshot does with the people it leaves out (SEP-6, RET-1): `full` marks the employed people of the
    organisations it lists as left; `upsert` leaves them untouched."""

    full = "full"
    upsert = "upsert"


# A full snapshot may mark at most this share of the employed people of its organisations as left (and at least
# one person) without `confirm_removals`: an empty or truncated export must not retire a whole organisation.
UNCONFIRMED_LEAVERS_SHARE = 0.10


def refuse(error: type[RuleViolation], problems: list[str]) -> None:
    """Raise `error` naming the first problems (ids and employee numbers only, never names)."""
    if problems:
        raise error(f"{len(problems)} problem(s): " + "; ".join(problems[:LISTED]), problems=problems[:LISTED])


def takes_effect(stored_at: datetime | None, effective_at: datetime) -> bool:
    """A change applies unless a later change of the same field is already stored."""
    return stored_at is None or stored_at <= effective_at


def find_cycle(parent_of: Mapping[K, K | None]) -> list[K] | None:
    """One cycle of a parent relation (unit tree, chain of command), or None. Linear in the number of rows."""
    state: dict[K, bool] = {}  # False: on the path being walked; True: known to end at a root
    for start in parent_of:
        path: list[K] = []
        node: K | None = start
        while node is not None and node not in state:
            state[node] = False
            path.append(node)
            node = parent_of.get(node)
        if node is not None and state[node] is False:
            return path[path.index(node) :]
        for walked in path:
            state[walked] = True
    return None


def closes_cycle(employee: K, new_supervisor: K | None, chain_above_supervisor: Iterable[K]) -> bool:
    """Whether putting `employee` under `new_supervisor` would make someone their own (indirect) supervisor."""
    return new_supervisor is not None and (new_supervisor == employee or employee in set(chain_above_supervisor))


# The facts are named tuples, not dataclasses: a full sync builds and compares some 175,000 of them on each side
# (directory sync, issue 17), and a tuple is built and compared in C.
class OrganisationFacts(NamedTuple):
    name: str
    kind: OrgKind


class UnitFacts(NamedTuple):
    organisation: str
    parent: str | None
    name: str
    head: str | None = None  # SAN-4: the unit head's employee number


class EmployeeFacts(NamedTuple):
    organisation: str
    unit: str | None
    supervisor: str | None
    status: EmployeeStatus
    retired_on: date | None
    unit_at: datetime
    supervisor_at: datetime
    status_at: datetime

    def values(self) -> tuple[object, ...]:
        """organisation, unit, supervisor, status, retired_on: what the person's row says, without the times."""
        return self[:5]


class AssignmentFacts(NamedTuple):
    organisation: str
    kind: AssignmentKind
    name: str


class Membership(NamedTuple):
    member: bool
    effective_at: datetime


@dataclass
class Directory:
    """What is stored, or what a snapshot says (employees' effective times = the snapshot's as_of)."""

    organisations: dict[str, OrganisationFacts] = field(default_factory=dict)
    units: dict[str, UnitFacts] = field(default_factory=dict)
    employees: dict[str, EmployeeFacts] = field(default_factory=dict)
    assignments: dict[str, AssignmentFacts] = field(default_factory=dict)
    members: dict[str, dict[str, Membership]] = field(default_factory=dict)  # assignment → employee → state


@dataclass
class Snapshot:
    as_of: datetime
    organisations: list[tuple[str, OrganisationFacts]]
    units: list[tuple[str, UnitFacts]]
    employees: list[tuple[str, EmployeeFacts]]
    assignments: list[tuple[str, AssignmentFacts, list[str]]]


@dataclass
class Changes(Generic[K, V]):
    """Rows to insert, to overwrite, and to confirm: a confirmed row is as stored, only its effective times move
    forward to the snapshot's as_of (so an older event arriving later cannot undo what a newer snapshot said)."""

    created: dict[K, V] = field(default_factory=dict)
    updated: dict[K, V] = field(default_factory=dict)
    confirmed: list[K] = field(default_factory=list)
    changed: int = 0
    unchanged: int = 0

    def counts(self) -> dict[str, int]:
        return {"created": len(self.created), "updated": self.changed, "unchanged": self.unchanged}

    def add(self, key: K, stored: V | None, new: V, *, same_values: bool = False, confirms: bool = False) -> None:
        if stored is None:
            self.created[key] = new
        elif new == stored:
            self.unchanged += 1
        elif same_values:
            self.unchanged += 1
            if confirms:
                self.confirmed.append(key)
            else:
                self.updated[key] = new
        else:
            self.updated[key] = new
            self.changed += 1


@dataclass
class SyncPlan:
    as_of: datetime
    organisations: Changes[str, OrganisationFacts] = field(default_factory=Changes)
    units: Changes[str, UnitFacts] = field(default_factory=Changes)
    employees: Changes[str, EmployeeFacts] = field(default_factory=Changes)
    assignments: Changes[str, AssignmentFacts] = field(default_factory=Changes)
    members: Changes[tuple[str, str], Membership] = field(default_factory=Changes)


def _duplicates(kind: str, keys: list[str]) -> list[str]:
    if len(set(keys)) == len(keys):
        return []
    seen: set[str] = set()
    found: list[str] = []
    for key in keys:
        if key in seen:
            found.append(f"{kind} {key}")
        seen.add(key)
    return found


def merge_employee(stored: EmployeeFacts | None, listed: EmployeeFacts, as_of: datetime) -> EmployeeFacts:
    """A snapshot row over the stored one, field by field: a later stored change wins."""
    if stored is None:
        return listed
    unit = takes_effect(stored.unit_at, as_of)
    supervisor = takes_effect(stored.supervisor_at, as_of)
    status = takes_effect(stored.status_at, as_of)
    if unit and supervisor and status and listed.unit_at == listed.supervisor_at == listed.status_at == as_of:
        return listed  # the common case, and the cheap one (50,000 rows a run)
    return EmployeeFacts(
        organisation=listed.organisation,
        unit=listed.unit if unit else stored.unit,
        supervisor=listed.supervisor if supervisor else stored.supervisor,
        status=listed.status if status else stored.status,
        retired_on=listed.retired_on if status else stored.retired_on,
        unit_at=as_of if unit else stored.unit_at,
        supervisor_at=as_of if supervisor else stored.supervisor_at,
        status_at=as_of if status else stored.status_at,
    )


def plan_sync(stored: Directory, snapshot: Snapshot) -> SyncPlan:
    """A full snapshot against the stored directory: refused whole (duplicate, unknown reference, cycle — also
    with stored rows), otherwise the rows to write. Absent rows stay as they are; leaving is a status."""
    refuse(
        DuplicateInSnapshot,
        _duplicates("organisation", [k for k, _ in snapshot.organisations])
        + _duplicates("unit", [k for k, _ in snapshot.units])
        + _duplicates("employee", [k for k, _ in snapshot.employees])
        + _duplicates("assignment", [k for k, _, _ in snapshot.assignments]),
    )

    orgs = stored.organisations.keys() | {k for k, _ in snapshot.organisations}
    units = stored.units.keys() | {k for k, _ in snapshot.units}
    people = stored.employees.keys() | {k for k, _ in snapshot.employees}
    problems = [f"unit {k}: organisation {u.organisation}" for k, u in snapshot.units if u.organisation not in orgs]
    problems += [f"unit {k}: parent {u.parent}" for k, u in snapshot.units if u.parent and u.parent not in units]
    for number, e in snapshot.employees:
        if e.organisation not in orgs:
            problems.append(f"employee {number}: organisation {e.organisation}")
        if e.unit and e.unit not in units:
            problems.append(f"employee {number}: unit {e.unit}")
        if e.supervisor and e.supervisor not in people:
            problems.append(f"employee {number}: supervisor {e.supervisor}")
    for key, a, members in snapshot.assignments:
        if a.organisation not in orgs:
            problems.append(f"assignment {key}: organisation {a.organisation}")
        if not people.issuperset(members):
            problems += [f"assignment {key}: member {m}" for m in members if m not in people]
    problems += [f"unit {k}: head {u.head}" for k, u in snapshot.units if u.head and u.head not in people]
    refuse(UnknownReference, problems)

    as_of = snapshot.as_of
    plan = SyncPlan(as_of)
    for key, org in snapshot.organisations:
        plan.organisations.add(key, stored.organisations.get(key), org)
    for key, unit in snapshot.units:
        plan.units.add(key, stored.units.get(key), unit)
    parents = {k: u.parent for k, u in stored.units.items()} | {k: u.parent for k, u in snapshot.units}
    refuse(DirectoryCycle, [f"unit {k}" for k in find_cycle(parents) or []])

    refuse(
        DirectoryCycle, [f"employee {n}" for n in find_cycle({n: e.supervisor for n, e in snapshot.employees}) or []]
    )
    employees = plan.employees
    for number, listed in snapshot.employees:
        before = stored.employees.get(number)
        if before is None:
            employees.created[number] = listed
        elif listed == before and listed.unit_at == listed.supervisor_at == listed.status_at == as_of:
            employees.unchanged += 1  # as stored, times included: what merging and comparing would conclude
        else:
            after = merge_employee(before, listed, as_of)
            employees.add(
                number,
                before,
                after,
                same_values=after.values() == before.values(),
                confirms=after.unit_at == after.supervisor_at == after.status_at == as_of,
            )
    supervisors = {n: e.supervisor for n, e in stored.employees.items()}
    supervisors |= {n: e.supervisor for n, e in (plan.employees.created | plan.employees.updated).items()}
    refuse(DirectoryCycle, [f"employee {n}" for n in find_cycle(supervisors) or []])

    # Memberships, some 100,000 in a large directory: Changes.add written out for them (a pair's state either is
    # as stored, is stored with an earlier time and is confirmed, or changes; a later stored change wins).
    is_member, is_not = Membership(True, as_of), Membership(False, as_of)
    changes = plan.members
    for key, assignment, members in snapshot.assignments:
        plan.assignments.add(key, stored.assignments.get(key), assignment)
        stored_members = stored.members.get(key)
        if not stored_members:
            for number in members:
                changes.created[(key, number)] = is_member
            continue
        # Listed → member; a stored member of a listed assignment who is not listed any more → not a member.
        wanted = {n: False for n, m in stored_members.items() if m.member} | dict.fromkeys(members, True)
        for number, member in wanted.items():
            was = stored_members.get(number)
            if was is None:
                changes.created[(key, number)] = is_member if member else is_not
            elif not takes_effect(was.effective_at, as_of):
                changes.unchanged += 1
            elif was.member != member:
                changes.updated[(key, number)] = is_member if member else is_not
                changes.changed += 1
            else:
                changes.unchanged += 1
                if was.effective_at != as_of:
                    changes.confirmed.append((key, number))
    return plan


def left_out(stored: Directory, snapshot: Snapshot) -> tuple[list[str], int]:
    """A full snapshot speaks for the organisations it lists: their stored employees who are still employed (active
    or on leave) and whom it does not list have left. Returns those employee numbers and how many are employed."""
    organisations = {key for key, _ in snapshot.organisations}
    listed = {number for number, _ in snapshot.employees}
    employed = [
        number
        for number, e in stored.employees.items()
        if e.organisation in organisations and e.status != EmployeeStatus.retired
    ]
    return sorted(n for n in employed if n not in listed), len(employed)


def check_leavers(leaving: int, employed: int, confirm_removals: int | None) -> None:
    """Guard against an empty or truncated full snapshot: more leavers than the share allows need
    `confirm_removals` equal to their number; a given `confirm_removals` must always match."""
    allowed = max(1, int(employed * UNCONFIRMED_LEAVERS_SHARE))
    if confirm_removals is None and leaving <= allowed:
        return
    if confirm_removals == leaving:
        return
    raise RemovalsNotConfirmed(
        f"This full snapshot would mark {leaving} of {employed} employed people as left; "
        f"without confirm_removals at most {allowed}. Send confirm_removals={leaving} if that is right, "
        "or mode=upsert to leave absent people untouched.",
        would_mark_left=leaving,
        employed=employed,
        allowed_without_confirmation=allowed,
    )


# Incremental events: which stored fields each kind sets, and what it does to the status.
FIELDS_SET: dict[PersonnelEventKind, tuple[str, ...]] = {
    PersonnelEventKind.transfer: ("unit",),
    PersonnelEventKind.new_supervisor: ("supervisor",),
    PersonnelEventKind.joined_assignment: ("membership",),
    PersonnelEventKind.left_assignment: ("membership",),
    PersonnelEventKind.leave: ("status",),
    PersonnelEventKind.returned: ("status",),
    PersonnelEventKind.retirement: ("status",),
    PersonnelEventKind.dismissal: ("status",),
}
STATUS_AFTER = {
    PersonnelEventKind.leave: EmployeeStatus.on_leave,
    PersonnelEventKind.returned: EmployeeStatus.active,
    PersonnelEventKind.retirement: EmployeeStatus.retired,
    PersonnelEventKind.dismissal: EmployeeStatus.retired,  # dismissal is leaving the organisation (SEP-6)
}
# Changes no placement: recorded for the retaliation watch (RET-1), whatever their order.
RECORDED = frozenset(
    {
        PersonnelEventKind.evaluation,
        PersonnelEventKind.discipline,
        PersonnelEventKind.promotion_decision,
        PersonnelEventKind.training_decision,
        PersonnelEventKind.duties_removed,
        PersonnelEventKind.objection,
        PersonnelEventKind.dismissal,
        PersonnelEventKind.loss_of_status,
        PersonnelEventKind.pay_cut,
        PersonnelEventKind.demotion,
        PersonnelEventKind.resources_withheld,
    }
)


@dataclass(frozen=True)
class EventDecision:
    outcome: str  # applied | superseded | recorded
    fields: frozenset[str]  # of unit, supervisor, status, membership: those the event overwrites


def decide_event(
    kind: PersonnelEventKind,
    effective_at: datetime,
    stored_at: Mapping[str, datetime | None],
    *,
    sets_supervisor: bool = False,
) -> EventDecision:
    """Out of order: an event older than a field's stored effective time does not overwrite it ("superseded")."""
    wanted = FIELDS_SET.get(kind, ()) + (("supervisor",) if sets_supervisor else ())
    applied = frozenset(f for f in wanted if takes_effect(stored_at.get(f), effective_at))
    if kind in RECORDED:
        return EventDecision("recorded", applied)
    return EventDecision("applied" if applied else "superseded", applied)
