"""Accounts and machine clients: the command line, the demo seed and the sysadmin's screens share these use
cases. Nothing here reads or returns case content (ACC-1).

The sysadmin never chooses or sees anyone's password or TOTP secret: a new account gets a one-time enrolment link
(app/services/enrolment.py). A change that gives or moves case access waits for a division head
(app/services/account_approvals.py; the rule: app/domain/account_approval.py). Only the server's command line
(`withu user create`, `withu demo seed`) creates ready accounts directly — for the first division head."""

from __future__ import annotations

import secrets
import uuid

import pyotp

from app.db.models import AccountChange, MachineClient, StaffUser
from app.db.uow import UnitOfWork
from app.domain.account_approval import Access, AccountChangePending, change_kind, needs_approval
from app.domain.accounts import ACCOUNT_ADMIN_ROLES, check_account_change, check_role_team, require_role
from app.domain.enums import AccountChangeStatus, Role, Team
from app.domain.errors import DuplicateEntry, NotFound, PreconditionRequired, StaleVersion
from app.schemas.admin import (
    ClientCreate,
    ClientCreated,
    ClientPage,
    ClientRead,
    EnrolmentLinkRead,
    UserCreate,
    UserCreated,
    UserPage,
    UserRead,
    UserUpdate,
)
from app.services import audit, auth, case_keys, clock, enrolment
from app.services.account_approvals import access_of, apply_access, check_recusals_kept, reads, withdraw
from app.services.actors import StaffActor, SystemActor
from app.services.passwords import check_new_password
from app.services.security import hash_secret

# The server's command line and the demo seed, in the audit log.
COMMAND_LINE = SystemActor("cli")


async def _new_user(
    uow: UnitOfWork,
    *,
    email: str,
    display_name: str,
    access: Access,
    password: str,
    enrolled: bool,
) -> tuple[StaffUser, str]:
    check_role_team(access.role, access.team)
    if await uow.staff.user_by_email(email) is not None:
        raise DuplicateEntry("A user with that e-mail exists already.")
    secret = pyotp.random_base32()
    now = clock.now()
    user = StaffUser(
        email=email.lower(),
        display_name=display_name,
        role=access.role,
        team=access.team,
        employee_number=access.employee_number,
        password_hash=await hash_secret(uow.settings, password),
        totp_secret=secret,
        last_totp_step=0,
        failed_logins=0,
        active=access.active,
        created_at=now,
        enrolled_at=now if enrolled else None,
        version=1,
    )
    uow.staff.add(user)
    await uow.session.flush()
    if enrolled:  # issue 18: the key pair, under the password its owner signs in with
        await case_keys.give_key_pair(uow, user, password)
    return user, secret


async def create_user(
    uow: UnitOfWork,
    *,
    email: str,
    display_name: str,
    role: Role,
    team: Team | None,
    password: str,
    employee_number: str | None = None,
) -> tuple[StaffUser, str]:
    """On the server only (`withu user create`, the demo seed): a ready account — enrolled, active, needing no
    approval — with the given password (F17 rules) and a new TOTP secret, returned to be shown once. Audited as
    the command line's act. This is how the first division head comes to be."""
    check_new_password(password, email=email, display_name=display_name)
    user, secret = await _new_user(
        uow,
        email=email,
        display_name=display_name,
        access=Access(role, team, employee_number, active=True),
        password=password,
        enrolled=True,
    )
    await audit.record(uow, COMMAND_LINE, "user.created", target=str(user.id))
    return user, secret


async def create_user_with_link(
    uow: UnitOfWork,
    *,
    email: str,
    display_name: str,
    role: Role,
    team: Team | None,
    employee_number: str | None = None,
) -> tuple[StaffUser, EnrolmentLinkRead]:
    """On the server only (`withu user create --enrolment-link`): an active account, needing no approval, whose
    owner sets password and TOTP through the one-time link returned."""
    user, _ = await _new_user(
        uow,
        email=email,
        display_name=display_name,
        access=Access(role, team, employee_number, active=True),
        password=secrets.token_urlsafe(32),
        enrolled=False,
    )
    await audit.record(uow, COMMAND_LINE, "user.created", target=str(user.id))
    return user, await enrolment.issue_link(uow, COMMAND_LINE, user)


async def _user_reads(uow: UnitOfWork, users: list[StaffUser]) -> list[UserRead]:
    ids = [u.id for u in users]
    pending = await uow.accounts.pending_changes_of(ids)
    expiries = await uow.accounts.link_expiry(ids, clock.now())
    changes = {c.user_id: c for c in await reads(uow, list(pending.values()), {u.id: u for u in users})}
    return [
        UserRead(
            id=user.id,
            email=user.email,
            display_name=user.display_name,
            role=user.role,
            team=user.team,
            employee_number=user.employee_number,
            active=user.active,
            enrolled=user.enrolled_at is not None,
            enrolment_expires_at=expiries.get(user.id) if user.enrolled_at is None else None,
            pending_change=changes.get(user.id),
            created_at=user.created_at,
            version=user.version,
        )
        for user in users
    ]


async def user_read(uow: UnitOfWork, user: StaffUser) -> UserRead:
    return (await _user_reads(uow, [user]))[0]


async def list_users(
    uow: UnitOfWork,
    actor: StaffActor,
    *,
    role: Role | None,
    team: Team | None,
    active: bool | None,
    offset: int,
    limit: int,
) -> UserPage:
    """The staff accounts, by e-mail, with any change waiting for a division head; no secret and nothing of any
    case."""
    require_role(actor.role, ACCOUNT_ADMIN_ROLES)
    rows, total = await uow.staff.users_page(role=role, team=team, active=active, offset=offset, limit=limit)
    await audit.record(uow, actor, "user.listed")
    return UserPage(items=await _user_reads(uow, rows), total=total, offset=offset, limit=limit)


async def create_user_for_admin(uow: UnitOfWork, actor: StaffActor, command: UserCreate) -> UserCreated:
    """A new staff account and its one-time enrolment link, where its owner sets password and TOTP (the sysadmin
    sees neither). A case-role account stays inactive until a division head approves it (ACC-1, F1)."""
    require_role(actor.role, ACCOUNT_ADMIN_ROLES)
    wanted = Access(command.role, command.team, command.employee_number, active=True)
    waits = needs_approval(None, wanted)
    user, _ = await _new_user(
        uow,
        email=command.email,
        display_name=command.display_name,
        access=Access(command.role, command.team, command.employee_number, active=not waits),
        password=secrets.token_urlsafe(32),  # nobody knows it: the owner sets their own at enrolment
        enrolled=False,
    )
    await audit.record(uow, actor, "user.created", target=str(user.id))
    if waits:
        await _ask_for_approval(uow, actor, user, wanted, creation=True)
    link = await enrolment.issue_link(uow, actor, user)
    return UserCreated(user=await user_read(uow, user), enrolment=link)


async def issue_enrolment_link(uow: UnitOfWork, actor: StaffActor, user_id: uuid.UUID) -> EnrolmentLinkRead:
    """A new one-time enrolment link for an account whose owner has not enrolled yet (the old one stops working);
    an enrolled account gets none (409 already-enrolled)."""
    require_role(actor.role, ACCOUNT_ADMIN_ROLES)
    user = await uow.staff.user_for_update(user_id)
    if user is None:
        raise NotFound()
    return await enrolment.issue_link(uow, actor, user)


async def _ask_for_approval(
    uow: UnitOfWork, actor: StaffActor, user: StaffUser, wanted: Access, *, creation: bool = False
) -> AccountChange:
    before = access_of(user)
    change = AccountChange(
        user_id=user.id,
        kind=change_kind(None if creation else before, wanted),
        status=AccountChangeStatus.pending,
        from_role=before.role,
        from_team=before.team,
        from_employee_number=before.employee_number,
        from_active=before.active,
        to_role=wanted.role,
        to_team=wanted.team,
        to_employee_number=wanted.employee_number,
        to_active=wanted.active,
        requested_by=actor.user_id,
        requested_at=clock.now(),
    )
    uow.accounts.add(change)
    await uow.session.flush()
    await audit.record(uow, actor, "account.change_requested", target=str(user.id))
    return change


def _require_version(user: StaffUser, if_match: str | None) -> None:
    """Account changes name the version they were made against: missing → 428, older → 412."""
    if if_match is None:
        raise PreconditionRequired("Send If-Match with the account's version (its ETag).")
    digits = if_match.strip().removeprefix("W/").strip('"')
    if not digits.isdigit() or int(digits) != user.version:
        raise StaleVersion("The account changed since you read it. Reload it and try again.")


async def update_user(
    uow: UnitOfWork, actor: StaffActor, user_id: uuid.UUID, command: UserUpdate, if_match: str | None
) -> tuple[UserRead, bool]:
    """Change a staff account's name, employee number, role, team or status; → (the account, whether the change
    waits for a division head). Not one's own access (ACC-1); never the last active sysadmin away; never an
    employee number that keeps its owner recused from an open case (CASE-3). A change that gives or moves case
    access waits for a division head (one at a time). Deactivation takes effect at once, ends every sign-in and
    withdraws a waiting change (`active: false` on a new account that waits withdraws its creation)."""
    require_role(actor.role, ACCOUNT_ADMIN_ROLES)
    user = await uow.staff.user_for_update(user_id)
    if user is None:
        raise NotFound()
    _require_version(user, if_match)
    given = command.model_fields_set
    before = access_of(user)
    after = Access(
        role=command.role if "role" in given and command.role is not None else before.role,
        team=command.team if "team" in given else before.team,
        employee_number=command.employee_number if "employee_number" in given else before.employee_number,
        active=command.active if "active" in given and command.active is not None else before.active,
    )
    check_role_team(after.role, after.team)
    was_admin = before.role == Role.sysadmin and before.active
    check_account_change(
        actor_id=actor.user_id,
        target_id=user.id,
        changes_access=after != before,
        target_is_active_admin=was_admin,
        stays_active_admin=after.role == Role.sysadmin and after.active,
        other_active_admins=await uow.staff.active_admins_besides(user.id) if was_admin else 0,
    )
    await check_recusals_kept(uow, before, after)
    pending = await uow.accounts.pending_change_of(user.id)
    withdraws = pending is not None and "active" in given and command.active is False
    if pending is not None and after != before and not withdraws:
        raise AccountChangePending()
    renamed = "display_name" in given and command.display_name not in (None, user.display_name)
    if renamed:
        user.display_name = command.display_name  # type: ignore[assignment]
    if withdraws:
        assert pending is not None
        await withdraw(uow, actor, pending)
    waits = needs_approval(before, after)
    if waits:
        await _ask_for_approval(uow, actor, user, after)
    elif after != before:
        apply_access(user, after)
        if before.active and not after.active:
            await uow.accounts.drop_unused_links(user.id)
            await auth.end_all_sessions(uow, user)
            await case_keys.drop_all_wraps(uow, user)  # issue 18: a deactivated account reads no case any more
    if renamed or (after != before and not waits):
        user.version += 1
        await uow.session.flush()
        deactivated = before.active and not after.active
        await audit.record(uow, actor, "user.deactivated" if deactivated else "user.updated", target=str(user.id))
    return await user_read(uow, user), waits


def client_read(client: MachineClient) -> ClientRead:
    return ClientRead(
        id=client.id,
        client_id=client.client_id,
        name=client.name,
        kind=client.kind,
        scopes=list(client.scopes),
        active=client.active,
        created_at=client.created_at,
    )


async def list_clients(uow: UnitOfWork, actor: StaffActor, *, offset: int, limit: int) -> ClientPage:
    """The machine clients, newest first; never a secret."""
    require_role(actor.role, ACCOUNT_ADMIN_ROLES)
    rows, total = await uow.staff.clients_page(offset=offset, limit=limit)
    await audit.record(uow, actor, "client.listed")
    return ClientPage(items=[client_read(c) for c in rows], total=total, offset=offset, limit=limit)


async def create_client_for_admin(uow: UnitOfWork, actor: StaffActor, command: ClientCreate) -> ClientCreated:
    """A machine client (like `withu client create`); its secret is answered once."""
    require_role(actor.role, ACCOUNT_ADMIN_ROLES)
    client, secret = await auth.create_client(uow, command.name, command.kind, command.scopes, actor=actor)
    return ClientCreated(client=client_read(client), client_secret=secret)


async def deactivate_client(uow: UnitOfWork, actor: StaffActor, client_pk: uuid.UUID) -> ClientRead:
    """The client's tokens stop working at once, it gets no new one, and its webhook subscriptions receive no new
    event. Deactivating twice changes nothing."""
    require_role(actor.role, ACCOUNT_ADMIN_ROLES)
    client = await uow.staff.client_by_pk(client_pk, for_update=True)
    if client is None:
        raise NotFound()
    if client.active:
        client.active = False
        for subscription in await uow.outbox.subscriptions_of(client.id):
            subscription.active = False
        await uow.session.flush()
        await audit.record(uow, actor, "client.deactivated", target=client.client_id)
    return client_read(client)
