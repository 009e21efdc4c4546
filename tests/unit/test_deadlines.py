"""CASE-2: deadlines from the receipt, in calendar days and calendar months."""

from __future__ import annotations

import random
import uuid
from datetime import date, timedelta

import pytest

from app.domain.deadlines import (
    PUBLIC_BODIES,
    RECORDED_BY_STAFF,
    REPORTER_FACING,
    Deadline,
    DeadlineAlreadyMet,
    DeadlineNotRecorded,
    DeadlinePolicy,
    DoneOnOutOfRange,
    FeedbackToReporterOnly,
    ObjectionVictimOnly,
    add_months,
    check_feedback_flag,
    check_objection,
    check_recordable,
    deadlines_at_receipt,
    deadlines_when_workplace_known,
    is_breached,
    is_overdue,
    may_record,
    meets_feedback,
    prevention_plan_due,
    victim_objects,
)
from app.domain.enums import DeadlineKind, OrgKind, ReporterKind, Role, Team
from app.domain.escalation import OUTLIVE_THE_CASE

K = DeadlineKind
POLICY = DeadlinePolicy()
RECEIPT_KINDS = {K.acknowledgement, K.triage, K.feedback, K.investigation}


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        # same day number when the target month has it
        (date(2026, 1, 15), 1, date(2026, 2, 15)),
        (date(2026, 3, 10), 3, date(2026, 6, 10)),
        (date(2026, 5, 31), 0, date(2026, 5, 31)),
        # month ends: clamp to the last day of the target month
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2028, 1, 31), 1, date(2028, 2, 29)),
        (date(2026, 1, 30), 1, date(2026, 2, 28)),
        (date(2026, 3, 31), 1, date(2026, 4, 30)),
        (date(2026, 8, 31), 3, date(2026, 11, 30)),
        (date(2026, 5, 31), 3, date(2026, 8, 31)),
        (date(2026, 11, 30), 3, date(2027, 2, 28)),
        (date(2027, 11, 30), 3, date(2028, 2, 29)),
        (date(2026, 12, 31), 2, date(2027, 2, 28)),
        # leap years: 2028 and 2000 are leap, 2100 is not
        (date(2028, 2, 29), 3, date(2028, 5, 29)),
        (date(2028, 2, 29), 12, date(2029, 2, 28)),
        (date(2028, 2, 29), 48, date(2032, 2, 29)),
        (date(2027, 11, 29), 3, date(2028, 2, 29)),
        (date(1999, 11, 30), 3, date(2000, 2, 29)),
        (date(2099, 11, 30), 3, date(2100, 2, 28)),
        (date(2099, 12, 31), 2, date(2100, 2, 28)),
        (date(2100, 1, 29), 1, date(2100, 2, 28)),
        # year wrap
        (date(2026, 12, 15), 3, date(2027, 3, 15)),
        (date(2026, 12, 31), 3, date(2027, 3, 31)),
        (date(2026, 10, 1), 3, date(2027, 1, 1)),
        (date(2026, 11, 30), 1, date(2026, 12, 30)),
        (date(2026, 12, 1), 1, date(2027, 1, 1)),
        (date(2026, 12, 31), 12, date(2027, 12, 31)),
        (date(2026, 12, 31), 25, date(2029, 1, 31)),
        (date(2026, 1, 1), 36, date(2029, 1, 1)),
    ],
)
def test_case_2_add_months_is_calendar_months(start: date, months: int, expected: date) -> None:
    """CASE-2: calendar months keep the day number, or clamp to the month's last day; leap years and year wrap."""
    assert add_months(start, months) == expected


@pytest.mark.parametrize("year", [2026, 2027, 2028, 2100, 2000])
@pytest.mark.parametrize("month", range(1, 13))
def test_case_2_add_months_from_day_28_of_every_month_keeps_the_day(year: int, month: int) -> None:
    """CASE-2: from any day, +1..+12 calendar months land in the right month, never past its end."""
    start = date(year, month, 28)
    for months in range(1, 13):
        result = add_months(start, months)
        index = month - 1 + months
        assert (result.year, result.month) == (year + index // 12, index % 12 + 1)
        assert result.day == 28


@pytest.mark.parametrize(
    ("org_kind", "objects", "with_ministry"),
    [
        (OrgKind.smg, False, True),
        (OrgKind.affiliated, False, True),
        (OrgKind.smg, True, False),
        (OrgKind.affiliated, True, False),
        (OrgKind.contractor, False, False),
        (OrgKind.contractor, True, False),
        (OrgKind.citizen_workplace, False, False),
        (OrgKind.citizen_workplace, True, False),
        (None, False, False),
        (None, True, False),
    ],
)
def test_case_2_deadlines_at_receipt_kinds(org_kind: OrgKind | None, objects: bool, with_ministry: bool) -> None:
    """CASE-2: every case gets acknowledgement, triage, feedback and investigation deadlines; public bodies
    (SMG, affiliated) also notify the ministry at once (the same day) unless the victim objects."""
    received = date(2026, 3, 14)
    due = deadlines_at_receipt(received, org_kind, objects, POLICY)
    kinds = [d.kind for d in due]
    assert len(kinds) == len(set(kinds)), "each kind at most once"
    expected = RECEIPT_KINDS | ({K.ministry_notification} if with_ministry else set())
    assert set(kinds) == expected
    assert K.prevention_plan not in kinds
    by_kind = {d.kind: d.due_on for d in due}
    if with_ministry:
        assert by_kind[K.ministry_notification] == received


def test_case_2_public_bodies_are_smg_and_affiliated() -> None:
    """CASE-2: the ministry notification applies to public bodies: the city government and affiliated institutions."""
    assert PUBLIC_BODIES == {OrgKind.smg, OrgKind.affiliated}


@pytest.mark.parametrize(
    ("received", "ack", "triage", "feedback", "investigation"),
    [
        (date(2026, 3, 14), date(2026, 3, 21), date(2026, 3, 17), date(2026, 6, 14), date(2026, 4, 13)),
        (date(2026, 11, 30), date(2026, 12, 7), date(2026, 12, 3), date(2027, 2, 28), date(2026, 12, 30)),
        (date(2027, 11, 30), date(2027, 12, 7), date(2027, 12, 3), date(2028, 2, 29), date(2027, 12, 30)),
        (date(2026, 12, 29), date(2027, 1, 5), date(2027, 1, 1), date(2027, 3, 29), date(2027, 1, 28)),
        (date(2028, 2, 28), date(2028, 3, 6), date(2028, 3, 2), date(2028, 5, 28), date(2028, 3, 29)),
    ],
)
def test_case_2_default_deadline_dates(
    received: date, ack: date, triage: date, feedback: date, investigation: date
) -> None:
    """CASE-2: acknowledgement 7 days, triage 3 days, feedback 3 calendar months, investigation 30 days."""
    by_kind = {d.kind: d.due_on for d in deadlines_at_receipt(received, OrgKind.smg, False, POLICY)}
    assert by_kind == {
        K.acknowledgement: ack,
        K.triage: triage,
        K.feedback: feedback,
        K.investigation: investigation,
        K.ministry_notification: received,
    }


def test_case_2_default_policy_numbers() -> None:
    """CASE-2: the rulebook's numbers are the defaults."""
    assert (POLICY.acknowledgement_days, POLICY.triage_days, POLICY.feedback_months, POLICY.investigation_days) == (
        7,
        3,
        3,
        30,
    )


@pytest.mark.parametrize(
    ("policy", "kind", "expected"),
    [
        (DeadlinePolicy(triage_days=1), K.triage, date(2026, 3, 15)),
        (DeadlinePolicy(triage_days=10), K.triage, date(2026, 3, 24)),
        (DeadlinePolicy(investigation_days=60), K.investigation, date(2026, 5, 13)),
        (DeadlinePolicy(acknowledgement_days=1), K.acknowledgement, date(2026, 3, 15)),
        (DeadlinePolicy(feedback_months=1), K.feedback, date(2026, 4, 14)),
        (DeadlinePolicy(feedback_months=12), K.feedback, date(2027, 3, 14)),
    ],
)
def test_case_2_configured_policy_is_honoured(policy: DeadlinePolicy, kind: DeadlineKind, expected: date) -> None:
    """CASE-2: the (config) numbers change the due dates; the rule holds for any value."""
    by_kind = {d.kind: d.due_on for d in deadlines_at_receipt(date(2026, 3, 14), None, False, policy)}
    assert by_kind[kind] == expected


@pytest.mark.parametrize(
    ("received", "three_months", "ninety_days"),
    [
        (date(2026, 3, 1), date(2026, 6, 1), date(2026, 5, 30)),
        (date(2026, 6, 1), date(2026, 9, 1), date(2026, 8, 30)),
        (date(2026, 11, 30), date(2027, 2, 28), date(2027, 2, 28)),
        (date(2026, 12, 1), date(2027, 3, 1), date(2027, 3, 1)),
        (date(2026, 7, 15), date(2026, 10, 15), date(2026, 10, 13)),
    ],
)
def test_case_2_feedback_in_calendar_months_not_90_days(received: date, three_months: date, ninety_days: date) -> None:
    """CASE-2: feedback is due 3 calendar months after the acknowledgement (sent at receipt), not 90 days."""
    assert received + timedelta(days=90) == ninety_days
    by_kind = {d.kind: d.due_on for d in deadlines_at_receipt(received, None, False, POLICY)}
    assert by_kind[K.feedback] == three_months


def test_case_2_feedback_differs_from_90_days_on_some_date() -> None:
    """CASE-2: a date where 3 calendar months and 90 days differ, so the rule is really calendar months."""
    received = date(2026, 3, 1)
    feedback = {d.kind: d.due_on for d in deadlines_at_receipt(received, None, False, POLICY)}[K.feedback]
    assert feedback == date(2026, 6, 1)
    assert feedback != received + timedelta(days=90)


@pytest.mark.parametrize(
    ("due_on", "met_on", "today", "breached"),
    [
        # met on time (before or on the due day), whatever today is
        (date(2026, 3, 10), date(2026, 3, 1), date(2026, 3, 5), False),
        (date(2026, 3, 10), date(2026, 3, 10), date(2026, 3, 10), False),
        (date(2026, 3, 10), date(2026, 3, 10), date(2027, 1, 1), False),
        (date(2026, 3, 10), date(2026, 3, 9), date(2026, 4, 1), False),
        # met late stays breached forever
        (date(2026, 3, 10), date(2026, 3, 11), date(2026, 3, 11), True),
        (date(2026, 3, 10), date(2026, 4, 1), date(2030, 1, 1), True),
        # unmet: not breached up to and including the due day, breached after it
        (date(2026, 3, 10), None, date(2026, 3, 1), False),
        (date(2026, 3, 10), None, date(2026, 3, 10), False),
        (date(2026, 3, 10), None, date(2026, 3, 11), True),
        (date(2026, 3, 10), None, date(2027, 3, 10), True),
        # across a year end
        (date(2026, 12, 31), None, date(2027, 1, 1), True),
        (date(2026, 12, 31), date(2027, 1, 1), date(2027, 1, 1), True),
    ],
)
def test_case_2_is_breached(due_on: date, met_on: date | None, today: date, breached: bool) -> None:
    """CASE-2: a deadline is breached when met late, or unmet after the due day; overdue is flagged."""
    assert is_breached(due_on, met_on, today) is breached


@pytest.mark.parametrize(
    ("substantiated_on", "due_on"),
    [
        (date(2026, 3, 14), date(2026, 6, 14)),
        (date(2026, 8, 31), date(2026, 11, 30)),
        (date(2026, 11, 30), date(2027, 2, 28)),
        (date(2027, 11, 30), date(2028, 2, 29)),
        (date(2099, 11, 30), date(2100, 2, 28)),
        (date(2026, 12, 31), date(2027, 3, 31)),
        (date(2026, 3, 1), date(2026, 6, 1)),
    ],
)
def test_case_2_prevention_plan_due_three_calendar_months_after_finding(substantiated_on: date, due_on: date) -> None:
    """CASE-2: a recurrence-prevention plan within 3 calendar months of a substantiated finding."""
    assert prevention_plan_due(substantiated_on) == Deadline(K.prevention_plan, due_on)


def test_case_2_feedback_is_met_only_by_a_feedback_message_and_reporter_facing() -> None:
    """CASE-2: feedback is met by a message to the reporter the handler marks as feedback on the outcome, not by
    any reply nor by an internal note (which cannot be marked); acknowledgement and feedback face the reporter."""
    assert meets_feedback(internal=False, feedback=True) is True
    assert meets_feedback(internal=False, feedback=False) is False
    assert meets_feedback(internal=True, feedback=False) is False
    check_feedback_flag(internal=False, feedback=True)
    check_feedback_flag(internal=True, feedback=False)
    with pytest.raises(FeedbackToReporterOnly):
        check_feedback_flag(internal=True, feedback=True)
    assert REPORTER_FACING == {K.acknowledgement, K.feedback}


# --- the public body's duties: recorded as done by staff (issue 13) ---

OPENED = date(2026, 3, 2)
TODAY = date(2026, 6, 10)


def test_case_2_staff_record_only_the_public_body_duties_which_outlive_the_case() -> None:
    """CASE-2: the ministry notification and the prevention plan are done outside WithU, so staff record them;
    the other deadlines are met by what happens in WithU. The same two outlive the case until recorded."""
    assert RECORDED_BY_STAFF == {K.ministry_notification, K.prevention_plan} == OUTLIVE_THE_CASE
    for kind in set(K) - RECORDED_BY_STAFF:
        with pytest.raises(DeadlineNotRecorded):
            check_recordable(kind, None, TODAY, OPENED, TODAY)
    for kind in RECORDED_BY_STAFF:
        check_recordable(kind, None, TODAY, OPENED, TODAY)
        check_recordable(kind, None, OPENED, OPENED, TODAY)  # the first day counts
        with pytest.raises(DeadlineAlreadyMet):
            check_recordable(kind, OPENED, TODAY, OPENED, TODAY)


@pytest.mark.parametrize("done_on", [TODAY + timedelta(days=1), OPENED - timedelta(days=1)])
def test_case_2_a_duty_is_done_between_the_case_opening_and_today(done_on: date) -> None:
    """CASE-2: the day recorded is neither in the future nor before the case opened."""
    with pytest.raises(DoneOnOutOfRange):
        check_recordable(K.ministry_notification, None, done_on, OPENED, TODAY)


def test_case_2_who_records_a_duty_as_done() -> None:
    """CASE-2: the case's handlers, the lead of the case's team and the division head; no one else."""
    me, other = uuid.uuid4(), uuid.uuid4()
    team = Team.intake_counselling
    assert may_record(me, Role.intake, team, team, {me})
    assert may_record(me, Role.investigator, Team.investigation, team, {me})  # a handler whatever the team
    assert may_record(me, Role.team_lead, team, team, set())
    assert may_record(me, Role.division_head, None, team, set())
    assert not may_record(me, Role.intake, team, team, {other})  # of the team, not a handler
    assert not may_record(me, Role.team_lead, Team.investigation, team, set())  # another team's lead


def test_case_2_only_the_victim_objects_to_the_ministry_notification() -> None:
    """CASE-2: "unless the victim objects": a third party's objection is refused; stored data from before counts
    only if the victim made it."""
    check_objection(ReporterKind.victim, True)
    check_objection(ReporterKind.third_party, False)
    with pytest.raises(ObjectionVictimOnly):
        check_objection(ReporterKind.third_party, True)
    assert victim_objects(ReporterKind.victim, True) is True
    assert victim_objects(ReporterKind.third_party, True) is False
    assert victim_objects(ReporterKind.victim, False) is False


@pytest.mark.parametrize(
    ("org_kind", "objects", "substantiated_on", "expected"),
    [
        (OrgKind.smg, False, None, [Deadline(K.ministry_notification, TODAY)]),
        (OrgKind.affiliated, True, None, []),
        (
            OrgKind.smg,
            False,
            OPENED,
            [Deadline(K.ministry_notification, TODAY), Deadline(K.prevention_plan, date(2026, 6, 2))],
        ),
        (OrgKind.affiliated, True, OPENED, [Deadline(K.prevention_plan, date(2026, 6, 2))]),
        (OrgKind.contractor, False, OPENED, []),
        (OrgKind.citizen_workplace, False, None, []),
    ],
)
def test_case_2_workplace_known_later_opens_the_public_body_duties(
    org_kind: OrgKind, objects: bool, substantiated_on: date | None, expected: list[Deadline]
) -> None:
    """CASE-2: when staff learn the workplace is a public body, the ministry is notified at once (unless the victim
    objected) and, after a substantiated finding, the plan is due 3 calendar months from the finding."""
    assert deadlines_when_workplace_known(TODAY, org_kind, objects, substantiated_on) == expected


def test_case_2_a_case_is_overdue_exactly_when_one_of_its_deadlines_is_breached() -> None:
    """CASE-2: is_overdue, from the earliest unmet due day and whether any deadline was met late (what the case keeps,
    migration 0029), is `any(is_breached(...))` over the case's deadlines, for random sets of deadlines and days."""
    rng = random.Random(17)
    start = date(2026, 1, 1)
    for _ in range(2_000):
        deadlines = []
        for _ in range(rng.randint(0, 5)):
            due = start + timedelta(days=rng.randint(0, 60))
            met = None if rng.random() < 0.5 else start + timedelta(days=rng.randint(0, 60))
            deadlines.append((due, met))
        today = start + timedelta(days=rng.randint(0, 60))
        unmet = [due for due, met in deadlines if met is None]
        met_late = any(met is not None and met > due for due, met in deadlines)
        expected = any(is_breached(due, met, today) for due, met in deadlines)
        assert is_overdue(min(unmet) if unmet else None, met_late, today) == expected
