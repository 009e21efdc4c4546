"""CASE-2 notifications by e-mail, against a REAL SMTP server on 127.0.0.1 (aiosmtpd, on a free port, capturing
what arrives): content-free (ACC-1), retried when the server is down or refuses, never lost, never sent twice.

The worker's deadline scan looks at every deadline in its database and the worker sends every pending notice, so
these tests run on a database of their own (see tests/api/test_deadlines.py); each test looks only at the mail
addressed to its own, uniquely named staff."""

from __future__ import annotations

import asyncio
import email
import email.policy
import logging
import os
import socket
import sys
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import update

from app.db.models import Notification
from app.domain.enums import Role, Team
from app.domain.escalation import SUBJECT, NotificationKind, NotificationStatus
from app.services import clock, notifications
from app.settings import Settings
from app.worker import PeriodicJob, Worker, run_once, smtp_config
from tests.api.test_deadlines import TODAY, Db, assign, backdate, intake_team, notices, open_case, own_db, scan, staff
from tests.builders import Staff
from tests.directory import machine_headers, make_org

ROOT = Path(__file__).resolve().parents[2]
NARRATIVE_CANARY = "CANARY-NARRATIVE-7QX"
NAME_CANARIES = ("Canaryhandler Kim", "Canaryreporter Lee", "Canaryrespondent Park")
REPORT = {
    "reporter_kind": "victim",
    "identity_mode": "named",
    "reporter": {"name": NAME_CANARIES[1]},
    "respondent": {"name": NAME_CANARIES[2]},
    "narrative": f"{NARRATIVE_CANARY}: at the team dinner my manager touched me repeatedly.",
    "category": "sexual_harassment",
}


@pytest.fixture(scope="module")
async def db(settings: Settings) -> AsyncIterator[Db]:
    async with own_db(settings) as database:
        yield database


@pytest.fixture
async def client(db: Db) -> AsyncIterator[httpx.AsyncClient]:
    async with db.client() as c:
        yield c


# --- a real SMTP server ---


class Mailbox:
    """aiosmtpd handler: answers each message with the next scripted reply (e.g. "451 …"), then 250, and keeps
    what it accepted."""

    def __init__(self, replies: list[str]) -> None:
        self.replies = list(replies)
        self.accepted: list[tuple[list[str], bytes]] = []
        self.refused = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd's hook
        if self.replies:
            self.refused += 1
            return self.replies.pop(0)
        self.accepted.append((list(envelope.rcpt_tos), bytes(envelope.original_content or envelope.content)))
        return "250 2.0.0 OK"

    def to(self, address: str) -> list[EmailMessage]:
        return [
            email.message_from_bytes(raw, policy=email.policy.default)  # type: ignore[misc]
            for recipients, raw in self.accepted
            if address in recipients
        ]

    def raw_to(self, address: str) -> list[bytes]:
        return [raw for recipients, raw in self.accepted if address in recipients]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@asynccontextmanager
async def smtp_server(replies: list[str] | None = None, port: int | None = None) -> AsyncIterator[tuple[Mailbox, int]]:
    mailbox = Mailbox(replies or [])
    port = port or free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port, server_hostname="smtp.test.local")
    await asyncio.to_thread(controller.start)
    try:
        yield mailbox, port
    finally:
        await asyncio.to_thread(controller.stop)


def with_smtp(db: Db, port: int, **extra: Any) -> Settings:
    return db.settings.model_copy(
        update={
            "smtp_host": "127.0.0.1",
            "smtp_port": port,
            "smtp_from": "WithU <no-reply@withu.test>",
            "smtp_timeout": 3.0,
            "worker_lease_seconds": 30,
            **extra,
        }
    )


def at(days: int = 0, seconds: float = 0) -> Callable[[], datetime]:
    """The worker's clock, moved ahead: reach a deadline's day or a retry's due time without waiting."""
    return lambda: clock.now() + timedelta(days=days, seconds=seconds)


async def handled_case(db: Db, client: httpx.AsyncClient) -> tuple[str, str, Staff]:
    """A case (with canaries in the report) and an assigned handler with a canary display name."""
    _, lead, _, officer = await intake_team(db, client)
    case_id, reference = await open_case(client, officer, **REPORT)
    handler = await staff(db, Role.intake, Team.intake_counselling, name=NAME_CANARIES[0])
    await assign(client, lead, case_id, handler)
    return case_id, reference, handler


async def notice_of(db: Db, case_id: str, user: Staff) -> Notification:
    [row] = [n for n in await notices(db, case_id) if n.recipient_user_id == user.id]
    return row


# --- sending ---


async def test_case_2_acc_1_notice_arrives_content_free(db: Db, client: httpx.AsyncClient, caplog) -> None:
    """CASE-2, ACC-1: the worker's scan finds triage due in 2 days and mails the handler: the reference and the
    kind of deadline in Korean and English, and "sign in" — no names, no narrative, no category. The logs name the
    notice, never the address or the reference. Sent once: the next runs send nothing more."""
    case_id, reference, handler = await handled_case(db, client)
    async with smtp_server() as (mailbox, port):
        settings = with_smtp(db, port)
        with caplog.at_level(logging.INFO, logger="withu"):
            summary = await run_once(settings, now=at(days=1))
        [message] = mailbox.to(handler.email)
        await run_once(settings, now=at(days=1, seconds=5))
        await run_once(settings, now=at(days=2))
        assert len(mailbox.to(handler.email)) == 1
    row = await notice_of(db, case_id, handler)
    assert row.kind == NotificationKind.deadline_due_soon
    assert row.status == NotificationStatus.sent and row.attempts == 1 and row.sent_at is not None
    assert str(row.id) in summary.sent_notice_ids and "deadline-scan" in summary.jobs_run

    due = (clock.now().date() + timedelta(days=3)).isoformat()
    body = message.get_content()
    assert body == (
        f"확인이 필요한 사건이 있습니다: {reference} — 초기 검토 기한 임박, 기한 {due}. WithU에 로그인하여 확인하세요.\n"
        f"A case needs attention: {reference} — triage deadline due soon, due {due}. Sign in to WithU to see it.\n"
    )
    assert message["Subject"] == SUBJECT and message["To"] == handler.email
    assert message["From"] == "WithU <no-reply@withu.test>" and message["Auto-Submitted"] == "auto-generated"
    whole = message.as_string() + body
    for canary in (NARRATIVE_CANARY, *NAME_CANARIES, "sexual", "harassment", "성희롱"):
        assert canary not in whole
        assert canary.encode() not in mailbox.raw_to(handler.email)[0]
    assert str(row.id) in caplog.text
    assert handler.email not in caplog.text and reference not in caplog.text


async def test_case_2_smtp_down_is_retried_later_never_lost(db: Db, client: httpx.AsyncClient) -> None:
    """CASE-2: with the SMTP server down the notice stays pending with a short error and a retry 30 s later (not
    before); when the server is back the retry delivers it, once."""
    case_id, _, handler = await handled_case(db, client)
    port = free_port()  # nothing listens there yet
    settings = with_smtp(db, port)
    await run_once(settings, now=at(days=1))
    row = await notice_of(db, case_id, handler)
    assert row.status == NotificationStatus.pending and row.attempts == 1 and row.lease_until is None
    assert row.last_error and len(row.last_error) <= 200 and handler.email not in row.last_error
    assert row.next_attempt_at - (clock.now() + timedelta(days=1)) > timedelta(seconds=25)
    async with smtp_server(port=port) as (mailbox, _):
        await run_once(settings, now=at(days=1, seconds=5))  # not due yet
        assert mailbox.to(handler.email) == []
        await run_once(settings, now=at(days=1, seconds=40))
        await run_once(settings, now=at(days=1, seconds=4000))
        assert len(mailbox.to(handler.email)) == 1
    row = await notice_of(db, case_id, handler)
    assert row.status == NotificationStatus.sent and row.attempts == 2 and row.last_error is None


async def test_case_2_a_refusing_server_gets_the_notice_again(db: Db, client: httpx.AsyncClient) -> None:
    """CASE-2: a server that answers 451 (try later) is tried again after the backoff and then accepts it."""
    case_id, _, handler = await handled_case(db, client)
    await scan(db, clock.now().date() + timedelta(days=1))
    async with smtp_server(["451 4.3.0 Try again later"] * 50) as (mailbox, port):
        settings = with_smtp(db, port)
        await run_once(settings)
        row = await notice_of(db, case_id, handler)
        assert row.status == NotificationStatus.pending and row.attempts == 1 and row.last_error == "SMTP 451"
        mailbox.replies.clear()
        await run_once(settings, now=at(seconds=31))
        assert len(mailbox.to(handler.email)) == 1
    assert (await notice_of(db, case_id, handler)).status == NotificationStatus.sent


async def test_case_2_backoff_is_capped_at_an_hour_and_never_gives_up(db: Db, client: httpx.AsyncClient) -> None:
    """CASE-2: after many failures the wait is one hour, never longer, and the notice is still pending."""
    case_id, _, handler = await handled_case(db, client)
    await scan(db, clock.now().date() + timedelta(days=1))
    row = await notice_of(db, case_id, handler)
    async with db.uow() as uow:
        await uow.session.execute(update(Notification).where(Notification.id == row.id).values(attempts=40))
        await uow.commit()
    now = clock.now() + timedelta(days=3)
    await run_once(with_smtp(db, free_port()), now=lambda: now)
    row = await notice_of(db, case_id, handler)
    assert row.status == NotificationStatus.pending and row.attempts == 41
    assert row.next_attempt_at - now == timedelta(hours=1)


async def test_case_2_without_smtp_notices_wait_and_the_worker_says_so_once(
    db: Db, client: httpx.AsyncClient, caplog
) -> None:
    """`make run` has no SMTP: the worker leaves notices pending (nothing is lost) and logs that once."""
    case_id, _, handler = await handled_case(db, client)
    await scan(db, clock.now().date() + timedelta(days=1))
    from app.db.engine import make_engine, make_sessionmaker
    from app.integrations import webhook_sender

    settings = db.settings.model_copy(update={"smtp_host": None, "worker_lease_seconds": 30})
    assert smtp_config(settings) is None
    engine = make_engine(settings.database_url)
    try:
        async with webhook_sender.make_client(2) as http:
            worker = Worker(settings, make_sessionmaker(engine), http, concurrency=2)
            with caplog.at_level(logging.INFO, logger="withu"):
                await worker.run_once()
                await worker.run_once()
    finally:
        await engine.dispose()
    assert caplog.text.count("SMTP is not configured") == 1
    row = await notice_of(db, case_id, handler)
    assert row.status == NotificationStatus.pending and row.attempts == 0


async def test_case_3_a_handler_unassigned_before_sending_gets_nothing(db: Db, client: httpx.AsyncClient) -> None:
    """CASE-3: a notice queued for a handler who was unassigned (or recused) before it went out is cancelled at
    sending time, never sent."""
    _, lead, _, officer = await intake_team(db, client)
    case_id, _ = await open_case(client, officer)
    leaving = await staff(db, Role.intake, Team.intake_counselling)
    await assign(client, lead, case_id, leaving)
    await scan(db, clock.now().date() + timedelta(days=1))
    assert (await notice_of(db, case_id, leaving)).status == NotificationStatus.pending
    assert (await client.delete(f"/api/v1/cases/{case_id}/handlers/{leaving.id}", headers=lead)).status_code == 204
    async with smtp_server() as (mailbox, port):
        await run_once(with_smtp(db, port))
    assert mailbox.to(leaving.email) == []
    assert (await notice_of(db, case_id, leaving)).status == NotificationStatus.cancelled


async def test_case_2_a_claim_in_progress_is_skipped_by_another_worker(db: Db, client: httpx.AsyncClient) -> None:
    """Two workers never claim the same notice: PostgreSQL skips rows being claimed (SKIP LOCKED), SQLite
    serialises the claims and the second finds them leased."""
    case_id, _, handler = await handled_case(db, client)
    await scan(db, clock.now().date() + timedelta(days=1))
    mine = (await notice_of(db, case_id, handler)).id
    now = clock.now()

    async def second_claim() -> set[uuid.UUID]:
        async with db.uow() as uow:
            claim = await notifications.claim_due(uow, now, limit=1000, lease_seconds=30)
            await uow.commit()
            return {n.id for n in claim.notices}

    async with db.uow() as first:
        first_ids = {n.id for n in (await notifications.claim_due(first, now, limit=1000, lease_seconds=30)).notices}
        assert mine in first_ids
        second = asyncio.create_task(second_claim())
        await asyncio.sleep(0.3)
        if first.session.bind.dialect.name == "postgresql":
            assert second.done(), "SKIP LOCKED: the second worker does not wait for the first"
        await first.commit()
    assert mine not in await second


# --- the worker's periodic jobs ---


async def test_periodic_jobs_run_at_their_interval_and_a_failing_one_does_not_stop_the_others(db: Db, caplog) -> None:
    """Each job runs when the worker starts and then once per interval; `--once` runs every job; a job that
    fails is logged (its error type only) and the others still run."""
    from app.db.engine import make_engine, make_sessionmaker
    from app.integrations import webhook_sender

    ran: list[str] = []

    async def broken(uow: Any, today: Any) -> None:
        raise RuntimeError("secret detail that must not be logged")

    async def counting(uow: Any, today: Any) -> int:
        ran.append(today.isoformat())
        return 1

    jobs = [
        PeriodicJob("broken", "deadline_scan_seconds", broken),
        PeriodicJob("counting", "evidence_sweep_seconds", counting),
    ]
    engine = make_engine(db.settings.database_url)
    try:
        async with webhook_sender.make_client(1) as http:
            worker = Worker(db.settings, make_sessionmaker(engine), http, concurrency=1, jobs=jobs)
            with caplog.at_level(logging.INFO, logger="withu"):
                first = await worker.run_jobs()
                second = await worker.run_jobs()  # the intervals (10 min, 1 h) have not passed
                forced = await worker.run_jobs(every_one=True)
    finally:
        await engine.dispose()
    assert (first.jobs_run, first.jobs_failed) == (["counting"], ["broken"])
    assert (second.jobs_run, second.jobs_failed) == ([], [])
    assert (forced.jobs_run, forced.jobs_failed) == (["counting"], ["broken"])
    assert len(ran) == 2
    assert "job failed job=broken error=RuntimeError" in caplog.text
    assert "secret detail" not in caplog.text


def test_the_worker_runs_the_deadline_scan_the_obligation_scan_and_the_evidence_sweep() -> None:
    """The worker's periodic jobs: CASE-2 deadline scan (every 10 min), CON-2 obligation scan, evidence orphan
    sweep (hourly), DATA-1 retention — each with its interval in settings."""
    from app.worker import PERIODIC_JOBS

    assert [(j.name, j.interval_setting) for j in PERIODIC_JOBS] == [
        ("deadline-scan", "deadline_scan_seconds"),
        ("obligation-scan", "obligation_scan_seconds"),
        ("evidence-sweep", "evidence_sweep_seconds"),
        ("retention", "retention_scan_seconds"),
    ]
    defaults = Settings(environment="development")
    assert (defaults.deadline_scan_seconds, defaults.evidence_sweep_seconds) == (600, 3600)
    assert (defaults.due_soon_days, defaults.escalate_after_days, defaults.smtp_host) == (2, 3, None)


# --- the command ---


async def test_withu_worker_once_sends_notifications(db: Db, client: httpx.AsyncClient) -> None:
    """`withu worker --once`, configured by WITHU_SMTP_* variables, scans the deadlines and mails the notice."""
    _, lead, _, officer = await intake_team(db, client)
    case_id, reference = await open_case(client, officer)
    handler = await staff(db, Role.intake, Team.intake_counselling)
    await assign(client, lead, case_id, handler)
    # The command runs on today's date: make triage due tomorrow.
    await backdate(db, case_id, triage=TODAY + timedelta(days=1))
    async with smtp_server() as (mailbox, port):
        assert db.settings.master_key is not None
        env = {
            **os.environ,
            "WITHU_ENVIRONMENT": "test",
            "WITHU_DATABASE_URL": db.settings.database_url,
            "WITHU_MASTER_KEY": db.settings.master_key,
            "WITHU_JWT_SECRET": db.settings.jwt_secret,
            "WITHU_EVIDENCE_DIR": str(db.settings.evidence_dir),
            "WITHU_SMTP_HOST": "127.0.0.1",
            "WITHU_SMTP_PORT": str(port),
            "WITHU_SMTP_FROM": "no-reply@withu.test",
        }
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "app.cli", "worker", "--once",
            cwd=ROOT, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        out, err = await asyncio.wait_for(process.communicate(), timeout=60)
        assert process.returncode == 0, err.decode()
        [message] = mailbox.to(handler.email)
    assert reference in message.get_content()
    assert (await notice_of(db, case_id, handler)).status == NotificationStatus.sent
    assert handler.email not in (out + err).decode()


async def test_sep_5_a_violation_notice_reaches_the_lead_content_free(db: Db, client: httpx.AsyncClient) -> None:
    """SEP-5, ACC-1: a transfer that connects a separated pair is mailed to the case team's lead by the worker's next
    run — the case reference and the day it was found, in Korean and English; no employee number, no narrative.
    Sent once."""
    org = await make_org(db.uow, units={"A": None, "B": None}, people={"victim": ("A", None), "resp": ("B", None)})
    hr = await machine_headers(client, db.uow, "personnel:write")
    lead, _, _, officer = await intake_team(db, client)
    case_id, reference = await open_case(
        client,
        officer,
        reporter_kind="third_party",
        identity_mode="anonymous",
        narrative=REPORT["narrative"],
        victim={"employee_number": org.employees["victim"]},
        respondent={"employee_number": org.employees["resp"]},
    )
    event = {
        "event_id": f"ev-{uuid.uuid4().hex}",
        "employee_number": org.employees["resp"],
        "kind": "transfer",
        "effective_at": clock.now().isoformat(),
        "data": {"unit": org.units["A"]},
    }
    assert (await client.post("/api/v1/personnel/events", json=[event], headers=hr)).status_code == 200
    async with smtp_server() as (mailbox, port):
        settings = with_smtp(db, port)
        await run_once(settings, now=at(seconds=1))
        await run_once(settings, now=at(seconds=5))
        [message] = mailbox.to(lead.email)
    row = await notice_of(db, case_id, lead)
    assert row.kind == NotificationKind.separation_violation and row.status == NotificationStatus.sent
    day = clock.now().date().isoformat()
    assert message.get_content() == (
        f"확인이 필요한 사건이 있습니다: {reference} — 분리 조치 위반, 발견 {day}. WithU에 로그인하여 확인하세요.\n"
        f"A case needs attention: {reference} — separation order violated, found {day}. Sign in to WithU to see it.\n"
    )
    for canary in (NARRATIVE_CANARY, *org.employees.values()):
        assert canary.encode() not in mailbox.raw_to(lead.email)[0]
