"""The background worker (`withu worker`): delivers the outbox's webhooks (SEP-4: the personnel system is told).

One round: claim due messages in a short transaction (a lease, `FOR UPDATE SKIP LOCKED` on PostgreSQL), commit;
deliver them concurrently outside any transaction; record each outcome in its own short transaction (delivered
on a 2xx, else a retry with backoff). Any number of workers may run side by side: a leased or delivered message
is never claimed again. Logs carry message id, topic, status code — never payloads, secrets or URLs.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.db import encryption
from app.db.engine import make_engine, make_sessionmaker
from app.db.uow import UnitOfWork
from app.domain.enums import OutboxStatus
from app.integrations import webhook_sender
from app.services import clock, webhooks
from app.settings import Settings

log = logging.getLogger("withu.worker")
Clock = Callable[[], datetime]
# Time to record an outcome after the request's deadline, before another worker may take the lease over.
LEASE_MARGIN_SECONDS = 10.0


@dataclass
class RunSummary:
    claimed: int = 0
    delivered: int = 0
    failed: int = 0
    delivered_ids: list[str] = field(default_factory=list)

    def add(self, other: RunSummary) -> None:
        self.claimed += other.claimed
        self.delivered += other.delivered
        self.failed += other.failed
        self.delivered_ids.extend(other.delivered_ids)


def check_settings(settings: Settings) -> None:
    """A lease shorter than a delivery would let a second worker send the same message meanwhile."""
    if settings.worker_lease_seconds < settings.webhook_timeout_seconds + LEASE_MARGIN_SECONDS:
        raise ValueError(
            "WITHU_WORKER_LEASE_SECONDS must exceed WITHU_WEBHOOK_TIMEOUT_SECONDS by at least "
            f"{LEASE_MARGIN_SECONDS:.0f} seconds"
        )


class Worker:
    def __init__(
        self,
        settings: Settings,
        sessionmaker: async_sessionmaker[AsyncSession],
        http: httpx.AsyncClient,
        *,
        concurrency: int = 8,
        now: Clock = clock.now,
    ) -> None:
        check_settings(settings)
        if concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        self.settings = settings
        self.sessionmaker = sessionmaker
        self.http = http
        self.concurrency = concurrency
        self.now = now

    def _uow(self) -> UnitOfWork:
        return UnitOfWork(self.sessionmaker, self.settings)

    async def run_batch(self) -> RunSummary:
        """Claim up to `concurrency` due messages, deliver them concurrently and record each outcome."""
        async with self._uow() as uow:
            claimed = await webhooks.claim_due(
                uow, self.now(), limit=self.concurrency, lease_seconds=self.settings.worker_lease_seconds
            )
            await uow.commit()
        summary = RunSummary(claimed=len(claimed))
        results = await asyncio.gather(*(self._deliver(message) for message in claimed), return_exceptions=True)
        for message, result in zip(claimed, results, strict=True):
            if isinstance(result, BaseException):
                # The lease runs out and another round retries it; the exception's text may hold values.
                log.error("recording failed message=%s error=%s", message.id, type(result).__name__)
                summary.failed += 1
            elif result == OutboxStatus.delivered:
                summary.delivered += 1
                summary.delivered_ids.append(str(message.id))
            else:
                summary.failed += 1
        return summary

    async def _deliver(self, message: webhooks.ClaimedMessage) -> OutboxStatus:
        attempted_at = self.now()
        outcome = await webhook_sender.deliver(
            self.http,
            url=message.url,
            secret=message.secret,
            event_id=str(message.id),
            topic=message.topic,
            body=webhook_sender.encode_payload(message.payload),
            time_limit=self.settings.webhook_timeout_seconds,
        )
        async with self._uow() as uow:
            status = await webhooks.record_attempt(
                uow,
                message,
                attempted_at=attempted_at,
                status_code=outcome.status_code,
                error=outcome.error,
                duration_ms=outcome.duration_ms,
                now=self.now(),
            )
            await uow.commit()
        log.info(
            "webhook message=%s topic=%s status_code=%s outcome=%s duration_ms=%d",
            message.id,
            message.topic,
            outcome.status_code,
            "delivered" if status == OutboxStatus.delivered else (outcome.error or "failed"),
            outcome.duration_ms,
        )
        return status

    async def run_once(self) -> RunSummary:
        """Process everything that is due now, round after round, then return."""
        total = RunSummary()
        while True:
            summary = await self.run_batch()
            total.add(summary)
            if summary.claimed < self.concurrency:
                return total

    async def run(self, stop: asyncio.Event) -> None:
        """Poll until `stop` is set; a round in progress is finished first (its outcomes recorded)."""
        while not stop.is_set():
            try:
                summary = await self.run_batch()
            except Exception as exc:  # the database may be away for a while; keep polling
                log.error("round failed error=%s", type(exc).__name__)
                summary = RunSummary()
            if summary.claimed < self.concurrency:
                try:
                    await asyncio.wait_for(stop.wait(), timeout=self.settings.worker_poll_seconds)
                except TimeoutError:
                    pass


async def run_once(settings: Settings, *, concurrency: int = 8, now: Clock = clock.now) -> RunSummary:
    """`withu worker --once`: with its own engine and HTTP client, deliver what is due and return."""
    encryption.configure(settings.load_master_key())
    engine = make_engine(settings.database_url)
    try:
        async with webhook_sender.make_client(concurrency) as http:
            worker = Worker(settings, make_sessionmaker(engine), http, concurrency=concurrency, now=now)
            return await worker.run_once()
    finally:
        await engine.dispose()


async def run_forever(settings: Settings, *, concurrency: int = 8, stop: asyncio.Event | None = None) -> None:
    """`withu worker`: poll until SIGTERM or SIGINT, then finish the round in progress and exit."""
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    encryption.configure(settings.load_master_key())
    engine = make_engine(settings.database_url)
    try:
        async with webhook_sender.make_client(concurrency) as http:
            worker = Worker(settings, make_sessionmaker(engine), http, concurrency=concurrency)
            log.info("worker started concurrency=%d", concurrency)
            await worker.run(stop)
    finally:
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.remove_signal_handler(signum)
        await engine.dispose()
        log.info("worker stopped")
