"""`app/domain/accounts.py`: the dashboard's account changes (ACC-1, CASE-3) as examples."""

from __future__ import annotations

import uuid

import pytest

from app.domain.accounts import LastAdministrator, OwnAccountChange, TeamMismatch, check_account_change, check_role_team
from app.domain.enums import Role, Team

ME, OTHER = uuid.uuid4(), uuid.uuid4()


def _change(**overrides: object) -> None:
    facts: dict[str, object] = {
        "actor_id": ME,
        "target_id": OTHER,
        "changes_access": True,
        "target_is_active_admin": False,
        "stays_active_admin": False,
        "other_active_admins": 0,
    }
    check_account_change(**(facts | overrides))  # type: ignore[arg-type]


def test_acc_1_nobody_changes_their_own_access() -> None:
    """ACC-1: a sysadmin granting themselves a case role would read case content; their own name is fine."""
    with pytest.raises(OwnAccountChange):
        _change(target_id=ME)
    _change(target_id=ME, changes_access=False)
    _change()


def test_acc_1_the_last_active_sysadmin_stays() -> None:
    """ACC-1: demoting or deactivating the last active sysadmin is refused; with another one it is fine."""
    with pytest.raises(LastAdministrator):
        _change(target_is_active_admin=True, stays_active_admin=False, other_active_admins=0)
    _change(target_is_active_admin=True, stays_active_admin=False, other_active_admins=1)
    _change(target_is_active_admin=True, stays_active_admin=True, other_active_admins=0)


@pytest.mark.parametrize(
    ("role", "team", "ok"),
    [
        (Role.intake, Team.intake_counselling, True),
        (Role.team_lead, None, False),
        (Role.division_head, None, True),
        (Role.division_head, Team.investigation, False),
        (Role.sysadmin, Team.investigation, False),
        (Role.auditor, None, True),
    ],
)
def test_case_3_acc_1_team_roles_have_a_team_and_others_none(role: Role, team: Team | None, ok: bool) -> None:
    """CASE-3, ACC-1: the four teams' roles need their team; the others carry none."""
    if ok:
        check_role_team(role, team)
    else:
        with pytest.raises(TeamMismatch):
            check_role_team(role, team)
