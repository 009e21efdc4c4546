"""OAuth 2.0 for machine clients, by the book: the token endpoint (RFC 6749 §4.4), token revocation (RFC 7009) and
the authorization server's metadata (RFC 8414).

These two endpoints answer errors in OAuth's shape (RFC 6749 §5.2: `error`, `error_description`), not problem+json,
so a standard OAuth client reads them. Only what OAuth has no word for stays problem+json: too many requests (429),
busy (503), a body too large (413) and the unexpected (500)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any
from urllib.parse import unquote_plus

from fastapi import APIRouter, Depends, Form, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.security import HTTPBasic, HTTPBasicCredentials
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.api.deps import AppSettings, Uow
from app.api.problems import BUSY_RESPONSES, MEDIA_TYPE
from app.api.ratelimit import rate_limited
from app.api.unit_of_work import UnitOfWorkRoute
from app.domain.errors import DomainError, InvalidClient, ScopeNotAllowed, TokenOfAnotherClient
from app.schemas.auth import MachineToken, OAuthErrorBody, OAuthErrorCode
from app.services import auth

PREFIX = "/api/v1"
TOKEN_PATH = f"{PREFIX}/oauth/token"
REVOKE_PATH = f"{PREFIX}/oauth/revoke"
METADATA_PATH = "/.well-known/oauth-authorization-server"
AUTH_METHODS = ["client_secret_basic", "client_secret_post"]
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}  # RFC 6749 §5.1
REALM = 'Basic realm="WithU"'

_basic = HTTPBasic(auto_error=False)


class OAuthError(Exception):
    """An RFC 6749 §5.2 error: 400, or 401 with `WWW-Authenticate: Basic` when the client's authentication failed
    (however it authenticated, so that every way of failing answers alike)."""

    def __init__(self, error: OAuthErrorCode, description: str) -> None:
        self.error, self.description = error, description

    def response(self) -> JSONResponse:
        status, headers = 400, dict(NO_STORE)
        if self.error == "invalid_client":
            status, headers["WWW-Authenticate"] = 401, REALM
        return JSONResponse({"error": self.error, "error_description": self.description}, status, headers=headers)


# The use cases' errors, in OAuth's words; any other error keeps its problem+json.
_OAUTH_CODES: tuple[tuple[type[DomainError], OAuthErrorCode], ...] = (
    (InvalidClient, "invalid_client"),
    (ScopeNotAllowed, "invalid_scope"),
    (TokenOfAnotherClient, "invalid_grant"),  # RFC 6749 §5.2: "... was issued to another client"
)


def oauth_error(exc: Exception) -> OAuthError | None:
    """The OAuth error an exception of these endpoints stands for, or None (it stays problem+json)."""
    if isinstance(exc, OAuthError):
        return exc
    if isinstance(exc, RequestValidationError):
        names = sorted({str(e["loc"][-1]) for e in exc.errors() if e.get("loc")})  # names only, never values
        return OAuthError("invalid_request", f"Send a form-encoded body; missing or invalid: {', '.join(names)}.")
    if isinstance(exc, StarletteHTTPException) and exc.status_code == 401:  # an unreadable Basic header
        return OAuthError("invalid_client", InvalidClient.title)
    if isinstance(exc, DomainError):
        for kind, code in _OAUTH_CODES:
            if isinstance(exc, kind):
                return OAuthError(code, exc.detail or exc.title)
    return None


class OAuthRoute(UnitOfWorkRoute):
    """A unit-of-work route (rolled back on any error) whose client and request errors answer in OAuth's shape."""

    def get_route_handler(self) -> Callable[[Request], Awaitable[Response]]:
        original = super().get_route_handler()

        async def handler(request: Request) -> Response:
            try:
                return await original(request)
            except Exception as exc:
                error = oauth_error(exc)
                if error is None:
                    raise
                return error.response()

        return handler


def _problem(description: str) -> dict[str, Any]:
    return {"description": description, "content": {MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}}


OAUTH_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: {"model": OAuthErrorBody, "description": "RFC 6749 §5.2 error (`invalid_request`, `invalid_scope`, ...)"},
    401: {"model": OAuthErrorBody, "description": "`invalid_client`, with `WWW-Authenticate: Basic`"},
    "4XX": _problem("Too many requests (429, see Retry-After) or body too large (413): problem+json"),
    **BUSY_RESPONSES,  # the client secret's Argon2 check
}

# HTTP Basic, or (the empty requirement) client_id and client_secret in the form.
CLIENT_AUTH = {"security": [{}]}
router = APIRouter(tags=["auth"], route_class=OAuthRoute, responses=OAUTH_RESPONSES)
Basic = Annotated[HTTPBasicCredentials | None, Depends(_basic)]
ClientId = Annotated[str | None, Form(max_length=64)]
ClientSecret = Annotated[str | None, Form(max_length=200)]


def _client_credentials(
    basic: HTTPBasicCredentials | None, client_id: str | None, secret: str | None
) -> tuple[str, str]:
    """The client's id and secret, from HTTP Basic (form-encoded first, RFC 6749 §2.3.1) or from the form; one
    method only (§2.3). Missing ones fail client authentication."""
    if basic is not None:
        if secret is not None or (client_id is not None and client_id != unquote_plus(basic.username)):
            raise OAuthError("invalid_request", "Authenticate the client one way: HTTP Basic or the form, not both.")
        return unquote_plus(basic.username), unquote_plus(basic.password)
    if not client_id or not secret:
        raise InvalidClient()
    return client_id, secret


@router.post(
    TOKEN_PATH,
    response_model=MachineToken,
    dependencies=[Depends(rate_limited("token"))],
    openapi_extra=CLIENT_AUTH,
)
async def oauth_token(
    uow: Uow,
    response: Response,
    basic: Basic,
    grant_type: Annotated[str, Form(max_length=64)],
    client_id: ClientId = None,
    client_secret: ClientSecret = None,
    scope: Annotated[str | None, Form(max_length=500)] = None,
) -> MachineToken:
    """OAuth 2.0 client credentials (RFC 6749 §4.4), form-encoded; the client authenticates with HTTP Basic
    (`client_secret_basic`) or with `client_id` and `client_secret` in the form (`client_secret_post`). Errors
    are RFC 6749 §5.2 JSON, not problem+json; `/.well-known/oauth-authorization-server` describes the server."""
    if grant_type != "client_credentials":
        raise OAuthError("unsupported_grant_type", "Only the client_credentials grant is supported.")
    client_id, client_secret = _client_credentials(basic, client_id, client_secret)
    token = await auth.client_token(uow, client_id, client_secret, scope)
    response.headers.update(NO_STORE)
    return token


@router.post(
    REVOKE_PATH,
    response_class=Response,
    dependencies=[Depends(rate_limited("token"))],
    responses={200: {"description": "Revoked, or nothing to revoke (an unknown or expired token)"}},
    openapi_extra=CLIENT_AUTH,
)
async def oauth_revoke(
    uow: Uow,
    basic: Basic,
    token: Annotated[str, Form(max_length=4096)],
    token_type_hint: Annotated[str | None, Form(max_length=64)] = None,
    client_id: ClientId = None,
    client_secret: ClientSecret = None,
) -> Response:
    """Revoke one of this client's access tokens (RFC 7009): refused from the next request on. The client
    authenticates as at the token endpoint. An unknown or expired token answers 200 too; another client's token
    answers 400 `invalid_grant`. `token_type_hint` is ignored: machine clients hold access tokens only."""
    del token_type_hint  # RFC 7009 §2.1: the server may ignore it
    client_id, client_secret = _client_credentials(basic, client_id, client_secret)
    await auth.revoke_token(uow, client_id, client_secret, token)
    return Response(status_code=200, headers=NO_STORE)


# RFC 8414 metadata, outside /api and ahead of the PWA's static files (which are mounted last, at /).
well_known = APIRouter(include_in_schema=False)


@well_known.get(METADATA_PATH)
async def authorization_server_metadata(request: Request, settings: AppSettings) -> JSONResponse:
    """The authorization server's metadata (RFC 8414): issuer, endpoints, the grant, client authentication, scopes."""
    issuer = (settings.oauth_issuer or str(request.base_url)).rstrip("/")
    return JSONResponse(metadata(issuer), headers={"Cache-Control": "no-cache"})


def metadata(issuer: str) -> dict[str, Any]:
    return {
        "issuer": issuer,
        "token_endpoint": issuer + TOKEN_PATH,
        "revocation_endpoint": issuer + REVOKE_PATH,
        "grant_types_supported": ["client_credentials"],
        "response_types_supported": [],  # no authorization endpoint: machine clients only
        "token_endpoint_auth_methods_supported": AUTH_METHODS,
        "revocation_endpoint_auth_methods_supported": AUTH_METHODS,
        "scopes_supported": auth.all_scopes(),
    }
