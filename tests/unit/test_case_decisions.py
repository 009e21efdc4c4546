"""CASE-1 with SAN-2's four eyes (security review F5): the pure rules of proposing and confirming a case's
decision or withdrawal."""

from __future__ import annotations

import uuid

import pytest

from app.domain.case_decisions import (
    CategoryUnchanged,
    DecisionNeedsSecondPerson,
    DecisionPending,
    NotAConfirmer,
    NotADecision,
    NotAHandler,
    ProposalSettled,
    ProposalStatus,
    ProposerCannotConfirm,
    check_category_correction,
    check_confirmer,
    check_direct_transition,
    check_open,
    check_proposal,
    correction_needs_second_person,
    proposed_next,
)
from app.domain.enums import CaseStatus, Category, Role

S = CaseStatus
ME, OTHER = uuid.uuid4(), uuid.uuid4()


@pytest.mark.parametrize("target", list(CaseStatus))
def test_f5_case_1_only_decided_and_withdrawn_need_a_second_person(target: CaseStatus) -> None:
    """F5, CASE-1: `decided` and `withdrawn` are never direct transitions; every other status is."""
    if target in (S.decided, S.withdrawn):
        with pytest.raises(DecisionNeedsSecondPerson) as raised:
            check_direct_transition(target)
        assert raised.value.code == "decision-needs-second-person"
    else:
        check_direct_transition(target)


def test_f5_case_1_the_proposals_among_the_allowed_transitions() -> None:
    """F5, CASE-1: what a case may be proposed to, in lifecycle order, from each status."""
    assert {s: proposed_next(s) for s in CaseStatus} == {
        S.received: [S.withdrawn],
        S.triaged: [S.withdrawn],
        S.investigating: [S.decided, S.withdrawn],
        S.decided: [],
        S.closed: [],
        S.withdrawn: [],
    }


def test_f5_only_an_assigned_handler_proposes_a_decision_one_at_a_time() -> None:
    """F5: not-a-decision for other statuses; not-a-handler for anyone not assigned; decision-pending while one
    waits; an assigned handler's first proposal passes."""
    with pytest.raises(NotADecision):
        check_proposal(S.closed, ME, [ME], pending=False)
    with pytest.raises(NotAHandler):
        check_proposal(S.decided, ME, [OTHER], pending=False)
    with pytest.raises(NotAHandler):
        check_proposal(S.withdrawn, ME, [], pending=False)
    with pytest.raises(DecisionPending):
        check_proposal(S.decided, ME, [ME, OTHER], pending=True)
    check_proposal(S.decided, ME, [ME], pending=False)
    check_proposal(S.withdrawn, ME, [OTHER, ME], pending=False)


@pytest.mark.parametrize("role", list(Role))
def test_f5_san_2_a_team_lead_or_the_division_head_confirms_never_the_proposer(role: Role) -> None:
    """F5, SAN-2: only team leads and the division head confirm; not their own proposal (four eyes)."""
    if role not in (Role.team_lead, Role.division_head):
        with pytest.raises(NotAConfirmer):
            check_confirmer(ME, role, OTHER)
        return
    check_confirmer(ME, role, OTHER)
    with pytest.raises(ProposerCannotConfirm) as raised:
        check_confirmer(ME, role, ME)
    assert raised.value.code == "proposer-cannot-confirm"


def test_f5_a_proposal_is_answered_once() -> None:
    """F5: a confirmed or declined proposal is not answered again (409 already-decided)."""
    check_open(ProposalStatus.proposed)
    for settled in (ProposalStatus.confirmed, ProposalStatus.declined):
        with pytest.raises(ProposalSettled):
            check_open(settled)


@pytest.mark.parametrize(("old", "new"), [(o, n) for o in Category for n in Category if o != n])
def test_sd_3_a_category_correction_that_removes_the_floor_takes_a_second_person(old: Category, new: Category) -> None:
    """SD-3 (rules audit note 4): a case's category can be corrected; a correction that lowers a floor — out of
    `secondary_damage`, which removes SD-3's — is proposed and confirmed by a second person; any other is made at
    once."""
    check_category_correction(old, new)
    assert correction_needs_second_person(old, new) is (old == Category.secondary_damage)


def test_sd_3_a_correction_to_the_same_category_is_refused() -> None:
    """SD-3: correcting a category to itself changes nothing and is refused (422 category-unchanged)."""
    with pytest.raises(CategoryUnchanged):
        check_category_correction(Category.stalking, Category.stalking)
