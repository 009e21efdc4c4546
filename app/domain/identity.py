"""CASE-5: the victim's identity is shown only to the assigned case team; others see a pseudonym and ask."""

from __future__ import annotations

import hashlib
from collections.abc import Collection
from uuid import UUID

from app.domain.enums import Role, Team, VictimConsent
from app.domain.errors import AccessDenied, RuleViolation

DECIDERS = frozenset({Role.team_lead, Role.division_head})


def in_assigned_team(
    user_id: UUID, role: Role, team: Team | None, case_team: Team, handler_ids: Collection[UUID]
) -> bool:
    """The assigned case team: the case's handlers and the lead of the case's team."""
    return user_id in handler_ids or (role == Role.team_lead and team == case_team)


def pseudonym(case_id: UUID) -> str:
    """A stable stand-in for the victim of a case, e.g. "V-3F9A2C"."""
    return "V-" + hashlib.sha256(f"withu:victim:{case_id}".encode()).hexdigest()[:6].upper()


class OwnRequest(AccessDenied):
    code = "four-eyes"
    title = "A second person decides: you cannot decide your own request."


class ConsentNeeded(RuleViolation):
    code = "victim-consent-needed"
    title = "A disclosure is approved only with the victim's consent recorded, or where none is required."


class AlreadyAssigned(RuleViolation):
    code = "already-in-assigned-team"
    title = "You are in the assigned case team and see the identity already."


def check_decider(decider_id: UUID, decider_role: Role, requester_id: UUID) -> None:
    """CASE-5: a `team_lead` or `division_head` decides, never the person who asked."""
    if decider_role not in DECIDERS:
        raise AccessDenied("Only a team lead or the division head decides a disclosure.")
    if decider_id == requester_id:
        raise OwnRequest()


def check_approval(consent: VictimConsent | None) -> None:
    """CASE-5: the victim's consent is recorded where the law requires it; a refusal blocks the disclosure."""
    if consent not in (VictimConsent.given, VictimConsent.not_required):
        raise ConsentNeeded()
