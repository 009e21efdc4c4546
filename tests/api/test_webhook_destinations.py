"""Security review F7: webhook URLs (SEP-4) must not reach WithU's own network. Refused at subscription (422
`webhook-destination-not-allowed`) and again at every delivery, where the worker connects to the address it
checked (a name that re-resolves elsewhere — DNS rebinding — is refused then).

No test here sends a request anywhere but 127.0.0.1: names are looked up in a fixed table (StaticResolver,
never real DNS), and the worker's HTTP client in the rebinding test is a recording fake that sends nothing."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta

import httpx
import pytest
from fastapi import FastAPI

from app.integrations.resolver import StaticResolver
from app.main import create_app
from app.services import clock
from app.services.webhooks import WebhookDestinationNotAllowed
from app.settings import Settings
from app.worker import DESTINATION_REFUSED, Worker, run_once
from tests.api.test_webhooks import (
    DELIVERIES,
    SUBSCRIPTIONS,
    deactivate,
    make_client_headers,
    messages_of,
    publish,
    subscribe,
)
from tests.api.test_worker import attempts_of, message, receiver
from tests.conftest import make_settings

PUBLIC = "93.184.215.14"  # never contacted: the only client that "sends" to it is the recording fake
TABLE = {
    "hooks.example.com": [PUBLIC],
    "intranet.example.com": ["10.0.0.5"],
    "cloud.example.com": ["169.254.169.254"],
    "v6.example.com": ["fd00::1"],
    "linklocal.example.com": ["fe80::1"],
    "cgnat.example.com": ["100.64.0.1"],
    "loop.example.com": ["127.0.0.1"],
    "split.example.com": [PUBLIC, "192.168.1.1"],
}


@dataclass
class Strict:
    """An app without allow-list (production's default) on the shared database, with its own name table."""

    app: FastAPI
    client: httpx.AsyncClient
    dns: StaticResolver
    settings: Settings


@pytest.fixture
async def strict() -> AsyncIterator[Strict]:
    dns = StaticResolver(TABLE)
    settings = make_settings(webhook_allowed_hosts=[])
    application = create_app(settings, resolve=dns)
    transport = httpx.ASGITransport(app=application, client=("203.0.113.7", 50000))
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
            yield Strict(application, c, dns, settings)
    finally:
        await application.state.runtime.engine.dispose()


async def _refused(strict: Strict, uow_factory, url: str) -> httpx.Response:  # type: ignore[no-untyped-def]
    headers = await make_client_headers(strict.client, uow_factory)
    response = await strict.client.post(SUBSCRIPTIONS, json={"url": url, "topics": ["separation.order_opened"]},
                                        headers=headers)  # fmt: skip
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert (await strict.client.get(SUBSCRIPTIONS, headers=headers)).json() == [], "nothing is stored"
    return response


@pytest.mark.parametrize(
    "url",
    [
        "http://10.0.0.5/hooks",
        "http://172.16.0.1/hooks",
        "http://192.168.1.1/hooks",
        "http://169.254.169.254/latest/meta-data/",
        "http://100.64.0.1/hooks",
        "http://[::1]:8000/hooks",
        "http://[fd00::1]/hooks",
        "https://[fd00:ec2::254]/latest/meta-data/",
        "http://[fe80::1]/hooks",
        "http://0.0.0.0:5432/",
        "http://127.0.0.1:5432/",  # loopback, as long as the operator did not allow-list it
        "http://0x7f000001:6379/",  # the URL type reads it as 127.0.0.1
        "http://[::ffff:127.0.0.1]/",
        "https://db:5432/",
        "http://redis:6379/",
        "http://localhost:8000/api/v1/health",
    ],
)
async def test_f7_internal_addresses_and_service_names_are_refused_at_subscription(
    strict: Strict, uow_factory, url: str
) -> None:
    """F7: a literal internal address or a bare service name → 422 `webhook-destination-not-allowed`, nothing
    stored, no name looked up; the answer reads the same for every reason (it must not map the network)."""
    response = await _refused(strict, uow_factory, url)
    problem = response.json()
    assert problem["code"] == "webhook-destination-not-allowed"
    assert problem["detail"] == WebhookDestinationNotAllowed.DETAIL
    assert strict.dns.asked == []


@pytest.mark.parametrize("name", [n for n in TABLE if n != "hooks.example.com"])
async def test_f7_names_resolving_to_internal_addresses_are_refused_at_subscription(
    strict: Strict, uow_factory, name: str
) -> None:
    """F7: a name is looked up and refused when any of its addresses is internal (one of two is enough),
    with the same answer as a literal address."""
    response = await _refused(strict, uow_factory, f"https://{name}/hooks")
    assert response.json()["code"] == "webhook-destination-not-allowed"
    assert response.json()["detail"] == WebhookDestinationNotAllowed.DETAIL
    assert strict.dns.asked == [name]


async def test_f7_a_name_that_does_not_resolve_is_refused(strict: Strict, uow_factory) -> None:
    """F7: a name without addresses cannot be checked → 422 `webhook-host-unresolvable`, nothing stored."""
    response = await _refused(strict, uow_factory, "https://nowhere.example.com/hooks")
    assert response.json()["code"] == "webhook-host-unresolvable"


async def test_f7_a_public_name_is_accepted_and_the_allow_list_admits_loopback(strict: Strict, uow_factory, client):  # type: ignore[no-untyped-def]
    """F7: a name resolving to public addresses is accepted; 127.0.0.1 is refused without the operator's
    allow-list and accepted with it (the test settings allow-list it, as `make run` does)."""
    headers = await make_client_headers(strict.client, uow_factory)
    accepted = await subscribe(strict.client, headers, "https://hooks.example.com/withu")
    loopback = "http://127.0.0.1:9/hooks"
    refused = await strict.client.post(SUBSCRIPTIONS, json={"url": loopback, "topics": ["separation.order_opened"]},
                                       headers=headers)  # fmt: skip
    allowed_headers = await make_client_headers(client, uow_factory)
    allowed = await subscribe(client, allowed_headers, loopback)
    await deactivate(uow_factory, [accepted["id"], allowed["id"]])
    assert strict.dns.asked == ["hooks.example.com"]
    assert refused.status_code == 422 and refused.json()["code"] == "webhook-destination-not-allowed"
    assert allowed["url"] == loopback


def _recording_client() -> tuple[httpx.AsyncClient, list[httpx.Request]]:
    """The worker's HTTP client with a fake transport: it records each request and answers 204, sending nothing."""
    sent: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(204)

    return httpx.AsyncClient(transport=httpx.MockTransport(answer), follow_redirects=False), sent


async def test_f7_a_name_rebound_to_an_internal_address_is_refused_at_delivery(strict: Strict, uow_factory) -> None:
    """F7, DNS rebinding: a name that was public at subscription and now resolves to 10.0.0.5 is refused at
    delivery — no request at all, a failed attempt with an opaque reason, retried later. Once it resolves to a
    public address again, the worker connects to that checked address while sending the name in Host and SNI."""
    headers = await make_client_headers(strict.client, uow_factory)
    subscription = await subscribe(strict.client, headers, "https://hooks.example.com/withu")
    http, sent = _recording_client()
    runtime = strict.app.state.runtime
    try:
        await publish(uow_factory)
        [queued] = await messages_of(uow_factory, subscription["id"])
        strict.dns.set("hooks.example.com", "10.0.0.5")
        async with http:
            worker = Worker(strict.settings, runtime.sessionmaker, http, jobs=(), resolve=strict.dns)
            await worker.run_once()
            mine = [r for r in sent if r.headers.get("webhook-id") == str(queued.id)]
            assert mine == [] and all(r.headers.get("host") != "hooks.example.com" for r in sent)
            [attempt] = await attempts_of(uow_factory, queued.id)
            assert attempt.status_code is None and attempt.error == DESTINATION_REFUSED
            assert (await message(uow_factory, queued.id)).status == "pending"
            log = await strict.client.get(DELIVERIES, headers=headers, params={"subscription_id": subscription["id"]})
            [item] = log.json()["items"]
            assert item["last_error"] == DESTINATION_REFUSED and item["last_status_code"] is None
            assert "10.0.0.5" not in log.text and "private" not in log.text

            strict.dns.set("hooks.example.com", PUBLIC)
            later = Worker(strict.settings, runtime.sessionmaker, http, jobs=(), resolve=strict.dns,
                           now=lambda: clock.now() + timedelta(seconds=11))  # fmt: skip
            await later.run_once()
    finally:
        await deactivate(uow_factory, [subscription["id"]])
    assert strict.dns.asked == ["hooks.example.com"] * 3  # at subscription and before each delivery
    [request] = [r for r in sent if r.headers.get("webhook-id") == str(queued.id)]
    assert request.url.host == PUBLIC and request.url.scheme == "https" and request.url.path == "/withu"
    assert request.headers["host"] == "hooks.example.com"
    assert request.extensions["sni_hostname"] == "hooks.example.com"
    assert (await message(uow_factory, queued.id)).status == "delivered"


async def test_f7_delivery_connects_to_the_checked_address_with_the_name_in_host(settings, uow_factory) -> None:
    """F7: the worker connects to the address its own lookup returned (here 127.0.0.1, allow-listed; the name
    exists in no real DNS), and the receiver still sees its name and port in the Host header."""
    dns = StaticResolver({"receiver.example.com": ["127.0.0.1"]})
    application = create_app(settings, resolve=dns)
    transport = httpx.ASGITransport(app=application, client=("203.0.113.7", 50000))
    try:
        async with (
            httpx.AsyncClient(transport=transport, base_url="http://testserver") as c,
            receiver() as server,
        ):
            headers = await make_client_headers(c, uow_factory)
            subscription = await subscribe(c, headers, f"http://receiver.example.com:{server.port}/hooks/withu")
            server.secret = subscription["secret"]
            try:
                await publish(uow_factory)
                [queued] = await messages_of(uow_factory, subscription["id"])
                summary = await run_once(settings, resolve=dns)
            finally:
                await deactivate(uow_factory, [subscription["id"]])
    finally:
        await application.state.runtime.engine.dispose()
    assert str(queued.id) in summary.delivered_ids
    [got] = server.for_events({str(queued.id)})
    assert got.verified and got.host == f"receiver.example.com:{server.port}"
