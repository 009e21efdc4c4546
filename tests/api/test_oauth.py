"""Machine clients: OAuth2 client credentials at POST /api/v1/oauth/token (SEP-4's personnel system, ACC-1)."""

from __future__ import annotations

from typing import Any

import jwt
import pytest
from sqlalchemy import select

from app.db.models import AuditEntry, MachineClient
from app.domain.enums import ClientKind, Role
from app.domain.errors import InvalidToken, ScopeNotAllowed
from app.services import auth
from tests.builders import inbox_headers, login_tokens, make_report, make_staff

TOKEN_URL = "/api/v1/oauth/token"


async def _make_client(
    uow_factory,  # type: ignore[no-untyped-def]
    scopes: list[str] | None = None,
    kind: ClientKind = ClientKind.hr_system,
) -> tuple[str, str]:
    """A machine client created through the use case; returns (client_id, secret)."""
    async with uow_factory() as uow:
        client, secret = await auth.create_client(
            uow, "Test personnel system", kind, ["separation:check"] if scopes is None else scopes
        )
        client_id = client.client_id
        await uow.commit()
    return client_id, secret


def _form(client_id: str, secret: str, **extra: str) -> dict[str, str]:
    return {"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret, **extra}


def _claims(token: str) -> dict[str, Any]:
    return jwt.decode(token, options={"verify_signature": False})


async def test_sep_4_client_credentials_in_the_form(client, uow_factory) -> None:
    """SEP-4: the personnel system gets a short-lived machine token with form-encoded client credentials."""
    client_id, secret = await _make_client(uow_factory)
    response = await client.post(TOKEN_URL, data=_form(client_id, secret))
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store" and response.headers["pragma"] == "no-cache"
    body = response.json()
    assert body["token_type"] == "Bearer" and body["scope"] == "separation:check"
    assert 0 < body["expires_in"] <= 3600
    claims = _claims(body["access_token"])
    assert claims["aud"] == "machine"
    assert claims["scope"] == "separation:check"
    assert claims["sub"] == client_id and claims["kind"] == "hr_system"
    assert 0 < claims["exp"] - claims["iat"] <= 3600
    assert secret not in body["access_token"]


async def test_sep_4_client_credentials_with_http_basic(client, uow_factory) -> None:
    """SEP-4: HTTP Basic authentication of the client works the same (RFC 6749 §2.3.1)."""
    client_id, secret = await _make_client(uow_factory, ["separation:check", "separation:read"])
    response = await client.post(TOKEN_URL, data={"grant_type": "client_credentials"}, auth=(client_id, secret))
    assert response.status_code == 200, response.text
    claims = _claims(response.json()["access_token"])
    assert claims["aud"] == "machine" and claims["sub"] == client_id
    assert set(claims["scope"].split()) == {"separation:check", "separation:read"}


async def test_token_can_ask_for_fewer_scopes(client, uow_factory) -> None:
    """A client may ask for a subset of its scopes; the token carries only those."""
    client_id, secret = await _make_client(uow_factory, ["separation:check", "personnel:write"])
    response = await client.post(TOKEN_URL, data=_form(client_id, secret, scope="separation:check"))
    assert response.status_code == 200, response.text
    assert response.json()["scope"] == "separation:check"
    assert _claims(response.json()["access_token"])["scope"] == "separation:check"


async def test_scope_outside_the_client_is_refused(client, uow_factory) -> None:
    """Asking for a scope the client does not hold answers 400 `invalid_scope` (RFC 6749 §5.2), and no token."""
    client_id, secret = await _make_client(uow_factory)
    for scope in ("separation:read", "separation:check personnel:write", "cases:read", "obligations:write"):
        response = await client.post(TOKEN_URL, data=_form(client_id, secret, scope=scope))
        assert response.status_code == 400, scope
        assert response.headers["content-type"] == "application/json"
        assert response.json()["error"] == "invalid_scope"
        assert "access_token" not in response.json()


async def test_wrong_secret_and_unknown_client_answer_alike(client, uow_factory) -> None:
    """A wrong secret, an unknown client and missing credentials answer 401 `invalid_client` alike (RFC 6749
    §5.2), with `WWW-Authenticate: Basic`."""
    client_id, secret = await _make_client(uow_factory)
    answers = [
        await client.post(TOKEN_URL, data=_form(client_id, secret + "x")),
        await client.post(TOKEN_URL, data=_form("hr_system-doesnotexist", secret)),
        await client.post(TOKEN_URL, data={"grant_type": "client_credentials"}, auth=(client_id, "wrong-secret")),
        await client.post(TOKEN_URL, data={"grant_type": "client_credentials", "client_id": client_id}),
        await client.post(TOKEN_URL, data={"grant_type": "client_credentials"}),
    ]
    for response in answers:
        assert response.status_code == 401, response.text
        assert response.headers["content-type"] == "application/json"
        assert response.headers["www-authenticate"] == 'Basic realm="WithU"'
        assert response.json()["error"] == "invalid_client"
        assert secret not in response.text
    assert len({r.text for r in answers}) == 1


async def test_inactive_client_gets_no_token(client, uow_factory) -> None:
    """A deactivated client answers like an unknown one, and its existing token stops working."""
    client_id, secret = await _make_client(uow_factory)
    token = (await client.post(TOKEN_URL, data=_form(client_id, secret))).json()["access_token"]
    async with uow_factory() as uow:
        row = await uow.staff.client(client_id)
        row.active = False
        await uow.commit()
    response = await client.post(TOKEN_URL, data=_form(client_id, secret))
    assert response.status_code == 401 and response.json()["error"] == "invalid_client"
    async with uow_factory() as uow:
        with pytest.raises(InvalidToken):
            await auth.client_from_token(uow, token)


async def test_only_client_credentials_grant(client, uow_factory) -> None:
    """RFC 6749 §5.2: another grant → 400 `unsupported_grant_type`; a missing grant_type → 400 `invalid_request`,
    never a 422 problem."""
    client_id, secret = await _make_client(uow_factory)
    for grant in ("password", "authorization_code", "refresh_token"):
        response = await client.post(TOKEN_URL, data={**_form(client_id, secret), "grant_type": grant})
        assert response.status_code == 400, grant
        assert response.headers["content-type"] == "application/json"
        assert response.json()["error"] == "unsupported_grant_type"
        assert response.headers["cache-control"] == "no-store" and response.headers["pragma"] == "no-cache"
    for form in ({**_form(client_id, secret), "grant_type": ""}, {"client_id": client_id, "client_secret": secret}):
        missing = await client.post(TOKEN_URL, data=form)
        assert missing.status_code == 400
        assert missing.json() == {
            "error": "invalid_request",
            "error_description": "Send a form-encoded body; missing or invalid: grant_type.",
        }


async def test_token_endpoint_wants_a_form_not_json(client, uow_factory) -> None:
    """The token endpoint reads a form-encoded body (RFC 6749 §4.4.2); a JSON body → 400 `invalid_request`."""
    client_id, secret = await _make_client(uow_factory)
    response = await client.post(TOKEN_URL, json=_form(client_id, secret))
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/json"
    assert response.json()["error"] == "invalid_request"
    assert secret not in response.text


async def test_aud_1_token_issue_is_audited(client, uow_factory) -> None:
    """AUD-1: creating a client and issuing it a token are audited, naming the client, never the secret."""
    client_id, secret = await _make_client(uow_factory)
    assert (await client.post(TOKEN_URL, data=_form(client_id, secret))).status_code == 200
    async with uow_factory() as uow:
        issued = (
            await uow.session.scalars(
                select(AuditEntry).where(AuditEntry.action == "oauth.token", AuditEntry.actor_id == client_id)
            )
        ).all()
        assert [(e.actor_kind, e.case_id) for e in issued] == [("client", None)]
        created = (
            await uow.session.scalars(
                select(AuditEntry).where(AuditEntry.action == "client.created", AuditEntry.target == client_id)
            )
        ).all()
        assert len(created) == 1


async def test_acc_1_machine_token_is_refused_on_staff_endpoints_and_inbox(client, uow_factory) -> None:
    """ACC-1: a machine token never opens case content (/cases → 401), the staff account, or the inbox."""
    client_id, secret = await _make_client(uow_factory, ["separation:check", "separation:read", "personnel:write"])
    token = (await client.post(TOKEN_URL, data=_form(client_id, secret))).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    for path in ("/api/v1/cases", "/api/v1/auth/me", "/api/v1/inbox"):
        response = await client.get(path, headers=headers)
        assert response.status_code == 401, path
        assert response.json()["code"] == "invalid-token"
        assert response.headers["www-authenticate"] == "Bearer"
    body = await make_report(client)
    reporter = await inbox_headers(client, body["receipt_code"])
    sent = await client.post("/api/v1/inbox/messages", json={"body": "from a machine"}, headers=headers)
    assert sent.status_code == 401
    assert len((await client.get("/api/v1/inbox", headers=reporter)).json()["messages"]) == 1
    async with uow_factory() as uow:
        actor = await auth.client_from_token(uow, token)
        assert actor.client_id == client_id and "separation:check" in actor.scopes


async def test_staff_access_token_is_not_a_machine_token(client, uow_factory) -> None:
    """A staff access token (audience `staff`) is refused where a machine token is expected."""
    staff = await make_staff(uow_factory, role=Role.sysadmin)
    tokens = await login_tokens(client, staff)
    assert _claims(tokens["access_token"])["aud"] == "staff"
    async with uow_factory() as uow:
        with pytest.raises(InvalidToken):
            await auth.client_from_token(uow, tokens["access_token"])
        with pytest.raises(InvalidToken):
            await auth.client_from_token(uow, tokens["refresh_token"])
    # ... and the other way round: an inbox token is no machine token either.
    reporter = await inbox_headers(client, (await make_report(client))["receipt_code"])
    async with uow_factory() as uow:
        with pytest.raises(InvalidToken):
            await auth.client_from_token(uow, reporter["Authorization"].split()[1])


async def test_create_client_refuses_unknown_scopes(uow_factory) -> None:
    """A client can only hold the scopes of its kind: unknown ones raise ScopeNotAllowed, nothing is stored."""
    for kind, scopes in (
        (ClientKind.hr_system, ["separation:check", "cases:read"]),
        (ClientKind.hr_system, ["obligations:read"]),
        (ClientKind.contractor_portal, ["separation:check"]),
    ):
        async with uow_factory() as uow:
            with pytest.raises(ScopeNotAllowed):
                await auth.create_client(uow, "Refused client", kind, scopes)
    async with uow_factory() as uow:
        refused = (await uow.session.scalars(select(MachineClient).where(MachineClient.name == "Refused client"))).all()
        assert refused == []


async def test_client_secret_is_stored_only_as_argon2id_hash(uow_factory) -> None:
    """The client secret is shown once and stored only as an Argon2id hash with a per-record salt."""
    first_id, first_secret = await _make_client(uow_factory)
    second_id, second_secret = await _make_client(uow_factory)
    assert first_secret != second_secret and len(first_secret) >= 32
    async with uow_factory() as uow:
        first = await uow.staff.client(first_id)
        second = await uow.staff.client(second_id)
        assert first is not None and second is not None
        for row, secret in ((first, first_secret), (second, second_secret)):
            assert row.secret_hash.startswith("$argon2id$")
            assert secret not in row.secret_hash
        assert first.secret_hash.split("$")[4] != second.secret_hash.split("$")[4]  # distinct salts
        assert first.scopes == ["separation:check"] and first.kind == ClientKind.hr_system
