"""ACC-1 (security review F1, F2): changes to case-role accounts wait for a division head — never the sysadmin
who asked, never the person concerned. The approvals inbox lists them; an approval applies the change as asked,
if the account is still as it was then. Every step is audited; nothing here touches a case."""

from __future__ import annotations

import uuid

from app.db.models import AccountChange, StaffUser
from app.db.uow import UnitOfWork
from app.domain.account_approval import (
    APPROVER_ROLES,
    Access,
    AccountChangeDecided,
    check_approver,
    check_employee_number_change,
    check_still_current,
)
from app.domain.accounts import require_role
from app.domain.enums import AccountChangeKind, AccountChangeStatus, Role, Team
from app.domain.errors import NotFound
from app.schemas.admin import AccessRead, AccountChangeRead
from app.services import audit, case_keys, clock
from app.services.actors import StaffActor


def access_of(user: StaffUser) -> Access:
    return Access(
        role=Role(user.role),
        team=Team(user.team) if user.team else None,
        employee_number=user.employee_number,
        active=user.active,
    )


def apply_access(user: StaffUser, access: Access) -> None:
    user.role, user.team = access.role, access.team
    user.employee_number, user.active = access.employee_number, access.active


async def check_recusals_kept(uow: UnitOfWork, before: Access, after: Access) -> None:
    """CASE-3 (F2): an employee-number change that would lift a recusal on an open case is refused."""
    if before.employee_number is not None and after.employee_number != before.employee_number:
        check_employee_number_change(await uow.accounts.recusals_lifted(before.employee_number, after.employee_number))


def _access(role: Role | None, team: Team | None, number: str | None, active: bool) -> Access:
    assert role is not None
    return Access(role=Role(role), team=Team(team) if team else None, employee_number=number, active=active)


def asked_against(change: AccountChange) -> Access:
    return _access(change.from_role, change.from_team, change.from_employee_number, change.from_active)


def asked_for(change: AccountChange) -> Access:
    return _access(change.to_role, change.to_team, change.to_employee_number, change.to_active)


def _read_access(access: Access) -> AccessRead:
    return AccessRead(role=access.role, team=access.team, employee_number=access.employee_number, active=access.active)


async def reads(
    uow: UnitOfWork, changes: list[AccountChange], known: dict[uuid.UUID, StaffUser] | None = None
) -> list[AccountChangeRead]:
    """The changes as the approvals inbox and the users screen show them (who asked and decided, by name)."""
    users = dict(known or {})
    wanted = {c.user_id for c in changes} | {c.requested_by for c in changes}
    wanted |= {c.decided_by for c in changes if c.decided_by}
    users.update({u.id: u for u in await uow.staff.users_by_ids(sorted(wanted - users.keys()))})
    return [
        AccountChangeRead(
            id=c.id,
            user_id=c.user_id,
            email=users[c.user_id].email,
            display_name=users[c.user_id].display_name,
            kind=c.kind,
            status=c.status,
            before=None if c.kind == AccountChangeKind.creation else _read_access(asked_against(c)),
            after=_read_access(asked_for(c)),
            enrolled=users[c.user_id].enrolled_at is not None,
            requested_by=users[c.requested_by].display_name,
            requested_by_id=c.requested_by,
            requested_at=c.requested_at,
            decided_by=users[c.decided_by].display_name if c.decided_by else None,
            decided_at=c.decided_at,
        )
        for c in changes
    ]


async def pending(uow: UnitOfWork, actor: StaffActor) -> list[AccountChangeRead]:
    """The approvals inbox of a division head: every change to a case-role account that waits, oldest first."""
    require_role(actor.role, APPROVER_ROLES)
    return await reads(uow, await uow.accounts.pending_changes())


async def decide(uow: UnitOfWork, actor: StaffActor, change_id: uuid.UUID, approve: bool) -> AccountChangeRead:
    """A division head — not the one who asked, not the person concerned — approves (the change applies now) or
    declines (nothing changes; a declined new account never becomes usable)."""
    require_role(actor.role, APPROVER_ROLES)
    change = await uow.accounts.change_for_update(change_id)
    if change is None:
        raise NotFound()
    user = await uow.staff.user_for_update(change.user_id)
    assert user is not None
    check_approver(
        approver_id=actor.user_id, approver_role=actor.role, requester_id=change.requested_by, target_id=user.id
    )
    if change.status != AccountChangeStatus.pending:
        raise AccountChangeDecided()
    if approve:
        before, after = asked_against(change), asked_for(change)
        check_still_current(before, access_of(user))
        await check_recusals_kept(uow, before, after)
        apply_access(user, after)
        user.version += 1
        if before.active and not after.active:
            await case_keys.drop_all_wraps(uow, user)  # issue 18
    elif change.kind == AccountChangeKind.creation:
        await uow.accounts.drop_unused_links(user.id)
    change.status = AccountChangeStatus.approved if approve else AccountChangeStatus.declined
    change.decided_by = actor.user_id
    change.decided_at = clock.now()
    await uow.session.flush()
    action = "account.change_approved" if approve else "account.change_declined"
    await audit.record(uow, actor, action, target=str(user.id))
    return (await reads(uow, [change], {user.id: user}))[0]


async def withdraw(uow: UnitOfWork, actor: StaffActor, change: AccountChange) -> None:
    """The sysadmin deactivates the account: its waiting change lapses (a new account's link with it)."""
    change.status = AccountChangeStatus.withdrawn
    change.decided_by = actor.user_id
    change.decided_at = clock.now()
    if change.kind == AccountChangeKind.creation:
        await uow.accounts.drop_unused_links(change.user_id)
    await audit.record(uow, actor, "account.change_withdrawn", target=str(change.user_id))
