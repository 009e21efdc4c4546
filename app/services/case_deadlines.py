"""CASE-2: the public body's duties (the ministry notification, the prevention plan) recorded as done by the case
team, and a workplace learnt after the receipt opening the duties it implies. `workplace_known` is the one path
for every way a case's missing workplace kind becomes known: set here by staff, or by linking a contract (CON-1,
app/services/contracts.py). The table of every deadline kind is in docs/notifications.md."""

from __future__ import annotations

import uuid
from datetime import date

from app.db.models import Case, CaseDeadline
from app.db.uow import UnitOfWork
from app.domain.contracts import link_step_due, needs_link_step
from app.domain.deadlines import (
    RECORDED_BY_STAFF,
    check_recordable,
    check_workplace_unknown,
    deadlines_when_workplace_known,
    may_record,
    victim_objects,
)
from app.domain.enums import CaseStatus, DeadlineKind, Finding, OrgKind
from app.domain.errors import AccessDenied, NotFound
from app.schemas.case import CaseDeadlineRead, DeadlineDone, WorkplaceSet
from app.services import audit, clock
from app.services.actors import Actor, StaffActor
from app.services.cases import case_deadline_read, load_visible_case
from app.services.report_facts import stored_facts


class DeadlineNotOpen(NotFound):
    code = "deadline-not-open"
    title = "The case has no such deadline."


async def _require_recorder(uow: UnitOfWork, actor: StaffActor, case: Case) -> None:
    if not may_record(actor.user_id, actor.role, actor.team, case.team, await uow.cases.handler_ids(case.id)):
        raise AccessDenied("Only the case's handlers, its team lead or the division head do this.")


async def record_done(
    uow: UnitOfWork, actor: StaffActor, case_id: uuid.UUID, kind: DeadlineKind, command: DeadlineDone
) -> CaseDeadlineRead:
    """CASE-2: the ministry notification or the prevention plan was done outside WithU: who, the day (today when
    not given) and the document's reference are recorded, once, and audited. Closed cases too: these outlive it."""
    case = await load_visible_case(uow, actor, case_id)
    await _require_recorder(uow, actor, case)
    today = clock.now().date()
    deadline = next((d for d in await uow.cases.deadlines(case.id) if d.kind == kind), None)
    if deadline is None and kind in RECORDED_BY_STAFF:
        raise DeadlineNotOpen()
    done_on = command.done_on or today
    check_recordable(kind, deadline.met_on if deadline else None, done_on, case.opened_on, today)
    assert deadline is not None  # check_recordable refused every other kind
    deadline.met_on, deadline.met_by, deadline.reference = done_on, actor.user_id, command.reference
    await uow.cases.flush()
    await audit.record(uow, actor, "case.deadline_recorded", case_id=case.id, target=str(kind))
    names = {u.id: u.display_name for u in await uow.staff.users_by_ids([actor.user_id])}
    return case_deadline_read(deadline, names)


async def set_workplace(uow: UnitOfWork, actor: StaffActor, case_id: uuid.UUID, command: WorkplaceSet) -> None:
    """CASE-2: staff set the workplace kind a report did not name; setting the same kind again changes nothing,
    another kind once one is known is refused (409)."""
    case = await load_visible_case(uow, actor, case_id)
    await _require_recorder(uow, actor, case)
    if check_workplace_unknown(case.org_kind, command.kind):
        await workplace_known(uow, actor, case, command.kind)
        if needs_link_step(command.kind, None):  # CON-1: a contractor case with no contract yet: link it
            due = link_step_due(clock.now().date(), uow.settings.contract_link_days)
            uow.cases.add(CaseDeadline(case_id=case.id, kind=DeadlineKind.contract_link, due_on=due))


async def workplace_known(uow: UnitOfWork, actor: Actor, case: Case, kind: OrgKind) -> None:
    """CASE-2: the case's workplace kind became known after the receipt: it is kept, and a public body's duties
    open — the ministry notification at once unless the victim objected, the prevention plan if the finding was
    substantiated already. Audited."""
    case.org_kind = kind
    objects = any(
        victim_objects(r.reporter_kind, bool(stored_facts(r).get("objects_to_ministry_notification")))
        for r in await uow.cases.reports(case.id)
    )
    have = {d.kind for d in await uow.cases.deadlines(case.id)}
    for due in deadlines_when_workplace_known(clock.now().date(), kind, objects, await _substantiated_on(uow, case)):
        if due.kind not in have:
            uow.cases.add(CaseDeadline(case_id=case.id, kind=due.kind, due_on=due.due_on))
    await uow.cases.flush()
    await audit.record(uow, actor, "case.workplace_set", case_id=case.id, target=str(kind))


async def _substantiated_on(uow: UnitOfWork, case: Case) -> date | None:
    """The day of the substantiated finding (the confirmed `decided` transition), if the case has one."""
    if case.finding != Finding.substantiated:
        return None
    decided = [t.at.date() for t in await uow.cases.transitions(case.id) if t.to_status == CaseStatus.decided]
    return decided[-1] if decided else None
