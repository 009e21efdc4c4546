"""CASE-3 and WU-1: every case belongs to one team, routed by category (the table is configuration); citizens'
workplaces always go to the victim-support team (WU-1 does not mark it config)."""

from __future__ import annotations

from collections.abc import Mapping

from app.domain.enums import Category, OrgKind, Team

CITIZEN_WORKPLACE_KEY = "citizen_workplace"
CITIZEN_WORKPLACE_TEAM = Team.victim_support_legal
DEFAULT_TEAM = Team.intake_counselling


def route_team(category: Category, org_kind: OrgKind | None, routing: Mapping[str, str]) -> Team:
    """CASE-3: the team a new case goes to, by category; a category the table leaves out goes to intake &
    counselling. WU-1: a citizens' workplace goes to the victim-support team, whatever the table says."""
    if org_kind == OrgKind.citizen_workplace:
        return CITIZEN_WORKPLACE_TEAM
    return Team(routing.get(str(category), DEFAULT_TEAM))


def routing_problems(routing: Mapping[str, str]) -> list[str]:
    """CASE-3, WU-1: what is wrong with a routing table (checked at start-up, so that no submission fails later):
    each key a category, each value one of the four teams; `citizen_workplace` only to the victim-support team."""
    categories, teams = {str(c) for c in Category}, {str(t) for t in Team}
    problems = []
    for key, team in routing.items():
        if key == CITIZEN_WORKPLACE_KEY:
            if team != CITIZEN_WORKPLACE_TEAM:
                problems.append(f"{key} always goes to {CITIZEN_WORKPLACE_TEAM} (WU-1), not {team!r}")
        elif key not in categories:
            problems.append(f"{key!r} is not a category ({', '.join(sorted(categories))})")
        elif team not in teams:
            problems.append(f"{key} goes to {team!r}, which is not a team ({', '.join(sorted(teams))})")
    return problems
