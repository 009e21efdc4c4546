"""The retaliation watch (RET-1, RET-2): an adverse personnel event about a protected person of a case opens a
secondary-damage review linked to that case, for the same team — no one has to complain."""

from __future__ import annotations

from app.db.links import event_mac
from app.db.models import Case, PersonnelEvent, RetaliationFlag
from app.db.uow import UnitOfWork
from app.domain.enums import CaseOrigin, Category
from app.domain.lifecycle import INITIAL_STATUS
from app.domain.retaliation import in_watch_period, is_adverse
from app.services import audit, case_opened, clock
from app.services.actors import SystemActor


async def on_personnel_event(uow: UnitOfWork, event: PersonnelEvent) -> None:
    """RET-1: flag adverse events about protected persons during the watch period; RET-2: open the review."""
    if event.outcome == "duplicate":
        return
    employee = await uow.personnel.employee(event.employee_id)
    if employee is None:
        return
    carries_out = await _carries_out_separation(uow, event, employee.employee_number)
    if not is_adverse(event.kind, event.data, carries_out_separation=carries_out):
        return
    event_on = event.effective_at.date()
    for protection in await uow.separation.protections_of(employee.employee_number):
        original = await uow.cases.case(protection.case_id)
        if original is None:
            continue
        years = uow.settings.watch_years_after_closing
        if not in_watch_period(original.opened_on, original.closed_on, event_on, years):
            continue
        await _open_review(uow, original, event, protection.role)


async def _open_review(uow: UnitOfWork, original: Case, event: PersonnelEvent, role: str) -> None:
    now = clock.now()
    today = now.date()
    review = Case(
        reference=await case_opened.new_case_reference(uow),
        status=INITIAL_STATUS,
        team=original.team,  # handled by the original case's team (SD-2)
        category=Category.secondary_damage,
        org_kind=original.org_kind,
        opened_on=today,
        received_at=now.isoformat(),
        parent_case_id=original.id,
        origin=CaseOrigin.retaliation_watch,
    )
    uow.cases.add(review)
    await uow.cases.flush()
    case_opened.by_watch(uow, review)
    uow.separation.add(
        RetaliationFlag(
            event_mac=event_mac(event.id),
            event_id=event.id,
            original_case_id=original.id,
            review_case_id=review.id,
            role=role,
            created_on=today,  # the day only: the time would match the event's (F3)
        )
    )
    await uow.session.flush()
    await audit.record(uow, SystemActor("retaliation-watch"), "retaliation.flagged", case_id=original.id)
    await audit.record(uow, SystemActor("retaliation-watch"), "case.opened_by_watch", case_id=review.id)


async def _carries_out_separation(uow: UnitOfWork, event: PersonnelEvent, employee_number: str) -> bool:
    """SEP-3: the event names an active order of this employee whose respondent is not the new supervisor."""
    reference = event.data.get("separation_order")
    if not reference:
        return False
    for order in await uow.separation.active_orders_of([employee_number]):
        respondent = await uow.personnel.employee(order.respondent_id)
        if order.reference == reference and (
            respondent is None or respondent.employee_number != event.data.get("supervisor")
        ):
            return True
    return False
