"""RET-1: which personnel events are flagged, what excuses one (SEP-3, CASE-7), and when the watch is on."""

from __future__ import annotations

from datetime import date

import pytest

from app.domain.enums import MeasureKind, MeasureStatus
from app.domain.enums import PersonnelEventKind as K
from app.domain.retaliation import OwnWish, assess, in_watch_period, own_wish

MOVE_AND_LEAVE = OwnWish(move=True, leave=True)


@pytest.mark.parametrize(
    ("kind", "data", "flagged"),
    [
        (K.dismissal, {}, True),
        (K.loss_of_status, {}, True),
        (K.discipline, {"level": "suspension"}, True),
        (K.pay_cut, {}, True),
        (K.demotion, {}, True),
        (K.duties_removed, {}, True),
        (K.resources_withheld, {}, True),
        (K.objection, {"note": "I did not agree"}, True),
        (K.transfer, {}, True),
        (K.new_supervisor, {}, True),
        (K.joined_assignment, {}, True),
        (K.left_assignment, {}, True),
        (K.leave, {}, True),
        (K.promotion_decision, {"promoted": False}, True),
        (K.promotion_decision, {"promoted": True}, False),
        (K.training_decision, {"granted": False}, True),
        (K.training_decision, {"granted": True}, False),
        (K.evaluation, {"worse": True}, True),
        (K.evaluation, {"grade": "C", "previous_grade": "A"}, True),
        (K.evaluation, {"grade": "A", "previous_grade": "B"}, False),
        (K.evaluation, {"grade": "B", "previous_grade": "B"}, False),
        (K.evaluation, {}, False),
        (K.returned, {}, False),
        (K.retirement, {}, False),
    ],
)
def test_ret_1_adverse_events(kind: K, data: dict, flagged: bool) -> None:
    """RET-1: the whole list — dismissal or loss of status; discipline, suspension, pay cut, demotion, withheld
    promotion; transfer, reassignment, leave or no duties; a worse evaluation; withheld training or resources; an
    objection — is flagged without anyone having to complain."""
    assert assess(kind, data).flagged is flagged


@pytest.mark.parametrize("kind", [K.transfer, K.new_supervisor])
def test_ret_1_case_7_the_personnel_systems_requested_by_employee_is_no_proof(kind: K) -> None:
    """RET-1, CASE-7: HR's `requested_by_employee=true` alone does not excuse a move; only the wish recorded in
    WithU does."""
    verdict = assess(kind, {"requested_by_employee": True})
    assert (verdict.flagged, verdict.reason) == (True, "against-their-will")
    assert assess(kind, {"requested_by_employee": True}, wish=OwnWish(move=True)).flagged is False


def test_sep_3_case_7_a_separation_order_excuses_only_a_move_of_its_respondent() -> None:
    """SEP-3: the plan moves the respondent. The victim's new supervisor citing the order is flagged; the
    respondent's move carrying out the order is not. Carrying out an order never excuses leave or discipline."""
    cites = {"supervisor": "E-BOSS", "separation_order": "SO-1"}
    victim = assess(K.new_supervisor, cites)
    assert (victim.flagged, victim.reason) == (True, "against-their-will")
    for kind in (K.transfer, K.new_supervisor, K.left_assignment):
        respondent = assess(kind, cites, moves_respondent_of_cited_order=True)
        assert (respondent.flagged, respondent.reason) == (False, "separation-plan-moves-the-respondent")
    for kind in (K.leave, K.joined_assignment, K.discipline, K.dismissal):
        assert assess(kind, {}, moves_respondent_of_cited_order=True).flagged is True


def test_case_7_only_the_persons_own_recorded_wish_excuses_a_move_or_leave() -> None:
    """CASE-7: a move at the person's own recorded wish is not against their will; a wish to move does not
    cover leave (and the other way round); no wish excuses discipline or a dismissal."""
    moved = assess(K.transfer, {}, wish=OwnWish(move=True))
    assert (moved.flagged, moved.reason) == (False, "own-recorded-wish")
    assert assess(K.joined_assignment, {}, wish=OwnWish(move=True)).flagged is False
    assert assess(K.leave, {}, wish=OwnWish(move=True)).flagged is True
    assert assess(K.leave, {}, wish=OwnWish(leave=True)).flagged is False
    assert assess(K.transfer, {}, wish=OwnWish(leave=True)).flagged is True
    for kind in (K.discipline, K.dismissal, K.duties_removed, K.objection, K.pay_cut):
        assert assess(kind, {}, wish=MOVE_AND_LEAVE).flagged is True


D1, D2 = date(2026, 3, 1), date(2026, 3, 2)


@pytest.mark.parametrize(
    ("wishes", "measures", "expected"),
    [
        ([], [], OwnWish()),
        ([(D1, True)], [], OwnWish(move=True)),
        ([(D1, True), (D2, False)], [], OwnWish()),  # the latest answer counts
        ([], [(MeasureKind.workplace_change, MeasureStatus.applied, D1)], OwnWish(move=True)),
        ([], [(MeasureKind.further_separation, MeasureStatus.accepted, D1)], OwnWish(move=True)),
        ([], [(MeasureKind.paid_leave, MeasureStatus.applied, D1)], OwnWish(leave=True)),
        ([], [(MeasureKind.paid_leave, MeasureStatus.offered, None)], OwnWish()),  # not answered
        ([], [(MeasureKind.workplace_change, MeasureStatus.declined, D1)], OwnWish()),
        ([], [(MeasureKind.counselling, MeasureStatus.applied, D1)], OwnWish()),
        ([(D2, False)], [(MeasureKind.workplace_change, MeasureStatus.applied, D1)], OwnWish()),
        ([(D1, False)], [(MeasureKind.workplace_change, MeasureStatus.accepted, D2)], OwnWish(move=True)),
        ([(D1, False)], [(MeasureKind.workplace_change, MeasureStatus.accepted, D1)], OwnWish()),  # same day: no
    ],
)
def test_case_7_the_own_wish_is_what_withu_recorded(wishes, measures, expected: OwnWish) -> None:  # type: ignore[no-untyped-def]
    """CASE-7: the proof of an employee's own request is the victim's latest recorded answer in WithU — a victim
    wish (`wants_to_move`) or an accepted or applied measure that moves them or gives leave; a later no wins."""
    assert own_wish(wishes, measures) == expected


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
