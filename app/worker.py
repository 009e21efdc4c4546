"""The background worker (`withu worker`): delivers the outbox's webhooks (SEP-4: the personnel system is told),
sends the content-free deadline notifications by e-mail (CASE-2), and runs the periodic jobs (PERIODIC_JOBS).

One round: claim due messages in a short transaction (a lease, `FOR UPDATE SKIP LOCKED` on PostgreSQL), commit;
deliver them concurrently outside any transaction; record each outcome in its own short transaction (delivered
on a 2xx, else a retry with backoff). Notifications go the same way over SMTP. Any number of workers may run side
by side: a leased or delivered message is never claimed again. Logs carry message id, topic, status code — never
payloads, secrets, URLs or e-mail addresses.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app import worker_metrics
from app.db import encryption
from app.db.engine import engine_for, is_unavailable, make_sessionmaker
from app.db.key_check import verify_master_key
from app.db.uow import UnitOfWork
from app.domain.enums import OutboxStatus
from app.domain.escalation import NotificationStatus
from app.integrations import mailer, resolver, webhook_sender
from app.services import clock, contracts, deadlines, evidence, notifications, retention, webhooks
from app.settings import Settings

log = logging.getLogger("withu.worker")
Clock = Callable[[], datetime]
# Time to record an outcome after the request's deadline, before another worker may take the lease over.
LEASE_MARGIN_SECONDS = 10.0
RECORD_RETRY_SECONDS = 0.5
# The delivery log's reasons when the destination is refused before any connection (F7). The same words for
# every refused address, so the log does not map WithU's own network.
DESTINATION_REFUSED = "destination not allowed"
HOST_UNRESOLVABLE = "request failed (name not resolved)"


@dataclass
class RunSummary:
    """What a round did: webhooks (claimed, delivered, failed), notices, periodic jobs."""

    claimed: int = 0
    delivered: int = 0
    failed: int = 0
    delivered_ids: list[str] = field(default_factory=list)
    notices_taken: int = 0  # claimed, or cancelled because they no longer apply
    notices_sent: int = 0
    notices_failed: int = 0
    sent_notice_ids: list[str] = field(default_factory=list)
    jobs_run: list[str] = field(default_factory=list)
    jobs_failed: list[str] = field(default_factory=list)

    def add(self, other: RunSummary) -> None:
        self.claimed += other.claimed
        self.delivered += other.delivered
        self.failed += other.failed
        self.delivered_ids.extend(other.delivered_ids)
        self.notices_taken += other.notices_taken
        self.notices_sent += other.notices_sent
        self.notices_failed += other.notices_failed
        self.sent_notice_ids.extend(other.sent_notice_ids)
        self.jobs_run.extend(other.jobs_run)
        self.jobs_failed.extend(other.jobs_failed)


# --- periodic jobs ---

DateJob = Callable[[UnitOfWork, date], Awaitable[object]]


@dataclass(frozen=True)
class PeriodicJob:
    """A use case the worker runs every `interval_setting` seconds (a field of Settings), in a transaction of its
    own, with today's date (UTC). Every job runs when a worker starts, and once with `withu worker --once`."""

    name: str
    interval_setting: str
    run: DateJob


async def _sweep_evidence(uow: UnitOfWork, today: date) -> int:
    return await evidence.sweep_orphans(uow)


# The periodic jobs, in the order they run. Adding one: a line here and its interval in app/settings.py.
PERIODIC_JOBS: tuple[PeriodicJob, ...] = (
    PeriodicJob("deadline-scan", "deadline_scan_seconds", deadlines.scan_deadlines),  # CASE-2
    PeriodicJob("obligation-scan", "obligation_scan_seconds", contracts.scan_obligations),  # CON-2
    PeriodicJob("evidence-sweep", "evidence_sweep_seconds", _sweep_evidence),
    PeriodicJob("retention", "retention_scan_seconds", retention.run_retention),  # DATA-1 and the purges
)


def check_settings(settings: Settings) -> None:
    """A lease shorter than a delivery would let a second worker send the same message meanwhile."""
    for timeout, name in (
        (settings.webhook_timeout_seconds, "WITHU_WEBHOOK_TIMEOUT_SECONDS"),
        (settings.smtp_timeout, "WITHU_SMTP_TIMEOUT"),
    ):
        if settings.worker_lease_seconds < timeout + LEASE_MARGIN_SECONDS:
            raise ValueError(
                f"WITHU_WORKER_LEASE_SECONDS must exceed {name} by at least {LEASE_MARGIN_SECONDS:.0f} seconds"
            )


def smtp_config(settings: Settings) -> mailer.SmtpConfig | None:
    """None without WITHU_SMTP_HOST: notifications then wait, pending, until SMTP is configured."""
    if not settings.smtp_host:
        return None
    return mailer.SmtpConfig(
        host=settings.smtp_host,
        port=settings.smtp_port,
        sender=settings.smtp_from,
        username=settings.smtp_username,
        password=settings.smtp_password,
        starttls=settings.smtp_starttls,
        timeout=settings.smtp_timeout,
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
        jobs: Sequence[PeriodicJob] = PERIODIC_JOBS,
        resolve: resolver.Resolver | None = None,
    ) -> None:
        check_settings(settings)
        if concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        self.settings = settings
        self.sessionmaker = sessionmaker
        self.http = http
        self.concurrency = concurrency
        self.now = now
        self.resolve = resolve or resolver.default()
        self.jobs = tuple(jobs)
        for job in self.jobs:
            if not isinstance(getattr(settings, job.interval_setting, None), int | float):
                raise ValueError(f"the periodic job {job.name} needs the setting {job.interval_setting}")
        self.smtp = smtp_config(settings)
        self._next_run: dict[str, float] = {}  # job name -> time.monotonic() when it is due again
        self._told_smtp_missing = False

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
        outcome = await self._send_webhook(message)
        status = await self._record(message, attempted_at, outcome)
        log.info(
            "webhook message=%s topic=%s status_code=%s outcome=%s duration_ms=%d",
            message.id,
            message.topic,
            outcome.status_code,
            "delivered" if status == OutboxStatus.delivered else (outcome.error or "failed"),
            outcome.duration_ms,
        )
        return status

    async def _record(
        self, message: webhooks.ClaimedMessage, attempted_at: datetime, outcome: webhook_sender.DeliveryOutcome
    ) -> OutboxStatus:
        """Record the attempt; while the lease is still ours, a database that is busy or away for a moment is
        asked again, so that a receiver's 2xx is not lost to it and the event sent a second time (SEP-4)."""
        deadline = time.monotonic() + LEASE_MARGIN_SECONDS / 2
        while True:
            try:
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
                return status
            except Exception as error:
                if not is_unavailable(error) or time.monotonic() >= deadline:
                    raise
                log.warning("recording delayed message=%s error=%s", message.id, type(error).__name__)
                await asyncio.sleep(RECORD_RETRY_SECONDS)

    async def _send_webhook(self, message: webhooks.ClaimedMessage) -> webhook_sender.DeliveryOutcome:
        """Check the destination again (its name may now resolve elsewhere) and send to the checked address; a
        refused destination is a failed attempt without any connection, retried like any other."""
        started = time.monotonic()
        try:
            destination = await webhooks.check_destination(self.settings, message.url, self.resolve)
        except (webhooks.WebhookDestinationNotAllowed, webhooks.WebhookHostUnresolvable) as refused:
            error = HOST_UNRESOLVABLE if isinstance(refused, webhooks.WebhookHostUnresolvable) else DESTINATION_REFUSED
            return webhook_sender.DeliveryOutcome(None, error, int((time.monotonic() - started) * 1000))
        return await webhook_sender.deliver(
            self.http,
            url=message.url,
            address=str(destination.address),
            secrets=message.secrets,
            event_id=str(message.id),
            topic=message.topic,
            body=webhook_sender.encode_payload(message.payload),
            time_limit=self.settings.webhook_timeout_seconds,
        )

    # --- notifications (CASE-2) ---

    async def send_notifications(self) -> RunSummary:
        """Claim up to `concurrency` due notices, send them by e-mail concurrently and record each outcome.
        Without SMTP settings nothing is claimed: the notices wait, pending (logged once per worker)."""
        if self.smtp is None:
            if not self._told_smtp_missing:
                log.warning("SMTP is not configured (WITHU_SMTP_HOST): notifications stay pending until it is")
                self._told_smtp_missing = True
            return RunSummary()
        async with self._uow() as uow:
            claim = await notifications.claim_due(
                uow, self.now(), limit=self.concurrency, lease_seconds=self.settings.worker_lease_seconds
            )
            await uow.commit()
        summary = RunSummary(notices_taken=claim.taken)
        results = await asyncio.gather(*(self._send(n) for n in claim.notices), return_exceptions=True)
        for notice, result in zip(claim.notices, results, strict=True):
            if isinstance(result, BaseException):
                # The lease runs out and another round retries it.
                log.error("recording failed notice=%s error=%s", notice.id, type(result).__name__)
                summary.notices_failed += 1
            elif result == NotificationStatus.sent:
                summary.notices_sent += 1
                summary.sent_notice_ids.append(str(notice.id))
            else:
                summary.notices_failed += 1
        return summary

    async def _send(self, notice: notifications.ClaimedNotice) -> NotificationStatus:
        assert self.smtp is not None
        message = mailer.compose(sender=self.smtp.sender, to=notice.to, subject=notice.subject, body=notice.body)
        outcome = await mailer.send(self.smtp, message)
        async with self._uow() as uow:
            status = await notifications.record_attempt(uow, notice, error=outcome.error, now=self.now())
            await uow.commit()
        log.info(
            "notification notice=%s kind=%s outcome=%s duration_ms=%d",
            notice.id,
            notice.kind,
            "sent" if status == NotificationStatus.sent else (outcome.error or status),
            outcome.duration_ms,
        )
        return status

    # --- periodic jobs ---

    async def run_jobs(self, *, every_one: bool = False) -> RunSummary:
        """Run the periodic jobs that are due (or, with `every_one`, all of them), each in its own transaction.
        A failing job is logged and tried again at its next interval; the others run regardless."""
        summary = RunSummary()
        for job in self.jobs:
            started = time.monotonic()
            if not every_one and self._next_run.get(job.name, started) > started:
                continue
            self._next_run[job.name] = started + float(getattr(self.settings, job.interval_setting))
            try:
                async with self._uow() as uow:
                    result = await job.run(uow, self.now().date())
                    await uow.commit()
            except Exception as exc:  # e.g. the database is away; the exception's text may hold values
                log.error("job failed job=%s error=%s", job.name, type(exc).__name__)
                summary.jobs_failed.append(job.name)
                worker_metrics.job_done(job.name, ok=False)
                continue
            # Jobs return counts only (never content).
            log.info("job done job=%s result=%s duration_ms=%d", job.name, result, (time.monotonic() - started) * 1000)
            summary.jobs_run.append(job.name)
            worker_metrics.job_done(job.name, ok=True)
        return summary

    # --- rounds ---

    async def run_once(self) -> RunSummary:
        """Run every periodic job once, then process everything that is due now, round after round, and return."""
        total = await self.run_jobs(every_one=True)
        while True:
            summary = await self.run_batch()
            total.add(summary)
            if summary.claimed < self.concurrency:
                break
        while True:
            summary = await self.send_notifications()
            total.add(summary)
            if summary.notices_taken < self.concurrency:
                return total

    async def run(self, stop: asyncio.Event) -> None:
        """Poll until `stop` is set; a round in progress is finished first (its outcomes recorded)."""
        while not stop.is_set():
            summary = await self.run_jobs()
            for step in (self.run_batch, self.send_notifications):
                try:
                    summary.add(await step())
                except Exception as exc:  # the database may be away for a while; keep polling
                    log.error("round failed error=%s", type(exc).__name__)
            worker_metrics.LAST_ROUND.set_to_current_time()
            if summary.claimed < self.concurrency and summary.notices_taken < self.concurrency:
                try:
                    await asyncio.wait_for(stop.wait(), timeout=self.settings.worker_poll_seconds)
                except TimeoutError:
                    pass


async def run_once(
    settings: Settings, *, concurrency: int = 8, now: Clock = clock.now, resolve: resolver.Resolver | None = None
) -> RunSummary:
    """`withu worker --once`: with its own engine and HTTP client, deliver what is due and return."""
    encryption.configure(settings.load_master_key())
    engine = engine_for(settings)
    try:
        async with webhook_sender.make_client(concurrency) as http:
            worker = Worker(
                settings, make_sessionmaker(engine), http, concurrency=concurrency, now=now, resolve=resolve
            )
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
    engine = engine_for(settings)
    try:
        await verify_master_key(engine)  # ACC-2: never deliver or write under another key than the data's
        async with webhook_sender.make_client(concurrency) as http:
            worker = Worker(settings, make_sessionmaker(engine), http, concurrency=concurrency)
            log.info("worker started concurrency=%d", concurrency)
            worker_metrics.serve(settings)
            await worker.run(stop)
    finally:
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.remove_signal_handler(signum)
        await engine.dispose()
        log.info("worker stopped")
