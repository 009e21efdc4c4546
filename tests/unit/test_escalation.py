"""CASE-2: where a deadline stands on a frozen day (met, due soon, overdue), when it escalates, who is told, and the
one content-free sentence a notification says (ACC-1)."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest

from app.domain.deadlines import is_breached
from app.domain.enums import CaseStatus, DeadlineKind
from app.domain.escalation import (
    DEADLINE_WORDS,
    NOTICE_WORDS,
    SUBJECT,
    DeadlineState,
    EscalationPolicy,
    NotificationKind,
    countdown,
    days_left,
    deadline_state,
    due_soon_until,
    escalated_before,
    is_escalated,
    is_live,
    notice_text,
    notices_due,
    recipients,
)

TODAY = date(2026, 11, 28)  # frozen: the domain never reads the clock
DEFAULT = EscalationPolicy()
S = DeadlineState
N = NotificationKind


def day(offset: int) -> date:
    return TODAY + timedelta(days=offset)


@pytest.mark.parametrize(
    ("due", "met", "state", "label", "escalated"),
    [
        (day(10), None, S.upcoming, "D-10", False),
        (day(3), None, S.upcoming, "D-3", False),
        (day(2), None, S.due_soon, "D-2", False),  # the window's last day is in it
        (day(1), None, S.due_soon, "D-1", False),
        (day(0), None, S.due_soon, "D-0", False),  # due today: not overdue yet
        (day(-1), None, S.overdue, "overdue", False),
        (day(-3), None, S.overdue, "overdue", False),  # overdue by exactly 3 days: not yet escalated
        (day(-4), None, S.overdue, "overdue", True),  # by more than 3 days: escalated
        (day(-400), None, S.overdue, "overdue", True),
        (day(-5), day(-6), S.met, "met", False),  # met on time
        (day(-5), day(-1), S.met, "met", False),  # met late: met (breached, but no longer anyone's to-do)
        (day(5), day(0), S.met, "met", False),  # met early
    ],
)
def test_case_2_deadline_state_on_a_frozen_day(
    due: date, met: date | None, state: DeadlineState, label: str, escalated: bool
) -> None:
    """CASE-2: met / due soon (within 2 days, the due day included) / overdue (the due day has passed); an
    overdue deadline escalates when it is overdue by more than 3 days; the queue label is D-n or overdue."""
    assert deadline_state(due, met, TODAY, DEFAULT) == state
    assert countdown(due, met, TODAY) == label
    assert is_escalated(due, met, TODAY, DEFAULT) is escalated
    # Overdue here is exactly what CASE-2 calls breached for an open deadline.
    if met is None:
        assert (state == S.overdue) is is_breached(due, met, TODAY)


@pytest.mark.parametrize(
    ("policy", "due", "state", "escalated"),
    [
        (EscalationPolicy(due_soon_days=0, escalate_after_days=0), day(0), S.due_soon, False),
        (EscalationPolicy(due_soon_days=0, escalate_after_days=0), day(1), S.upcoming, False),
        (EscalationPolicy(due_soon_days=0, escalate_after_days=0), day(-1), S.overdue, True),
        (EscalationPolicy(due_soon_days=7, escalate_after_days=10), day(7), S.due_soon, False),
        (EscalationPolicy(due_soon_days=7, escalate_after_days=10), day(8), S.upcoming, False),
        (EscalationPolicy(due_soon_days=7, escalate_after_days=10), day(-10), S.overdue, False),
        (EscalationPolicy(due_soon_days=7, escalate_after_days=10), day(-11), S.overdue, True),
    ],
)
def test_case_2_windows_are_configurable(
    policy: EscalationPolicy, due: date, state: DeadlineState, escalated: bool
) -> None:
    """CASE-2 (config): the due-soon window and the escalation delay are settings; the rule holds for any value."""
    assert deadline_state(due, None, TODAY, policy) == state
    assert is_escalated(due, None, TODAY, policy) is escalated


@pytest.mark.parametrize("policy", [DEFAULT, EscalationPolicy(0, 0), EscalationPolicy(5, 1), EscalationPolicy(1, 30)])
def test_case_2_query_bounds_agree_with_the_states(policy: EscalationPolicy) -> None:
    """The date bounds the queues query with say exactly what deadline_state and is_escalated say, every day."""
    for offset in range(-60, 60):
        due = day(offset)
        state = deadline_state(due, None, TODAY, policy)
        assert (state == S.due_soon) is (TODAY <= due <= due_soon_until(TODAY, policy))
        assert is_escalated(due, None, TODAY, policy) is (due < escalated_before(TODAY, policy))
        assert days_left(due, TODAY) == offset


@pytest.mark.parametrize(
    ("kind", "status", "met", "live"),
    [
        (DeadlineKind.triage, CaseStatus.received, None, True),
        (DeadlineKind.investigation, CaseStatus.investigating, None, True),
        (DeadlineKind.triage, CaseStatus.triaged, TODAY, False),  # met
        # The case is over: handling deadlines end with it …
        (DeadlineKind.investigation, CaseStatus.withdrawn, None, False),
        (DeadlineKind.feedback, CaseStatus.closed, None, False),
        # … the public body's duties outlive it.
        (DeadlineKind.prevention_plan, CaseStatus.closed, None, True),
        (DeadlineKind.ministry_notification, CaseStatus.withdrawn, None, True),
        (DeadlineKind.prevention_plan, CaseStatus.closed, TODAY, False),
    ],
)
def test_case_2_which_deadlines_still_count(
    kind: DeadlineKind, status: CaseStatus, met: date | None, live: bool
) -> None:
    """CASE-2: an unmet deadline counts while its case runs; after closing or withdrawal only the ministry
    notification and the prevention plan still do."""
    assert is_live(kind, met, status) is live


@pytest.mark.parametrize(
    ("state", "escalated", "kinds"),
    [
        (S.upcoming, False, []),
        (S.met, False, []),
        (S.due_soon, False, [N.deadline_due_soon]),
        (S.overdue, False, [N.deadline_overdue]),
        (S.overdue, True, [N.deadline_overdue, N.deadline_escalated]),
    ],
)
def test_case_2_notices_a_deadline_calls_for(
    state: DeadlineState, escalated: bool, kinds: list[NotificationKind]
) -> None:
    """CASE-2: due soon and overdue are told; an escalated deadline is also escalated."""
    assert notices_due(state, escalated) == kinds


HANDLER, OTHER_HANDLER, LEAD, HEAD = (uuid.UUID(int=n) for n in range(1, 5))


@pytest.mark.parametrize(
    ("kind", "handlers", "told"),
    [
        (N.deadline_due_soon, [HANDLER, OTHER_HANDLER], {HANDLER, OTHER_HANDLER}),
        (N.deadline_overdue, [HANDLER], {HANDLER}),
        (N.deadline_due_soon, [], {LEAD}),  # nobody assigned yet: the team's lead
        (N.deadline_overdue, [], {LEAD}),
        (N.deadline_escalated, [HANDLER], {HANDLER, LEAD, HEAD}),
        (N.deadline_escalated, [], {LEAD, HEAD}),
    ],
)
def test_case_2_who_is_told(kind: NotificationKind, handlers: list[uuid.UUID], told: set[uuid.UUID]) -> None:
    """CASE-2: the assigned handlers (the team's leads if none); escalations also the team's leads and the
    division heads. (Recused people are removed by the caller, from the same visibility as every read.)"""
    assert recipients(kind, handlers, [LEAD], [HEAD]) == told


def test_case_2_an_escalation_without_a_lead_still_reaches_the_division_head() -> None:
    """CASE-2: a team without a lead does not swallow an escalation."""
    assert recipients(N.deadline_escalated, [], [], [HEAD]) == {HEAD}


@pytest.mark.parametrize("kind", list(NotificationKind))
@pytest.mark.parametrize("deadline", list(DeadlineKind))
def test_acc_1_the_notice_says_the_reference_the_kind_and_the_day_only(
    kind: NotificationKind, deadline: DeadlineKind
) -> None:
    """ACC-1, CASE-2: the e-mail says, in Korean and English, that a case needs attention — its reference, the
    kind of notice in words, the due day — and to sign in. Nothing else: no names, no narrative, no category."""
    text = notice_text("WU-ABCDE-FGHJK", kind, deadline, date(2026, 12, 1))
    korean, english, rest = text.split("\n")
    assert rest == ""
    words_ko, words_en = DEADLINE_WORDS[deadline]
    notice_ko, notice_en = NOTICE_WORDS[kind]
    assert english == (
        f"A case needs attention: WU-ABCDE-FGHJK — {words_en} {notice_en}, due 2026-12-01. Sign in to WithU to see it."
    )
    assert korean == (
        f"확인이 필요한 사건이 있습니다: WU-ABCDE-FGHJK — {words_ko} {notice_ko}, 기한 2026-12-01. "
        "WithU에 로그인하여 확인하세요."
    )
    assert "WU-" not in SUBJECT  # the subject line says even less


def test_every_kind_has_words_in_both_languages() -> None:
    """Every deadline kind and notice kind has Korean and English words (a new kind cannot go out unnamed)."""
    assert set(DEADLINE_WORDS) == set(DeadlineKind) and set(NOTICE_WORDS) == set(NotificationKind)
    for ko, en in [*DEADLINE_WORDS.values(), *NOTICE_WORDS.values()]:
        assert ko and en and ko != en
