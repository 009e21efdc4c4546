"""Dependencies: the unit of work, who is asking, rate limits."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request, Security
from fastapi.openapi.models import OAuthFlowClientCredentials, OAuthFlows
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer, OAuth2

from app.db.uow import UnitOfWork
from app.domain.errors import InvalidToken, ScopeNotAllowed
from app.services import auth, collector, inbox
from app.services.actors import ClientActor, ReporterActor, StaffActor
from app.services.webhooks import Resolver
from app.settings import Settings

_bearer = HTTPBearer(auto_error=False)


class _MachineClients(OAuth2):
    """Machine clients' bearer tokens, declared in the OpenAPI document as the `oauth2` client-credentials scheme
    with every scope (each operation lists the scope it needs). Reads the token like `_bearer`: a missing one is
    refused by the caller (401 invalid-token), as before."""

    async def __call__(self, request: Request) -> str | None:  # type: ignore[override]
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        return token.strip() if scheme.lower() == "bearer" and token.strip() else None


_machine = _MachineClients(
    flows=OAuthFlows(
        clientCredentials=OAuthFlowClientCredentials(
            tokenUrl="/api/v1/oauth/token",
            scopes={scope: auth.SCOPE_DESCRIPTIONS.get(scope, scope) for scope in auth.all_scopes()},
        )
    ),
    scheme_name="oauth2",
    description="Machine clients: OAuth 2.0 client credentials (docs/api.md); metadata at "
    "/.well-known/oauth-authorization-server.",
    auto_error=False,
)


async def get_uow(request: Request) -> UnitOfWork:
    # async: FastAPI runs a plain `def` dependency in a worker thread, a thread hop on every request for nothing.
    return request.state.uow


Uow = Annotated[UnitOfWork, Depends(get_uow)]
Bearer = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]


async def get_resolver(request: Request) -> Resolver:
    """The app's name resolver for webhook destinations (F7): the system's, or a test's fixed table."""
    return request.app.state.runtime.resolve


HostResolver = Annotated[Resolver, Depends(get_resolver)]


async def get_app_settings(request: Request) -> Settings:
    """The running app's settings (also where no unit of work is open)."""
    return request.app.state.runtime.settings


AppSettings = Annotated[Settings, Depends(get_app_settings)]


def _token(credentials: HTTPAuthorizationCredentials | None) -> str:
    if credentials is None or not credentials.credentials:
        raise InvalidToken()
    return credentials.credentials


async def current_staff(uow: Uow, credentials: Bearer) -> StaffActor:
    return await auth.staff_from_token(uow, _token(credentials))


async def current_reporter(uow: Uow, credentials: Bearer) -> ReporterActor:
    return inbox.reporter_from_token(uow, _token(credentials))


async def current_client(uow: Uow, credentials: Bearer) -> ClientActor:
    return await auth.client_from_token(uow, _token(credentials))


CurrentStaff = Annotated[StaffActor, Depends(current_staff)]
CurrentReporter = Annotated[ReporterActor, Depends(current_reporter)]
CurrentClient = Annotated[ClientActor, Depends(current_client)]


def _machine_token(token: str | None) -> str:
    if not token:
        raise InvalidToken()
    return token


def client_with_scope(scope: str):  # type: ignore[no-untyped-def]
    """A machine client holding `scope` in its token (403 scope-not-allowed otherwise)."""

    async def dependency(uow: Uow, token: str | None = Security(_machine, scopes=[scope])) -> ClientActor:
        client = await auth.client_from_token(uow, _machine_token(token))
        if scope not in client.scopes:
            raise ScopeNotAllowed(f"This needs the scope '{scope}'.")
        return client

    return Depends(dependency)


def client_claims_with_scope(scope: str):  # type: ignore[no-untyped-def]
    """Like `client_with_scope`, from the token alone: no statement looks the client up. Only for endpoints whose
    service checks in its own statement that the client is still active (the separation check, SEP-4)."""

    async def dependency(uow: Uow, token: str | None = Security(_machine, scopes=[scope])) -> ClientActor:
        client = auth.client_from_claims(uow, _machine_token(token))
        if scope not in client.scopes:
            raise ScopeNotAllowed(f"This needs the scope '{scope}'.")
        return client

    return Depends(dependency)


async def collector_paused() -> AsyncIterator[None]:
    """A route dependency: the garbage collector held off for a request of a large body (app.services.collector);
    FastAPI validates the body after the route's dependencies, so the pause covers the validation too."""
    with collector.paused():
        yield
