"""ACC-1 and CASE-3 (security review F1, F2): a sysadmin never gives anyone case access alone.

Creating a case-role account, and every change that gives or moves case access — role, team, employee number
(recusal hangs on it), reactivation — waits for a division head who neither asked for it nor is the person
concerned. Taking access away (deactivation, a move out of the case roles) needs nobody: it must never wait. An
employee-number change that would lift a recusal on an open case is refused outright, approved or not.
Pure: the facts come in as parameters."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from app.domain.access import CASE_TEAM_ROLES
from app.domain.enums import AccountChangeKind, Role, Team
from app.domain.errors import AccessDenied, Conflict

APPROVER_ROLES = frozenset({Role.division_head})


@dataclass(frozen=True)
class Access:
    """What of an account decides which cases its owner may read."""

    role: Role
    team: Team | None
    employee_number: str | None
    active: bool


class OwnAccountApproval(AccessDenied):
    code = "four-eyes"
    title = "A second person decides: you cannot approve a change you asked for or a change to your own account."


class AccountChangePending(Conflict):
    code = "account-change-pending"
    title = "A change to this account waits for a division head already; it is approved or declined first."


class AccountChangeOutdated(Conflict):
    code = "account-change-outdated"
    title = "The account changed since this was asked; decline it, and the administrator asks again."


class AccountChangeDecided(Conflict):
    code = "already-decided"
    title = "That request has been decided already."


class RecusalWouldLift(Conflict):
    code = "recusal-would-lift"
    title = "The account's employee number keeps it away from an open case it is recused from; it cannot change now."


def needs_approval(before: Access | None, after: Access) -> bool:
    """ACC-1: a change waits for a division head when the account will hold an active case role and its access
    changes (`before` None: a new account). Deactivation and leaving the case roles never wait."""
    if not after.active or after.role not in CASE_TEAM_ROLES:
        return False
    return before is None or before != after


def change_kind(before: Access | None, after: Access) -> AccountChangeKind:
    if before is None:
        return AccountChangeKind.creation
    if not before.active and after.active:
        return AccountChangeKind.reactivation
    return AccountChangeKind.change


def check_approver(*, approver_id: UUID, approver_role: Role, requester_id: UUID | None, target_id: UUID) -> None:
    """ACC-1: a division head approves; never the one who asked, never for their own account."""
    if approver_role not in APPROVER_ROLES:
        raise AccessDenied("Only a division head approves changes to case-role accounts.")
    if approver_id in (requester_id, target_id):
        raise OwnAccountApproval()


def check_still_current(asked_against: Access, current: Access) -> None:
    """An approval applies to the account as it was when the change was asked, or not at all."""
    if asked_against != current:
        raise AccountChangeOutdated()


def check_employee_number_change(lifted_open_cases: int) -> None:
    """CASE-3 (F2): the number that recuses its owner from an open case stays until the case is over."""
    if lifted_open_cases:
        raise RecusalWouldLift()
