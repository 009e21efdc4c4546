"""Staff sign-in and machine clients."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, Field, StringConstraints

from app.domain.enums import Role, Team
from app.schemas.common import Strict


class LoginRequest(Strict):
    email: Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=254)]
    password: Annotated[str, StringConstraints(min_length=1, max_length=1024)]
    totp: Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[0-9]{6}$")]


class RefreshRequest(Strict):
    refresh_token: Annotated[str, StringConstraints(min_length=10, max_length=200)]


class StaffTokens(BaseModel):
    access_token: str
    refresh_token: str
    token_type: str = "Bearer"
    expires_in: int


class LoginTokens(StaffTokens):
    """A sign-in's tokens, and what the owner should know: attempts that failed since the last sign-in."""

    failed_attempts_since_last_login: int = Field(
        description="Sign-in attempts with this e-mail that failed since your last successful sign-in (from any "
        "device). If they were not yours, tell the system administrator."
    )
    last_failed_attempt_on: date | None = Field(description="The day (UTC) of the last of them; null if none.")


class MeRead(BaseModel):
    id: uuid.UUID
    email: str
    display_name: str
    role: Role
    team: Team | None


class MachineToken(BaseModel):
    access_token: str
    token_type: str = "Bearer"
    expires_in: int
    scope: str


OAuthErrorCode = Literal[
    "invalid_request",
    "invalid_client",
    "invalid_grant",
    "unauthorized_client",
    "unsupported_grant_type",
    "invalid_scope",
]


class OAuthErrorBody(BaseModel):
    """RFC 6749 §5.2: the error answer of the token and revocation endpoints (not problem+json)."""

    error: OAuthErrorCode
    error_description: str
