"""SEP-4, the personnel system is told: the worker delivers signed webhooks from the outbox to a REAL HTTP
receiver on 127.0.0.1 (asyncio streams, a minimal HTTP/1.1 server), with retries, leases and no duplicates. The
receiver verifies each delivery with the `standardwebhooks` library (Standard Webhooks, docs/webhooks.md §5).

The database is shared by all tests: each test creates its own subscriptions, looks only at its own event ids,
and deactivates its subscriptions at the end so later workers do not pick its leftovers up."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import signal
import socket
import sys
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.exc import OperationalError
from standardwebhooks import Webhook, WebhookVerificationError

from app.cli import migrate
from app.db.engine import make_engine, make_sessionmaker
from app.db.models import DeliveryAttempt, OutboxMessage
from app.db.uow import UnitOfWork
from app.domain.enums import ClientKind, OutboxStatus
from app.integrations.webhook_sender import encode_payload
from app.schemas.webhooks import WebhookSubscriptionCreate
from app.services import auth, clock, leases, webhooks
from app.services.actors import ClientActor
from app.settings import Settings
from app.worker import Worker, check_settings, run_once
from tests.api.test_webhooks import OPENED, deactivate, make_client_headers, messages_of, publish, subscribe
from tests.builders import separation_event
from tests.conftest import TEST_DNS

ROOT = Path(__file__).resolve().parents[2]


# --- a real receiver ---


@dataclass
class Received:
    event_id: str
    event_type: str
    content_type: str
    signature: str
    body: bytes
    verified: bool
    headers: dict[str, str] = field(default_factory=dict)  # every header, names in lower case
    host: str = ""  # the Host header: the subscription URL's name, whatever address the worker connected to


class Receiver:
    """An HTTP/1.1 server on 127.0.0.1 that verifies each request with the `standardwebhooks` library's
    `Webhook(secret).verify` (401 if it fails) and answers from `script` — a status, or (status, seconds to wait first) — then 200 once it runs out."""

    def __init__(self, script: list[int | tuple[int, float]] | None = None, port: int = 0) -> None:
        self.script = list(script or [])
        self.port = port
        self.secret = ""
        self.requests: list[Received] = []
        self.arrived = asyncio.Event()  # set on every request
        self._tasks: set[asyncio.Task[None]] = set()
        self._server: asyncio.Server | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks/withu"

    async def start(self) -> Receiver:
        self._server = await asyncio.start_server(self._on_connection, "127.0.0.1", self.port)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def close(self) -> None:
        assert self._server is not None
        self._server.close()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self._server.wait_closed()

    def for_events(self, event_ids: set[str]) -> list[Received]:
        return [r for r in self.requests if r.event_id in event_ids]

    async def _on_connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        try:
            await self._serve(reader, writer)
        except (ConnectionError, asyncio.IncompleteReadError):
            pass  # the worker gave up (timeout) and closed its side
        finally:
            self._tasks.discard(task)
            writer.close()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        request_line = await reader.readline()
        if not request_line:
            return
        method, _path, _version = request_line.decode().split(" ", 2)
        headers: dict[str, str] = {}
        while (line := await reader.readline()) not in (b"\r\n", b"\n", b""):
            name, _, value = line.decode().partition(":")
            headers[name.strip().lower()] = value.strip()
        body = await reader.readexactly(int(headers.get("content-length", "0")))
        verified = standard_webhooks_verify(self.secret, body, headers)
        self.requests.append(
            Received(
                event_id=headers.get("webhook-id", ""),
                event_type=headers.get("withu-event-type", ""),
                content_type=headers.get("content-type", ""),
                signature=headers.get("webhook-signature", ""),
                body=body,
                verified=verified and method == "POST",
                headers=headers,
                host=headers.get("host", ""),
            )
        )
        self.arrived.set()
        step = self.script.pop(0) if self.script else 200
        status, wait = step if isinstance(step, tuple) else (step, 0.0)
        if not verified:
            status = 401
        if wait:
            await asyncio.sleep(wait)
        writer.write(
            f"HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: 2\r\n"
            "Connection: close\r\n\r\n{}".encode()
        )
        await writer.drain()


def standard_webhooks_verify(secret: str, body: bytes, headers: dict[str, str]) -> bool:
    """The receiver's check, by the Standard Webhooks reference library (nobody here wrote it)."""
    if not secret:
        return False
    try:
        Webhook(secret).verify(body, headers)
    except WebhookVerificationError:
        return False
    return True


@asynccontextmanager
async def receiver(script: list[int | tuple[int, float]] | None = None, port: int = 0) -> AsyncIterator[Receiver]:
    server = await Receiver(script, port).start()
    try:
        yield server
    finally:
        await server.close()


def closed_port() -> int:
    """A port nothing listens on (connection refused)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def later(seconds: float) -> Callable[[], datetime]:
    """The worker's clock, `seconds` ahead: lets a test reach a retry's due time without sleeping."""
    return lambda: clock.now() + timedelta(seconds=seconds)


# --- fixtures and helpers ---


@pytest.fixture(scope="session")
def worker_settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"webhook_timeout_seconds": 1.0, "worker_lease_seconds": 30})


@pytest.fixture
async def subscribed(client, uow_factory) -> AsyncIterator[Callable[..., Any]]:  # type: ignore[no-untyped-def]
    """subscribe(receiver) → the subscription, its secret handed to the receiver; deactivated after the test."""
    headers = await make_client_headers(client, uow_factory)
    created: list[str] = []

    async def make(server: Receiver | None = None, url: str | None = None) -> dict[str, Any]:
        body = await subscribe(client, headers, url or (server.url if server else "http://127.0.0.1:9/"))
        created.append(body["id"])
        if server is not None:
            server.secret = body["secret"]
        return body

    yield make
    await deactivate(uow_factory, created)


async def attempts_of(uow_factory: Any, message_id: uuid.UUID) -> list[DeliveryAttempt]:
    async with uow_factory() as uow:
        rows = list(await uow.outbox.attempts_of(message_id))
        uow.session.expunge_all()
        return rows


async def message(uow_factory: Any, message_id: uuid.UUID) -> OutboxMessage:
    async with uow_factory() as uow:
        row = await uow.session.scalar(select(OutboxMessage).where(OutboxMessage.id == message_id))
        assert row is not None
        uow.session.expunge_all()
        return row


# --- delivery ---


async def test_sep_4_signed_event_is_delivered_and_verified_by_the_receiver(
    worker_settings, subscribed, uow_factory
) -> None:
    """SEP-4: the worker POSTs the event envelope {id, type, created_at, data} with WithU-Event-Type and the
    Standard Webhooks headers (webhook-id, webhook-timestamp, webhook-signature) the receiver verifies; a 2xx marks it delivered, logged once."""
    async with receiver() as server:
        subscription = await subscribed(server)
        data = separation_event(OPENED)
        await publish(uow_factory, OPENED, data)
        [queued] = await messages_of(uow_factory, subscription["id"])
        summary = await run_once(worker_settings)
    event_id = str(queued.id)
    assert event_id in summary.delivered_ids
    [got] = server.for_events({event_id})
    assert got.verified
    assert got.content_type == "application/json" and got.event_type == OPENED
    payload = json.loads(got.body)
    assert payload == {
        "id": event_id,
        "type": OPENED,
        "created_at": queued.payload["created_at"],
        "data": data,
    }
    assert got.body == encode_payload(queued.payload)  # the bytes signed are the bytes sent
    row = await message(uow_factory, queued.id)
    assert row.status == OutboxStatus.delivered and row.attempts == 1
    assert row.delivered_at is not None and row.lease_until is None
    [attempt] = await attempts_of(uow_factory, queued.id)
    assert attempt.status_code == 200 and attempt.error is None and attempt.duration_ms >= 0


async def test_delivery_log_shows_the_outcome(worker_settings, client, uow_factory) -> None:
    """The integrator's delivery log shows delivered events with attempts, delivered_at and the last status."""
    headers = await make_client_headers(client, uow_factory)
    async with receiver([503]) as server:
        subscription = await subscribe(client, headers, server.url)
        server.secret = subscription["secret"]
        try:
            await publish(uow_factory)
            await run_once(worker_settings)
            params = {"subscription_id": subscription["id"]}
            [failed] = (await client.get("/api/v1/webhooks/deliveries", headers=headers, params=params)).json()["items"]
            assert failed["status"] == "pending" and failed["attempts"] == 1
            assert failed["last_status_code"] == 503 and failed["last_error"] == "HTTP 503"
            assert failed["next_attempt_at"] > failed["last_attempt_at"]
            await run_once(worker_settings, now=later(11))
            [done] = (await client.get("/api/v1/webhooks/deliveries", headers=headers, params=params)).json()["items"]
        finally:
            await deactivate(uow_factory, [subscription["id"]])
    assert done["id"] == failed["id"]
    assert done["status"] == "delivered" and done["attempts"] == 2
    assert done["last_status_code"] == 200 and done["last_error"] is None
    assert done["delivered_at"] is not None and done["next_attempt_at"] is None


async def test_500_then_200_is_retried_with_backoff_then_delivered(worker_settings, subscribed, uow_factory) -> None:
    """A receiver answering 500 gets the same event again after the backoff (10 s), not before; the 200 that
    follows delivers it: two attempts logged, one event id, the same body."""
    async with receiver([500]) as server:
        subscription = await subscribed(server)
        await publish(uow_factory)
        [queued] = await messages_of(uow_factory, subscription["id"])
        first = await run_once(worker_settings)
        row = await message(uow_factory, queued.id)
        assert str(queued.id) not in first.delivered_ids
        assert row.status == OutboxStatus.pending and row.attempts == 1 and row.lease_until is None
        [attempt] = await attempts_of(uow_factory, queued.id)
        assert attempt.status_code == 500 and attempt.error == "HTTP 500"
        delay = (row.next_attempt_at - attempt.attempted_at).total_seconds()
        assert 10 <= delay < 11
        await run_once(worker_settings)  # not due yet: nothing is sent
        assert len(server.for_events({str(queued.id)})) == 1
        second = await run_once(worker_settings, now=later(11))
    assert str(queued.id) in second.delivered_ids
    received = server.for_events({str(queued.id)})
    assert len(received) == 2 and all(r.verified for r in received)
    assert received[0].body == received[1].body
    attempts = await attempts_of(uow_factory, queued.id)
    assert [a.status_code for a in attempts] == [500, 200]
    row = await message(uow_factory, queued.id)
    assert row.status == OutboxStatus.delivered and row.attempts == 2


async def test_receiver_that_is_down_is_retried_later_not_lost(worker_settings, subscribed, uow_factory) -> None:
    """Connection refused is a failed attempt; the event waits, and is delivered once the receiver is back."""
    port = closed_port()
    subscription = await subscribed(url=f"http://127.0.0.1:{port}/hooks/withu")
    await publish(uow_factory)
    [queued] = await messages_of(uow_factory, subscription["id"])
    await run_once(worker_settings)
    row = await message(uow_factory, queued.id)
    assert row.status == OutboxStatus.pending and row.attempts == 1 and row.next_attempt_at > clock.now()
    [attempt] = await attempts_of(uow_factory, queued.id)
    assert attempt.status_code is None and attempt.error == "request failed (ConnectError)"
    await run_once(worker_settings, now=later(11))  # still down: second attempt, longer wait
    row = await message(uow_factory, queued.id)
    assert row.status == OutboxStatus.pending and row.attempts == 2
    assert (row.next_attempt_at - clock.now()).total_seconds() > 25  # 11 s ahead + 20 s backoff
    async with receiver(port=port) as server:
        server.secret = await _secret_of(uow_factory, subscription["id"])
        summary = await run_once(worker_settings, now=later(40))
    assert str(queued.id) in summary.delivered_ids
    [got] = server.for_events({str(queued.id)})
    assert got.verified
    assert (await message(uow_factory, queued.id)).status == OutboxStatus.delivered


async def _secret_of(uow_factory: Any, subscription_id: str) -> str:
    async with uow_factory() as uow:
        row = await uow.outbox.subscriptions_by_id([uuid.UUID(subscription_id)])
        return row[uuid.UUID(subscription_id)].secret


async def test_slow_receiver_counts_as_a_failed_attempt(settings, subscribed, uow_factory) -> None:
    """A receiver slower than the timeout is a failed attempt (the wait is bounded); it is retried later."""
    fast = settings.model_copy(update={"webhook_timeout_seconds": 0.5, "worker_lease_seconds": 30})
    async with receiver([(200, 3.0)]) as server:
        subscription = await subscribed(server)
        await publish(uow_factory)
        [queued] = await messages_of(uow_factory, subscription["id"])
        summary = await run_once(fast)  # the wait is bounded: the attempt's own duration says so (below)
        assert str(queued.id) not in summary.delivered_ids
        [attempt] = await attempts_of(uow_factory, queued.id)
        assert attempt.status_code is None and attempt.error is not None and attempt.error.startswith("timeout")
        assert 400 <= attempt.duration_ms < 2500
        row = await message(uow_factory, queued.id)
        assert row.status == OutboxStatus.pending and row.attempts == 1 and row.lease_until is None
        retried = await run_once(fast, now=later(11))
    assert str(queued.id) in retried.delivered_ids
    # The slow receiver did read the first request: receivers drop the repeat by its event id.
    assert [r.event_id for r in server.for_events({str(queued.id)})] == [str(queued.id)] * 2


async def test_no_second_delivery_after_a_2xx(worker_settings, subscribed, uow_factory) -> None:
    """After a 2xx the event is never sent again, however often (and however much later) workers run."""
    async with receiver([202]) as server:
        subscription = await subscribed(server)
        await publish(uow_factory)
        [queued] = await messages_of(uow_factory, subscription["id"])
        await run_once(worker_settings)
        for ahead in (0, 3600, 7 * 24 * 3600):
            again = await run_once(worker_settings, now=later(ahead))
            assert str(queued.id) not in again.delivered_ids
    assert len(server.for_events({str(queued.id)})) == 1
    row = await message(uow_factory, queued.id)
    assert row.status == OutboxStatus.delivered and row.attempts == 1
    assert [a.status_code for a in await attempts_of(uow_factory, queued.id)] == [202]


async def test_sep_4_a_2xx_is_recorded_even_if_the_database_is_away_for_a_moment(
    worker_settings, subscribed, uow_factory, monkeypatch
) -> None:
    """SEP-4 (reliability review, chaos suite): recording a receiver's 2xx meets a database that is busy or away for
    a moment (the fault is injected into the first recording); the worker records it again while its lease holds,
    so the event is marked delivered and never sent a second time."""
    real_record = webhooks.record_attempt
    faults: list[str] = []

    async def record_once_unavailable(*args: Any, **kwargs: Any) -> OutboxStatus:
        if not faults:
            faults.append("database is locked")
            raise OperationalError("UPDATE outbox_message", {}, Exception("database is locked"))
        return await real_record(*args, **kwargs)

    monkeypatch.setattr(webhooks, "record_attempt", record_once_unavailable)
    async with receiver([204]) as server:
        subscription = await subscribed(server)
        await publish(uow_factory)
        [queued] = await messages_of(uow_factory, subscription["id"])
        summary = await run_once(worker_settings)
        assert faults == ["database is locked"]
        assert str(queued.id) in summary.delivered_ids
        for ahead in (0, 60):
            again = await run_once(worker_settings, now=later(ahead))
            assert str(queued.id) not in again.delivered_ids
    assert len(server.for_events({str(queued.id)})) == 1
    row = await message(uow_factory, queued.id)
    assert row.status == OutboxStatus.delivered and row.attempts == 1


async def test_two_workers_deliver_each_event_exactly_once(worker_settings, subscribed, uow_factory) -> None:
    """Two workers with their own engines run at once (FOR UPDATE SKIP LOCKED on PostgreSQL, serialised
    writers on SQLite): every event reaches the receiver once, and each is delivered by one worker only."""
    async with receiver([(200, 0.05)] * 30) as server:
        subscription = await subscribed(server)
        for _ in range(16):
            await publish(uow_factory, OPENED, separation_event(OPENED))
        ids = {str(m.id) for m in await messages_of(uow_factory, subscription["id"])}
        assert len(ids) == 16
        first, second = await asyncio.gather(
            run_once(worker_settings, concurrency=3), run_once(worker_settings, concurrency=3)
        )
    mine_first, mine_second = set(first.delivered_ids) & ids, set(second.delivered_ids) & ids
    assert not mine_first & mine_second
    assert mine_first | mine_second == ids
    received = server.for_events(ids)
    assert sorted(r.event_id for r in received) == sorted(ids)
    assert all(r.verified for r in received)
    for event_id in ids:
        assert len(await attempts_of(uow_factory, uuid.UUID(event_id))) == 1


async def test_a_claim_in_progress_is_skipped_by_another_worker(subscribed, uow_factory) -> None:
    """While one worker's claim transaction is open, another claims none of its rows: on PostgreSQL it skips
    them at once (FOR UPDATE SKIP LOCKED), on SQLite it waits for the first to commit and finds them leased."""
    subscription = await subscribed(url="http://127.0.0.1:9/hooks")
    for _ in range(3):
        await publish(uow_factory)
    mine = {m.id for m in await messages_of(uow_factory, subscription["id"])}
    now = clock.now()

    async def second_claim() -> set[uuid.UUID]:
        async with uow_factory() as uow:
            claimed = await webhooks.claim_due(uow, now, limit=1000, lease_seconds=30)
            await uow.commit()
            return {c.id for c in claimed}

    async with uow_factory() as first:
        first_ids = {c.id for c in await webhooks.claim_due(first, now, limit=1000, lease_seconds=30)}
        assert mine <= first_ids
        second = asyncio.create_task(second_claim())
        await asyncio.sleep(0.3)
        if first.session.bind.dialect.name == "postgresql":
            assert second.done(), "SKIP LOCKED: the second worker does not wait for the first"
        await first.commit()
    assert not (await second) & mine


async def test_a_leased_event_is_not_claimed_until_the_lease_runs_out(worker_settings, subscribed, uow_factory) -> None:
    """A worker that claimed an event and died holds it only until its lease runs out; then another worker
    delivers it — never lost, never sent by two workers at once."""
    async with receiver() as server:
        subscription = await subscribed(server)
        await publish(uow_factory)
        [queued] = await messages_of(uow_factory, subscription["id"])
        async with uow_factory() as uow:  # the worker that dies after claiming
            claimed = await webhooks.claim_due(uow, clock.now(), limit=1000, lease_seconds=30)
            await uow.commit()
        assert queued.id in {c.id for c in claimed}
        assert str(queued.id) not in (await run_once(worker_settings)).delivered_ids
        assert server.for_events({str(queued.id)}) == []
        summary = await run_once(worker_settings, now=later(31))
    assert str(queued.id) in summary.delivered_ids
    assert len(server.for_events({str(queued.id)})) == 1


async def test_a_late_answer_does_not_free_another_workers_lease(settings, subscribed, uow_factory) -> None:
    """A worker whose lease ran out records its failed attempt, but leaves the schedule and the lease of the
    worker that took over alone; the new holder's 2xx then delivers the event."""
    subscription = await subscribed(url="http://127.0.0.1:9/hooks")
    await publish(uow_factory)
    [queued] = await messages_of(uow_factory, subscription["id"])
    t0 = clock.now()
    async with uow_factory() as uow:
        [stale] = [c for c in await webhooks.claim_due(uow, t0, limit=1000, lease_seconds=30) if c.id == queued.id]
        await uow.commit()
    async with uow_factory() as uow:
        current = [c for c in await webhooks.claim_due(uow, t0 + timedelta(seconds=31), limit=1000, lease_seconds=30)]
        [holder] = [c for c in current if c.id == queued.id]
        await uow.commit()
    async with uow_factory() as uow:
        status = await webhooks.record_attempt(
            uow, stale, attempted_at=t0, status_code=None, error="timeout", duration_ms=10_000, now=t0
        )
        await uow.commit()
    assert status == OutboxStatus.pending
    row = await message(uow_factory, queued.id)
    assert row.lease_until == holder.lease_until and row.attempts == 1
    async with uow_factory() as uow:
        status = await webhooks.record_attempt(
            uow, holder, attempted_at=t0, status_code=204, error=None, duration_ms=5, now=t0 + timedelta(seconds=32)
        )
        await uow.commit()
    assert status == OutboxStatus.delivered
    row = await message(uow_factory, queued.id)
    assert row.status == OutboxStatus.delivered and row.attempts == 2 and row.lease_until is None


async def test_deactivated_subscription_gets_no_further_deliveries(worker_settings, subscribed, uow_factory) -> None:
    """An event queued before the subscription was deactivated is not delivered afterwards."""
    async with receiver() as server:
        subscription = await subscribed(server)
        await publish(uow_factory)
        [queued] = await messages_of(uow_factory, subscription["id"])
        await deactivate(uow_factory, [subscription["id"]])
        await run_once(worker_settings)
    assert server.for_events({str(queued.id)}) == []
    assert (await message(uow_factory, queued.id)).status == OutboxStatus.pending


async def test_logs_name_the_event_never_the_payload_secret_or_url(
    worker_settings, subscribed, uow_factory, caplog
) -> None:
    """The worker logs message id, topic and status code — never the payload, the secret or the URL."""
    async with receiver([500]) as server:
        subscription = await subscribed(server)
        await publish(uow_factory, OPENED, separation_event(OPENED, "SO-CANAR-Y7Q2Z"))
        [queued] = await messages_of(uow_factory, subscription["id"])
        with caplog.at_level(logging.INFO), caplog.at_level(logging.DEBUG, logger="withu"):
            await run_once(worker_settings)
            await run_once(worker_settings, now=later(11))
    assert str(queued.id) in caplog.text and OPENED in caplog.text and "500" in caplog.text
    for secret_or_content in ("SO-CANAR-Y7Q2Z", subscription["secret"], server.url, f":{server.port}"):
        assert secret_or_content not in caplog.text


# --- the command ---


@dataclass
class CliDatabase:
    settings: Settings
    uow_factory: Callable[[], UnitOfWork]

    async def subscribe(self, server: Receiver) -> str:
        """A subscription made through the use cases (the API's app is bound to the shared database)."""
        async with self.uow_factory() as uow:
            row, _ = await auth.create_client(uow, "Test personnel system", ClientKind.hr_system, ["webhooks:manage"])
            actor = ClientActor(row.client_id, ClientKind.hr_system, frozenset({"webhooks:manage"}))
            created = await webhooks.create_subscription(
                uow, actor, WebhookSubscriptionCreate.model_validate({"url": server.url, "topics": [OPENED]}), TEST_DNS
            )
            await uow.commit()
        server.secret = created.secret
        return str(created.id)


@pytest.fixture
async def cli_database(settings: Settings, uow_factory, tmp_path) -> AsyncIterator[CliDatabase]:  # type: ignore[no-untyped-def]
    """The database a `withu worker` process works on. PostgreSQL: the shared test database. SQLite: a file of
    its own, because other tests read the shared SQLite file directly (canary scans); closing those file
    handles drops this process's POSIX locks, and a second process closing the database would then take
    itself for the last user and delete the WAL from under this one (SQLite's "How To Corrupt" §2.2)."""
    if not settings.is_sqlite:
        yield CliDatabase(settings, uow_factory)
        return
    own = settings.model_copy(update={"database_url": f"sqlite+aiosqlite:///{tmp_path / 'worker.db'}"})
    await asyncio.to_thread(migrate, own)
    engine = make_engine(own.database_url)
    sessionmaker = make_sessionmaker(engine)
    try:
        yield CliDatabase(own, lambda: UnitOfWork(sessionmaker, own))
    finally:
        await engine.dispose()


def _worker_env(settings: Settings, **extra: str) -> dict[str, str]:
    assert settings.master_key is not None
    return {
        **os.environ,
        "WITHU_ENVIRONMENT": "test",
        "WITHU_DATABASE_URL": settings.database_url,
        "WITHU_MASTER_KEY": settings.master_key,
        "WITHU_JWT_SECRET": settings.jwt_secret,
        "WITHU_WEBHOOK_ALLOWED_HOSTS": ",".join(settings.webhook_allowed_hosts),
        **extra,
    }


async def test_withu_worker_once_delivers_and_exits(cli_database: CliDatabase) -> None:
    """`withu worker --once` delivers what is due and exits 0."""
    db = cli_database
    async with receiver() as server:
        subscription_id = await db.subscribe(server)
        try:
            await publish(db.uow_factory)
            [queued] = await messages_of(db.uow_factory, subscription_id)
            process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "app.cli", "worker", "--once", "--concurrency", "4",
                cwd=ROOT, env=_worker_env(db.settings, WITHU_WEBHOOK_TIMEOUT_SECONDS="2"),
                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
            )  # fmt: skip
            out, err = await asyncio.wait_for(process.communicate(), timeout=60)
        finally:
            await deactivate(db.uow_factory, [subscription_id])
    assert process.returncode == 0, err.decode()
    assert "delivered" in out.decode()
    [got] = server.for_events({str(queued.id)})
    assert got.verified
    assert (await message(db.uow_factory, queued.id)).status == OutboxStatus.delivered
    assert server.secret not in (out + err).decode()


async def test_withu_worker_finishes_the_delivery_in_flight_on_sigterm(cli_database: CliDatabase, tmp_path) -> None:
    """`withu worker` polls; on SIGTERM it finishes the delivery in flight, records it, and exits 0."""
    db = cli_database
    log_path = tmp_path / "worker.log"
    async with receiver([(200, 1.0)]) as server:
        subscription_id = await db.subscribe(server)
        with log_path.open("wb") as log_file:  # a file, not a pipe: a full pipe would stall the worker
            process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "app.cli", "worker",
                cwd=ROOT, env=_worker_env(db.settings, WITHU_WORKER_POLL_SECONDS="0.2", WITHU_WEBHOOK_TIMEOUT_SECONDS="5"),
                stdout=log_file, stderr=log_file,
            )  # fmt: skip
        try:
            await publish(db.uow_factory)
            [queued] = await messages_of(db.uow_factory, subscription_id)
            arrived, exited = asyncio.create_task(server.arrived.wait()), asyncio.create_task(process.wait())
            await asyncio.wait({arrived, exited}, timeout=60, return_when=asyncio.FIRST_COMPLETED)
            arrived.cancel()
            assert server.for_events({str(queued.id)}), log_path.read_text()
            process.send_signal(signal.SIGTERM)  # while the receiver is still answering
            await asyncio.wait_for(exited, timeout=30)
        finally:
            if process.returncode is None:
                process.kill()
                await process.wait()
            await deactivate(db.uow_factory, [subscription_id])
    output = log_path.read_text()
    assert process.returncode == 0, output
    assert "worker stopped" in output
    row = await message(db.uow_factory, queued.id)
    assert row.status == OutboxStatus.delivered and row.attempts == 1
    assert len(server.for_events({str(queued.id)})) == 1


# --- backoff and settings (no database) ---


def test_backoff_doubles_from_ten_seconds_to_an_hour_and_never_gives_up() -> None:
    """Retries wait 10 s, doubling, capped at 1 hour; there is no last attempt (and no overflow after years)."""
    waits = [leases.backoff_seconds(n, 10, 3600) for n in range(1, 12)]
    assert waits == [10, 20, 40, 80, 160, 320, 640, 1280, 2560, 3600, 3600]
    assert leases.backoff_seconds(100_000, 10, 3600) == 3600


def test_a_lease_shorter_than_a_delivery_is_refused(settings) -> None:
    """The lease must outlast the request timeout, or a second worker could send an event still in flight."""
    with pytest.raises(ValueError, match="LEASE"):
        check_settings(settings.model_copy(update={"webhook_timeout_seconds": 30.0, "worker_lease_seconds": 35}))
    check_settings(settings)


def test_worker_refuses_zero_concurrency(settings) -> None:
    """At least one delivery must be in flight at a time."""
    with pytest.raises(ValueError):
        Worker(settings, None, None, concurrency=0)  # type: ignore[arg-type]
