"""SEP-1 … SEP-6: separated people are not connected through work; plans move the respondent."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from uuid import UUID

from app.domain.enums import ConnectionKind, EmployeeStatus, IdentityMode, ReporterKind
from app.domain.errors import Conflict, RuleViolation


@dataclass(frozen=True)
class Placement:
    """Where a person works: unit, chain of command (supervisors, nearest first, transitive and across
    organisations) and shared work assignments."""

    employee_id: UUID
    unit_id: UUID | None
    chain: tuple[UUID, ...] = ()
    assignments: frozenset[UUID] = field(default_factory=frozenset)


@dataclass(frozen=True)
class Connection:
    kind: ConnectionKind
    # The unit, the assignment, or (chain of command) the person who is above the other.
    via: UUID


def connections(a: Placement, b: Placement) -> list[Connection]:
    """SEP-2: every way in which a and b are connected through work."""
    found: list[Connection] = []
    if a.unit_id is not None and a.unit_id == b.unit_id:
        found.append(Connection(ConnectionKind.same_unit, a.unit_id))
    if a.employee_id in b.chain:
        found.append(Connection(ConnectionKind.chain_of_command, a.employee_id))
    if b.employee_id in a.chain:
        found.append(Connection(ConnectionKind.chain_of_command, b.employee_id))
    for assignment in sorted(a.assignments & b.assignments):
        found.append(Connection(ConnectionKind.shared_assignment, assignment))
    return found


def chain_of(employee_id: UUID, supervisor_of: Mapping[UUID, UUID | None], limit: int = 10_000) -> tuple[UUID, ...]:
    """The transitive chain of command above a person (nearest first). Stops at a cycle rather than loop."""
    chain: list[UUID] = []
    seen = {employee_id}
    current = supervisor_of.get(employee_id)
    while current is not None and current not in seen and len(chain) < limit:
        chain.append(current)
        seen.add(current)
        current = supervisor_of.get(current)
    return tuple(chain)


REASON_CODES = {
    ConnectionKind.same_unit: "separated-same-unit",
    ConnectionKind.chain_of_command: "separated-chain-of-command",
    ConnectionKind.shared_assignment: "separated-shared-assignment",
}


@dataclass(frozen=True)
class Refusal:
    order_reference: str
    reason: str


def check_pairs(pairs: Iterable[tuple[str, Placement, Placement]]) -> list[Refusal]:
    """SEP-4: for hypothetical placements of separated pairs, the refusals (one per order and reason).
    The answer names only the order's reference and a reason code — never who reported or why."""
    refusals: list[Refusal] = []
    for reference, a, b in pairs:
        for kind in dict.fromkeys(c.kind for c in connections(a, b)):
            refusals.append(Refusal(reference, REASON_CODES[kind]))
    return refusals


class PlacementCycle(RuleViolation):
    code = "cycle"
    title = "That supervisor is the employee or someone below them."


@dataclass(frozen=True)
class Staffing:
    """A directory in memory: each employee's unit, direct supervisor, assignments and status."""

    unit_of: Mapping[UUID, UUID | None]
    supervisor_of: Mapping[UUID, UUID | None]
    assignments_of: Mapping[UUID, frozenset[UUID]]
    status_of: Mapping[UUID, EmployeeStatus]


@dataclass(frozen=True)
class ActiveOrder:
    reference: str
    victim_id: UUID
    respondent_id: UUID


REASON_ORDER = {reason: i for i, reason in enumerate(REASON_CODES.values())}


def refusal_order(refusal: Refusal) -> tuple[str, int]:
    """The order in which refusals are answered: by order reference, then same unit, chain, assignment."""
    return refusal.order_reference, REASON_ORDER[refusal.reason]


def placement_refusals(
    staffing: Staffing,
    orders: Iterable[ActiveOrder],
    mover: UUID,
    *,
    unit: UUID | None = None,
    supervisor: UUID | None = None,
    assignment: UUID | None = None,
) -> list[Refusal]:
    """SEP-2, SEP-4, the specification of the check: put the mover in `unit`, under `supervisor` and/or on
    `assignment` (each optional) and answer with the refusals of every active order whose people would then be
    connected. The orders looked at are the mover's, and with a new supervisor also those of everyone below the
    mover (their chain of command changes too). A retired mover cannot be placed; a supervisor who is the mover
    or below the mover is a cycle. The database answers the same question in SQL
    (`SeparationRepository.check_placement`); tests prove the two agree on generated directories."""
    require_placeable(staffing.status_of[mover])
    supervisor_of: dict[UUID, UUID | None] = dict(staffing.supervisor_of)
    if supervisor is not None:
        if supervisor == mover or mover in chain_of(supervisor, staffing.supervisor_of):
            raise PlacementCycle()
        supervisor_of[mover] = supervisor

    def affected(person: UUID) -> bool:
        return person == mover or (supervisor is not None and mover in chain_of(person, staffing.supervisor_of))

    def placement(person: UUID) -> Placement:
        unit_id = staffing.unit_of.get(person)
        assignments = staffing.assignments_of.get(person, frozenset())
        if person == mover:
            unit_id = unit if unit is not None else unit_id
            assignments = assignments | ({assignment} if assignment is not None else set())
        return Placement(person, unit_id, chain_of(person, supervisor_of), frozenset(assignments))

    pairs = [
        (o.reference, placement(o.victim_id), placement(o.respondent_id))
        for o in orders
        if affected(o.victim_id) or affected(o.respondent_id)
    ]
    return sorted(set(check_pairs(pairs)), key=refusal_order)


class EmployeeNotActive(RuleViolation):
    code = "employee-not-active"
    title = "The employee has left the organisation; there is nothing to place."


def require_placeable(status: EmployeeStatus) -> None:
    """SEP-4: a retired employee cannot be placed."""
    if status == EmployeeStatus.retired:
        raise EmployeeNotActive()


@dataclass(frozen=True)
class PlanStep:
    """SEP-3: one proposed personnel measure."""

    who: str  # "respondent" or "victim"
    action: str
    connection: ConnectionKind
    via: UUID
    at_victims_request: bool = False


PLAN_ACTIONS = {
    ConnectionKind.same_unit: "transfer_to_another_unit",
    ConnectionKind.chain_of_command: "move_out_of_chain_of_command",
    ConnectionKind.shared_assignment: "remove_from_assignment",
}


def propose_plan(found: list[Connection], victim_wants_to_move: bool) -> list[PlanStep]:
    """SEP-3, CASE-7: the plan moves the respondent; the victim moves only at their own recorded request."""
    who = "victim" if victim_wants_to_move else "respondent"
    return [PlanStep(who, PLAN_ACTIONS[c.kind], c.kind, c.via, at_victims_request=victim_wants_to_move) for c in found]


def order_needed(victim_id: UUID | None, respondent_id: UUID | None) -> bool:
    """SEP-1: an order opens as soon as a report names both victim and respondent as (different) employees."""
    return victim_id is not None and respondent_id is not None and victim_id != respondent_id


def ends_order(status: EmployeeStatus) -> bool:
    """SEP-6: an order lasts until one of the two leaves the organisation."""
    return status == EmployeeStatus.retired


class OrderNotActive(Conflict):
    code = "order-not-active"
    title = "The separation order is no longer active."


class ViolationResolved(Conflict):
    code = "violation-resolved"
    title = "The separation violation is already resolved."


class LiftReasonRequired(RuleViolation):
    code = "lift-reason-required"
    title = "Lifting a separation order needs a reason."


def awaits_triage(reporter_kind: ReporterKind, identity_mode: IdentityMode) -> bool:
    """SEP-1 (security review F11): an order opened by an anonymous third party's report opens at once and is
    enforced like any other, but is marked awaiting triage: nobody can be asked who named the two, so the case
    team confirms it (or a team lead lifts it, SEP-6) when they triage the case. Several such orders naming one
    employee on one day look like a flood aimed at that person: the case team is alerted (`alerts.raises_now`,
    threshold `anonymous_orders_alert_at`), without being told who."""
    return reporter_kind == ReporterKind.third_party and identity_mode == IdentityMode.anonymous


class OrderNotAwaitingTriage(Conflict):
    code = "order-not-awaiting-triage"
    title = "The separation order does not await triage (confirmed already, or no longer active)."


def check_confirmable(active: bool, awaiting_triage: bool) -> None:
    """F11: only an active order awaiting triage is confirmed."""
    if not (active and awaiting_triage):
        raise OrderNotAwaitingTriage()
