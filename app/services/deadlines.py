"""CASE-2: the case team's deadline queues (due soon, overdue, escalated) and the scan that queues content-free
notices to the people who must act. Never commits."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

from app.db.models import Case, CaseDeadline
from app.db.uow import UnitOfWork
from app.domain.access import StaffFacts
from app.domain.deadlines import DeadlinePolicy
from app.domain.enums import Role, Team
from app.domain.escalation import (
    DeadlineState,
    EscalationPolicy,
    NotificationKind,
    NotificationStatus,
    countdown,
    days_left,
    deadline_state,
    due_soon_until,
    escalated_before,
    is_escalated,
    notices_due,
    recipients,
)
from app.schemas.deadlines import AttentionState, DeadlineItem, DeadlinePage, DeadlineScanResult
from app.services import clock
from app.services.actors import StaffActor
from app.services.cases import require_case_role


def deadline_policy(uow: UnitOfWork) -> DeadlinePolicy:
    """CASE-2: the deadlines' lengths, as configured."""
    s = uow.settings
    return DeadlinePolicy(
        acknowledgement_days=s.acknowledgement_days,
        triage_days=s.triage_days,
        feedback_months=s.feedback_months,
        investigation_days=s.investigation_days,
    )


def escalation_policy(uow: UnitOfWork) -> EscalationPolicy:
    s = uow.settings
    return EscalationPolicy(due_soon_days=s.due_soon_days, escalate_after_days=s.escalate_after_days)


def _item(deadline: CaseDeadline, case: Case, today: date, policy: EscalationPolicy) -> DeadlineItem:
    state = deadline_state(deadline.due_on, deadline.met_on, today, policy)
    left = days_left(deadline.due_on, today)
    return DeadlineItem(
        case_id=case.id,
        reference=case.reference,
        team=case.team,
        kind=deadline.kind,
        due_on=deadline.due_on,
        state=state,
        days_left=left if left >= 0 else None,
        days_overdue=-left if left < 0 else None,
        countdown=countdown(deadline.due_on, deadline.met_on, today),
        escalated=is_escalated(deadline.due_on, deadline.met_on, today, policy),
    )


async def list_deadlines(
    uow: UnitOfWork,
    actor: StaffActor,
    *,
    team: Team | None = None,
    state: AttentionState | None = None,
    offset: int = 0,
    limit: int = 50,
) -> DeadlinePage:
    """CASE-2: open deadlines of the cases the actor's case team works that are due soon or overdue, most
    overdue first. Overdue ones are always listed (flagged, never hidden); `state` narrows the queue."""
    require_case_role(actor)
    today = clock.now().date()
    policy = escalation_policy(uow)
    after_window = due_soon_until(today, policy) + timedelta(days=1)
    due_from, due_until = {
        None: (None, after_window),
        AttentionState.due_soon: (today, after_window),
        AttentionState.overdue: (None, today),
        AttentionState.escalated: (None, escalated_before(today, policy)),
    }[state]
    rows, total = await uow.notifications.attention_page(
        await uow.cases.visible_ids(actor.facts),
        due_from=due_from,
        due_until=due_until,
        team=team,
        offset=offset,
        limit=limit,
    )
    return DeadlinePage(
        items=[_item(d, c, today, policy) for d, c in rows], total=total, offset=offset, limit=limit, today=today
    )


async def leads_and_heads(uow: UnitOfWork) -> tuple[dict[Team, list[uuid.UUID]], list[uuid.UUID]]:
    """The active team leads by team, and the active division heads."""
    leads: dict[Team, list[uuid.UUID]] = {}
    heads: list[uuid.UUID] = []
    for user in await uow.notifications.active_staff({Role.team_lead, Role.division_head}):
        if user.role == Role.division_head:
            heads.append(user.id)
        elif user.team is not None:
            leads.setdefault(user.team, []).append(user.id)
    return leads, heads


async def scan_deadlines(uow: UnitOfWork, today: date) -> DeadlineScanResult:
    """CASE-2: queue a notice for every live deadline that is due soon, overdue or escalated, to its assigned
    handlers (the team's leads if it has none; escalations also to the team's leads and the division heads),
    never to anyone who may not see the case (CASE-3 recusal, ACC-1). Idempotent: a notice is queued once."""
    policy = escalation_policy(uow)
    rows = await uow.notifications.live_deadlines_due_by(due_soon_until(today, policy))
    if not rows:
        return DeadlineScanResult(deadlines=0, queued=0)
    handlers = await uow.notifications.handlers_by_case({case.id for _, case in rows})
    leads, heads = await leads_and_heads(uow)

    wanted: dict[tuple[uuid.UUID, NotificationKind, uuid.UUID], Case] = {}
    for deadline, case in rows:
        state = deadline_state(deadline.due_on, deadline.met_on, today, policy)
        if state not in (DeadlineState.due_soon, DeadlineState.overdue):
            continue
        for kind in notices_due(state, is_escalated(deadline.due_on, deadline.met_on, today, policy)):
            for user_id in recipients(kind, handlers.get(case.id, []), leads.get(case.team, []), heads):
                wanted[(deadline.id, kind, user_id)] = case
    existing = await uow.notifications.existing_keys({deadline.id for deadline, _ in rows})
    new = {key: case for key, case in wanted.items() if key not in existing}

    may_see = await _who_may_see(uow, new)
    now = clock.now()
    queue: list[dict[str, Any]] = [
        {
            "id": uuid.uuid4(),
            "recipient_user_id": user_id,
            "kind": kind,
            "case_id": case.id,
            "deadline_id": deadline_id,
            "status": NotificationStatus.pending,
            "attempts": 0,
            "next_attempt_at": now,
            "created_at": now,
        }
        for (deadline_id, kind, user_id), case in new.items()
        if (user_id, case.id) in may_see
    ]
    await uow.notifications.queue(queue)
    return DeadlineScanResult(deadlines=len(rows), queued=len(queue))


async def _who_may_see(
    uow: UnitOfWork, wanted: dict[tuple[uuid.UUID, NotificationKind, uuid.UUID], Case]
) -> set[tuple[uuid.UUID, uuid.UUID]]:
    """(user, case) pairs where the user is active and the case is visible to them now (CASE-3, ACC-1)."""
    cases_by_user: dict[uuid.UUID, set[uuid.UUID]] = {}
    for (_, _, user_id), case in wanted.items():
        cases_by_user.setdefault(user_id, set()).add(case.id)
    users = await uow.notifications.staff(cases_by_user.keys())
    pairs: set[tuple[uuid.UUID, uuid.UUID]] = set()
    for user_id, case_ids in cases_by_user.items():
        user = users.get(user_id)
        if user is None or not user.active:
            continue
        facts = StaffFacts(user_id=user.id, role=user.role, team=user.team, employee_number=user.employee_number)
        for case_id in await uow.cases.visible_among(await uow.cases.visible_ids(facts), case_ids):
            pairs.add((user_id, case_id))
    return pairs
