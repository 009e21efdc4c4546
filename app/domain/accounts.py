"""Who administers accounts and clients, who reads the audit log and the personnel-system status, and the rules
an account change must keep (ACC-1, AUD-1). Pure: the facts come in as parameters."""

from __future__ import annotations

from uuid import UUID

from app.domain.enums import Role, Team
from app.domain.errors import AccessDenied, Conflict, RuleViolation

# ACC-1 / RULES "People and roles": sysadmin handles users and settings only; auditor reads the audit log only.
ACCOUNT_ADMIN_ROLES = frozenset({Role.sysadmin})
AUDIT_ROLES = frozenset({Role.auditor})
# The personnel system's sync status: counts and times, no person and no case. hr_officer (personnel measures),
# team leads and the division head (separation orders rely on a current directory, SEP-5) and the sysadmin (who
# runs the integration). Intake officers, investigators and the auditor have no need for it.
PERSONNEL_STATUS_ROLES = frozenset({Role.hr_officer, Role.team_lead, Role.division_head, Role.sysadmin})
# Roles that belong to one of the four teams (CASE-3); every other role carries no team.
TEAM_ROLES = frozenset({Role.intake, Role.investigator, Role.team_lead})


class OwnAccountChange(AccessDenied):
    code = "own-account-change"
    title = "You cannot change your own role, team or status; another administrator must."


class TeamMismatch(RuleViolation):
    code = "team-mismatch"
    title = "Intake officers, investigators and team leads belong to one of the four teams; other roles to none."


class LastAdministrator(Conflict):
    code = "last-administrator"
    title = "This is the last active sysadmin account; create or activate another one first."


def require_role(role: Role, allowed: frozenset[Role]) -> None:
    """A role outside `allowed` is refused (403): it says nothing about any case or account."""
    if role not in allowed:
        raise AccessDenied()


def check_role_team(role: Role, team: Team | None) -> None:
    """CASE-3: a team role needs its team; the division head heads all four and the other roles work no cases."""
    if (role in TEAM_ROLES) != (team is not None):
        raise TeamMismatch()


def check_account_change(
    *,
    actor_id: UUID,
    target_id: UUID,
    changes_access: bool,
    target_is_active_admin: bool,
    stays_active_admin: bool,
    other_active_admins: int,
) -> None:
    """ACC-1: nobody changes their own role, team or status — a sysadmin granting themselves a case role would
    read case content. And the last active sysadmin is never demoted or deactivated (no one could manage
    accounts any more)."""
    if changes_access and actor_id == target_id:
        raise OwnAccountChange()
    if target_is_active_admin and not stays_active_admin and other_active_admins == 0:
        raise LastAdministrator()
