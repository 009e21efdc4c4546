"""The retaliation watch (RET-1, RET-2): an adverse personnel event about a protected person of a case opens a
secondary-damage review linked to that case, for the same team — no one has to complain."""

from __future__ import annotations

import uuid
from datetime import date

from app.db.links import event_mac
from app.db.models import Case, Employee, PersonnelEvent, ProtectedPerson, RetaliationFlag
from app.db.uow import UnitOfWork
from app.domain.enums import CaseOrigin, Category, MeasureKind, MeasureStatus, ProtectedRole
from app.domain.lifecycle import INITIAL_STATUS
from app.domain.retaliation import OwnWish, assess, in_watch_period, own_wish
from app.services import audit, case_keys, case_opened, clock
from app.services.actors import SystemActor


async def on_personnel_event(uow: UnitOfWork, event: PersonnelEvent) -> None:
    """RET-1: flag adverse events about protected persons during the watch period; RET-2: open the review."""
    if event.outcome == "duplicate":
        return
    employee = await uow.personnel.employee(event.employee_id)
    if employee is None:
        return
    protections = await uow.separation.protections_of(employee.employee_number)
    if not protections:
        return
    verdict = assess(
        event.kind,
        event.data,
        wish=await _own_wish(uow, protections),
        moves_respondent_of_cited_order=await _moves_respondent_of_cited_order(uow, event, employee),
    )
    if not verdict.flagged:
        return
    event_on = event.effective_at.date()
    for protection in protections:
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
        id=uuid.uuid4(),
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
    case_keys.new_case(uow, review)  # issue 18: its own key, wrapped for its readers below
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
    await case_keys.share(uow, review)


async def _own_wish(uow: UnitOfWork, protections: list[ProtectedPerson]) -> OwnWish:
    """CASE-7: the person's own wish, as WithU recorded it in the cases where they are the victim."""
    wishes: list[tuple[date, bool]] = []
    measures: list[tuple[MeasureKind, MeasureStatus, date | None]] = []
    for case_id in {p.case_id for p in protections if p.role == ProtectedRole.victim}:
        wishes += [(w.recorded_on, w.wants_to_move) for w in await uow.separation.wishes(case_id)]
        measures += [(m.kind, m.status, m.answered_on) for m in await uow.protection.measures(case_id)]
    return own_wish(wishes, measures)


async def _moves_respondent_of_cited_order(uow: UnitOfWork, event: PersonnelEvent, employee: Employee) -> bool:
    """SEP-3: the event cites an active order whose respondent is this employee."""
    reference = event.data.get("separation_order")
    if not reference:
        return False
    orders = await uow.separation.active_orders_of([employee.employee_number])
    return any(o.reference == reference and o.respondent_id == employee.id for o in orders)
