"""Staff sign-in (password + TOTP), refresh and sign-out. Machine clients' OAuth 2.0: app/api/oauth.py."""

from fastapi import Depends, Response

from app.api.deps import CurrentStaff, Uow
from app.api.problems import BUSY_RESPONSES
from app.api.ratelimit import ClientKey, rate_limited
from app.api.router import make_router
from app.schemas.auth import LoginRequest, LoginTokens, MeRead, RefreshRequest, StaffTokens
from app.services import auth

router = make_router("auth")


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
