"""SEP-4 (and SEP-5, SAN-5, CON-2, MAN-3, which reach the personnel system and contractors through the same
webhooks): deliveries are signed as Standard Webhooks specifies, so a library nobody here wrote — `standardwebhooks`
1.1.0 — verifies the REAL deliveries the worker sends to a receiver on 127.0.0.1; secrets rotate with an overlap;
the OpenAPI document lists every event; the walkthrough receiver (scripts/webhook-receiver.py) uses the library."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import re
import sys
import time
import uuid
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from openapi_spec_validator import validate
from sqlalchemy import select
from standardwebhooks import Webhook, WebhookVerificationError

from app.db.models import AuditEntry, WebhookSubscription
from app.domain import webhook_secrets
from app.integrations.webhook_sender import signature_headers
from app.services import clock
from app.services.outbox import TOPICS
from app.worker import run_once
from tests.api import test_worker
from tests.api.test_webhooks import (
    OPENED,
    SUBSCRIPTIONS,
    deactivate,
    make_client_headers,
    messages_of,
    publish,
    subscribe,
)
from tests.api.test_worker import closed_port, later, receiver
from tests.builders import separation_event

ROOT = Path(__file__).resolve().parents[2]
# test_worker's fixtures: its worker settings (1 s timeout) and subscribe(receiver).
worker_settings = test_worker.worker_settings
subscribed = test_worker.subscribed
OVERLAP = webhook_secrets.ROTATION_OVERLAP.total_seconds()


def refused(secret: str, body: bytes, headers: dict[str, str]) -> bool:
    try:
        Webhook(secret).verify(body, headers)
    except (WebhookVerificationError, ValueError):  # ValueError: a secret the library cannot even decode
        return True
    return False


def other_secret() -> str:
    return "whsec_" + base64.b64encode(os.urandom(32)).decode()


def documented_python(marker: str) -> str:
    """The Python block of docs/webhooks.md that contains `marker`."""
    doc = (ROOT / "docs" / "webhooks.md").read_text()
    [snippet] = [b.split("```", 1)[0] for b in doc.split("```python\n")[1:] if marker in b]
    return snippet


async def rotate(client: Any, headers: dict[str, str], subscription_id: str) -> dict[str, Any]:
    response = await client.post(f"{SUBSCRIPTIONS}/{subscription_id}/secret/rotate", headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


async def test_sep_4_deliveries_verify_with_standard_webhooks(worker_settings, subscribed, uow_factory) -> None:
    """SEP-4: a real delivery carries webhook-id (the event id, the same on the retry), webhook-timestamp and a
    `v1,` signature that `Webhook(secret).verify` accepts — in docs/webhooks.md's three lines too; the library
    refuses a tampered body, an old timestamp and a wrong secret."""
    async with receiver([500]) as server:
        subscription = await subscribed(server)
        data = separation_event(OPENED)
        await publish(uow_factory, OPENED, data)
        [queued] = await messages_of(uow_factory, subscription["id"])
        await run_once(worker_settings)
        summary = await run_once(worker_settings, now=later(11))
    event_id = str(queued.id)
    assert event_id in summary.delivered_ids
    first, retry = server.for_events({event_id})
    secret = subscription["secret"]
    for got in (first, retry):
        assert got.verified  # the receiver verified it with the library as it arrived
        assert Webhook(secret).verify(got.body, got.headers) == json.loads(got.body)
        assert got.headers["webhook-id"] == event_id == json.loads(got.body)["id"]
        assert abs(int(got.headers["webhook-timestamp"]) - time.time()) < 60
        assert re.fullmatch(r"v1,[A-Za-z0-9+/]{43}=", got.headers["webhook-signature"])
        assert "withu-signature" not in got.headers and "withu-event-id" not in got.headers
    assert first.body == retry.body  # a retry: same id, same body, signed afresh

    namespace = {"secret": secret, "body": retry.body, "headers": retry.headers}
    exec(compile(documented_python("from standardwebhooks"), "docs/webhooks.md", "exec"), namespace)  # noqa: S102 - our own documentation
    assert namespace["event"]["data"] == data

    tampered = retry.body.replace(data["opened_on"].encode(), b"1999-01-01")
    assert tampered != retry.body and refused(secret, tampered, retry.headers)
    stale = int(time.time()) - 301  # the library's tolerance is 5 minutes
    assert refused(secret, retry.body, {**retry.headers, "webhook-timestamp": str(stale)})
    assert refused(secret, retry.body, signature_headers([secret], event_id, stale, retry.body))
    assert refused(other_secret(), retry.body, retry.headers)


async def test_sep_4_secrets_are_whsec_and_base64_of_random_bytes(client, uow_factory) -> None:
    """SEP-4: a subscription's secret is `whsec_` + standard base64 of 24–64 random bytes (Standard Webhooks);
    a rotated one too, and each is new."""
    headers = await make_client_headers(client, uow_factory)
    response = await client.post(
        SUBSCRIPTIONS, json={"url": "http://127.0.0.1:9/s", "topics": [OPENED]}, headers=headers
    )
    assert response.status_code == 201, response.text
    created = response.json()
    rotated = await rotate(client, headers, created["id"])
    for secret in (created["secret"], rotated["secret"]):
        assert re.fullmatch(r"whsec_[A-Za-z0-9+/]+={0,2}", secret)
        assert 24 <= len(base64.b64decode(secret.removeprefix("whsec_"), validate=True)) <= 64
    assert created["secret"] != rotated["secret"]


async def test_sep_4_rotation_signs_with_old_and_new_secret_then_only_the_new(
    worker_settings, client, uow_factory
) -> None:
    """SEP-4: after a rotation each delivery carries two signatures (`v1,… v1,…`), so both the old and the new
    secret verify it; 24 hours later only the new one does. Audited; the secrets are never listed."""
    headers = await make_client_headers(client, uow_factory)
    async with receiver() as server:
        subscription = await subscribe(client, headers, server.url)
        try:
            old = subscription["secret"]
            before = clock.now()
            answer = await rotate(client, headers, subscription["id"])
            new = server.secret = answer["secret"]
            until = datetime.fromisoformat(answer["previous_secrets_sign_until"])
            assert before + timedelta(seconds=OVERLAP - 5) < until < clock.now() + timedelta(seconds=OVERLAP + 5)
            await publish(uow_factory)
            await run_once(worker_settings)
            await publish(uow_factory)
            await run_once(worker_settings, now=later(OVERLAP + 60))
            during, after = await messages_of(uow_factory, subscription["id"])
            listed = (await client.get(SUBSCRIPTIONS, headers=headers)).json()
        finally:
            await deactivate(uow_factory, [subscription["id"]])
    [in_overlap] = server.for_events({str(during.id)})
    [past_overlap] = server.for_events({str(after.id)})
    assert len(in_overlap.headers["webhook-signature"].split(" ")) == 2
    assert not refused(old, in_overlap.body, in_overlap.headers)
    assert not refused(new, in_overlap.body, in_overlap.headers)
    assert len(past_overlap.headers["webhook-signature"].split(" ")) == 1
    assert not refused(new, past_overlap.body, past_overlap.headers)
    assert refused(old, past_overlap.body, past_overlap.headers)
    async with uow_factory() as uow:
        audited = await uow.session.scalar(
            select(AuditEntry).where(AuditEntry.action == "webhook.secret_rotated", AuditEntry.target == answer["id"])
        )
        assert audited is not None
    assert new not in json.dumps(listed) and old not in json.dumps(listed)


async def test_acc_1_another_clients_subscription_cannot_be_rotated(client, uow_factory) -> None:
    """ACC-1: rotating another client's subscription (or one that does not exist) answers 404 and changes nothing."""
    owner = await make_client_headers(client, uow_factory)
    stranger = await make_client_headers(client, uow_factory)
    response = await client.post(SUBSCRIPTIONS, json={"url": "http://127.0.0.1:9/a", "topics": [OPENED]}, headers=owner)
    created = response.json()
    for target in (created["id"], str(uuid.uuid4())):
        answer = await client.post(f"{SUBSCRIPTIONS}/{target}/secret/rotate", headers=stranger)
        assert answer.status_code == 404 and answer.json()["code"] == "not-found"
    async with uow_factory() as uow:
        row = await uow.session.get(WebhookSubscription, uuid.UUID(created["id"]))
        assert row is not None and row.secret == created["secret"]


async def test_sep_4_a_secret_issued_before_standard_webhooks_verifies_once_converted(
    worker_settings, subscribed, uow_factory
) -> None:
    """SEP-4: a secret issued before (`whsec_` + URL-safe base64) keeps its bytes; converted as docs/webhooks.md
    says, the library verifies its deliveries."""
    async with receiver() as server:
        subscription = await subscribed(server)
        legacy = "whsec_" + base64.urlsafe_b64encode(b"\xfb\xff" + os.urandom(30)).decode().rstrip("=")
        assert "-" in legacy or "_" in legacy
        async with uow_factory() as uow:
            row = await uow.session.get(WebhookSubscription, uuid.UUID(subscription["id"]))
            assert row is not None
            row.secret = legacy
            await uow.commit()
        namespace = {"old": legacy}
        exec(compile(documented_python("urlsafe_b64decode"), "docs/webhooks.md", "exec"), namespace)  # noqa: S102
        server.secret = converted = namespace["new"]
        await publish(uow_factory)
        [queued] = await messages_of(uow_factory, subscription["id"])
        summary = await run_once(worker_settings)
    assert str(queued.id) in summary.delivered_ids
    [got] = server.for_events({str(queued.id)})
    assert got.verified and not refused(converted, got.body, got.headers)
    assert refused(legacy, got.body, got.headers)  # unconverted, the library reads other bytes


def test_sep_4_openapi_lists_every_event_with_its_payload_and_signature_headers(app) -> None:  # type: ignore[no-untyped-def]
    """SEP-4, SEP-5, SAN-5, CON-2, MAN-3: the OpenAPI 3.1 document lists every topic the code can emit under
    `webhooks`, each with its payload schema (the published JSON Schema's) and the Standard Webhooks headers;
    the document stays valid, and a real envelope validates against the listed schema."""
    document = app.openapi()
    validate(document)
    assert set(document["webhooks"]) == set(TOPICS)
    schemas = document["components"]["schemas"]
    for topic in TOPICS:
        operation = document["webhooks"][topic]["post"]
        ref = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
        envelope = schemas[ref.rsplit("/", 1)[1]]
        assert envelope["properties"]["type"] == {"const": topic}
        data_ref = envelope["properties"]["data"]["$ref"]
        assert schemas[data_ref.rsplit("/", 1)[1]]["type"] == "object"
        names = {p["name"] for p in operation["parameters"] if p["in"] == "header" and p["required"]}
        assert {"webhook-id", "webhook-timestamp", "webhook-signature"} <= names
    registry_doc = {"components": {"schemas": schemas}}
    event = {"id": str(uuid.uuid4()), "type": OPENED, "created_at": "2026-11-28T00:00:00+00:00"}
    validator = jsonschema.Draft202012Validator(
        {**schemas[f"WebhookEvent.{OPENED}"], "components": registry_doc["components"]}
    )
    assert validator.is_valid({**event, "data": separation_event(OPENED)})
    assert not validator.is_valid({**event, "data": {**separation_event(OPENED), "victim": "x"}})


async def test_sep_4_the_walkthrough_receiver_verifies_with_standard_webhooks(
    worker_settings, subscribed, uow_factory
) -> None:
    """SEP-4: scripts/webhook-receiver.py (docs' walkthroughs) verifies with the library, takes several secrets
    (comma-separated) and answers 204 to a real delivery, 401 to one it cannot verify."""
    port = closed_port()
    url = f"http://127.0.0.1:{port}/withu"
    subscription = await subscribed(url=url)
    refused_sub = await subscribed(url=url)  # its secret is not the receiver's
    env = {**os.environ, "WITHU_WEBHOOK_SECRET": f"{other_secret()},{subscription['secret']}"}
    process = await asyncio.create_subprocess_exec(
        sys.executable, str(ROOT / "scripts" / "webhook-receiver.py"), str(port),
        env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    try:
        await _wait_for_port(port)
        await publish(uow_factory)
        good = (await messages_of(uow_factory, subscription["id"]))[0]
        bad = (await messages_of(uow_factory, refused_sub["id"]))[0]
        summary = await run_once(worker_settings)
    finally:
        process.terminate()
        out, err = await asyncio.wait_for(process.communicate(), timeout=30)
    assert str(good.id) in summary.delivered_ids and str(bad.id) not in summary.delivered_ids
    printed = out.decode()
    assert f"{OPENED}:" in printed and "refused" in printed, err.decode()


async def _wait_for_port(port: int) -> None:
    for _ in range(100):
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            await asyncio.sleep(0.05)
            continue
        writer.close()
        return
    pytest.fail("the receiver did not start")
