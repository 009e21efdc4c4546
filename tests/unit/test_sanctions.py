"""`app/domain/sanctions.py` as executable examples: levels and durations (SAN-1), four eyes and a substantiated
case (SAN-2), the victim's opinion and no mitigation (SAN-3, CASE-6) and penalty equivalence (SD-3)."""

from __future__ import annotations

import itertools
import uuid

import pytest

from app.domain.enums import CaseStatus, Category, Finding, Role
from app.domain.errors import AccessDenied, Conflict, RuleViolation
from app.domain.sanctions import (
    HEAVY,
    ORDER,
    BelowPenaltyFloor,
    CaseNotSubstantiated,
    DurationNotApplicable,
    DurationOutOfBounds,
    DurationRequired,
    MitigationNotAllowed,
    NotADecider,
    OriginalFacts,
    OriginalSanctionPending,
    OwnProposal,
    Penalty,
    RespondentAmbiguous,
    RespondentRequired,
    SanctionDecided,
    SanctionLevel,
    SanctionStatus,
    VictimOpinionRequired,
    check_case_substantiated,
    check_decider,
    check_duration,
    check_finalisable,
    check_mitigation,
    check_open,
    check_penalty_equivalence,
    check_respondent,
    check_victim_opinion,
    for_secondary_damage,
    heaviest,
    is_heavy,
    names_case_respondent,
    original_settled,
    penalty_floor,
)

L = SanctionLevel
WITH_MONTHS = (L.suspension, L.salary_reduction)


def penalty(level: SanctionLevel, months: int | None = None) -> Penalty:
    """A valid penalty: the levels with a duration get `months` (default 1)."""
    return Penalty(level, (months or 1) if level in WITH_MONTHS else None)


# --- SAN-1 ---------------------------------------------------------------------------------------------------


def test_san_1_six_levels_most_severe_first_and_the_first_four_are_heavy() -> None:
    """SAN-1: dismissal (파면), discharge (해임), demotion (강등), suspension (정직), salary reduction (감봉),
    reprimand (견책); heavy = the first four."""
    assert [str(level) for level in ORDER] == [
        "dismissal",
        "discharge",
        "demotion",
        "suspension",
        "salary_reduction",
        "reprimand",
    ]
    assert HEAVY == {L.dismissal, L.discharge, L.demotion, L.suspension}
    assert [is_heavy(level) for level in ORDER] == [True, True, True, True, False, False]
    weights = [penalty(level).weight for level in ORDER]
    assert weights == sorted(weights, reverse=True) and len(set(weights)) == 6


@pytest.mark.parametrize(
    ("level", "months", "error"),
    [
        *[(level, m, None) for level in WITH_MONTHS for m in (1, 2, 3)],
        *[(level, None, DurationRequired) for level in WITH_MONTHS],
        *[(level, m, DurationOutOfBounds) for level in WITH_MONTHS for m in (-1, 0, 4, 12)],
        *[(level, None, None) for level in ORDER if level not in WITH_MONTHS],
        *[(level, m, DurationNotApplicable) for level in ORDER if level not in WITH_MONTHS for m in (0, 1, 3)],
    ],
)
def test_san_1_durations(level: SanctionLevel, months: int | None, error: type[Exception] | None) -> None:
    """SAN-1: suspension and salary reduction last 1–3 months (required); the other levels carry none."""
    if error is None:
        check_duration(level, months)
    else:
        with pytest.raises(error) as raised:
            check_duration(level, months)
        assert isinstance(raised.value, RuleViolation)


def test_san_1_a_longer_duration_is_heavier_within_a_level_never_across_levels() -> None:
    """SAN-1: suspension of 3 months is heavier than of 1; salary reduction of 3 is lighter than suspension of 1."""
    assert Penalty(L.suspension, 3).weight > Penalty(L.suspension, 1).weight
    assert Penalty(L.salary_reduction, 3).weight < Penalty(L.suspension, 1).weight
    assert heaviest([Penalty(L.reprimand), Penalty(L.suspension, 2), Penalty(L.salary_reduction, 3)]) == Penalty(
        L.suspension, 2
    )
    assert heaviest([]) is None


# --- SAN-2 ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "finding", "allowed"),
    [
        (CaseStatus.decided, Finding.substantiated, True),
        (CaseStatus.closed, Finding.substantiated, True),  # closing keeps the finding
        (CaseStatus.decided, Finding.not_substantiated, False),
        (CaseStatus.decided, Finding.insufficient_evidence, False),
        (CaseStatus.closed, Finding.not_substantiated, False),
        *[(s, None, False) for s in (CaseStatus.received, CaseStatus.triaged, CaseStatus.investigating)],
        (CaseStatus.withdrawn, None, False),
    ],
)
def test_san_2_a_sanction_needs_a_substantiated_case(
    status: CaseStatus, finding: Finding | None, allowed: bool
) -> None:
    """SAN-2: only a decided/substantiated case (or one closed after that finding) is sanctioned."""
    if allowed:
        check_case_substantiated(status, finding)
    else:
        with pytest.raises(CaseNotSubstantiated):
            check_case_substantiated(status, finding)


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("same_person", [True, False])
def test_san_2_four_eyes(role: Role, same_person: bool) -> None:
    """SAN-2: a team lead or the division head decides, never the proposer."""
    proposer = uuid.uuid4()
    decider = proposer if same_person else uuid.uuid4()
    if role not in (Role.team_lead, Role.division_head):
        with pytest.raises(NotADecider):
            check_decider(decider, role, proposer)
    elif same_person:
        with pytest.raises(OwnProposal) as raised:
            check_decider(decider, role, proposer)
        assert raised.value.code == "four-eyes" and isinstance(raised.value, AccessDenied)
    else:
        check_decider(decider, role, proposer)


def test_san_2_a_proposal_is_decided_once() -> None:
    """SAN-2: decided and rejected proposals are final (409)."""
    check_open(SanctionStatus.proposed)
    for status in (SanctionStatus.decided, SanctionStatus.rejected):
        with pytest.raises(SanctionDecided) as raised:
            check_open(status)
        assert isinstance(raised.value, Conflict)


@pytest.mark.parametrize(
    ("by_number", "by_label", "case_names_employee", "error"),
    [
        (False, False, True, None),
        (True, False, False, None),
        (False, True, False, None),
        (True, False, True, None),
        (False, False, False, RespondentRequired),
        (True, True, True, RespondentAmbiguous),
    ],
)
def test_san_2_one_respondent_per_sanction(
    by_number: bool, by_label: bool, case_names_employee: bool, error: type[Exception] | None
) -> None:
    """SAN-2: a sanction is for the case's respondent unless another person is named, by number or by label."""
    if error is None:
        check_respondent(by_number, by_label, case_names_employee)
    else:
        with pytest.raises(error):
            check_respondent(by_number, by_label, case_names_employee)


# --- SAN-3, CASE-6 -------------------------------------------------------------------------------------------


def test_case_6_discipline_waits_for_the_victims_opinion() -> None:
    """CASE-6, SAN-3: no decision before the victim's opinion is on record."""
    with pytest.raises(VictimOpinionRequired):
        check_victim_opinion(False)
    check_victim_opinion(True)


@pytest.mark.parametrize("category", list(Category))
def test_san_3_no_mitigation_for_merit_for_any_category_here(category: Category) -> None:
    """SAN-3: every category this system handles is sexual misconduct (or, secondary damage, its cover-up):
    mitigation for merit is refused for all of them; asking for none is fine."""
    with pytest.raises(MitigationNotAllowed):
        check_mitigation(True, category)
    check_mitigation(False, category)


# --- SD-3: penalty equivalence -------------------------------------------------------------------------------


@pytest.mark.parametrize(("proposed", "original"), list(itertools.product(ORDER, ORDER)))
def test_sd_3_every_pair_of_levels(proposed: SanctionLevel, original: SanctionLevel) -> None:
    """SD-3: for every (proposed, original) pair: refused when lighter than the original's sanction or than
    suspension, naming the floor; accepted otherwise."""
    floor = max([penalty(original), Penalty(L.suspension, 1)], key=lambda p: p.weight)
    lighter = ORDER.index(proposed) > ORDER.index(floor.level)
    same_level_shorter = proposed == floor.level and penalty(proposed).weight < floor.weight
    if lighter or same_level_shorter:
        with pytest.raises(BelowPenaltyFloor) as raised:
            check_penalty_equivalence(penalty(proposed), [penalty(original)])
        assert raised.value.extra["floor"] == str(floor.level)
        assert raised.value.extra["floor_months"] == floor.months
    else:
        check_penalty_equivalence(penalty(proposed), [penalty(original)])


@pytest.mark.parametrize("proposed", ORDER)
def test_sd_3_without_an_original_sanction_the_floor_is_suspension(proposed: SanctionLevel) -> None:
    """SD-3: never lighter than suspension, whatever the original (none decided, or no original at all)."""
    assert penalty_floor([]) == Penalty(L.suspension, 1)
    if proposed in HEAVY:
        check_penalty_equivalence(penalty(proposed), [])
    else:
        with pytest.raises(BelowPenaltyFloor) as raised:
            check_penalty_equivalence(penalty(proposed), [])
        assert raised.value.extra == {"floor": "suspension", "floor_months": 1}


@pytest.mark.parametrize(
    ("original", "floor"),
    [
        ([Penalty(L.reprimand), Penalty(L.salary_reduction, 3)], Penalty(L.suspension, 1)),
        ([Penalty(L.suspension, 2), Penalty(L.reprimand)], Penalty(L.suspension, 2)),
        ([Penalty(L.suspension, 3), Penalty(L.suspension, 1)], Penalty(L.suspension, 3)),
        ([Penalty(L.demotion), Penalty(L.suspension, 3), Penalty(L.discharge)], Penalty(L.discharge)),
        ([Penalty(L.dismissal), Penalty(L.reprimand)], Penalty(L.dismissal)),
    ],
)
def test_sd_3_several_original_sanctions_the_heaviest_counts(original: list[Penalty], floor: Penalty) -> None:
    """SD-3: with several decided sanctions of the original respondent, the heaviest sets the floor."""
    assert penalty_floor(original) == floor
    check_penalty_equivalence(floor, original)
    lighter = [p for level in ORDER for m in (1, 2, 3) if (p := penalty(level, m)).weight < floor.weight]
    assert lighter
    for p in lighter:
        with pytest.raises(BelowPenaltyFloor):
            check_penalty_equivalence(p, original)


def facts(status: CaseStatus, finding: Finding | None, decided: tuple[Penalty, ...] = (), pending: int = 0):  # type: ignore[no-untyped-def]
    return OriginalFacts(status=status, finding=finding, decided=decided, pending=pending)


S, F = CaseStatus, Finding


@pytest.mark.parametrize(
    ("original", "settled"),
    [
        (facts(S.investigating, None), False),  # not decided yet
        (facts(S.received, None), False),
        (facts(S.decided, F.substantiated), False),  # substantiated, no sanction yet
        (facts(S.decided, F.substantiated, pending=1), False),  # proposed, not decided
        (facts(S.decided, F.substantiated, (Penalty(L.reprimand),), pending=1), False),  # another still open
        (facts(S.decided, F.substantiated, (Penalty(L.reprimand),)), True),
        (facts(S.closed, F.substantiated, (Penalty(L.suspension, 2), Penalty(L.demotion))), True),
        (facts(S.decided, F.not_substantiated), True),  # there will be no original sanction
        (facts(S.closed, F.insufficient_evidence), True),
        (facts(S.withdrawn, None), True),
    ],
)
def test_sd_3_not_finalised_before_the_original_sanction(original: OriginalFacts, settled: bool) -> None:
    """SD-3: a secondary sanction is finalised only once the original respondent's sanction is decided (409
    original-sanction-pending otherwise); an SD case without an original has nothing to wait for."""
    assert original_settled(original) is settled
    if settled:
        check_finalisable(original)
    else:
        with pytest.raises(OriginalSanctionPending) as raised:
            check_finalisable(original)
        assert isinstance(raised.value, Conflict)
    check_finalisable(None)


# --- SD-3 by person, not by category (rules audit defect 5) ----------------------------------------------------

RESPONDENT, OTHER = uuid.uuid4(), uuid.uuid4()


@pytest.mark.parametrize(
    ("case_respondent", "named", "is_respondent"),
    [
        (RESPONDENT, RESPONDENT, True),
        (RESPONDENT, OTHER, False),  # another employee: a colleague who covered it up, say
        (RESPONDENT, None, False),  # someone outside the directory, named by a label
        (None, OTHER, True),  # the case names nobody in the directory: nothing to tell them apart by
        (None, None, True),
    ],
)
def test_sd_3_who_is_the_case_respondent(
    case_respondent: uuid.UUID | None, named: uuid.UUID | None, is_respondent: bool
) -> None:
    """SD-3: a sanction names the case's respondent when it names the employee the case names; on a case naming
    nobody in the directory every sanction is taken as the respondent's (documented in docs/sanctions.md)."""
    assert names_case_respondent(case_respondent, named) is is_respondent


@pytest.mark.parametrize(("category", "names_respondent"), list(itertools.product(Category, (True, False))))
def test_sd_3_the_floor_follows_the_person_not_only_the_category(category: Category, names_respondent: bool) -> None:
    """SD-3: a sanction is for secondary damage on a secondary-damage case (whoever it names), and on any other
    case when it names someone other than the respondent (secondary damage or covering up)."""
    expected = category == Category.secondary_damage or not names_respondent
    assert for_secondary_damage(category, names_respondent) is expected
