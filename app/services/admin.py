"""Accounts: create staff users (the CLI, the demo seed and later the sysadmin's screens use this)."""

from __future__ import annotations

import pyotp

from app.db.models import StaffUser
from app.db.uow import UnitOfWork
from app.domain.enums import Role, Team
from app.domain.errors import DuplicateEntry, RuleViolation
from app.services import audit, clock
from app.services.security import hash_secret

TEAM_ROLES = frozenset({Role.intake, Role.investigator, Role.team_lead})
MIN_PASSWORD = 12


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
    """Create a staff account; returns it with its new TOTP secret (shown once, to be put in an authenticator)."""
    if role in TEAM_ROLES and team is None:
        raise RuleViolation(f"A {role} belongs to one of the four teams.")
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
    )
    uow.staff.add(user)
    await uow.session.flush()
    await audit.record(uow, None, "user.created", target=str(user.id))
    return user, secret
