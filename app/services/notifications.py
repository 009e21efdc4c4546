"""CASE-2 notifications, the worker's two short transactions: claim the notices that are due (a lease, SKIP LOCKED)
and record how sending went (sent for good, or a retry with backoff — never given up). Never commits. SEP-5: a
separation order's violation is queued here at once (`tell_violation`), in the personnel change's transaction.

What is sent is composed here at claim time, from the case reference, the deadline's kind and its due day only
(app/domain/escalation.py::notice_text), or the day a violation was found (`violation_text`): no names, no
narrative, no category (ACC-1)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from app.db.models import Case, CaseDeadline, Notification, SeparationViolation, StaffUser
from app.db.uow import UnitOfWork
from app.domain.access import StaffFacts
from app.domain.errors import NotFound
from app.domain.escalation import (
    SUBJECT,
    NotificationKind,
    NotificationStatus,
    is_live,
    notice_text,
    recipients,
    violation_text,
)
from app.services import clock
from app.services.deadlines import leads_and_heads
from app.services.leases import retry_later

ERROR_LENGTH = 200


@dataclass(frozen=True)
class ClaimedNotice:
    """What a worker needs to send one notice outside any transaction. The address is personal: never log it."""

    id: uuid.UUID
    kind: NotificationKind
    to: str = field(repr=False)
    subject: str = field(repr=False)
    body: str = field(repr=False)
    lease_until: datetime = field(repr=False)


async def tell_violation(uow: UnitOfWork, case_id: uuid.UUID, violations: list[SeparationViolation]) -> None:
    """SEP-5: a notice per violation, at once, to the case's handlers and its team's leads who may see the case
    (CASE-3). The worker sends it with the others; nothing but the reference and the day is said."""
    case = (await uow.cases.cases_by_id([case_id])).get(case_id)
    if case is None or case.sealed or not violations:
        return
    handlers = (await uow.notifications.handlers_by_case([case.id])).get(case.id, [])
    leads, heads = await leads_and_heads(uow)
    audience = recipients(NotificationKind.separation_violation, handlers, leads.get(case.team, []), heads)
    users = await uow.notifications.staff(audience)
    now = clock.now()
    for user in users.values():
        facts = StaffFacts(user_id=user.id, role=user.role, team=user.team, employee_number=user.employee_number)
        if not user.active or await uow.cases.visible_case(facts, case.id) is None:
            continue
        for violation in violations:
            uow.notifications.add(
                Notification(
                    recipient_user_id=user.id,
                    kind=NotificationKind.separation_violation,
                    case_id=case.id,
                    violation_id=violation.id,
                    status=NotificationStatus.pending,
                    next_attempt_at=now,
                    created_at=now,
                )
            )
    await uow.session.flush()


async def _still_applies(
    uow: UnitOfWork,
    about: CaseDeadline | SeparationViolation | None,
    case: Case | None,
    user: StaffUser | None,
    audience: set[uuid.UUID],
) -> bool:
    """A notice goes out only while its deadline is live (its violation unresolved, SEP-5), its recipient is still
    one the notice is for (a handler unassigned since the scan is not) and may see the case (a handler recused
    since is not, CASE-3)."""
    if about is None or case is None or user is None or not user.active or user.id not in audience:
        return False
    if isinstance(about, SeparationViolation):
        if about.resolved_on is not None:
            return False
    elif not is_live(about.kind, about.met_on, case.status):
        return False
    facts = StaffFacts(user_id=user.id, role=user.role, team=user.team, employee_number=user.employee_number)
    return await uow.cases.visible_case(facts, case.id) is not None


@dataclass
class Claim:
    notices: list[ClaimedNotice]
    cancelled: int  # taken from the queue but never to be sent

    @property
    def taken(self) -> int:
        return len(self.notices) + self.cancelled


async def claim_due(uow: UnitOfWork, now: datetime, *, limit: int, lease_seconds: float) -> Claim:
    """Lease up to `limit` due notices to this worker; nobody else claims them until the lease runs out. Notices
    that no longer apply are cancelled on the way (they are never sent)."""
    notices = await uow.notifications.lock_due(now, limit)
    deadlines = await uow.notifications.deadlines_by_id({n.deadline_id for n in notices if n.deadline_id})
    violations = await uow.notifications.violations_by_id({n.violation_id for n in notices if n.violation_id})
    cases = await uow.cases.cases_by_id({n.case_id for n in notices})
    users = await uow.notifications.staff({n.recipient_user_id for n in notices})
    handlers = await uow.notifications.handlers_by_case(cases.keys())
    leads, heads = await leads_and_heads(uow) if notices else ({}, [])
    lease_until = now + timedelta(seconds=lease_seconds)
    claim = Claim(notices=[], cancelled=0)
    for notice in notices:
        about = _about(notice, deadlines, violations)
        case, user = cases.get(notice.case_id), users.get(notice.recipient_user_id)
        audience = (
            recipients(notice.kind, handlers.get(case.id, []), leads.get(case.team, []), heads) if case else set()
        )
        if not await _still_applies(uow, about, case, user, audience):
            notice.status = NotificationStatus.cancelled
            notice.lease_until = None
            claim.cancelled += 1
            continue
        assert about is not None and case is not None and user is not None
        notice.lease_until = lease_until
        body = (
            violation_text(case.reference, about.detected_on)
            if isinstance(about, SeparationViolation)
            else notice_text(case.reference, notice.kind, about.kind, about.due_on)
        )
        claim.notices.append(
            ClaimedNotice(
                id=notice.id, kind=notice.kind, to=user.email, subject=SUBJECT, body=body, lease_until=lease_until
            )
        )
    await uow.session.flush()
    return claim


def _about(
    notice: Notification,
    deadlines: dict[uuid.UUID, CaseDeadline],
    violations: dict[uuid.UUID, SeparationViolation],
) -> CaseDeadline | SeparationViolation | None:
    """What a notice is about: its separation violation (SEP-5) or its deadline (CASE-2)."""
    if notice.violation_id is not None:
        return violations.get(notice.violation_id)
    return deadlines.get(notice.deadline_id) if notice.deadline_id is not None else None


async def record_attempt(
    uow: UnitOfWork, claimed: ClaimedNotice, *, error: str | None, now: datetime
) -> NotificationStatus:
    """Accepted by the SMTP server: sent for good. Anything else: a retry after a backoff (doubling, capped at
    `smtp_backoff_max_seconds`, at most an hour), and the lease is freed — only while it is still this worker's."""
    notice = await uow.notifications.notice_for_update(claimed.id)
    if notice is None:
        raise NotFound()
    notice.attempts += 1
    if notice.status != NotificationStatus.pending:
        return notice.status
    if error is None:
        _mark_sent(notice, now)
    else:
        notice.last_error = error[:ERROR_LENGTH]
        s = uow.settings
        retry_later(notice, claimed.lease_until, now, s.smtp_backoff_base_seconds, s.smtp_backoff_max_seconds)
    await uow.session.flush()
    return notice.status


def _mark_sent(notice: Notification, now: datetime) -> None:
    notice.status = NotificationStatus.sent
    notice.sent_at = now
    notice.lease_until = None
    notice.last_error = None
