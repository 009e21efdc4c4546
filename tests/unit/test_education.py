"""MAN-3: the rules of teaching the manual — who schedules, what a session may be, who must attend what, and
completion per organisation and unit with STAT-1 outside the case team (WU-1: #WithU sessions by headcount)."""

from __future__ import annotations

import pytest

from app.domain import education as rules
from app.domain.education import MANAGERS, YEARLY, Audience, Person, SessionKind
from app.domain.enums import Role, Team


def person(n: int, org: str = "O", unit: str = "U", *, manager: bool = False, attended=()) -> Person:  # type: ignore[no-untyped-def]
    return Person(f"E{n}", org, unit, manager, frozenset(attended))


YEARLY_SESSION = (SessionKind.yearly_prevention, Audience.all)


def test_man_3_the_education_team_and_the_division_head_manage() -> None:
    """MAN-3: the prevention & education team (lead and members) and the division head schedule; nobody else."""
    assert rules.may_manage(Role.team_lead, Team.prevention_education)
    assert rules.may_manage(Role.intake, Team.prevention_education)
    assert rules.may_manage(Role.division_head, None)
    assert not rules.may_manage(Role.team_lead, Team.investigation)
    assert not rules.may_manage(Role.hr_officer, Team.prevention_education)
    assert rules.may_read(Role.auditor) and rules.may_read(Role.investigator) and not rules.may_read(Role.sysadmin)


def test_man_3_session_shapes() -> None:
    """MAN-3, WU-1: the yearly training is for all; #WithU sessions name a citizen's workplace, others do not."""
    rules.check_session(SessionKind.yearly_prevention, Audience.all, workplace=None, in_directory_scope=True)
    rules.check_session(SessionKind.expert_training, Audience.all, workplace="Bakery", in_directory_scope=False)
    bad = [
        (SessionKind.yearly_prevention, Audience.manager, None, False),
        (SessionKind.workplace_education, Audience.all, None, False),
        (SessionKind.workplace_education, Audience.all, "Bakery", True),
        (SessionKind.role_training, Audience.witness, "Bakery", False),
    ]
    for kind, audience, workplace, scoped in bad:
        with pytest.raises(rules.SessionInvalid):
            rules.check_session(kind, audience, workplace=workplace, in_directory_scope=scoped)
    with pytest.raises(rules.SessionFull):
        rules.check_capacity(3, 4)
    rules.check_capacity(None, 10_000)


def test_man_3_who_must_attend_what() -> None:
    """MAN-3: everyone the yearly training; managers also a manager's (or everyone's) role training."""
    assert rules.requirements_for(False) == (YEARLY,)
    assert rules.requirements_for(True) == (YEARLY, MANAGERS)
    assert rules.satisfies(SessionKind.role_training, Audience.all, MANAGERS)
    assert not rules.satisfies(SessionKind.role_training, Audience.witness, MANAGERS)
    people = [
        person(1, attended=[YEARLY_SESSION]),
        person(2, manager=True, attended=[YEARLY_SESSION]),
        person(3, manager=True, attended=[(SessionKind.role_training, Audience.manager)]),
    ]
    assert rules.missing(people, YEARLY) == ["E3"]
    assert rules.missing(people, MANAGERS) == ["E2"]


def test_man_3_completion_exact_for_the_case_team() -> None:
    """MAN-3: required and completed per organisation and unit, with the percentage."""
    people = [person(i, unit="A", attended=[YEARLY_SESSION] if i < 2 else []) for i in range(3)] + [
        person(9, unit=rules.NO_UNIT)
    ]
    (org,) = rules.completion(people, YEARLY, exact=True)
    assert (org.total.required.count, org.total.completed.count) == (4, 2)
    assert org.total.percent == 50.0
    assert org.units["A"].completed.count == 2 and org.units[rules.NO_UNIT].required.count == 1


def test_man_3_stat_1_completion_suppressed_outside_the_case_team() -> None:
    """STAT-1: outside the case team no count below 5 is shown, nor one the others (or the missing) reveal."""
    big = [person(i, unit="A", attended=[YEARLY_SESSION]) for i in range(10)]
    small = [person(100 + i, unit="B", attended=[YEARLY_SESSION] if i < 3 else []) for i in range(6)]
    (org,) = rules.completion(big + small, YEARLY, exact=False)
    a, b = org.units["A"], org.units["B"]
    assert (a.required.count, a.completed.count) == (10, 10)  # nobody missing: 0 is harmless to know
    assert b.completed.suppressed and b.percent is None  # 3 completed
    assert org.total.completed.suppressed or a.completed.suppressed  # else 13 - 10 = 3 completed in B
    shown = [c.count for c in (org.total.required, org.total.completed, a.required, a.completed, b.required)]
    assert all(n is None or n >= 5 for n in shown)
    assert org.total.required.suppressed or org.total.completed.suppressed  # else 16 - 13 = 3 missing


def test_man_3_wu_1_withu_counts_suppressed() -> None:
    """WU-1, STAT-1: #WithU sessions and attendees per kind; small counts hidden outside the case team, exact
    inside."""
    counts = {SessionKind.workplace_education: (6, 40), SessionKind.expert_training: (1, 3)}
    exact = rules.withu_counts(counts, exact=True)
    assert exact["sessions"].count == 7 and exact["attendees"].count == 43
    outside = rules.withu_counts(counts, exact=False)
    assert outside["expert_training_sessions"].suppressed and outside["expert_training_attendees"].suppressed
    assert outside["sessions"].suppressed or outside["workplace_education_sessions"].suppressed
    assert rules.attendee_cell(4, exact=False).suppressed and rules.attendee_cell(4, exact=True).count == 4
