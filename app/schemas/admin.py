"""The sysadmin's accounts and machine clients (no secret is ever read back; nothing of any case)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints

from app.domain.enums import AccountChangeKind, AccountChangeStatus, ClientKind, Role, Team
from app.schemas.common import EmployeeNumber, ShortText, Strict

Email = Annotated[
    str,
    StringConstraints(strip_whitespace=True, to_lower=True, min_length=3, max_length=254, pattern=r"^[^@\s]+@[^@\s]+$"),
]
Scope = Annotated[str, StringConstraints(pattern=r"^[a-z]+:[a-z]+$", max_length=40)]


class AccessRead(BaseModel):
    """What of an account decides which cases its owner may read."""

    role: Role
    team: Team | None
    employee_number: str | None
    active: bool


class AccountChangeRead(BaseModel):
    """A change to a case-role account that waits for (or got) a division head's decision (ACC-1). No secret."""

    id: uuid.UUID
    user_id: uuid.UUID
    email: str
    display_name: str
    kind: AccountChangeKind
    status: AccountChangeStatus
    before: AccessRead | None = Field(description="None for a new account.")
    after: AccessRead
    enrolled: bool = Field(description="Whether the account's owner has set their password and TOTP yet.")
    requested_by: str
    requested_by_id: uuid.UUID
    requested_at: datetime
    decided_by: str | None
    decided_at: datetime | None


class UserRead(BaseModel):
    id: uuid.UUID
    email: str
    display_name: str
    role: Role
    team: Team | None
    employee_number: str | None
    active: bool
    enrolled: bool = Field(description="The owner has set their password and TOTP; nobody signs in before.")
    enrolment_expires_at: datetime | None = Field(
        description="When the account's unused enrolment link expires (none: no usable link)."
    )
    pending_change: AccountChangeRead | None = Field(description="A change waiting for a division head.")
    created_at: datetime
    version: int = Field(description="Send it as If-Match with a change (the ETag of the account).")


class UserPage(BaseModel):
    items: list[UserRead]
    total: int
    offset: int
    limit: int


class UserCreate(Strict):
    """No password and no TOTP secret: the account's owner sets both through the enrolment link (ACC-1)."""

    email: Email
    display_name: ShortText
    role: Role
    team: Team | None = None
    employee_number: EmployeeNumber | None = None


class EnrolmentLinkRead(BaseModel):
    """A one-time link for the account's owner, shown once: only a hash of it is kept. The token is in the
    fragment (after `#`), which browsers never send to a server."""

    enrolment_url: str = Field(description="A path on this server: /admin/enrol.html#<token>.")
    expires_at: datetime


class UserCreated(BaseModel):
    """The new account, and its enrolment link (shown once). A case-role account also waits for a division head
    (`user.pending_change`)."""

    user: UserRead
    enrolment: EnrolmentLinkRead


class UserUpdate(Strict):
    """Only the fields sent change; `team: null` removes the team."""

    display_name: ShortText | None = None
    employee_number: EmployeeNumber | None = None
    role: Role | None = None
    team: Team | None = None
    active: bool | None = None


class AccountChangeDecision(Strict):
    approve: bool


class ClientRead(BaseModel):
    id: uuid.UUID
    client_id: str
    name: str
    kind: ClientKind
    scopes: list[str]
    active: bool
    created_at: datetime


class ClientPage(BaseModel):
    items: list[ClientRead]
    total: int
    offset: int
    limit: int


class ClientCreate(Strict):
    name: ShortText
    kind: ClientKind
    scopes: list[Scope] = Field(default_factory=list, max_length=10, description="Default: all of the kind's scopes.")


class ClientCreated(BaseModel):
    """The client secret is shown once; only an Argon2id hash is kept."""

    client: ClientRead
    client_secret: str
