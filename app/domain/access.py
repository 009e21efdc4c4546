"""ACC-1 and CASE-3: who may read a case. What one may not see answers 404, never 403."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from uuid import UUID

from app.domain.enums import Role, Team

CASE_TEAM_ROLES = frozenset({Role.intake, Role.investigator, Role.team_lead, Role.division_head})
# ACC-1: these roles never receive narratives, evidence or identities.
CONTENT_BLIND_ROLES = frozenset({Role.hr_officer, Role.auditor, Role.sysadmin})


@dataclass(frozen=True)
class StaffFacts:
    user_id: UUID
    role: Role
    team: Team | None
    employee_number: str | None = None  # links the staff member to the personnel directory (recusal)


@dataclass(frozen=True)
class CaseFacts:
    team: Team
    handler_ids: Collection[UUID]
    recused_ids: Collection[UUID] = ()


def works_cases(role: Role) -> bool:
    """Whether the role works case content at all (ACC-1); others get 403 on case endpoints."""
    return role in CASE_TEAM_ROLES


def can_see_case(staff: StaffFacts, case: CaseFacts) -> bool:
    """ACC-1, CASE-3: the case team (the routed team, the assigned handlers and the division head) sees a
    case, unless the person is recused from it."""
    if not works_cases(staff.role) or staff.user_id in case.recused_ids:
        return False
    if staff.role == Role.division_head or staff.user_id in case.handler_ids:
        return True
    return staff.team == case.team
