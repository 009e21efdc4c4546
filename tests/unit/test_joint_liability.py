"""`app/domain/joint_liability.py` as executable examples: whose measures and which ones (SAN-4)."""

from __future__ import annotations

import uuid

import pytest

from app.domain.joint_liability import (
    HEAD_MEASURES,
    DaysRequired,
    HeadMeasureAlreadyDone,
    HeadMeasureKind,
    HeadMeasureStatus,
    HeadMeasureTooShort,
    check_completion,
    check_head_measure_open,
    choose_head,
)

HEAD, SUPERVISOR, RESPONDENT, VICTIM = (uuid.uuid4() for _ in range(4))


@pytest.mark.parametrize(
    ("unit_head", "supervisor", "victims", "expected"),
    [
        (HEAD, SUPERVISOR, set(), (HEAD, "unit_head")),
        (None, SUPERVISOR, set(), (SUPERVISOR, "supervisor")),  # no head on record: the direct supervisor
        (RESPONDENT, SUPERVISOR, set(), (SUPERVISOR, "supervisor")),  # the head is the respondent
        (None, None, set(), (None, "none")),  # nobody on record: flagged
        (HEAD, SUPERVISOR, {HEAD}, (None, "victim")),  # the head is the victim: not measured
        (None, SUPERVISOR, {SUPERVISOR}, (None, "victim")),
    ],
)
def test_san_4_whose_measures(unit_head, supervisor, victims, expected) -> None:  # type: ignore[no-untyped-def]
    """SAN-4: the head of the respondent's unit; else the direct supervisor; else nobody (flagged); never the
    victim."""
    choice = choose_head(unit_head, supervisor, RESPONDENT, victims)
    assert (choice.head_id, choice.source) == expected
    assert choice.measured is (expected[1] != "victim")


def test_san_4_two_measures_training_at_least_a_week() -> None:
    """SAN-4: performance-pay grade lowered one step; human-rights training of at least 7 days."""
    assert dict(HEAD_MEASURES) == {
        HeadMeasureKind.perf_pay_grade_lowered: None,
        HeadMeasureKind.human_rights_training: 7,
    }
    check_completion(None, None)
    check_completion(7, 7)
    check_completion(7, 10)
    with pytest.raises(DaysRequired):
        check_completion(7, None)
    with pytest.raises(HeadMeasureTooShort):
        check_completion(7, 6)
    check_head_measure_open(HeadMeasureStatus.open)
    with pytest.raises(HeadMeasureAlreadyDone):
        check_head_measure_open(HeadMeasureStatus.done)
