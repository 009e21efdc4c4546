"""Separation orders (SEP-1 … SEP-6): opened by reports, checked by the personnel system before placements,
re-evaluated on every personnel change, lifted only by a team lead."""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Iterable
from typing import Any

from app.db.links import employee_mac, employee_macs
from app.db.models import (
    Case,
    Employee,
    PendingParty,
    PersonnelEvent,
    ProtectedPerson,
    SeparationOrder,
    SeparationViolation,
    VictimWish,
)
from app.db.uow import UnitOfWork
from app.domain import receipt
from app.domain.enums import (
    AlertKind,
    ConnectionKind,
    EmployeeStatus,
    OrderStatus,
    PersonnelEventKind,
    ProtectedRole,
    ReporterKind,
    Role,
)
from app.domain.errors import AccessDenied, InvalidToken, NotFound, RuleViolation
from app.domain.identity import pseudonym
from app.domain.intake import ReportFacts
from app.domain.separation import (
    REASON_CODES,
    Connection,
    LiftReasonRequired,
    OrderNotActive,
    Placement,
    PlacementCycle,
    ViolationResolved,
    awaits_triage,
    chain_of,
    check_confirmable,
    connections,
    ends_order,
    order_needed,
    propose_plan,
    require_placeable,
)
from app.schemas.separation import (
    CaseSeparationRead,
    CheckRefusal,
    CheckResult,
    ConnectionRead,
    OrderMinimal,
    OrderPage,
    OrderRead,
    PlacementCheck,
    PlanStepRead,
    ViolationRead,
    WishRead,
)
from app.services import alerts, audit, clock, notifications, outbox
from app.services.actors import ClientActor, StaffActor, SystemActor
from app.services.cases import load_visible_case, victim_identity_visible

PLACEMENT_KINDS = frozenset(
    {
        PersonnelEventKind.transfer,
        PersonnelEventKind.new_supervisor,
        PersonnelEventKind.joined_assignment,
        PersonnelEventKind.left_assignment,
    }
)
CHAIN_KINDS = frozenset({PersonnelEventKind.transfer, PersonnelEventKind.new_supervisor})


class UnknownReference(RuleViolation):
    code = "unknown-reference"
    title = "A referenced employee, unit or assignment is not in the directory."


# --- opening (SEP-1) -------------------------------------------------------------------------------------


async def protect_and_separate(uow: UnitOfWork, case: Case, report: ReportFacts, *, late: bool = False) -> None:
    """SEP-1, RET-1: record the case's protected persons found in the directory, and open the separation order
    at once when the report names both victim and respondent as employees. No human step is needed.

    A number the directory does not know yet is kept by MAC (`PendingParty`); when a sync brings it, this runs
    again for the case (`late`, from `case_opened.directory_learned`) and adds only what is new."""
    victim_number = report.victim_number or (
        report.reporter_number if report.reporter_kind == ReporterKind.victim else None
    )
    respondent_number = report.respondent_number
    named: list[tuple[ProtectedRole, str | None]] = [(ProtectedRole.victim, victim_number)]
    if report.reporter_kind == ReporterKind.third_party:
        named.append((ProtectedRole.reporter, report.reporter_number))
    named += [(ProtectedRole.witness, number) for number in report.witness_numbers]
    named += [(ProtectedRole.helper, number) for number in report.helper_numbers]

    numbers = {n for _, n in named if n} | ({respondent_number} if respondent_number else set())
    found: dict[str, Employee] = {}
    for number in numbers:
        employee = await uow.personnel.employee_by_number(number)
        if employee is not None:
            found[number] = employee
    protected = await uow.separation.protected_keys(case.id) if late else set()
    for role, number in named:
        if number and number in found and number != respondent_number:
            person = found[number]
            mac = employee_mac(person.employee_number)
            if mac not in {m for m, _ in protected}:  # RET-1: each person once, in the first role named
                protected.add((mac, str(role)))
                uow.separation.add(ProtectedPerson(case_id=case.id, employee_mac=mac, employee_id=person.id, role=role))
    if not late:
        for mac in employee_macs(numbers - found.keys()):
            uow.separation.add(PendingParty(case_id=case.id, employee_mac=mac))

    victim = found.get(victim_number or "")
    respondent = found.get(respondent_number or "")
    if respondent is not None:
        _record_respondent(case, respondent)
    if victim is None or respondent is None or not order_needed(victim.id, respondent.id):
        return
    if EmployeeStatus.retired in (victim.status, respondent.status):
        return  # SEP-6: nothing to separate once one of them has left
    pair = employee_mac(victim.employee_number), employee_mac(respondent.employee_number)
    if late and await uow.separation.order_between(case.id, *pair):
        return
    order = await _open_order(
        uow, case, victim, respondent, awaiting_triage=awaits_triage(report.reporter_kind, report.identity_mode)
    )
    if order.awaiting_triage:
        for number in (victim.employee_number, respondent.employee_number):
            await alerts.count(
                uow, AlertKind.anonymous_orders, employee_mac(number), alert_at=uow.settings.anonymous_orders_alert_at
            )


async def waiting_for(uow: UnitOfWork, numbers: Iterable[str]) -> list[uuid.UUID]:
    """SEP-1: the directory learned these employee numbers: the running cases that named one of them while it was
    unknown (found by MAC among the few waiting, never by reading cases); they wait no longer."""
    pending = await uow.separation.pending_macs()
    if not pending:
        return []
    return await uow.separation.take_pending(sorted({m for n in numbers if (m := employee_mac(n)) in pending}))


def _record_respondent(case: Case, respondent: Employee) -> None:
    """CASE-3 recusal follows the respondent's placement (by MAC and encrypted id: app.db.links)."""
    case.respondent_mac = employee_mac(respondent.employee_number)
    case.respondent_employee_id = respondent.id


async def record_respondent(uow: UnitOfWork, case: Case, respondent_number: str | None) -> None:
    """CASE-3 for a case sealed in escrow (CASE-8): nothing runs, but the respondent is recorded, so that whoever
    is recused from the case once released is kept from its possible escrow matches too (security review F4)."""
    respondent = await uow.personnel.employee_by_number(respondent_number) if respondent_number else None
    if respondent is not None:
        _record_respondent(case, respondent)


async def _open_order(
    uow: UnitOfWork, case: Case, victim: Employee, respondent: Employee, *, awaiting_triage: bool
) -> SeparationOrder:
    """SEP-1: the order opens, enforced at once; one an anonymous third party's report opened awaits triage (F11)."""
    found = connections(await uow.separation.placement(victim), await uow.separation.placement(respondent))
    order = SeparationOrder(
        reference=await _new_reference(uow),
        case_id=case.id,
        victim_mac=employee_mac(victim.employee_number),
        respondent_mac=employee_mac(respondent.employee_number),
        victim_id=victim.id,
        respondent_id=respondent.id,
        status=OrderStatus.active,
        awaiting_triage=awaiting_triage,
        connections=_serialize(found),
        opened_on=clock.now().date(),  # the day only: the time would date the (anonymous) report (F3)
    )
    uow.separation.add(order)
    await uow.session.flush()
    await audit.record(
        uow, SystemActor(), "separation.order_opened", case_id=case.id, target=order.reference, day_only=True
    )
    await outbox.publish(uow, "separation.order_opened", _minimal(order, victim, respondent).model_dump(mode="json"))
    return order


async def _new_reference(uow: UnitOfWork) -> str:
    while True:
        raw = receipt.encode(secrets.token_bytes(receipt.ENTROPY_BYTES))[:10]
        reference = f"SO-{raw[:5]}-{raw[5:]}"
        if not await uow.separation.reference_taken(reference):
            return reference


def _serialize(found: list[Connection]) -> list[dict[str, str]]:
    return [{"kind": str(c.kind), "via": str(c.via)} for c in found]


def _deserialize(stored: list[dict[str, str]]) -> list[Connection]:
    return [Connection(ConnectionKind(c["kind"]), uuid.UUID(c["via"])) for c in stored]


def _minimal(order: SeparationOrder, a: Employee, b: Employee) -> OrderMinimal:
    """SEP-4: the two people in no particular role (sorted), never who reported or why."""
    return OrderMinimal(
        reference=order.reference,
        employee_numbers=sorted([a.employee_number, b.employee_number]),
        opened_on=order.opened_on,
    )


# --- the personnel system's questions (SEP-4) ------------------------------------------------------------


async def check_placement(uow: UnitOfWork, client: ClientActor, command: PlacementCheck) -> CheckResult:
    """SEP-4: would placing the employee in a unit / under a supervisor / on an assignment connect a separated
    pair? Allowed, or refused with reason codes and order references only.

    `SeparationRepository.check_placement` answers it (the same question as the domain's `placement_refusals`:
    the orders concerned found by MAC, then one statement over them and the directory), and that statement also
    says whether the asking client is still active: `client` comes from a verified token whose client has not been
    looked up yet (`app.api.deps.client_claims_with_scope`)."""
    answer = await uow.separation.check_placement(
        command.employee_number,
        unit=command.unit,
        supervisor=command.supervisor,
        assignment=command.assignment,
        client_id=client.client_id,
        token_id=client.token_id,
    )
    if not answer.client_active:
        raise InvalidToken()
    if answer.mover_status is None:
        raise UnknownReference()
    require_placeable(answer.mover_status)
    if command.unit is not None and not answer.unit_found:
        raise UnknownReference()
    if command.supervisor is not None and not answer.supervisor_found:
        raise UnknownReference()
    if answer.cycle:
        raise PlacementCycle()
    if command.assignment is not None and not answer.assignment_found:
        raise UnknownReference()
    # AUD-1: one entry per refused order and reason, appended together (one tail lookup, one flush).
    await audit.record_many(uow, client, "separation.check_refused", [r.order_reference for r in answer.refusals])
    return CheckResult(
        allowed=not answer.refusals,
        refusals=[CheckRefusal(order_reference=r.order_reference, reason=r.reason) for r in answer.refusals],
    )


async def _employee(uow: UnitOfWork, number: str) -> Employee:
    employee = await uow.personnel.employee_by_number(number)
    if employee is None:
        raise UnknownReference()
    return employee


async def list_active_orders(uow: UnitOfWork, client: ClientActor, offset: int, limit: int) -> OrderPage:
    """SEP-4: the active orders in their minimal form (reference and the two employee numbers)."""
    orders, total = await uow.separation.active_orders(offset, limit)
    people = await uow.separation.employees([o.victim_id for o in orders] + [o.respondent_id for o in orders])
    items = [_minimal(o, people[o.victim_id], people[o.respondent_id]) for o in orders]
    return OrderPage(items=items, total=total, offset=offset, limit=limit)


# --- the case team's view and decisions (SEP-3, SEP-6, CASE-7) --------------------------------------------


async def case_separation(uow: UnitOfWork, actor: StaffActor, case_id: uuid.UUID) -> CaseSeparationRead:
    """The case's orders with current connections, the plan that moves the respondent, violations, wishes."""
    case = await load_visible_case(uow, actor, case_id)
    identity_visible = await victim_identity_visible(uow, actor, case)
    orders = await uow.separation.orders_for_case(case.id)
    wish = await uow.separation.latest_wish(case.id)
    wants_to_move = bool(wish and wish.wants_to_move)
    violations = await uow.separation.violations([o.id for o in orders])
    people = await uow.separation.employees([o.victim_id for o in orders] + [o.respondent_id for o in orders])
    read_orders = []
    for order in orders:
        victim, respondent = people[order.victim_id], people[order.respondent_id]
        found = (
            connections(await uow.separation.placement(victim), await uow.separation.placement(respondent))
            if order.status == OrderStatus.active
            else []
        )
        labels = await uow.separation.labels([c.via for c in found])
        if not identity_visible:
            labels[victim.id] = pseudonym(case.id)
        plan = propose_plan(found, wants_to_move)
        read_orders.append(
            OrderRead(
                id=order.id,
                reference=order.reference,
                status=order.status,
                awaiting_triage=order.awaiting_triage,
                victim_employee_number=victim.employee_number if identity_visible else pseudonym(case.id),
                respondent_employee_number=respondent.employee_number,
                opened_on=order.opened_on,
                closed_on=order.closed_on,
                connections=[ConnectionRead(kind=c.kind, via=labels.get(c.via, str(c.via))) for c in found],
                plan=[
                    PlanStepRead(
                        who=s.who,
                        action=s.action,
                        connection=s.connection,
                        via=labels.get(s.via, str(s.via)),
                        at_victims_request=s.at_victims_request,
                    )
                    for s in plan
                ],
                violations=[
                    ViolationRead(
                        id=v.id,
                        kind=v.kind,
                        detected_on=v.detected_on,
                        resolved_on=v.resolved_on,
                        resolved_by=v.resolved_by,
                        resolution=v.resolution,
                    )
                    for v in violations
                    if v.order_id == order.id
                ],
            )
        )
    await audit.record(uow, actor, "separation.read", case_id=case.id)
    wishes = await uow.separation.wishes(case.id)
    return CaseSeparationRead(
        orders=read_orders,
        victim_wishes=[WishRead(wants_to_move=w.wants_to_move, note=w.note, recorded_on=w.recorded_on) for w in wishes],
    )


async def lift_order(uow: UnitOfWork, actor: StaffActor, case_id: uuid.UUID, order_id: uuid.UUID, reason: str) -> None:
    """SEP-6: only a team lead lifts an order, with a reason; audited; never automatic, never by closing."""
    case = await load_visible_case(uow, actor, case_id)
    if actor.role != Role.team_lead:
        raise AccessDenied("Only a team lead can lift a separation order.")
    order = await uow.separation.order(order_id)
    if order is None or order.case_id != case.id:
        raise NotFound()
    if order.status != OrderStatus.active:
        raise OrderNotActive()
    if not reason.strip():
        raise LiftReasonRequired()
    order.status = OrderStatus.lifted
    order.awaiting_triage = False  # F11: lifting at triage is this same decision
    order.closed_on = clock.now().date()
    order.closed_by = actor.user_id
    order.close_reason = reason
    people = await uow.separation.employees([order.victim_id, order.respondent_id])
    await audit.record(uow, actor, "separation.order_lifted", case_id=case.id, target=order.reference)
    await outbox.publish(
        uow,
        "separation.order_lifted",
        _minimal(order, people[order.victim_id], people[order.respondent_id]).model_dump(mode="json"),
    )


async def confirm_order(uow: UnitOfWork, actor: StaffActor, case_id: uuid.UUID, order_id: uuid.UUID) -> None:
    """SEP-1 (security review F11): at triage the case team confirms an order an anonymous third party's report
    opened (it stays as it is, no longer awaiting triage); lifting it instead is SEP-6's team-lead decision
    (`lift_order`). Audited."""
    case = await load_visible_case(uow, actor, case_id)
    order = await uow.separation.order(order_id)
    if order is None or order.case_id != case.id:
        raise NotFound()
    check_confirmable(order.status == OrderStatus.active, order.awaiting_triage)
    order.awaiting_triage = False
    await audit.record(uow, actor, "separation.order_confirmed", case_id=case.id, target=order.reference)


# --- personnel changes (SEP-5, SEP-6) ----------------------------------------------------------------------


async def on_personnel_change(uow: UnitOfWork, event: PersonnelEvent) -> None:
    """SEP-5: a change that connects a separated pair is flagged at once; SEP-6: leaving ends the order."""
    employee = await uow.personnel.employee(event.employee_id)
    if employee is None:
        return
    # The stored status is the truth whatever the event's outcome: a dismissal is "recorded", yet the person
    # has left the organisation.
    if ends_order(employee.status):
        for order in await uow.separation.active_orders_of([employee.employee_number]):
            await _end_order(uow, order)
        return
    if event.outcome != "applied" or event.kind not in PLACEMENT_KINDS:
        return
    orders = (
        await uow.separation.active_orders_below(employee.employee_number)
        if event.kind in CHAIN_KINDS
        else await uow.separation.active_orders_of([employee.employee_number])
    )
    placements = await uow.separation.placements([p for o in orders for p in (o.victim_id, o.respondent_id)])
    for order in orders:
        now_found = connections(placements[order.victim_id], placements[order.respondent_id])
        await _record_changes(uow, order, now_found, event)


async def evaluate_all_orders(uow: UnitOfWork) -> None:
    """After a full sync: every active order against the new directory (in memory, one pass)."""
    orders = await uow.separation.all_active_orders()
    if not orders:
        return
    participants = {o.victim_id for o in orders} | {o.respondent_id for o in orders}
    people, memberships = await uow.separation.directory_snapshot(participants)
    statuses = await uow.separation.employees(participants)
    supervisor_of = {pid: sup for pid, (_, sup) in people.items()}

    def placement(pid: uuid.UUID) -> Placement:
        unit_id = people.get(pid, (None, None))[0]
        return Placement(pid, unit_id, chain_of(pid, supervisor_of), memberships.get(pid, frozenset()))

    for order in orders:
        if any(ends_order(statuses[p].status) for p in (order.victim_id, order.respondent_id)):
            await _end_order(uow, order)
            continue
        await _record_changes(uow, order, connections(placement(order.victim_id), placement(order.respondent_id)), None)


async def _record_changes(
    uow: UnitOfWork, order: SeparationOrder, now_found: list[Connection], event: PersonnelEvent | None
) -> None:
    """SEP-5: a connection that was not there before is a violation — stored, audited, the case team told at once
    (a notice, and the queue's count) and the personnel system too (webhook). Once the two are apart again, the
    order's open violations are resolved."""
    before = {(c.kind, c.via) for c in _deserialize(order.connections)}
    new = [c for c in now_found if (c.kind, c.via) not in before]
    order.connections = _serialize(now_found)
    if before and not now_found:
        await _resolve_when_apart(uow, order)
    if not new:
        return
    today = clock.now().date()  # the day only: the time would match the personnel event's (F3)
    found = [
        SeparationViolation(
            order_id=order.id, kind=connection.kind, event_id=event.id if event else None, detected_on=today
        )
        for connection in new
    ]
    for violation in found:
        uow.separation.add(violation)
    await uow.session.flush()
    await audit.record(uow, SystemActor(), "separation.violation_found", case_id=order.case_id, target=order.reference)
    await notifications.tell_violation(uow, order.case_id, found)
    data: dict[str, Any] = {
        "order_reference": order.reference,
        "reasons": sorted({REASON_CODES[c.kind] for c in new}),
        "event_id": event.event_id if event else None,
    }
    await outbox.publish(uow, "separation.violation_found", data)


async def _resolve_when_apart(uow: UnitOfWork, order: SeparationOrder) -> None:
    """SEP-5: the two are no longer connected through work: the order's open violations are resolved (by no one)."""
    still_open = [v for v in await uow.separation.violations([order.id]) if v.resolved_on is None]
    if not still_open:
        return
    for violation in still_open:
        violation.resolved_on = clock.now().date()
    await audit.record(
        uow, SystemActor(), "separation.violation_resolved", case_id=order.case_id, target=order.reference
    )


async def resolve_violation(
    uow: UnitOfWork, actor: StaffActor, case_id: uuid.UUID, violation_id: uuid.UUID, reason: str
) -> None:
    """SEP-5: while the two stay connected, a team lead records how a violation was resolved (a reason); audited.
    It leaves the queue's count; the order stays as it is."""
    case = await load_visible_case(uow, actor, case_id)
    if actor.role != Role.team_lead:
        raise AccessDenied("Only a team lead can record a violation's resolution.")
    violation = await uow.separation.violation(violation_id)
    order = await uow.separation.order(violation.order_id) if violation else None
    if violation is None or order is None or order.case_id != case.id:
        raise NotFound()
    if violation.resolved_on is not None:
        raise ViolationResolved()
    violation.resolved_on = clock.now().date()
    violation.resolved_by = actor.user_id
    violation.resolution = reason
    await audit.record(uow, actor, "separation.violation_resolved", case_id=case.id, target=order.reference)


async def _end_order(uow: UnitOfWork, order: SeparationOrder) -> None:
    order.status = OrderStatus.ended
    order.closed_on = clock.now().date()
    await audit.record(uow, SystemActor(), "separation.order_ended", case_id=order.case_id, target=order.reference)
    await outbox.publish(uow, "separation.order_ended", {"order_reference": order.reference})


async def record_victim_wish(
    uow: UnitOfWork, actor: StaffActor, case_id: uuid.UUID, wants_to_move: bool, note: str | None
) -> WishRead:
    """CASE-7: record the victim's own wish; only then may a plan move the victim."""
    case = await load_visible_case(uow, actor, case_id)
    wish = VictimWish(
        case_id=case.id,
        wants_to_move=wants_to_move,
        note=note,
        recorded_on=clock.now().date(),
        recorded_by=actor.user_id,
    )
    uow.separation.add(wish)
    await uow.session.flush()
    await audit.record(uow, actor, "victim.wish_recorded", case_id=case.id)
    return WishRead(wants_to_move=wish.wants_to_move, note=wish.note, recorded_on=wish.recorded_on)
