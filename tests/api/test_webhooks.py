"""SEP-4, the personnel system is told: webhook subscriptions and the delivery log (scope webhooks:manage).

The tests share one database: each creates its own clients and subscriptions and looks only at those."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
from sqlalchemy import LargeBinary, select, type_coerce

from app.db.models import AuditEntry, OutboxMessage, WebhookSubscription
from app.domain.enums import ClientKind, Role
from app.main import create_app
from app.services import auth, outbox
from tests.builders import login, make_staff, separation_event
from tests.conftest import make_settings

SUBSCRIPTIONS = "/api/v1/webhooks/subscriptions"
DELIVERIES = "/api/v1/webhooks/deliveries"
OPENED = "separation.order_opened"


async def make_client_headers(
    client: httpx.AsyncClient, uow_factory: Any, scopes: list[str] | None = None
) -> dict[str, str]:
    """A personnel-system client (through the use case) and its bearer header (through the token endpoint)."""
    async with uow_factory() as uow:
        row, secret = await auth.create_client(
            uow, "Test personnel system", ClientKind.hr_system, ["webhooks:manage"] if scopes is None else scopes
        )
        client_id = row.client_id
        await uow.commit()
    response = await client.post(
        "/api/v1/oauth/token",
        data={"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret},
    )
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


async def subscribe(
    client: httpx.AsyncClient, headers: dict[str, str], url: str, topics: list[str] | None = None
) -> dict[str, Any]:
    response = await client.post(SUBSCRIPTIONS, json={"url": url, "topics": topics or [OPENED]}, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


async def publish(uow_factory: Any, topic: str = OPENED, data: dict[str, Any] | None = None) -> None:
    """What a use case does: queue the event in its own transaction, then commit."""
    async with uow_factory() as uow:
        await outbox.publish(uow, topic, data if data is not None else separation_event(topic))
        await uow.commit()


async def messages_of(uow_factory: Any, subscription_id: str) -> list[OutboxMessage]:
    async with uow_factory() as uow:
        rows = await uow.session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.subscription_id == uuid.UUID(subscription_id))
            .order_by(OutboxMessage.created_at)
        )
        messages = list(rows.all())
        uow.session.expunge_all()  # keep the loaded state when the unit of work rolls back on exit
        return messages


async def deactivate(uow_factory: Any, subscription_ids: list[str]) -> None:
    """Test cleanup: the shared database keeps the rows, but workers in later tests no longer claim them."""
    async with uow_factory() as uow:
        for sid in subscription_ids:
            row = await uow.session.get(WebhookSubscription, uuid.UUID(sid))
            if row is not None:
                row.active = False
        await uow.commit()


async def test_sep_4_subscribe_returns_the_secret_once_and_stores_it_encrypted(client, uow_factory) -> None:
    """SEP-4: subscribing answers 201 with the id and a signing secret; the secret is stored encrypted, never
    listed again, and the subscription is audited (AUD-1)."""
    headers = await make_client_headers(client, uow_factory)
    body = await subscribe(
        client, headers, "https://hr.example.test/hooks/withu", [OPENED, "separation.order_lifted", OPENED]
    )
    try:
        assert body["url"] == "https://hr.example.test/hooks/withu"
        assert body["topics"] == [OPENED, "separation.order_lifted"]  # duplicates dropped, order kept
        assert body["active"] is True
        assert body["secret"].startswith("whsec_") and len(body["secret"]) >= 40
        listed = (await client.get(SUBSCRIPTIONS, headers=headers)).json()
        assert [s["id"] for s in listed] == [body["id"]]
        assert "secret" not in listed[0] and body["secret"] not in str(listed)
        async with uow_factory() as uow:
            raw = await uow.session.scalar(
                select(type_coerce(WebhookSubscription.secret, LargeBinary)).where(
                    WebhookSubscription.id == uuid.UUID(body["id"])
                )
            )
            assert raw is not None
            assert body["secret"].encode() not in bytes(raw)
            stored = await uow.session.get(WebhookSubscription, uuid.UUID(body["id"]))
            assert stored is not None and stored.secret == body["secret"]
            audited = (
                await uow.session.scalars(
                    select(AuditEntry).where(
                        AuditEntry.action == "webhook.subscription_created", AuditEntry.target == body["id"]
                    )
                )
            ).all()
            assert [(e.actor_kind, e.case_id) for e in audited] == [("client", None)]
    finally:
        await deactivate(uow_factory, [body["id"]])


async def test_each_subscription_gets_its_own_secret(client, uow_factory) -> None:
    """Two subscriptions never share a signing secret."""
    headers = await make_client_headers(client, uow_factory)
    first = await subscribe(client, headers, "https://hr.example.test/a")
    second = await subscribe(client, headers, "https://hr.example.test/b")
    await deactivate(uow_factory, [first["id"], second["id"]])
    assert first["secret"] != second["secret"]


@pytest.mark.parametrize(
    "url",
    [
        "ftp://hr.example.test/hooks",
        "not a url",
        "javascript:alert(1)",
        "file:///etc/passwd",
        "https://",
        "https://user:password@hr.example.test/hooks",
        "https://hr.example.test/" + "a" * 2000,
    ],
)
async def test_bad_url_is_refused(client, uow_factory, url: str) -> None:
    """A URL that is not http(s), carries credentials or is too long → 422; nothing is stored."""
    headers = await make_client_headers(client, uow_factory)
    response = await client.post(SUBSCRIPTIONS, json={"url": url, "topics": [OPENED]}, headers=headers)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] in ("validation-failed", "webhook-url-not-allowed")
    assert (await client.get(SUBSCRIPTIONS, headers=headers)).json() == []


async def test_unknown_or_missing_topics_are_refused(client, uow_factory) -> None:
    """Unknown topics → 422 `unknown-topic` naming them; no topics or unknown fields → 422; nothing stored."""
    headers = await make_client_headers(client, uow_factory)
    url = "https://hr.example.test/hooks"
    unknown = await client.post(SUBSCRIPTIONS, json={"url": url, "topics": [OPENED, "case.opened"]}, headers=headers)
    assert unknown.status_code == 422
    assert unknown.json()["code"] == "unknown-topic"
    assert "case.opened" in unknown.json()["detail"]
    for body in (
        {"url": url, "topics": []},
        {"url": url},
        {"url": url, "topics": OPENED},
        {"url": url, "topics": [OPENED], "secret": "mine"},
    ):
        response = await client.post(SUBSCRIPTIONS, json=body, headers=headers)
        assert response.status_code == 422, body
        assert response.json()["code"] == "validation-failed"
    assert (await client.get(SUBSCRIPTIONS, headers=headers)).json() == []


async def test_production_accepts_only_https(settings, uow_factory) -> None:
    """In production a webhook URL must be https (422 `webhook-url-not-allowed` for http); elsewhere http is
    allowed for local receivers."""
    production = create_app(make_settings(environment="production"))
    try:
        transport = httpx.ASGITransport(app=production, client=("203.0.113.7", 50000))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as prod:
            headers = await make_client_headers(prod, uow_factory)
            plain = await prod.post(
                SUBSCRIPTIONS, json={"url": "http://hr.example.test/hooks", "topics": [OPENED]}, headers=headers
            )
            assert plain.status_code == 422, plain.text
            assert plain.json()["code"] == "webhook-url-not-allowed"
            secure = await subscribe(prod, headers, "https://hr.example.test/hooks")
            await deactivate(uow_factory, [secure["id"]])
            assert [s["id"] for s in (await prod.get(SUBSCRIPTIONS, headers=headers)).json()] == [secure["id"]]
    finally:
        await production.state.runtime.engine.dispose()
    assert settings.environment == "test"


async def test_http_is_allowed_outside_production(client, uow_factory) -> None:
    """Outside production an http URL (a receiver on the integrator's own machine) is accepted."""
    headers = await make_client_headers(client, uow_factory)
    body = await subscribe(client, headers, "http://127.0.0.1:9/hooks")
    await deactivate(uow_factory, [body["id"]])
    assert body["url"] == "http://127.0.0.1:9/hooks"


async def test_deactivate_is_idempotent_audited_and_stops_new_messages(client, uow_factory) -> None:
    """DELETE deactivates (204, audited once even when repeated); no new messages are queued for it."""
    headers = await make_client_headers(client, uow_factory)
    body = await subscribe(client, headers, "http://127.0.0.1:9/hooks")
    await publish(uow_factory)
    assert len(await messages_of(uow_factory, body["id"])) == 1
    for _ in range(2):
        response = await client.delete(f"{SUBSCRIPTIONS}/{body['id']}", headers=headers)
        assert response.status_code == 204
        assert response.content == b""
    listed = (await client.get(SUBSCRIPTIONS, headers=headers)).json()
    assert [(s["id"], s["active"]) for s in listed] == [(body["id"], False)]
    await publish(uow_factory)
    assert len(await messages_of(uow_factory, body["id"])) == 1
    async with uow_factory() as uow:
        audited = (
            await uow.session.scalars(
                select(AuditEntry).where(
                    AuditEntry.action == "webhook.subscription_deactivated", AuditEntry.target == body["id"]
                )
            )
        ).all()
        assert len(audited) == 1 and audited[0].actor_kind == "client"


async def test_acc_1_a_client_never_sees_another_clients_subscriptions(client, uow_factory) -> None:
    """ACC-1: another client's subscription answers 404 on DELETE, is not listed, and its deliveries are not in
    the caller's log (also when asked for by its id); it stays active."""
    owner = await make_client_headers(client, uow_factory)
    other = await make_client_headers(client, uow_factory)
    body = await subscribe(client, owner, "http://127.0.0.1:9/hooks")
    try:
        await publish(uow_factory)
        assert (await client.get(SUBSCRIPTIONS, headers=other)).json() == []
        refused = await client.delete(f"{SUBSCRIPTIONS}/{body['id']}", headers=other)
        assert refused.status_code == 404
        assert refused.json()["code"] == "not-found"
        missing = await client.delete(f"{SUBSCRIPTIONS}/{uuid.uuid4()}", headers=other)
        assert missing.status_code == 404 and missing.json()["title"] == refused.json()["title"]
        assert (await client.get(DELIVERIES, headers=other)).json()["total"] == 0
        by_id = await client.get(DELIVERIES, headers=other, params={"subscription_id": body["id"]})
        assert by_id.status_code == 200 and by_id.json()["items"] == []
        mine = await client.get(DELIVERIES, headers=owner, params={"subscription_id": body["id"]})
        assert mine.json()["total"] == 1
        listed = (await client.get(SUBSCRIPTIONS, headers=owner)).json()
        assert [(s["id"], s["active"]) for s in listed] == [(body["id"], True)]
    finally:
        await deactivate(uow_factory, [body["id"]])


async def test_delivery_log_lists_pending_events_with_paging(client, uow_factory) -> None:
    """The delivery log shows each event (id = event id, topic, status, attempts, next attempt), newest first,
    with offset/limit paging and a status filter."""
    headers = await make_client_headers(client, uow_factory)
    body = await subscribe(client, headers, "http://127.0.0.1:9/hooks", [OPENED, "separation.order_lifted"])
    try:
        await publish(uow_factory, OPENED)
        await publish(uow_factory, "separation.order_lifted")
        await publish(uow_factory, "separation.violation_found")  # not subscribed: not queued
        page = (await client.get(DELIVERIES, headers=headers)).json()
        assert page["total"] == 2 and page["offset"] == 0 and page["limit"] == 50
        assert [i["topic"] for i in page["items"]] == ["separation.order_lifted", OPENED]
        stored = {str(m.id): m for m in await messages_of(uow_factory, body["id"])}
        for item in page["items"]:
            assert item["id"] in stored and stored[item["id"]].payload["id"] == item["id"]
            assert item["subscription_id"] == body["id"]
            assert item["status"] == "pending" and item["attempts"] == 0
            assert item["next_attempt_at"] is not None and item["delivered_at"] is None
            assert item["last_attempt_at"] is None and item["last_status_code"] is None and item["last_error"] is None
        second = (await client.get(DELIVERIES, headers=headers, params={"offset": 1, "limit": 1})).json()
        assert second["total"] == 2 and [i["id"] for i in second["items"]] == [page["items"][1]["id"]]
        delivered = (await client.get(DELIVERIES, headers=headers, params={"status": "delivered"})).json()
        assert delivered["total"] == 0
        for params in ({"limit": 0}, {"limit": 201}, {"offset": -1}, {"status": "lost"}):
            response = await client.get(DELIVERIES, headers=headers, params=params)
            assert response.status_code == 422, params
    finally:
        await deactivate(uow_factory, [body["id"]])


async def test_anonymous_is_refused_on_every_webhook_endpoint(client) -> None:
    """No token → 401 `invalid-token` with WWW-Authenticate: Bearer, on all four endpoints."""
    for method, path in (
        ("POST", SUBSCRIPTIONS),
        ("GET", SUBSCRIPTIONS),
        ("DELETE", f"{SUBSCRIPTIONS}/{uuid.uuid4()}"),
        ("GET", DELIVERIES),
    ):
        kwargs: dict[str, Any] = {"json": {"url": "https://hr.example.test/h", "topics": [OPENED]}}
        response = await client.request(method, path, **(kwargs if method == "POST" else {}))
        assert response.status_code == 401, (method, path)
        assert response.json()["code"] == "invalid-token"
        assert response.headers["www-authenticate"] == "Bearer"


async def test_client_without_webhooks_manage_is_refused(client, uow_factory) -> None:
    """A machine client without the scope webhooks:manage → 403 `scope-not-allowed`; nothing is stored."""
    headers = await make_client_headers(client, uow_factory, ["separation:check", "separation:read"])
    for method, path in (
        ("POST", SUBSCRIPTIONS),
        ("GET", SUBSCRIPTIONS),
        ("DELETE", f"{SUBSCRIPTIONS}/{uuid.uuid4()}"),
        ("GET", DELIVERIES),
    ):
        kwargs: dict[str, Any] = {"json": {"url": "https://hr.example.test/h", "topics": [OPENED]}}
        response = await client.request(method, path, headers=headers, **(kwargs if method == "POST" else {}))
        assert response.status_code == 403, (method, path)
        assert response.json()["code"] == "scope-not-allowed"


async def test_staff_token_is_not_a_machine_token_here(client, uow_factory) -> None:
    """A staff member (even a sysadmin) cannot manage webhooks: a staff token is refused with 401."""
    staff = await make_staff(uow_factory, role=Role.sysadmin)
    headers = await login(client, staff)
    response = await client.get(SUBSCRIPTIONS, headers=headers)
    assert response.status_code == 401 and response.json()["code"] == "invalid-token"
