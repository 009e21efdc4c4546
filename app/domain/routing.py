"""CASE-3 and WU-1: every case belongs to one team, routed by category (the table is configuration)."""

from __future__ import annotations

from collections.abc import Mapping

from app.domain.enums import Category, OrgKind, Team

CITIZEN_WORKPLACE_KEY = "citizen_workplace"


def route_team(category: Category, org_kind: OrgKind | None, routing: Mapping[str, str]) -> Team:
    """CASE-3: the team a new case goes to. WU-1: citizens' workplaces go to the victim-support team's route."""
    if org_kind == OrgKind.citizen_workplace and CITIZEN_WORKPLACE_KEY in routing:
        return Team(routing[CITIZEN_WORKPLACE_KEY])
    return Team(routing.get(str(category), Team.intake_counselling))
