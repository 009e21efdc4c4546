"""`app/domain/matching.py` as executable examples: CASE-8 repeat-respondent matching and escrow, hardened against
the escrow oracle (security review F4); the alert rule and SEP-1's orders awaiting triage (F11)."""

from __future__ import annotations

from datetime import date

import pytest

from app.domain.alerts import AlertAcknowledged, check_unacknowledged, raises_now
from app.domain.enums import CaseStatus, IdentityMode, ReporterKind
from app.domain.matching import (
    EscrowMatchDecided,
    EscrowNeedsRespondent,
    Filing,
    Independence,
    MatchStep,
    check_escrow,
    check_undecided,
    independence,
    join_identities,
    match_step,
    over_escrow_limit,
    shown_as_held,
    stays_sealed,
    window_start,
)
from app.domain.separation import OrderNotAwaitingTriage, awaits_triage, check_confirmable

ANONYMOUS = Filing(receipt="r-anon")
ANONYMOUS_SEALED = Filing(receipt="r-anon-sealed", sealed=True)
ALICE = Filing(receipt="r-alice", identity_keys=frozenset({"mac-e-alice", "mac-mail-alice"}))
ALICE_SEALED = Filing(receipt="r-alice-2", identity_keys=frozenset({"mac-e-alice"}), sealed=True)
BOB_SEALED = Filing(receipt="r-bob", identity_keys=frozenset({"mac-mail-bob"}), sealed=True)


def test_case_8_escrow_needs_the_respondents_number() -> None:
    """CASE-8: escrow matches by employee number only."""
    check_escrow(False, False)
    check_escrow(True, True)
    with pytest.raises(EscrowNeedsRespondent):
        check_escrow(True, False)


def test_case_8_independence_of_two_reporters() -> None:
    """CASE-8, F4: the same receipt or a shared employee number / e-mail is the same reporter; two identified,
    different reporters are independent; an anonymous one on either side cannot be told apart."""
    assert independence(ALICE, ALICE_SEALED) == Independence.same_reporter  # the same employee number
    assert independence(ANONYMOUS, Filing(receipt="r-anon", sealed=True)) == Independence.same_reporter
    assert independence(ALICE, BOB_SEALED) == Independence.independent
    assert independence(ANONYMOUS, BOB_SEALED) == Independence.unknown
    assert independence(ALICE, ANONYMOUS_SEALED) == Independence.unknown


def test_case_8_a_reporter_known_by_number_and_by_e_mail_is_one_reporter() -> None:
    """CASE-8, F4: a report with only the e-mail and another with only the employee number are the same reporter when
    a third report carries both."""
    by_number = Filing(receipt="r1", identity_keys=frozenset({"mac-e-alice"}))
    by_mail = Filing(receipt="r2", identity_keys=frozenset({"mac-mail-alice"}), sealed=True)
    assert independence(by_number, by_mail) == Independence.independent
    joined = join_identities([by_number, by_mail, ALICE, ANONYMOUS, BOB_SEALED])
    assert independence(joined[0], joined[1]) == Independence.same_reporter
    assert joined[3] == ANONYMOUS and joined[4] == BOB_SEALED
    assert independence(joined[0], joined[4]) == Independence.independent


def test_f4_case_8_what_a_new_report_does_to_another_naming_the_same_person() -> None:
    """CASE-8, F4: reports outside escrow are linked; with escrow on either side, the same reporter never
    releases, two identified independent reporters release at once, an anonymous one needs the team's confirmation,
    and a report over the escrow limit never counts."""
    assert match_step(ANONYMOUS, Filing(receipt="r-other")) == MatchStep.link
    assert match_step(ALICE, Filing(receipt="r-alice-3", identity_keys=frozenset({"mac-e-alice"}))) == MatchStep.link
    assert match_step(ALICE, ALICE_SEALED) == MatchStep.none
    assert match_step(ALICE, BOB_SEALED) == MatchStep.link
    assert match_step(ANONYMOUS, BOB_SEALED) == MatchStep.confirm
    assert match_step(Filing(receipt="r-new", sealed=True), ANONYMOUS_SEALED) == MatchStep.confirm
    held_out = Filing(receipt="r-flood", identity_keys=frozenset({"mac-e-carol"}), sealed=True, held_out=True)
    assert match_step(held_out, BOB_SEALED) == MatchStep.none
    assert match_step(ALICE, held_out) == MatchStep.none


def test_case_8_an_escrow_report_stays_sealed_unless_linked_at_once() -> None:
    """CASE-8: a report in escrow is released at filing only by a link; a confirmation waits for the team."""
    assert stays_sealed(True, []) is True
    assert stays_sealed(True, [MatchStep.confirm, MatchStep.none]) is True
    assert stays_sealed(True, [MatchStep.confirm, MatchStep.link]) is False
    assert stays_sealed(False, []) is False


def test_f4_escrow_limit_per_respondent() -> None:
    """F4: with `limit` escrow reports naming the person in the window already, the next is held out."""
    assert window_start(date(2026, 12, 30), 30) == date(2026, 12, 1)
    assert over_escrow_limit(True, 2, 3) is False
    assert over_escrow_limit(True, 3, 3) is True
    assert over_escrow_limit(False, 9, 3) is False


@pytest.mark.parametrize(
    ("status", "team_wrote", "measures", "held"),
    [
        (CaseStatus.received, False, False, True),
        (CaseStatus.triaged, False, False, False),
        (CaseStatus.received, True, False, False),
        (CaseStatus.received, False, True, False),
    ],
)
def test_f4_an_escrow_report_shows_held_until_the_team_acts(
    status: CaseStatus, team_wrote: bool, measures: bool, held: bool
) -> None:
    """F4: the reporter sees "held" until the team changes the status, writes, or offers a measure — nothing about
    matching enters the rule. A report outside escrow is never shown held."""
    assert shown_as_held(True, status, team_wrote, measures) is held
    assert shown_as_held(False, CaseStatus.received, False, False) is False


def test_f4_a_match_and_an_alert_are_decided_once() -> None:
    """F4: a possible match is confirmed or declined once; an alert acknowledged once and raised once a day."""
    check_undecided(True)
    with pytest.raises(EscrowMatchDecided):
        check_undecided(False)
    check_unacknowledged(False)
    with pytest.raises(AlertAcknowledged):
        check_unacknowledged(True)
    assert raises_now(False, 2, 2) is True
    assert raises_now(False, 1, 2) is False
    assert raises_now(True, 3, 2) is False


def test_f11_sep_1_only_an_anonymous_third_partys_order_awaits_triage() -> None:
    """SEP-1, F11: the order opens either way; only one opened by an anonymous third party awaits triage, and only
    an active order awaiting triage is confirmed."""
    assert awaits_triage(ReporterKind.third_party, IdentityMode.anonymous) is True
    assert awaits_triage(ReporterKind.third_party, IdentityMode.confidential) is False
    assert awaits_triage(ReporterKind.victim, IdentityMode.anonymous) is False
    check_confirmable(True, True)
    for active, awaiting in ((True, False), (False, True)):
        with pytest.raises(OrderNotAwaitingTriage):
            check_confirmable(active, awaiting)
