"""`app/domain/access.py`: ACC-1 access to cases, with CASE-3 recusal, and the security review's F2 (fail closed
without a directory match) and F13 (content after assignment, no self-assignment of the division head)."""

from __future__ import annotations

import itertools
from uuid import UUID, uuid4

import pytest

from app.domain.access import (
    CASE_TEAM_ROLES,
    CONTENT_BLIND_ROLES,
    CaseFacts,
    SelfAssignment,
    StaffFacts,
    can_read_content,
    can_see_case,
    check_assignment,
    in_directory,
    works_cases,
)
from app.domain.enums import EmployeeStatus, Role, Team
from app.domain.recusal import RecusalFacts, is_recused

ME = UUID(int=1)
OTHER = UUID(int=2)


def staff(role: Role, team: Team | None, user_id: UUID = ME, *, verified: bool = True) -> StaffFacts:
    return StaffFacts(user_id=user_id, role=role, team=team, employee_number="E-1", in_directory=verified)


def case(team: Team = Team.investigation, handlers: tuple[UUID, ...] = (), recused: tuple[UUID, ...] = ()) -> CaseFacts:
    return CaseFacts(team=team, handler_ids=handlers, recused_ids=recused)


@pytest.mark.parametrize(
    ("who", "what", "sees"),
    [
        # team members of the routed team see the case
        (staff(Role.investigator, Team.investigation), case(), True),
        (staff(Role.team_lead, Team.investigation), case(), True),
        (staff(Role.intake, Team.investigation), case(), True),
        # another team does not
        (staff(Role.investigator, Team.intake_counselling), case(), False),
        (staff(Role.team_lead, Team.victim_support_legal), case(), False),
        (staff(Role.intake, Team.prevention_education), case(), False),
        (staff(Role.investigator, None), case(), False),
        # the division head sees every case
        (staff(Role.division_head, None), case(), True),
        (staff(Role.division_head, Team.prevention_education), case(), True),
        # an assigned handler from another team sees it
        (staff(Role.investigator, Team.intake_counselling), case(handlers=(ME,)), True),
        (staff(Role.intake, None), case(handlers=(OTHER, ME)), True),
        (staff(Role.investigator, Team.intake_counselling), case(handlers=(OTHER,)), False),
        # CASE-3: a recused person never sees, whatever else is true
        (staff(Role.investigator, Team.investigation), case(recused=(ME,)), False),
        (staff(Role.investigator, Team.investigation), case(handlers=(ME,), recused=(ME,)), False),
        (staff(Role.division_head, None), case(recused=(ME,)), False),
        (staff(Role.team_lead, Team.investigation), case(handlers=(ME,), recused=(ME,)), False),
        (staff(Role.team_lead, Team.investigation), case(recused=(OTHER,)), True),
    ],
)
def test_acc_1_can_see_case(who: StaffFacts, what: CaseFacts, sees: bool) -> None:
    """ACC-1, CASE-3: only the case team (routed team, assigned handlers, division head) sees; recused never."""
    assert can_see_case(who, what) is sees


@pytest.mark.parametrize("role", sorted(CONTENT_BLIND_ROLES))
@pytest.mark.parametrize("team", [*Team, None])
def test_acc_1_content_blind_roles_never_see(role: Role, team: Team | None) -> None:
    """ACC-1: hr_officer, auditor and sysadmin never receive case content, even as team member or handler."""
    assert not can_see_case(staff(role, team), case())
    assert not can_see_case(staff(role, team), case(team=team or Team.investigation, handlers=(ME,)))
    assert not works_cases(role)


@pytest.mark.parametrize(
    ("role", "works"),
    [
        (Role.intake, True),
        (Role.investigator, True),
        (Role.team_lead, True),
        (Role.division_head, True),
        (Role.hr_officer, False),
        (Role.auditor, False),
        (Role.sysadmin, False),
    ],
)
def test_acc_1_works_cases(role: Role, works: bool) -> None:
    """ACC-1: only case-team roles work case content; the others get no case endpoints at all."""
    assert works_cases(role) is works


def test_acc_1_roles_are_partitioned() -> None:
    """ACC-1: every role is either a case-team role or a content-blind role, never both."""
    assert CASE_TEAM_ROLES | CONTENT_BLIND_ROLES == set(Role)
    assert not CASE_TEAM_ROLES & CONTENT_BLIND_ROLES


@pytest.mark.parametrize(("staff_team", "case_team"), list(itertools.product(Team, Team)))
def test_acc_1_team_member_sees_only_own_team(staff_team: Team, case_team: Team) -> None:
    """ACC-1: an unassigned investigator sees exactly the cases of their own team."""
    who = staff(Role.investigator, staff_team, user_id=uuid4())
    assert can_see_case(who, case(team=case_team, handlers=(uuid4(),))) is (staff_team == case_team)


@pytest.mark.parametrize("role", sorted(CASE_TEAM_ROLES))
def test_acc_1_f2_no_directory_match_no_case(role: Role) -> None:
    """ACC-1, CASE-3 (F2): a case-team account whose employee number names no active employee sees no case and
    reads none — not its own team's, not one it handles, not as division head."""
    who = staff(role, Team.investigation, verified=False)
    for what in (case(), case(handlers=(ME,)), case(team=Team.intake_counselling)):
        assert not can_see_case(who, what)
        assert not can_read_content(who, what)


@pytest.mark.parametrize(
    ("status", "verifies"),
    [(EmployeeStatus.active, True), (EmployeeStatus.on_leave, False), (EmployeeStatus.retired, False), (None, False)],
)
def test_acc_1_f2_only_an_active_employee_record_verifies(status: EmployeeStatus | None, verifies: bool) -> None:
    """F2: only an active employee record verifies a staff member; on leave, retired or unknown does not."""
    assert in_directory(status) is verifies


def test_case_3_f2_no_employee_record_is_recused_from_everything() -> None:
    """CASE-3 (F2): without an active employee record nobody can check whom a staff member is recused from, so
    they count as recused (never assignable) — recusal fails closed."""
    unknown = RecusalFacts(None, None, party_ids=(), respondent_id=None, respondent_unit_id=None, respondent_chain=())
    assert is_recused(unknown)
    someone = RecusalFacts(ME, None, party_ids=(), respondent_id=OTHER, respondent_unit_id=None, respondent_chain=())
    assert not is_recused(someone)


ASSIGNED = case(team=Team.investigation, handlers=(OTHER,))


@pytest.mark.parametrize(
    ("who", "what", "row", "content"),
    [
        # before the first handler: the routed team triages and reads
        (staff(Role.intake, Team.investigation), case(), True, True),
        (staff(Role.investigator, Team.investigation), case(), True, True),
        # after: the rest of the team keeps the queue row, not the content
        (staff(Role.intake, Team.investigation), ASSIGNED, True, False),
        (staff(Role.investigator, Team.investigation), ASSIGNED, True, False),
        # the handlers, the lead of the case's team and the division head read it
        (staff(Role.investigator, Team.investigation, OTHER), ASSIGNED, True, True),
        (staff(Role.intake, Team.intake_counselling, OTHER), ASSIGNED, True, True),
        (staff(Role.team_lead, Team.investigation), ASSIGNED, True, True),
        (staff(Role.division_head, None), ASSIGNED, True, True),
        # a lead of another team, recused staff, unverified staff: nothing
        (staff(Role.team_lead, Team.victim_support_legal), ASSIGNED, False, False),
        (staff(Role.team_lead, Team.investigation), case(handlers=(OTHER,), recused=(ME,)), False, False),
        (staff(Role.division_head, None, verified=False), ASSIGNED, False, False),
    ],
)
def test_acc_1_f13_content_after_assignment(who: StaffFacts, what: CaseFacts, row: bool, content: bool) -> None:
    """ACC-1 (F13): once a case has handlers, its content is read by them, the lead of the case's team and the
    division head only; the others of the routed team see its queue row and nothing more."""
    assert can_see_case(who, what) is row
    assert can_read_content(who, what) is content


@pytest.mark.parametrize("role", sorted(CASE_TEAM_ROLES))
@pytest.mark.parametrize("team", [*Team, None])
def test_acc_1_f13_content_implies_the_row(role: Role, team: Team | None) -> None:
    """ACC-1: whoever reads a case's content also sees its queue row (content is a subset of the queue)."""
    for what in (case(), ASSIGNED, case(handlers=(ME,)), case(team=team or Team.investigation, handlers=(OTHER,))):
        assert not can_read_content(staff(role, team), what) or can_see_case(staff(role, team), what)


def test_case_5_f13_division_head_cannot_assign_themselves() -> None:
    """CASE-5 (F13): the division head is made a handler (and so sees the victim's identity) by a second person
    only; a team lead may add themselves (they are in the assigned team already), anyone may assign others."""
    with pytest.raises(SelfAssignment) as refused:
        check_assignment(ME, Role.division_head, ME)
    assert refused.value.code == "self-assignment"
    check_assignment(ME, Role.division_head, OTHER)
    check_assignment(ME, Role.team_lead, ME)
    check_assignment(OTHER, Role.team_lead, ME)
