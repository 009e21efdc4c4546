"""The case team's use cases: queues, reading a case (audited), writing to the reporter and internal notes."""

from __future__ import annotations

import uuid

from app.db.models import Case, CaseDeadline, CaseMessage, Report
from app.db.uow import UnitOfWork
from app.domain.access import can_read_content, works_cases
from app.domain.case_decisions import proposed_next
from app.domain.deadlines import check_feedback_flag, is_breached, is_overdue, meets_feedback
from app.domain.enums import CaseStatus, DeadlineKind, IdentityMode, MessageAuthor, QueueSort, ReporterKind, Team
from app.domain.errors import AccessDenied, CaseClosedForWriting, CaseContentDestroyed, NotFound
from app.domain.identity import in_assigned_team, pseudonym
from app.domain.intake import identity_visible_to_case_team
from app.domain.lifecycle import allowed_next, check_reaches_a_reporter, is_open_for_writing
from app.schemas.case import (
    CaseDeadlineRead,
    CaseMessageCreate,
    CaseMessageRead,
    CasePage,
    CaseRead,
    CaseSummary,
    CaseTransitionRead,
    ChildCaseRead,
    HandlerRead,
    LinkedCaseRead,
    ReportRead,
)
from app.schemas.inbox import DeadlineRead, MessageCreated
from app.services import audit, case_keys, clock
from app.services.actors import StaffActor
from app.services.case_access import case_facts, staff_facts
from app.services.inbox import deadline_read


def require_case_role(actor: StaffActor) -> None:
    """ACC-1: roles outside the case team have no case lists (403); a case itself answers them 404."""
    if not works_cases(actor.role):
        raise AccessDenied()


async def load_visible_case(uow: UnitOfWork, actor: StaffActor, case_id: uuid.UUID) -> Case:
    """A case whose content the actor reads (ACC-1, CASE-3, F2, F13), or NotFound — for every role alike, so
    existence is never revealed. Asked twice from current data: the SQL form, then the domain's can_read_content."""
    case = await uow.cases.readable_case(actor.facts, case_id)
    facts = await case_facts(uow, case) if case is not None else None
    if case is None or facts is None or not can_read_content(await staff_facts(uow, actor), facts):
        raise NotFound()
    if case.content_destroyed_on is not None:  # DATA-1: destroyed, not missing (to those who could read it)
        raise CaseContentDestroyed()
    await case_keys.open_for_staff(uow, actor, case, facts)  # issue 18: the case's key, from the reader's wrap
    return case


def case_deadline_read(row: CaseDeadline, names: dict[uuid.UUID, str]) -> CaseDeadlineRead:
    """CASE-2 as the case team reads a deadline: the reporter's view plus who met it and the duty's reference."""
    return CaseDeadlineRead(
        **deadline_read(row).model_dump(), met_by=names.get(row.met_by) if row.met_by else None, reference=row.reference
    )


async def victim_identity_visible(uow: UnitOfWork, actor: StaffActor, case: Case) -> bool:
    """CASE-5: the assigned case team sees the victim's identity; others only after an approved disclosure."""
    handler_ids = await uow.cases.handler_ids(case.id)
    if in_assigned_team(actor.user_id, actor.role, actor.team, case.team, handler_ids):
        return True
    return await uow.protection.has_approved_disclosure(case.id, actor.user_id)


def _report_read(report: Report, case: Case, identity_visible: bool) -> ReportRead:
    """INT-2, CASE-5: confidential identities and the victim's identity only where visible; else a pseudonym."""
    stand_in = {"pseudonym": pseudonym(case.id)}
    reporter_is_victim = report.reporter_kind == ReporterKind.victim
    reporter = report.identity if identity_visible_to_case_team(report.identity_mode) else None
    if (
        reporter is not None
        and not identity_visible
        and (reporter_is_victim or report.identity_mode == IdentityMode.confidential)
    ):
        reporter = stand_in
    details = dict(report.details)
    if "victim" in details and not identity_visible:
        details["victim"] = stand_in
    return ReportRead(
        id=report.id,
        reporter_kind=report.reporter_kind,
        identity_mode=report.identity_mode,
        received_on=report.received_on,
        narrative=report.narrative,
        reporter=reporter,
        details=details,
    )


async def list_cases(
    uow: UnitOfWork,
    actor: StaffActor,
    *,
    team: Team | None = None,
    status: CaseStatus | None = None,
    mine: bool = False,
    reference: str | None = None,
    offset: int = 0,
    limit: int = 50,
    overdue: bool | None = None,
    violations: bool | None = None,
    sort: QueueSort = QueueSort.newest,
) -> CasePage:
    """The queue: cases the actor's case team works, newest first (or nearest open deadline first); overdue ones
    are flagged, never hidden — `overdue=true` lists only them, `overdue=false` the others. Each row says whether
    the actor reads the case's content (F13) and how many separation violations are open (SEP-5; `violations=true`
    lists only cases with one)."""
    require_case_role(actor)
    today = clock.now().date()
    rows, total = await uow.cases.list_visible(
        actor.facts,
        team=team,
        status=status,
        mine=mine,
        reference=reference,
        offset=offset,
        limit=limit,
        overdue=overdue,
        violations=violations,
        sort=sort,
        today=today,
    )
    items = []
    for case in rows:  # everything shown was read with the page (CaseRepository.list_visible)
        next_deadline = None
        if case.next_kind is not None and case.next_due is not None:  # CASE-2: the next live deadline (is_live)
            breached = is_breached(case.next_due, None, today)
            next_deadline = DeadlineRead(kind=case.next_kind, due_on=case.next_due, met_on=None, breached=breached)
        items.append(
            CaseSummary(
                id=case.id,
                reference=case.reference,
                status=case.status,
                team=case.team,
                category=case.category,
                org_kind=case.org_kind,
                opened_on=case.opened_on,
                days_open=(today - case.opened_on).days,
                next_deadline=next_deadline,
                overdue=is_overdue(case.next_due_on, case.met_late, today),  # CASE-2
                content_visible=case.content_visible,  # F13
                separation_awaiting_triage=case.awaiting_triage,  # SEP-1 (F11)
                open_violations=case.open_violations,  # SEP-5
                unread_messages=case.content_visible and case.unread,  # CASE-4: the reporter wrote since you read
            )
        )
    return CasePage(items=items, total=total, offset=offset, limit=limit)


async def read_case(uow: UnitOfWork, actor: StaffActor, case_id: uuid.UUID) -> CaseRead:
    """Open a case: its reports, deadlines and conversation with internal notes. Every read is audited (AUD-1)."""
    case = await load_visible_case(uow, actor, case_id)
    reports = await uow.cases.reports(case.id)
    messages = await uow.cases.messages(case.id, include_internal=True)
    transitions = await uow.cases.transitions(case.id)
    identity_visible = await victim_identity_visible(uow, actor, case)
    handler_ids = await uow.cases.handler_ids(case.id)
    deadlines = await uow.cases.deadlines(case.id)
    people = (
        [m.author_user_id for m in messages if m.author_user_id] + [t.by_user_id for t in transitions] + handler_ids
    ) + [d.met_by for d in deadlines if d.met_by]
    staff = {u.id: u for u in await uow.staff.users_by_ids(list(set(people)))}
    authors = {uid: u.display_name for uid, u in staff.items()}
    await audit.record(uow, actor, "case.read", case_id=case.id)
    return CaseRead(
        id=case.id,
        reference=case.reference,
        status=case.status,
        finding=case.finding,
        team=case.team,
        category=case.category,
        org_kind=case.org_kind,
        opened_on=case.opened_on,
        version=case.version,
        origin=case.origin,
        parent_case_id=case.parent_case_id,
        closed_on=case.closed_on,
        allowed_transitions=allowed_next(case.status),
        decision_transitions=proposed_next(case.status),
        deadlines=[case_deadline_read(d, authors) for d in deadlines],
        victim_pseudonym=pseudonym(case.id),
        identity_visible=identity_visible,
        linked_cases=[
            LinkedCaseRead(id=other.id, reference=other.reference, reason=reason)
            for other, reason in await uow.cases.linked_cases(case.id)
            if await uow.cases.visible_case(actor.facts, other.id) is not None
        ],
        secondary_damage_cases=[
            ChildCaseRead(id=child.id, reference=child.reference, status=child.status, opened_on=child.opened_on)
            for child in await uow.cases.secondary_damage_cases(case.id)
            if await uow.cases.visible_case(actor.facts, child.id) is not None
        ],
        reports=[_report_read(r, case, identity_visible) for r in reports],
        messages=[
            CaseMessageRead(
                id=m.id,
                seq=m.seq,
                author=m.author,
                author_name=authors.get(m.author_user_id) if m.author_user_id else None,
                internal=m.internal,
                body=m.body,
                sent_on=m.sent_on,
                sent_at=m.sent_at,
            )
            for m in messages
        ],
        handlers=[
            HandlerRead(user_id=staff[h].id, display_name=staff[h].display_name, role=staff[h].role)
            for h in handler_ids
            if h in staff
        ],
        transitions=[
            CaseTransitionRead(
                from_status=t.from_status,
                to_status=t.to_status,
                finding=t.finding,
                reason=t.reason,
                at=t.at,
                by=staff[t.by_user_id].display_name if t.by_user_id in staff else None,
            )
            for t in transitions
        ],
    )


async def mark_messages_read(uow: UnitOfWork, actor: StaffActor, case_id: uuid.UUID) -> None:
    """CASE-4: the staff member has seen the case's messages so far (the queue's unread marker is theirs alone).
    Not audited of its own: opening the case that shows them is (AUD-1, `case.read`)."""
    case = await load_visible_case(uow, actor, case_id)
    await uow.cases.mark_messages_read(case.id, actor.user_id)


async def send_case_message(
    uow: UnitOfWork, actor: StaffActor, case_id: uuid.UUID, command: CaseMessageCreate
) -> MessageCreated:
    """CASE-4: write to the reporter's inbox, or an internal note the reporter never sees. CASE-2: a message to
    the reporter marked as feedback on the outcome meets the feedback deadline."""
    check_feedback_flag(command.internal, command.feedback)
    case = await load_visible_case(uow, actor, case_id)
    if not command.internal:
        check_reaches_a_reporter(case.origin)
        if not is_open_for_writing(case.status):
            raise CaseClosedForWriting()
    now = clock.now()
    message = CaseMessage(
        case_id=case.id,
        seq=await uow.cases.next_message_seq(case.id),
        author=MessageAuthor.staff,
        author_user_id=actor.user_id,
        internal=command.internal,
        body=command.body,
        sent_on=now.date(),
        sent_at=now,
    )
    uow.cases.add(message)
    met = []
    if meets_feedback(command.internal, command.feedback):
        met = [d for d in await uow.cases.deadlines(case.id) if d.kind == DeadlineKind.feedback and d.met_on is None]
    for deadline in met:
        deadline.met_on, deadline.met_by = now.date(), actor.user_id
    await uow.cases.flush()
    await audit.record(uow, actor, "case.note_added" if command.internal else "message.to_reporter", case_id=case.id)
    if met:
        await audit.record(uow, actor, "case.deadline_met", case_id=case.id, target=str(DeadlineKind.feedback))
    return MessageCreated(seq=message.seq, sent_on=message.sent_on)
