"""`app/domain/routing.py`: CASE-3 and WU-1 routing of a new case to a team."""

from __future__ import annotations

import pytest

from app.domain.enums import Category, OrgKind, Team
from app.domain.routing import route_team, routing_problems
from app.settings import Settings


@pytest.fixture
def routing(clean_env: None) -> dict[str, str]:
    return Settings(environment="development").routing  # the defaults; development needs no secrets


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
    """CASE-3: the default routing table names a real team for every category."""
    assert {str(c) for c in Category} == set(routing)
    assert all(Team(v) in Team for v in routing.values())
    assert routing_problems(routing) == []


@pytest.mark.parametrize(
    ("category", "org_kind", "table", "team"),
    [
        # routing is configuration: any table is followed
        (Category.stalking, OrgKind.smg, {"stalking": "prevention_education"}, Team.prevention_education),
        (Category.online, None, {"online": "investigation"}, Team.investigation),
        # a category missing from the table falls back to intake & counselling
        (Category.online, OrgKind.smg, {}, Team.intake_counselling),
        (Category.secondary_damage, None, {"online": "investigation"}, Team.intake_counselling),
        # WU-1: citizens' workplaces go to victim support whatever the table says (not config)
        (
            Category.secondary_damage,
            OrgKind.citizen_workplace,
            {"secondary_damage": "investigation"},
            Team.victim_support_legal,
        ),
        (
            Category.other,
            OrgKind.citizen_workplace,
            {"citizen_workplace": "prevention_education", "other": "investigation"},
            Team.victim_support_legal,
        ),
    ],
)
def test_case_3_configured_routing(
    category: Category, org_kind: OrgKind | None, table: dict[str, str], team: Team
) -> None:
    """CASE-3: routing by category is (config); the rule holds for any table. WU-1: citizens' workplaces go to
    the victim-support team, which no table changes."""
    assert route_team(category, org_kind, table) == team


def test_case_3_routing_to_an_unknown_team_is_refused() -> None:
    """CASE-3: a case belongs to one of the four teams; a table naming another team is an error."""
    with pytest.raises(ValueError):
        route_team(Category.other, None, {"other": "no_such_team"})


def test_case_3_wu_1_routing_problems_name_each_bad_entry() -> None:
    """CASE-3: a route to no team or for no category is a problem; WU-1: so is sending citizens' workplaces
    anywhere but the victim-support team. A good table (with or without that fixed entry) has none."""
    problems = routing_problems(
        {
            "other": "no_such_team",
            "typo": "investigation",
            "citizen_workplace": "investigation",
            "online": "investigation",
        }
    )
    assert len(problems) == 3
    assert [p.split(" ")[0] for p in problems] == ["other", "'typo'", "citizen_workplace"]
    assert routing_problems({"online": "investigation", "citizen_workplace": "victim_support_legal"}) == []
