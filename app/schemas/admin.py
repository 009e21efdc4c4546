"""The sysadmin's accounts and machine clients (no secret is ever read back; nothing of any case)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints

from app.domain.enums import ClientKind, Role, Team
from app.schemas.common import EmployeeNumber, ShortText, Strict

Email = Annotated[
    str,
    StringConstraints(strip_whitespace=True, to_lower=True, min_length=3, max_length=254, pattern=r"^[^@\s]+@[^@\s]+$"),
]
Password = Annotated[str, StringConstraints(min_length=12, max_length=1024)]
Scope = Annotated[str, StringConstraints(pattern=r"^[a-z]+:[a-z]+$", max_length=40)]


class UserRead(BaseModel):
    id: uuid.UUID
    email: str
    display_name: str
    role: Role
    team: Team | None
    employee_number: str | None
    active: bool
    locked: bool = Field(description="Locked for a while after failed sign-ins (never permanently).")
    created_at: datetime
    version: int = Field(description="Send it as If-Match with a change (the ETag of the account).")


class UserPage(BaseModel):
    items: list[UserRead]
    total: int
    offset: int
    limit: int


class UserCreate(Strict):
    email: Email
    display_name: ShortText
    role: Role
    team: Team | None = None
    employee_number: EmployeeNumber | None = None
    password: Password | None = Field(default=None, description="Omit it to get a generated one, shown once.")


class UserCreated(BaseModel):
    """Shown once: the TOTP secret (and its otpauth:// URI for a QR code) and a generated initial password."""

    user: UserRead
    totp_secret: str
    totp_uri: str
    initial_password: str | None


class UserUpdate(Strict):
    """Only the fields sent change; `team: null` removes the team."""

    display_name: ShortText | None = None
    employee_number: EmployeeNumber | None = None
    role: Role | None = None
    team: Team | None = None
    active: bool | None = None


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
