"""CASE-3 and WU-1 routing, ACC-1 access to cases, INT-2 report shape."""

from __future__ import annotations

import itertools
from uuid import UUID, uuid4

import pytest

from app.domain.access import CASE_TEAM_ROLES, CONTENT_BLIND_ROLES, CaseFacts, StaffFacts, can_see_case, works_cases
from app.domain.enums import Category, IdentityMode, OrgKind, ReporterKind, Role, Team
from app.domain.errors import IdentityNotAllowed, IdentityRequired, RuleViolation, VictimOnlyForThirdParty
from app.domain.intake import NARRATIVE_MAX, NARRATIVE_MIN, check_report_shape, identity_visible_to_case_team
from app.domain.routing import route_team
from app.settings import Settings


@pytest.fixture
def routing(clean_env: None) -> dict[str, str]:
    return Settings().routing


# --- CASE-3 / WU-1 routing -------------------------------------------------------------------------------

EXPECTED_DEFAULT_ROUTE = {
    Category.sexual_harassment: Team.intake_counselling,
    Category.sexual_assault: Team.intake_counselling,
    Category.stalking: Team.intake_counselling,
    Category.online: Team.intake_counselling,
    Category.other: Team.intake_counselling,
    Category.secondary_damage: Team.investigation,
}
NON_CITIZEN = [OrgKind.smg, OrgKind.affiliated, OrgKind.contractor, None]


@pytest.mark.parametrize("org_kind", NON_CITIZEN)
@pytest.mark.parametrize(("category", "team"), list(EXPECTED_DEFAULT_ROUTE.items()))
def test_case_3_default_routing_by_category(
    routing: dict[str, str], category: Category, team: Team, org_kind: OrgKind | None
) -> None:
    """CASE-3: every case is routed to one of the four teams by category; secondary damage to investigation."""
    assert route_team(category, org_kind, routing) == team


@pytest.mark.parametrize("category", list(Category))
def test_wu_1_citizen_workplace_goes_to_victim_support(routing: dict[str, str], category: Category) -> None:
    """WU-1: cases from citizens' workplaces go to the victim-support team, whatever the category."""
    assert route_team(category, OrgKind.citizen_workplace, routing) == Team.victim_support_legal


def test_case_3_every_category_has_a_valid_default_route(routing: dict[str, str]) -> None:
    """CASE-3: the default routing table names a real team for every category (and for citizens' workplaces)."""
    assert {str(c) for c in Category} <= set(routing)
    assert all(Team(v) in Team for v in routing.values())
    assert routing["citizen_workplace"] == Team.victim_support_legal


@pytest.mark.parametrize(
    ("category", "org_kind", "table", "team"),
    [
        # routing is configuration: any table is followed
        (Category.stalking, OrgKind.smg, {"stalking": "prevention_education"}, Team.prevention_education),
        (Category.online, None, {"online": "investigation"}, Team.investigation),
        # a category missing from the table falls back to intake & counselling
        (Category.online, OrgKind.smg, {}, Team.intake_counselling),
        (Category.secondary_damage, None, {"online": "investigation"}, Team.intake_counselling),
        # without a citizen_workplace entry the category route applies
        (
            Category.secondary_damage,
            OrgKind.citizen_workplace,
            {"secondary_damage": "investigation"},
            Team.investigation,
        ),
        (
            Category.other,
            OrgKind.citizen_workplace,
            {"citizen_workplace": "prevention_education", "other": "investigation"},
            Team.prevention_education,
        ),
    ],
)
def test_case_3_configured_routing(
    category: Category, org_kind: OrgKind | None, table: dict[str, str], team: Team
) -> None:
    """CASE-3: routing by category is (config); the rule holds for any table."""
    assert route_team(category, org_kind, table) == team


def test_case_3_routing_to_an_unknown_team_is_refused() -> None:
    """CASE-3: a case belongs to one of the four teams; a table naming another team is an error."""
    with pytest.raises(ValueError):
        route_team(Category.other, None, {"other": "no_such_team"})


# --- ACC-1 / CASE-3 access -------------------------------------------------------------------------------

ME = UUID(int=1)
OTHER = UUID(int=2)


def staff(role: Role, team: Team | None, user_id: UUID = ME) -> StaffFacts:
    return StaffFacts(user_id=user_id, role=role, team=team)


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


# --- INT-2 report shape ----------------------------------------------------------------------------------

R, M = ReporterKind, IdentityMode


@pytest.mark.parametrize(
    ("reporter", "mode", "has_identity", "names_victim", "error"),
    [
        # allowed shapes
        (R.victim, M.anonymous, False, False, None),
        (R.victim, M.confidential, True, False, None),
        (R.victim, M.named, True, False, None),
        (R.third_party, M.anonymous, False, False, None),
        (R.third_party, M.anonymous, False, True, None),
        (R.third_party, M.confidential, True, True, None),
        (R.third_party, M.named, True, True, None),
        (R.third_party, M.named, True, False, None),
        # anonymous carries no identity
        (R.victim, M.anonymous, True, False, IdentityNotAllowed),
        (R.third_party, M.anonymous, True, True, IdentityNotAllowed),
        # named and confidential need it
        (R.victim, M.named, False, False, IdentityRequired),
        (R.victim, M.confidential, False, False, IdentityRequired),
        (R.third_party, M.named, False, True, IdentityRequired),
        (R.third_party, M.confidential, False, False, IdentityRequired),
        # only a third party names a victim
        (R.victim, M.anonymous, False, True, VictimOnlyForThirdParty),
        (R.victim, M.named, True, True, VictimOnlyForThirdParty),
        (R.victim, M.confidential, True, True, VictimOnlyForThirdParty),
    ],
)
def test_int_2_check_report_shape(
    reporter: ReporterKind,
    mode: IdentityMode,
    has_identity: bool,
    names_victim: bool,
    error: type[RuleViolation] | None,
) -> None:
    """INT-2: anonymous reports carry no identity, named/confidential ones need it, only third parties name a victim."""
    if error is None:
        assert check_report_shape(reporter, mode, has_identity, names_victim) is None
    else:
        with pytest.raises(error) as caught:
            check_report_shape(reporter, mode, has_identity, names_victim)
        assert isinstance(caught.value, RuleViolation)


@pytest.mark.parametrize(("mode", "visible"), [(M.anonymous, False), (M.confidential, True), (M.named, True)])
def test_int_2_identity_visible_to_case_team(mode: IdentityMode, visible: bool) -> None:
    """INT-2: a confidential or named identity is visible to the assigned case team; anonymous has none."""
    assert identity_visible_to_case_team(mode) is visible


def test_int_3_narrative_bounds() -> None:
    """INT-3: the narrative is 10 to 20,000 characters."""
    assert (NARRATIVE_MIN, NARRATIVE_MAX) == (10, 20_000)
