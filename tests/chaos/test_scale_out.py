"""Scale out on the engine we have (issue 15, "Build and prove" 7): two `withu serve` processes and two `withu worker`
processes on one fresh PostgreSQL database, rate limits in Redis (127.0.0.1:6379), under mixed load sent to both
API processes in turn — anonymous submissions, staff reads of the case queue, victims' reports that open separation
orders and personnel events that put each respondent in the victim's unit (a violation) — with a receiver on
127.0.0.1 that answers 204 within the timeout. Proven:

- SEP-4: every event is delivered exactly once (the Standard Webhooks `webhook-id`, counted at the receiver): none
  lost, none twice, though two workers claim from the same outbox;
- INT-6: a limit of N per minute is shared by both processes through Redis: of 2N requests alternating between
  them, N are admitted in total (not 2N), the rest answer 429 with Retry-After;
- INT-5/INT-7: every submission is acknowledged once, whichever process took it; staff reads all answer;
- AUD-1: `withu audit verify` passes after both processes wrote the chain.

PostgreSQL only (the scale-out engine; several SQLite writers are one writer at a time anyway)."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.chaos import fleet
from tests.e2e import live_server as live
from tests.e2e.browser import REPORT, StaffApi

TOKEN_LIMIT = 6  # per minute: the limit proven shared
PAIRS = 20  # victim/respondent pairs: two events each (order opened, violation found)
SUBMISSIONS = 30
READS = 30
DRAIN_SECONDS = 120
REDIS_URL = "redis://127.0.0.1:6379/0"

pytestmark = pytest.mark.timeout(900)


@dataclass
class ScaleRun:
    database_url: str
    env: dict[str, str]
    workdir: Path
    receiver: fleet.Receiver
    token_answers: list[tuple[int, str | None]]  # status, Retry-After
    statuses: Counter[str] = field(default_factory=Counter)  # "submit 201", "read 200", "event 200", ...
    acknowledged: list[str] = field(default_factory=list)  # case references
    seconds: float = 0.0


SETTINGS = {
    "redis_url": REDIS_URL,
    "rate_token": f"{TOKEN_LIMIT}/minute",
    "order_opened_delay_max_minutes": "0",
    "webhook_timeout_seconds": "3",
    "worker_lease_seconds": "13",
    "smtp_timeout": "3",
    "worker_poll_seconds": "0.2",
}


def _tokens(apis: list[str], client: tuple[str, str]) -> list[httpx.Response]:
    """2N token requests, alternating between the two API processes."""
    return [fleet.hr_token(apis[i % 2], client) for i in range(2 * TOKEN_LIMIT)]


async def _submit(apis: list[str], run: ScaleRun) -> None:
    async with httpx.AsyncClient(timeout=60) as client:
        for i in range(SUBMISSIONS):
            made = await client.post(
                apis[i % 2] + "/reports", json=REPORT, headers={"Idempotency-Key": str(uuid.uuid4())}
            )
            run.statuses[f"submit {made.status_code}"] += 1
            if made.status_code == 201:
                run.acknowledged.append(made.json()["case_reference"])


async def _read(apis: list[str], staff_token: str, run: ScaleRun) -> None:
    async with httpx.AsyncClient(timeout=60) as client:
        for i in range(READS):
            read = await client.get(apis[i % 2] + "/cases?limit=20", headers=fleet.bearer(staff_token))
            run.statuses[f"read {read.status_code}"] += 1


async def _personnel(apis: list[str], hr: str, people: list[tuple[str, str]], run: ScaleRun) -> None:
    """Each pair: the victim reports (an order opens), then the respondent is moved into the victim's unit."""
    async with httpx.AsyncClient(timeout=60) as client:
        for i, (victim, respondent) in enumerate(people):
            made = await client.post(apis[i % 2] + "/reports", json=fleet.victim_report(victim, respondent))
            run.statuses[f"victim-report {made.status_code}"] += 1
        for i, (victim, respondent) in enumerate(people):
            event = {
                "event_id": f"move-{i}",
                "employee_number": respondent,
                "kind": "transfer",
                "effective_at": datetime.now(UTC).isoformat(),
                "data": {"unit": f"U-{victim}"},
            }
            moved = await client.post(apis[(i + 1) % 2] + "/personnel/events", json=[event], headers=fleet.bearer(hr))
            run.statuses[f"event {moved.status_code}"] += 1


async def _drained(database_url: str, expected: int) -> None:
    deadline = time.monotonic() + DRAIN_SECONDS
    while time.monotonic() < deadline:
        rows = await fleet.query(database_url, "SELECT status, count(*) FROM outbox_message GROUP BY status")
        if dict(rows) == {"delivered": expected}:
            return
        await asyncio.sleep(0.5)


@pytest.fixture(scope="module")
async def scale_run() -> AsyncIterator[ScaleRun]:
    started = time.monotonic()
    processes: list[fleet.Process] = []
    receiver = fleet.Receiver(seed=7, ok_seconds=(0.05, 0.3), slow_seconds=0)
    with fleet.migrated("postgresql", "withu-scale-", **SETTINGS) as (workdir, database_url, env), receiver:
        staff = {
            person.slug: person
            for line in fleet.withu(env, workdir, "demo", "seed").splitlines()
            if (m := live.SEED_LINE.match(line)) and (person := live.DemoStaff(m[1], m[2], m[3], m[4]))
        }
        client = fleet.hr_client(env, workdir)
        try:
            servers = [fleet.server(env, workdir, name) for name in ("server-a", "server-b")]
            for server in servers:
                processes.append(server.start())
            for server in servers:
                server.wait_healthy()
            apis = [server.api for server in servers]
            tokens = _tokens(apis, client)
            run = ScaleRun(
                database_url, env, workdir, receiver, [(t.status_code, t.headers.get("retry-after")) for t in tokens]
            )
            hr = next(t.json()["access_token"] for t in tokens if t.status_code == 200)
            people = fleet.sync_pairs(apis[0], hr, PAIRS)
            receiver.secret = fleet.subscribe(apis[1], hr, receiver.url)
            processes += [fleet.worker(env, workdir, f"worker-{i}").start() for i in range(2)]
            head = live.LiveServer(servers[0].api.removesuffix("/api/v1"), env, workdir, servers[0].process, staff)  # type: ignore[arg-type]
            staff_api = StaffApi(head)
            staff_token = await staff_api.token("head")
            await staff_api.aclose()
            await asyncio.gather(_submit(apis, run), _read(apis, staff_token, run), _personnel(apis, hr, people, run))
            await _drained(database_url, 2 * PAIRS)
        finally:
            fleet.stop_all(processes)
        run.seconds = time.monotonic() - started
        _write_figures(run)
        yield run


def _write_figures(run: ScaleRun) -> None:
    figures: dict[str, Any] = {
        "test": "scale_out",
        "engine": "postgresql",
        "seconds": round(run.seconds, 1),
        "answers": dict(run.statuses),
        "token_admitted": sum(1 for status, _ in run.token_answers if status == 200),
        "token_requests": len(run.token_answers),
        "deliveries": len(run.receiver.deliveries),
    }
    fleet.write_figures(figures)


async def test_sep_4_two_workers_deliver_every_event_exactly_once(scale_run: ScaleRun) -> None:
    """SEP-4: one order-opened and one violation-found event per pair, all delivered; the receiver saw each event id
    once, answered 2xx, signed correctly."""
    rows = await fleet.query(scale_run.database_url, "SELECT id, topic, status FROM outbox_message")
    assert Counter(topic for _, topic, _ in rows) == {
        "separation.order_opened": PAIRS,
        "separation.violation_found": PAIRS,
    }
    assert {status for _, _, status in rows} == {"delivered"}
    seen = Counter(d.event_id.replace("-", "") for d in scale_run.receiver.deliveries)
    assert set(seen) == {str(i).replace("-", "") for i, _, _ in rows}
    assert set(seen.values()) == {1}, [e for e, n in seen.items() if n > 1]
    assert all(d.verified and d.sent and d.status == 204 for d in scale_run.receiver.deliveries)


async def test_int_6_a_rate_limit_is_shared_by_both_api_processes_through_redis(scale_run: ScaleRun) -> None:
    """INT-6: a limit of N token requests a minute admits N of 2N sent to the two processes in turn, not 2N; every
    refusal is 429 with Retry-After."""
    admitted = [status for status, _ in scale_run.token_answers if status == 200]
    refused = [(status, retry) for status, retry in scale_run.token_answers if status != 200]
    assert len(admitted) == TOKEN_LIMIT
    assert refused and all(status == 429 and retry and int(retry) >= 1 for status, retry in refused), refused


async def test_int_7_every_submission_and_read_is_answered_on_either_process(scale_run: ScaleRun) -> None:
    """INT-5/INT-7: every submission acknowledged with its own case, both processes alternating; every staff read
    of the queue, report and personnel event answered."""
    assert scale_run.statuses == {
        "submit 201": SUBMISSIONS,
        "read 200": READS,
        "victim-report 201": PAIRS,
        "event 200": PAIRS,
    }
    assert len(set(scale_run.acknowledged)) == SUBMISSIONS
    stored = {
        reference for (reference,) in await fleet.query(scale_run.database_url, "SELECT reference FROM case_file")
    }
    assert set(scale_run.acknowledged) <= stored


async def test_aud_1_the_audit_chain_verifies_after_two_processes_wrote_it(scale_run: ScaleRun) -> None:
    """AUD-1: `withu audit verify` passes on the database both API processes and both workers wrote."""
    out = fleet.withu(scale_run.env, scale_run.workdir, "audit", "verify")
    assert "intact" in out.lower(), out
