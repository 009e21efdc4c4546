"""CASE-1: the case lifecycle as one transition table; CASE-4: closed cases are read-only for the reporter."""

from __future__ import annotations

import itertools

import pytest

from app.domain.enums import CaseStatus, Finding
from app.domain.errors import Conflict, IllegalTransition, RuleViolation
from app.domain.lifecycle import (
    INITIAL_STATUS,
    TRANSITIONS,
    FindingRequired,
    allowed_next,
    check_reporter_may_write,
    check_transition,
    is_open_for_writing,
)

S = CaseStatus
ALL_PAIRS = list(itertools.product(CaseStatus, CaseStatus))

# The rulebook's lifecycle, written out independently of the table under test.
EXPECTED_TRANSITIONS = {
    (S.received, S.triaged),
    (S.triaged, S.investigating),
    (S.investigating, S.decided),
    (S.decided, S.closed),
    (S.received, S.withdrawn),
    (S.triaged, S.withdrawn),
    (S.investigating, S.withdrawn),
}


def _finding_for(target: CaseStatus) -> Finding | None:
    return Finding.substantiated if target == S.decided else None


def test_case_1_table_covers_every_status_and_matches_the_rulebook() -> None:
    """CASE-1: one table, a row for every status, holding exactly the rulebook's forward path plus withdrawal."""
    assert set(TRANSITIONS) == set(CaseStatus)
    assert {(a, b) for a, targets in TRANSITIONS.items() for b in targets} == EXPECTED_TRANSITIONS
    assert INITIAL_STATUS == S.received


@pytest.mark.parametrize(("current", "target"), ALL_PAIRS, ids=[f"{a}->{b}" for a, b in ALL_PAIRS])
def test_case_1_check_transition_every_pair(current: CaseStatus, target: CaseStatus) -> None:
    """CASE-1: a transition succeeds exactly when it is in TRANSITIONS; any other is refused (409)."""
    finding = _finding_for(target)
    if target in TRANSITIONS[current]:
        assert check_transition(current, target, finding) is None
    else:
        with pytest.raises(IllegalTransition) as caught:
            check_transition(current, target, finding)
        assert isinstance(caught.value, Conflict)
        assert caught.value.code == "illegal-transition"
        assert caught.value.extra["allowed"] == [str(s) for s in allowed_next(current)]
        assert str(current) in str(caught.value) and str(target) in str(caught.value)


ILLEGAL_PAIRS = [(a, b) for a, b in ALL_PAIRS if (a, b) not in EXPECTED_TRANSITIONS]


@pytest.mark.parametrize(("current", "target"), ILLEGAL_PAIRS, ids=[f"{a}->{b}" for a, b in ILLEGAL_PAIRS])
def test_case_1_illegal_pairs_refused_with_or_without_a_finding(current: CaseStatus, target: CaseStatus) -> None:
    """CASE-1: a finding (or its absence) never makes an illegal transition legal."""
    for finding in [None, *Finding]:
        with pytest.raises(IllegalTransition):
            check_transition(current, target, finding)


@pytest.mark.parametrize("finding", list(Finding))
def test_case_1_decided_with_each_finding(finding: Finding) -> None:
    """CASE-1: `decided` carries one of the three findings."""
    assert check_transition(S.investigating, S.decided, finding) is None


def test_case_1_decided_requires_a_finding() -> None:
    """CASE-1: moving to `decided` without a finding is refused (422)."""
    with pytest.raises(FindingRequired) as caught:
        check_transition(S.investigating, S.decided, None)
    assert isinstance(caught.value, RuleViolation)
    assert caught.value.code == "finding-required"


LEGAL_NOT_DECIDED = sorted((a, b) for a, b in EXPECTED_TRANSITIONS if b != S.decided)


@pytest.mark.parametrize("finding", list(Finding))
@pytest.mark.parametrize(("current", "target"), LEGAL_NOT_DECIDED, ids=[f"{a}->{b}" for a, b in LEGAL_NOT_DECIDED])
def test_case_1_other_statuses_refuse_a_finding(current: CaseStatus, target: CaseStatus, finding: Finding) -> None:
    """CASE-1: only `decided` carries a finding; a legal transition elsewhere with a finding is refused."""
    with pytest.raises(FindingRequired):
        check_transition(current, target, finding)


@pytest.mark.parametrize(
    ("current", "expected"),
    [
        (S.received, [S.triaged, S.withdrawn]),
        (S.triaged, [S.investigating, S.withdrawn]),
        (S.investigating, [S.decided, S.withdrawn]),
        (S.decided, [S.closed]),
        (S.closed, []),
        (S.withdrawn, []),
    ],
)
def test_case_1_allowed_next_in_lifecycle_order(current: CaseStatus, expected: list[CaseStatus]) -> None:
    """CASE-1: the statuses reachable from each status, in lifecycle order."""
    assert allowed_next(current) == expected


@pytest.mark.parametrize(
    ("status", "writable"),
    [
        (S.received, True),
        (S.triaged, True),
        (S.investigating, True),
        (S.decided, True),
        (S.closed, False),
        (S.withdrawn, False),
    ],
)
def test_case_4_closed_and_withdrawn_cases_are_read_only(status: CaseStatus, writable: bool) -> None:
    """CASE-4: after `closed` (or `withdrawn`) the reporter can read but not write."""
    assert is_open_for_writing(status) is writable


def test_case_1_terminal_statuses_have_no_way_out() -> None:
    """CASE-1: closed and withdrawn are final: nothing leaves them, not even back to an earlier status."""
    for terminal in (S.closed, S.withdrawn):
        for target in CaseStatus:
            with pytest.raises(IllegalTransition) as caught:
                check_transition(terminal, target, _finding_for(target))
            assert caught.value.extra["allowed"] == []


@pytest.mark.parametrize("status", list(CaseStatus))
def test_case_4_one_rule_for_every_reporter_write(status: CaseStatus) -> None:
    """CASE-4: the reporter writes (messages, measure answers, opinions, files) only while the case is open; after
    `closed` or `withdrawn` every write is refused with 409 case-closed."""
    if status in (S.closed, S.withdrawn):
        with pytest.raises(Conflict) as raised:
            check_reporter_may_write(status)
        assert raised.value.code == "case-closed"
    else:
        check_reporter_may_write(status)
