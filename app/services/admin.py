"""Accounts and machine clients: the command line, the demo seed and the sysadmin's screens share these use
cases. Nothing here reads or returns case content (ACC-1)."""

from __future__ import annotations

import secrets
import uuid

import pyotp

from app.db.models import MachineClient, StaffUser
from app.db.uow import UnitOfWork
from app.domain.accounts import ACCOUNT_ADMIN_ROLES, check_account_change, check_role_team, require_role
from app.domain.enums import Role, Team
from app.domain.errors import DuplicateEntry, NotFound, PreconditionRequired, RuleViolation, StaleVersion
from app.schemas.admin import (
    ClientCreate,
    ClientCreated,
    ClientPage,
    ClientRead,
    UserCreate,
    UserCreated,
    UserPage,
    UserRead,
    UserUpdate,
)
from app.services import audit, auth, clock
from app.services.actors import StaffActor
from app.services.security import hash_secret

MIN_PASSWORD = 12
TOTP_ISSUER = "WithU"


async def create_user(
    uow: UnitOfWork,
    *,
    email: str,
    display_name: str,
    role: Role,
    team: Team | None,
    password: str,
    employee_number: str | None = None,
    actor: StaffActor | None = None,
) -> tuple[StaffUser, str]:
    """Create a staff account; returns it with its new TOTP secret (shown once, to be put in an authenticator).
    `actor`: the sysadmin who asked (None from the command line and the demo seed)."""
    check_role_team(role, team)
    if len(password) < MIN_PASSWORD:
        raise RuleViolation(f"A password has at least {MIN_PASSWORD} characters.")
    if await uow.staff.user_by_email(email) is not None:
        raise DuplicateEntry("A user with that e-mail exists already.")
    secret = pyotp.random_base32()
    user = StaffUser(
        email=email.lower(),
        display_name=display_name,
        role=role,
        team=team,
        employee_number=employee_number,
        password_hash=await hash_secret(uow.settings, password),
        totp_secret=secret,
        last_totp_step=0,
        failed_logins=0,
        active=True,
        created_at=clock.now(),
        version=1,
    )
    uow.staff.add(user)
    await uow.session.flush()
    await audit.record(uow, actor, "user.created", target=str(user.id))
    return user, secret


def user_read(user: StaffUser) -> UserRead:
    return UserRead(
        id=user.id,
        email=user.email,
        display_name=user.display_name,
        role=user.role,
        team=user.team,
        employee_number=user.employee_number,
        active=user.active,
        locked=user.locked_until is not None and user.locked_until > clock.now(),
        created_at=user.created_at,
        version=user.version,
    )


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
    """The staff accounts, by e-mail; no secret and nothing of any case."""
    require_role(actor.role, ACCOUNT_ADMIN_ROLES)
    rows, total = await uow.staff.users_page(role=role, team=team, active=active, offset=offset, limit=limit)
    await audit.record(uow, actor, "user.listed")
    return UserPage(items=[user_read(u) for u in rows], total=total, offset=offset, limit=limit)


async def create_user_for_admin(uow: UnitOfWork, actor: StaffActor, command: UserCreate) -> UserCreated:
    """A new staff account with its TOTP secret and provisioning URI, and a generated initial password unless
    one was given — each shown once, never stored readable."""
    require_role(actor.role, ACCOUNT_ADMIN_ROLES)
    password = command.password or secrets.token_urlsafe(18)
    user, secret = await create_user(
        uow,
        email=command.email,
        display_name=command.display_name,
        role=command.role,
        team=command.team,
        password=password,
        employee_number=command.employee_number,
        actor=actor,
    )
    return UserCreated(
        user=user_read(user),
        totp_secret=secret,
        totp_uri=pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=TOTP_ISSUER),
        initial_password=None if command.password else password,
    )


def _require_version(user: StaffUser, if_match: str | None) -> None:
    """Account changes name the version they were made against: missing → 428, older → 412."""
    if if_match is None:
        raise PreconditionRequired("Send If-Match with the account's version (its ETag).")
    digits = if_match.strip().removeprefix("W/").strip('"')
    if not digits.isdigit() or int(digits) != user.version:
        raise StaleVersion("The account changed since you read it. Reload it and try again.")


async def update_user(
    uow: UnitOfWork, actor: StaffActor, user_id: uuid.UUID, command: UserUpdate, if_match: str | None
) -> UserRead:
    """Change a staff account's name, employee number, role, team or status. Not one's own role, team or status
    (ACC-1); never the last active sysadmin away; deactivation ends every sign-in at once."""
    require_role(actor.role, ACCOUNT_ADMIN_ROLES)
    user = await uow.staff.user_for_update(user_id)
    if user is None:
        raise NotFound()
    _require_version(user, if_match)
    given = command.model_fields_set
    role = command.role if "role" in given and command.role is not None else Role(user.role)
    team = command.team if "team" in given else (Team(user.team) if user.team else None)
    active = command.active if "active" in given and command.active is not None else user.active
    access_changed = role != user.role or team != user.team or active != user.active
    check_role_team(role, team)
    was_admin = user.role == Role.sysadmin and user.active
    check_account_change(
        actor_id=actor.user_id,
        target_id=user.id,
        changes_access=access_changed,
        target_is_active_admin=was_admin,
        stays_active_admin=role == Role.sysadmin and active,
        other_active_admins=await uow.staff.active_admins_besides(user.id) if was_admin else 0,
    )
    if "display_name" in given and command.display_name is not None:
        user.display_name = command.display_name
    if "employee_number" in given:
        user.employee_number = command.employee_number
    deactivated = user.active and not active
    user.role, user.team, user.active = role, team, active
    user.version += 1
    if deactivated:
        await auth.end_all_sessions(uow, user)
    await uow.session.flush()
    await audit.record(uow, actor, "user.deactivated" if deactivated else "user.updated", target=str(user.id))
    return user_read(user)


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
