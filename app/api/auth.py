"""Staff sign-in (password + TOTP) and machine clients' OAuth2 client-credentials tokens."""

from typing import Annotated

from fastapi import Depends, Form, Response
from fastapi.security import HTTPBasic, HTTPBasicCredentials

from app.api.deps import CurrentStaff, Uow
from app.api.problems import BUSY_RESPONSES
from app.api.ratelimit import ClientKey, rate_limited
from app.api.router import make_router
from app.domain.errors import InvalidClient, RuleViolation
from app.schemas.auth import LoginRequest, LoginTokens, MachineToken, MeRead, RefreshRequest, StaffTokens
from app.services import auth

router = make_router("auth")
_basic = HTTPBasic(auto_error=False)


@router.post(
    "/auth/login",
    response_model=LoginTokens,
    dependencies=[Depends(rate_limited("login"))],
    responses=BUSY_RESPONSES,  # the password's Argon2 check
)
async def login(command: LoginRequest, uow: Uow, client_key: ClientKey) -> LoginTokens:
    """Sign in with e-mail, password and the current TOTP code; answers an access and a refresh token, and how many
    sign-in attempts failed since your last sign-in. Repeated failures delay the device that makes them, not you."""
    return await auth.login(uow, command, client_key)


@router.post("/auth/refresh", response_model=StaffTokens, dependencies=[Depends(rate_limited("login"))])
async def refresh(command: RefreshRequest, uow: Uow) -> StaffTokens:
    """Trade a refresh token (once) for a new pair; a reused one ends the whole sign-in. A sign-in ends after 30
    minutes without use and 10 hours after it began (401 `session-expired`; the numbers are settings)."""
    return await auth.refresh(uow, command.refresh_token)


@router.post("/auth/logout", status_code=204)
async def logout(uow: Uow, staff: CurrentStaff) -> Response:
    """Sign out: this sign-in's tokens stop working at once."""
    await auth.logout(uow, staff)
    return Response(status_code=204)


@router.post("/auth/logout-all", status_code=204)
async def logout_all(uow: Uow, staff: CurrentStaff) -> Response:
    """Sign out everywhere: every sign-in of yours ends and every access token issued before now stops working."""
    await auth.logout_all(uow, staff)
    return Response(status_code=204)


@router.get("/auth/me", response_model=MeRead)
async def me(uow: Uow, staff: CurrentStaff) -> MeRead:
    """The signed-in staff member."""
    return await auth.me(uow, staff)


class UnsupportedGrantType(RuleViolation):
    code = "unsupported-grant-type"
    title = "Only the client_credentials grant is supported."


@router.post(
    "/oauth/token",
    response_model=MachineToken,
    dependencies=[Depends(rate_limited("token"))],
    responses=BUSY_RESPONSES,  # the client secret's Argon2 check
)
async def oauth_token(
    uow: Uow,
    grant_type: Annotated[str, Form()],
    basic: Annotated[HTTPBasicCredentials | None, Depends(_basic)],
    client_id: Annotated[str | None, Form(max_length=64)] = None,
    client_secret: Annotated[str | None, Form(max_length=200)] = None,
    scope: Annotated[str | None, Form(max_length=500)] = None,
) -> MachineToken:
    """OAuth2 client credentials (RFC 6749 §4.4): HTTP Basic or form fields; form-encoded body."""
    if grant_type != "client_credentials":
        raise UnsupportedGrantType()
    if basic is not None:
        client_id, client_secret = basic.username, basic.password
    if not client_id or not client_secret:
        raise InvalidClient()
    return await auth.client_token(uow, client_id, client_secret, scope)
