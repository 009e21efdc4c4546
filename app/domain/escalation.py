"""CASE-2: where a deadline stands on a given day (met, due soon, overdue), when an overdue one escalates, who is
told, and the one content-free sentence a notification may say (ACC-1: no names, no narrative, no category)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from uuid import UUID

from app.domain.deadlines import RECORDED_BY_STAFF
from app.domain.enums import CaseStatus, DeadlineKind


class DeadlineState(StrEnum):
    """Where a deadline stands on a given day."""

    met = "met"
    upcoming = "upcoming"  # open, due later than the due-soon window
    due_soon = "due_soon"
    overdue = "overdue"


class NotificationKind(StrEnum):
    deadline_due_soon = "deadline_due_soon"
    deadline_overdue = "deadline_overdue"
    deadline_escalated = "deadline_escalated"
    separation_violation = "separation_violation"  # SEP-5: a personnel change connected a separated pair


class NotificationStatus(StrEnum):
    """`cancelled`: before sending, the recipient could no longer see the case (recused, unassigned,
    deactivated) or the deadline was met — the notice no longer applies and is never sent."""

    pending = "pending"
    sent = "sent"
    cancelled = "cancelled"


@dataclass(frozen=True)
class EscalationPolicy:
    due_soon_days: int = 2  # (config) due today or within this many days: due soon
    escalate_after_days: int = 3  # (config) overdue by more than this many days: escalated


# Deadlines about handling the case end with it; the public body's duties (ministry notification, prevention plan)
# outlive closing and withdrawal until staff record them as done (docs/notifications.md).
OUTLIVE_THE_CASE = RECORDED_BY_STAFF
ENDED_CASE_STATUSES = frozenset({CaseStatus.closed, CaseStatus.withdrawn})


def is_live(kind: DeadlineKind, met_on: date | None, case_status: CaseStatus) -> bool:
    """CASE-2: an unmet deadline counts while its case runs; after closing or withdrawal only the duties that
    outlive the case (ministry notification, prevention plan) still count."""
    if met_on is not None:
        return False
    return case_status not in ENDED_CASE_STATUSES or kind in OUTLIVE_THE_CASE


def days_left(due_on: date, today: date) -> int:
    """Whole days until the due day: 0 on the day itself, negative once it has passed."""
    return (due_on - today).days


def deadline_state(due_on: date, met_on: date | None, today: date, policy: EscalationPolicy) -> DeadlineState:
    """CASE-2: met (on time or late), overdue (the due day has passed), due soon (due within
    `policy.due_soon_days`, the due day included), else upcoming."""
    if met_on is not None:
        return DeadlineState.met
    left = days_left(due_on, today)
    if left < 0:
        return DeadlineState.overdue
    if left <= policy.due_soon_days:
        return DeadlineState.due_soon
    return DeadlineState.upcoming


def is_escalated(due_on: date, met_on: date | None, today: date, policy: EscalationPolicy) -> bool:
    """CASE-2: an unmet deadline overdue by more than `policy.escalate_after_days` escalates to the team lead and
    the division head."""
    return met_on is None and -days_left(due_on, today) > policy.escalate_after_days


def countdown(due_on: date, met_on: date | None, today: date) -> str:
    """The label staff read in a queue: "D-3" … "D-0" while open, "overdue" after, "met" once met."""
    if met_on is not None:
        return "met"
    left = days_left(due_on, today)
    return f"D-{left}" if left >= 0 else "overdue"


# --- the same states as date bounds, for queries (tests hold them to deadline_state) ---


def due_soon_until(today: date, policy: EscalationPolicy) -> date:
    """Open deadlines due from `today` to this day (both included) are due soon."""
    return today + timedelta(days=policy.due_soon_days)


def escalated_before(today: date, policy: EscalationPolicy) -> date:
    """Open deadlines due before this day are escalated."""
    return today - timedelta(days=policy.escalate_after_days)


# --- who is told ---


def notices_due(state: DeadlineState, escalated: bool) -> list[NotificationKind]:
    """The notices a deadline calls for on a scan: due soon or overdue; escalated adds the escalation notice."""
    if state == DeadlineState.due_soon:
        return [NotificationKind.deadline_due_soon]
    if state == DeadlineState.overdue:
        kinds = [NotificationKind.deadline_overdue]
        if escalated:
            kinds.append(NotificationKind.deadline_escalated)
        return kinds
    return []


def recipients(
    kind: NotificationKind,
    handler_ids: Collection[UUID],
    team_lead_ids: Collection[UUID],
    division_head_ids: Collection[UUID],
) -> set[UUID]:
    """CASE-2: the assigned handlers are told (the team's leads when a case has none yet); an escalation also
    reaches the team's leads and the division heads. SEP-5: a separation order's violation reaches the handlers and
    the team's leads at once (a lead may record its resolution). The caller drops anyone who may not see the case
    (CASE-3)."""
    if kind == NotificationKind.separation_violation:
        return set(handler_ids) | set(team_lead_ids)
    told = set(handler_ids) or set(team_lead_ids)
    if kind == NotificationKind.deadline_escalated:
        told |= set(team_lead_ids) | set(division_head_ids)
    return told


# --- what is said: the reference, the kind of deadline, the day; nothing else (ACC-1) ---

DEADLINE_WORDS = {
    DeadlineKind.acknowledgement: ("접수 확인", "acknowledgement"),
    DeadlineKind.triage: ("초기 검토", "triage"),
    DeadlineKind.feedback: ("신고인 회신", "feedback to the reporter"),
    DeadlineKind.investigation: ("조사", "investigation"),
    DeadlineKind.ministry_notification: ("여성가족부 통보", "ministry notification"),
    DeadlineKind.prevention_plan: ("재발 방지 대책", "prevention plan"),
    DeadlineKind.contract_link: ("위탁 계약 연결", "link the contract"),
}
NOTICE_WORDS = {
    NotificationKind.deadline_due_soon: ("기한 임박", "deadline due soon"),
    NotificationKind.deadline_overdue: ("기한 초과", "deadline overdue"),
    NotificationKind.deadline_escalated: ("기한 초과 — 상급자 보고", "deadline overdue, escalated"),
    NotificationKind.separation_violation: ("분리 조치 위반", "separation order violated"),
}
SUBJECT = "[WithU] 확인이 필요한 사건 / A case needs attention"


def notice_text(reference: str, kind: NotificationKind, deadline: DeadlineKind, due_on: date) -> str:
    """The whole body of a notification e-mail, in Korean and English."""
    deadline_ko, deadline_en = DEADLINE_WORDS[deadline]
    notice_ko, notice_en = NOTICE_WORDS[kind]
    day = due_on.isoformat()
    return (
        f"확인이 필요한 사건이 있습니다: {reference} — {deadline_ko} {notice_ko}, 기한 {day}. "
        "WithU에 로그인하여 확인하세요.\n"
        f"A case needs attention: {reference} — {deadline_en} {notice_en}, due {day}. Sign in to WithU to see it.\n"
    )


def violation_text(reference: str, detected_on: date) -> str:
    """SEP-5: the whole body of a violation notice — the case reference and the day it was found; not who, not how."""
    notice_ko, notice_en = NOTICE_WORDS[NotificationKind.separation_violation]
    day = detected_on.isoformat()
    return (
        f"확인이 필요한 사건이 있습니다: {reference} — {notice_ko}, 발견 {day}. WithU에 로그인하여 확인하세요.\n"
        f"A case needs attention: {reference} — {notice_en}, found {day}. Sign in to WithU to see it.\n"
    )
