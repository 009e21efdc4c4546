"""RET-1: which personnel events are adverse, and when the watch is on."""

from __future__ import annotations

from datetime import date

import pytest

from app.domain.enums import PersonnelEventKind as K
from app.domain.retaliation import in_watch_period, is_adverse


@pytest.mark.parametrize(
    ("kind", "data", "adverse"),
    [
        (K.dismissal, {}, True),
        (K.discipline, {"level": "suspension"}, True),
        (K.duties_removed, {}, True),
        (K.objection, {"note": "I did not agree"}, True),
        (K.transfer, {}, True),
        (K.transfer, {"requested_by_employee": True}, False),
        (K.new_supervisor, {}, True),
        (K.new_supervisor, {"requested_by_employee": True}, False),
        (K.promotion_decision, {"promoted": False}, True),
        (K.promotion_decision, {"promoted": True}, False),
        (K.training_decision, {"granted": False}, True),
        (K.training_decision, {"granted": True}, False),
        (K.evaluation, {"worse": True}, True),
        (K.evaluation, {"grade": "C", "previous_grade": "A"}, True),
        (K.evaluation, {"grade": "A", "previous_grade": "B"}, False),
        (K.evaluation, {"grade": "B", "previous_grade": "B"}, False),
        (K.evaluation, {}, False),
        (K.leave, {}, False),
        (K.returned, {}, False),
        (K.joined_assignment, {}, False),
        (K.left_assignment, {}, False),
        (K.retirement, {}, False),
    ],
)
def test_ret_1_adverse_events(kind: K, data: dict, adverse: bool) -> None:
    """RET-1: the list of adverse personnel events, flagged without anyone having to complain."""
    assert is_adverse(kind, data) is adverse


@pytest.mark.parametrize(
    ("closed_on", "event_on", "watched"),
    [
        (None, date(2026, 1, 1), False),  # before the report
        (None, date(2026, 3, 1), True),
        (date(2026, 6, 1), date(2029, 6, 1), True),  # exactly 3 years after closing
        (date(2026, 6, 1), date(2029, 6, 2), False),
        (date(2028, 2, 29), date(2031, 2, 28), True),  # leap day + 3 years clamps to Feb 28
    ],
)
def test_ret_1_watch_period_from_report_to_three_years_after_closing(closed_on, event_on, watched: bool) -> None:  # type: ignore[no-untyped-def]
    """RET-1: the watch runs from the report to 3 years after closing (config)."""
    assert in_watch_period(date(2026, 2, 1), closed_on, event_on, 3) is watched


def test_ret_1_a_new_supervisor_carrying_out_a_separation_plan_is_not_adverse() -> None:
    """RET-1, SEP-3: the respondent leaving the victim's chain gives the victim a new supervisor: not retaliation.
    A transfer of the victim stays adverse even then (the plan moves the respondent, CASE-7)."""
    assert is_adverse(K.new_supervisor, {}, carries_out_separation=True) is False
    assert is_adverse(K.new_supervisor, {}, carries_out_separation=False) is True
    assert is_adverse(K.transfer, {}, carries_out_separation=True) is True
