"""OAuth 2.0 by the book for machine clients, proved with a client nobody here wrote (authlib): the token endpoint
and its errors (RFC 6749 §4.4, §5.1, §5.2), token revocation (RFC 7009), the authorization server's metadata
(RFC 8414), and the served OpenAPI 3.1 document (openapi-spec-validator) with its `oauth2` scheme."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import httpx2
import pytest
from authlib.integrations.httpx_client import AsyncOAuth2Client, OAuthError
from openapi_spec_validator import validate
from pydantic import ValidationError
from sqlalchemy import select

from app.api import oauth
from app.db.models import AuditEntry
from app.domain.enums import ClientKind
from app.main import create_app
from app.services import auth
from app.settings import Settings
from tests.conftest import make_settings

BASE = "https://testserver"
TOKEN_URL = "/api/v1/oauth/token"
REVOKE_URL = "/api/v1/oauth/revoke"
METADATA_URL = "/.well-known/oauth-authorization-server"
ORDERS_URL = "/api/v1/separation/orders"  # separation:read
CHECK_URL = "/api/v1/separation/check"  # separation:check, the one-statement token check
ROOT = Path(__file__).resolve().parents[2]


async def _machine_client(uow_factory: Any, kind: ClientKind, *scopes: str) -> tuple[str, str]:
    async with uow_factory() as uow:
        client, secret = await auth.create_client(uow, f"RFC test {kind}", kind, list(scopes))
        client_id = client.client_id
        await uow.commit()
    return client_id, secret


@pytest.fixture
async def oauth_client(app):  # type: ignore[no-untyped-def]
    """A factory of authlib OAuth2 clients talking to the app in process."""
    opened: list[AsyncOAuth2Client] = []

    def make(client_id: str, secret: str, method: str = "client_secret_basic", **kwargs: Any) -> AsyncOAuth2Client:
        session = AsyncOAuth2Client(
            client_id,
            secret,
            token_endpoint_auth_method=method,
            revocation_endpoint_auth_method=method,
            # authlib's clients are httpx2's (a test dependency); the app runs in process.
            transport=httpx2.ASGITransport(app=app, client=("203.0.113.9", 50000)),
            base_url=BASE,
            **kwargs,
        )
        opened.append(session)
        return session

    yield make
    for session in opened:
        await session.aclose()


@pytest.fixture
async def hr_system(uow_factory) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    """The personnel system's client (SEP-4): (client_id, secret)."""
    return await _machine_client(uow_factory, ClientKind.hr_system, "separation:read", "separation:check")


async def test_sep_4_authlib_gets_a_token_with_client_secret_basic_and_reads_the_orders(
    oauth_client, hr_system
) -> None:
    """SEP-4 (RFC 6749 §4.4, §2.3.1): the personnel system's client, authlib with `client_secret_basic`, obtains a
    token and reads the active separation orders with it."""
    session = oauth_client(*hr_system, method="client_secret_basic")
    token = await session.fetch_token(TOKEN_URL, grant_type="client_credentials")
    assert token["token_type"] == "Bearer" and set(token["scope"].split()) == {"separation:read", "separation:check"}
    response = await session.get(ORDERS_URL)
    assert response.status_code == 200, response.text
    assert set(response.json()) == {"items", "total", "offset", "limit"}


async def test_oauth_client_secret_post_token_and_fewer_scopes(oauth_client, uow_factory) -> None:
    """RFC 6749 §2.3.1, §3.3: authlib with `client_secret_post` (the contractor portal) obtains a token for the
    scope it asks for and reads its own obligations with it; nothing of a case (ACC-1)."""
    client_id, secret = await _machine_client(
        uow_factory, ClientKind.contractor_portal, "obligations:read", "obligations:write"
    )
    session = oauth_client(client_id, secret, method="client_secret_post")
    token = await session.fetch_token(TOKEN_URL, grant_type="client_credentials", scope="obligations:read")
    assert token["scope"] == "obligations:read"
    response = await session.get("/api/v1/contractor/obligations")
    assert response.status_code == 200, response.text
    assert set(response.json()) == {"contracts", "obligations"}


@pytest.mark.parametrize("method", ["client_secret_basic", "client_secret_post"])
async def test_oauth_wrong_secret_raises_authlibs_invalid_client(oauth_client, hr_system, method: str) -> None:
    """RFC 6749 §5.2: a wrong secret answers `invalid_client`, which authlib raises as its own OAuthError."""
    client_id, secret = hr_system
    session = oauth_client(client_id, secret + "x", method=method)
    with pytest.raises(OAuthError) as raised:
        await session.fetch_token(TOKEN_URL, grant_type="client_credentials")
    assert raised.value.error == "invalid_client"
    assert session.token is None


async def test_oauth_invalid_client_is_401_with_basic_challenge(client, hr_system) -> None:
    """RFC 6749 §5.2: client authentication failure with HTTP Basic → 401 with `WWW-Authenticate: Basic`, the
    RFC's JSON, no-store; an unreadable Basic header alike; Basic and a form secret together → invalid_request."""
    client_id, secret = hr_system
    wrong = await client.post(TOKEN_URL, data={"grant_type": "client_credentials"}, auth=(client_id, "nope"))
    garbled = await client.post(
        TOKEN_URL, data={"grant_type": "client_credentials"}, headers={"Authorization": "Basic %%%not-base64"}
    )
    for response in (wrong, garbled):
        assert response.status_code == 401, response.text
        assert response.headers["www-authenticate"] == 'Basic realm="WithU"'
        assert response.headers["content-type"] == "application/json"
        assert response.headers["cache-control"] == "no-store" and response.headers["pragma"] == "no-cache"
        assert response.json()["error"] == "invalid_client" and response.json()["error_description"]
    both = await client.post(
        TOKEN_URL, data={"grant_type": "client_credentials", "client_secret": secret}, auth=(client_id, secret)
    )
    assert both.status_code == 400 and both.json()["error"] == "invalid_request"


async def test_oauth_unsupported_grant_type_raises_in_authlib(oauth_client, hr_system) -> None:
    """RFC 6749 §5.2: the password grant → `unsupported_grant_type`."""
    session = oauth_client(*hr_system)
    with pytest.raises(OAuthError) as raised:
        await session.fetch_token(TOKEN_URL, grant_type="password", username="someone", password="secret")
    assert raised.value.error == "unsupported_grant_type"


async def test_oauth_unknown_or_foreign_scope_is_invalid_scope(oauth_client, hr_system) -> None:
    """RFC 6749 §5.2: a scope that does not exist, or that the client does not hold → `invalid_scope`."""
    for scope in ("cases:read", "personnel:write", "obligations:read"):
        session = oauth_client(*hr_system)
        with pytest.raises(OAuthError) as raised:
            await session.fetch_token(TOKEN_URL, grant_type="client_credentials", scope=scope)
        assert raised.value.error == "invalid_scope", scope


async def test_oauth_malformed_bodies_are_invalid_request_never_a_problem(client, hr_system) -> None:
    """RFC 6749 §5.2: a missing grant_type, a JSON or an empty body, an over-long parameter → 400 `invalid_request`
    in the RFC's shape, never a 422 problem+json; the description names parameters, never their values."""
    client_id, secret = hr_system
    answers = [
        await client.post(TOKEN_URL, data={"client_id": client_id, "client_secret": secret}),
        await client.post(TOKEN_URL, json={"grant_type": "client_credentials", "client_id": client_id}),
        await client.post(TOKEN_URL, content=b"", headers={"Content-Type": "text/plain"}),
        await client.post(TOKEN_URL, data={"grant_type": "client_credentials", "client_id": "x" * 65}),
        await client.post(REVOKE_URL, data={"client_id": client_id, "client_secret": secret}),
    ]
    for response in answers:
        assert response.status_code == 400, response.text
        assert response.headers["content-type"] == "application/json"
        assert set(response.json()) == {"error", "error_description"}
        assert response.json()["error"] == "invalid_request"
        assert secret not in response.text and "x" * 65 not in response.text


async def test_oauth_revoked_token_is_refused_from_the_next_request_on(oauth_client, uow_factory, hr_system) -> None:
    """RFC 7009 §2.1-2.2: the client revokes its token (authlib's revoke_token); the token is refused at once —
    by the endpoints that look the client up and by the separation check's single statement (SEP-4) — while
    another token of the same client still works. Unknown tokens and a second revocation answer 200 too; the
    revocation of one of its tokens is audited (AUD-1), naming the client, not the unknown token's."""
    session = oauth_client(*hr_system)
    first = await session.fetch_token(TOKEN_URL, grant_type="client_credentials")
    other = oauth_client(*hr_system)
    await other.fetch_token(TOKEN_URL, grant_type="client_credentials")
    check = {"employee_number": "E-NOBODY-RFC"}
    assert (await session.get(ORDERS_URL)).status_code == 200
    assert (await session.post(CHECK_URL, json=check)).status_code != 401

    revoked = await session.revoke_token(REVOKE_URL, token=first["access_token"], token_type_hint="access_token")
    assert revoked.status_code == 200, revoked.text

    for response in (await session.get(ORDERS_URL), await session.post(CHECK_URL, json=check)):
        assert response.status_code == 401, response.text
        assert response.json()["code"] == "invalid-token"
    assert (await other.get(ORDERS_URL)).status_code == 200
    again = await session.revoke_token(REVOKE_URL, token=first["access_token"])
    unknown = await session.revoke_token(REVOKE_URL, token="not-a-token-we-issued")
    assert again.status_code == 200 and unknown.status_code == 200
    async with uow_factory() as uow:
        entries = (
            await uow.session.scalars(
                select(AuditEntry).where(AuditEntry.action == "oauth.revoke", AuditEntry.actor_id == hr_system[0])
            )
        ).all()
        assert [e.actor_kind for e in entries] == ["client", "client"]  # the first revocation and the repeated one


async def test_oauth_a_client_revokes_only_its_own_tokens(oauth_client, uow_factory, hr_system) -> None:
    """RFC 7009 §2.1: another client's token is refused (400 `invalid_grant`) and keeps working; a wrong secret
    at the revocation endpoint is `invalid_client` (401), and revokes nothing."""
    owner = oauth_client(*hr_system)
    token = await owner.fetch_token(TOKEN_URL, grant_type="client_credentials")
    stranger_id, stranger_secret = await _machine_client(uow_factory, ClientKind.hr_system, "separation:read")
    stranger = oauth_client(stranger_id, stranger_secret, method="client_secret_post")
    refused = await stranger.revoke_token(REVOKE_URL, token=token["access_token"])
    assert refused.status_code == 400 and refused.json()["error"] == "invalid_grant"
    impostor = oauth_client(hr_system[0], "wrong-secret")
    unauthenticated = await impostor.revoke_token(REVOKE_URL, token=token["access_token"])
    assert unauthenticated.status_code == 401 and unauthenticated.json()["error"] == "invalid_client"
    assert unauthenticated.headers["www-authenticate"] == 'Basic realm="WithU"'
    assert (await owner.get(ORDERS_URL)).status_code == 200


async def test_oauth_metadata_is_consistent_with_the_token_endpoint(client, oauth_client, hr_system) -> None:
    """RFC 8414 §3: the metadata names this server as issuer (the request's base URL when no issuer is set), and
    authlib obtains and revokes a token at the endpoints it names, with the methods it lists."""
    response = await client.get(METADATA_URL, headers={"Host": "testserver"})
    assert response.status_code == 200 and response.headers["content-type"] == "application/json"
    document = response.json()
    assert document["issuer"] == "http://testserver"
    assert document["token_endpoint"] == "http://testserver" + TOKEN_URL
    assert document["revocation_endpoint"] == "http://testserver" + REVOKE_URL
    assert document["grant_types_supported"] == ["client_credentials"]
    assert document["response_types_supported"] == []
    assert document["scopes_supported"] == sorted({s for scopes in auth.SCOPES.values() for s in scopes})
    methods = document["token_endpoint_auth_methods_supported"]
    assert methods == ["client_secret_basic", "client_secret_post"]
    assert document["revocation_endpoint_auth_methods_supported"] == methods
    for method in methods:
        session = oauth_client(*hr_system, method=method)
        token = await session.fetch_token(document["token_endpoint"], grant_type="client_credentials")
        assert set(token["scope"].split()) <= set(document["scopes_supported"])
        assert (await session.revoke_token(document["revocation_endpoint"], token=token["access_token"])).is_success


async def test_oauth_metadata_issuer_setting_and_not_the_pwas_static_files() -> None:
    """RFC 8414 §3: with `oauth_issuer` set, the metadata names that origin whatever Host was asked; the path is
    answered by the API even with the PWA's static files mounted at /. An issuer with a path is refused."""
    application = create_app(make_settings(pwa_dir=ROOT / "pwa", oauth_issuer="https://withu.example.org"))
    transport = httpx.ASGITransport(app=application, client=("203.0.113.9", 1234))
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://internal:8000") as c:
            document = (await c.get(METADATA_URL)).json()
            assert (await c.get("/")).status_code == 200  # the PWA is mounted
    finally:
        await application.state.runtime.engine.dispose()
    assert document == oauth.metadata("https://withu.example.org")
    assert document["token_endpoint"] == "https://withu.example.org/api/v1/oauth/token"
    with pytest.raises(ValidationError):
        Settings(**{**make_settings().model_dump(), "oauth_issuer": "https://withu.example.org/withu"})


async def test_oauth_openapi_document_is_valid_and_declares_the_oauth2_scheme(client) -> None:
    """OpenAPI 3.1 (openapi-spec-validator): the served document is valid; it declares the `oauth2`
    client-credentials scheme with every scope described, each machine operation its scope, staff operations
    their bearer scheme, and the token endpoint's RFC 6749 §5.2 errors."""
    document = (await client.get("/openapi.json")).json()
    validate(document)
    assert document["openapi"].startswith("3.1")
    flow = document["components"]["securitySchemes"]["oauth2"]["flows"]["clientCredentials"]
    assert flow["tokenUrl"] == TOKEN_URL
    every_scope = {s for scopes in auth.SCOPES.values() for s in scopes}
    assert set(flow["scopes"]) == every_scope
    assert all(description and description != name for name, description in flow["scopes"].items())
    paths = document["paths"]
    expected = {
        ("post", "/api/v1/separation/check"): "separation:check",
        ("get", "/api/v1/separation/orders"): "separation:read",
        ("post", "/api/v1/personnel/sync"): "personnel:write",
        ("get", "/api/v1/webhooks/subscriptions"): "webhooks:manage",
        ("get", "/api/v1/contractor/obligations"): "obligations:read",
    }
    for (method, path), scope in expected.items():
        assert paths[path][method]["security"] == [{"oauth2": [scope]}], path
    for ops in paths.values():
        for op in ops.values():
            for requirement in op.get("security", []):
                assert set(requirement.get("oauth2", [])) <= every_scope
    assert paths["/api/v1/cases"]["get"]["security"] == [{"HTTPBearer": []}]
    token = paths[TOKEN_URL]["post"]
    assert token["security"] == [{"HTTPBasic": []}, {}]
    assert "422" not in token["responses"]
    assert token["responses"]["400"]["content"]["application/json"]["schema"]["$ref"].endswith("/OAuthErrorBody")
    assert "application/x-www-form-urlencoded" in token["requestBody"]["content"]
