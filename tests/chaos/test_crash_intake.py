"""Crash safety of intake (reliability review 1a; issue 15, "Build and prove" 1), on a fresh SQLite file and on a
fresh PostgreSQL database: reporters submit concurrently to a real `withu serve`, which is killed with SIGKILL at
seeded random moments KILLS times and restarted at once. A reporter retries with the SAME Idempotency-Key and body
after a connection error, a 409, 429 or 5xx, until acknowledged, as a careful client does. Then:

- INT-7: every report was acknowledged and is stored whole — its case, report, deadlines, acknowledgement message and
  audit entry — and no row anywhere lacks its case (read straight from the database);
- INT-5: one case and one stored answer per Idempotency-Key, and a retry now still answers the first receipt;
- INT-4: every receipt code opens the inbox of the case it acknowledged;
- AUD-1: `withu audit verify` passes.

The run's figures (seconds, kills, reports acknowledged, retries) go to test-output/chaos-figures.jsonl."""

from __future__ import annotations

import asyncio
import random
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from app.services.idempotency import IdempotencyKey
from tests.chaos import fleet

SEED = 20261203
KILLS = 10
REPORTERS = 6
KILL_AFTER = (0.3, 2.0)  # seconds after the server answers, before it is killed
RETRY_PAUSE = 0.2
RETRYABLE = {409, 429, 500, 502, 503}
DRAIN_SECONDS = 120  # a reporter gives up on a report this long after the kills end (a failure of the test)

pytestmark = pytest.mark.timeout(900)


@dataclass
class Submission:
    key: str
    body: dict[str, Any]
    attempts: int = 0
    answer: dict[str, Any] | None = None
    statuses: Counter[int] = field(default_factory=Counter)  # answers other than the acknowledgement


@dataclass
class CrashRun:
    engine: str
    database_url: str
    server: fleet.Server
    submissions: list[Submission]
    kills: int
    seconds: float

    @property
    def acknowledged(self) -> list[Submission]:
        return [s for s in self.submissions if s.answer is not None]


def _new_submission() -> Submission:
    key = str(uuid.uuid4())
    narrative = f"Crash-safety report {key}: at the team dinner the manager touched a colleague repeatedly."
    body = {
        "reporter_kind": "third_party",
        "identity_mode": "anonymous",
        "category": "sexual_harassment",
        "narrative": narrative,
    }
    return Submission(key, body)


async def _answered(send: Callable[[], Awaitable[httpx.Response]], give_up_at: float) -> httpx.Response | None:
    """A careful client: send again after a connection error (refused while down, cut short by a kill) or a
    409, 429 or 5xx (503 with Retry-After when the server's hashing is busy), until another answer comes or
    `give_up_at` (time.monotonic()) passes."""
    while time.monotonic() < give_up_at:
        try:
            answer = await send()
        except httpx.TransportError:
            answer = None
        if answer is not None and answer.status_code not in RETRYABLE:
            return answer
        await asyncio.sleep(RETRY_PAUSE)
    return None


async def _until_acknowledged(client: httpx.AsyncClient, submission: Submission, give_up_at: list[float]) -> None:
    async def send() -> httpx.Response:
        submission.attempts += 1
        answer = await client.post("/reports", json=submission.body, headers={"Idempotency-Key": submission.key})
        if answer.status_code != 201:
            submission.statuses[answer.status_code] += 1
        return answer

    while time.monotonic() < give_up_at[0]:  # the deadline is set once the kills are over
        answer = await _answered(send, min(give_up_at[0], time.monotonic() + 5))
        if answer is not None:
            if answer.status_code == 201:
                submission.answer = answer.json()
            return


async def _reporter(
    api: str, submissions: list[Submission], kills_done: asyncio.Event, give_up_at: list[float]
) -> None:
    async with httpx.AsyncClient(base_url=api, timeout=30) as client:
        while not kills_done.is_set():
            submission = _new_submission()
            submissions.append(submission)
            await _until_acknowledged(client, submission, give_up_at)


async def _kill_and_restart(server: fleet.Server, rng: random.Random) -> None:
    for _ in range(KILLS):
        await asyncio.sleep(rng.uniform(*KILL_AFTER))
        server.kill()
        server.start()
        await asyncio.to_thread(server.wait_healthy)


async def _chaos(server: fleet.Server) -> list[Submission]:
    submissions: list[Submission] = []
    kills_done = asyncio.Event()
    give_up_at = [float("inf")]
    reporters = [
        asyncio.create_task(_reporter(server.api, submissions, kills_done, give_up_at)) for _ in range(REPORTERS)
    ]
    try:
        await _kill_and_restart(server, random.Random(SEED))
    finally:
        kills_done.set()
        give_up_at[0] = time.monotonic() + DRAIN_SECONDS
        await asyncio.gather(*reporters)
    return submissions


@pytest.fixture(scope="module", params=fleet.ENGINES)
async def crash_run(request: pytest.FixtureRequest) -> AsyncIterator[CrashRun]:
    engine = request.param
    started = time.monotonic()
    with fleet.migrated(engine, f"withu-crash-{engine}-") as (workdir, database_url, env):
        server = fleet.server(env, workdir)
        try:
            server.start().wait_healthy()
            submissions = await _chaos(server)
            run = CrashRun(engine, database_url, server, submissions, server.kills, time.monotonic() - started)
            _write_figures(run)
            yield run
        finally:
            server.stop()


def _write_figures(run: CrashRun) -> None:
    figures = {
        "test": "crash_intake",
        "engine": run.engine,
        "seconds": round(run.seconds, 1),
        "kills": run.kills,
        "reports_acknowledged": len(run.acknowledged),
        "acknowledged_after_a_retry": sum(1 for s in run.acknowledged if s.attempts > 1),
        "other_answers": dict(sum((s.statuses for s in run.submissions), Counter())),
    }
    fleet.write_figures(figures)


async def _cases(run: CrashRun) -> dict[str, tuple[int, int, int, str]]:
    """Per case reference: its reports, acknowledgement messages, audit entries of its submission, deadline kinds."""
    rows = await fleet.query(
        run.database_url,
        """
        SELECT c.reference,
               (SELECT count(*) FROM report r WHERE r.case_id = c.id),
               (SELECT count(*) FROM case_message m WHERE m.case_id = c.id AND m.seq = 1 AND m.author = 'system'
                  AND m.internal = :no),
               (SELECT count(*) FROM audit_entry a WHERE a.case_id = c.id AND a.action = 'report.submitted')
        FROM case_file c
        """,
        no=False,
    )
    kinds = await fleet.query(
        run.database_url, "SELECT c.reference, d.kind FROM case_deadline d JOIN case_file c ON c.id = d.case_id"
    )
    by_case: dict[str, list[str]] = {}
    for reference, kind in kinds:
        by_case.setdefault(reference, []).append(kind)
    return {ref: (reports, acks, audits, ",".join(sorted(by_case.get(ref, [])))) for ref, reports, acks, audits in rows}


async def test_int_7_every_report_acknowledged_across_sigkills_is_stored_whole(crash_run: CrashRun) -> None:
    """INT-7: at least KILLS SIGKILLs landed; every report was acknowledged in the end (no reporter gave up and no
    answer was a 500); each acknowledged case has its one report, its acknowledgement message, its audit entry and
    the same deadlines as every other, and no report, deadline or message exists without its case."""
    assert crash_run.kills >= KILLS
    unacknowledged = [(s.key, dict(s.statuses)) for s in crash_run.submissions if s.answer is None]
    assert not unacknowledged, unacknowledged[:5]
    assert not any(s.statuses.get(500) for s in crash_run.submissions), "a 500 under crashes"
    cases = await _cases(crash_run)
    acknowledged = {s.answer["case_reference"] for s in crash_run.acknowledged if s.answer}
    assert acknowledged <= set(cases), sorted(acknowledged - set(cases))[:5]
    deadline_sets = {row[3] for row in cases.values()}
    half_written = {ref: row for ref, row in cases.items() if row[:3] != (1, 1, 1)}
    assert not half_written, list(half_written.items())[:5]
    assert len(deadline_sets) == 1 and "acknowledgement" in next(iter(deadline_sets)), deadline_sets
    orphans = await fleet.query(
        crash_run.database_url,
        """
            SELECT 'report', count(*) FROM report WHERE case_id NOT IN (SELECT id FROM case_file)
            UNION ALL SELECT 'deadline', count(*) FROM case_deadline WHERE case_id NOT IN (SELECT id FROM case_file)
            UNION ALL SELECT 'message', count(*) FROM case_message WHERE case_id NOT IN (SELECT id FROM case_file)
            UNION ALL SELECT 'audit', count(*) FROM audit_entry
                WHERE case_id IS NOT NULL AND case_id NOT IN (SELECT id FROM case_file)
            """,
    )
    assert all(count == 0 for _, count in orphans), orphans


async def test_int_5_exactly_one_case_per_idempotency_key_and_a_retry_answers_the_first_receipt(
    crash_run: CrashRun,
) -> None:
    """INT-5: as many cases as keys, each acknowledged reference distinct, exactly the keys' stored answers (by the
    key's hash) — and sending every key again now answers its first receipt code and case, creating nothing."""
    keys = [s.key for s in crash_run.acknowledged]
    references = [s.answer["case_reference"] for s in crash_run.acknowledged if s.answer]
    assert len(set(references)) == len(keys)
    stored = await fleet.query(crash_run.database_url, "SELECT key_hash FROM idempotency_record")
    assert sorted(h for (h,) in stored) == sorted(IdempotencyKey("reports", k).key_hash for k in keys)
    assert await fleet.query(crash_run.database_url, "SELECT count(*) FROM case_file") == [(len(keys),)]

    async def replay_all() -> list[tuple[str, int, dict[str, Any]]]:
        async with httpx.AsyncClient(base_url=crash_run.server.api, timeout=60) as client:
            limit = asyncio.Semaphore(4)

            async def replay(s: Submission) -> tuple[str, int, dict[str, Any]]:
                async with limit:
                    again = await _answered(
                        lambda: client.post("/reports", json=s.body, headers={"Idempotency-Key": s.key}),
                        time.monotonic() + DRAIN_SECONDS,
                    )
                assert again is not None, s.key
                return s.key, again.status_code, again.json()

            return await asyncio.gather(*(replay(s) for s in crash_run.acknowledged))

    first = {s.key: s.answer for s in crash_run.acknowledged}
    differing = [(k, status) for k, status, body in await replay_all() if status != 201 or body != first[k]]
    assert not differing, differing[:5]
    assert await fleet.query(crash_run.database_url, "SELECT count(*) FROM case_file") == [(len(keys),)]


async def test_int_4_every_receipt_code_opens_the_inbox_of_its_case(crash_run: CrashRun) -> None:
    """INT-4: each acknowledged receipt code opens an inbox session, and the inbox is the case it acknowledged."""

    async def open_all() -> list[str]:
        wrong: list[str] = []
        limit = asyncio.Semaphore(4)
        async with httpx.AsyncClient(base_url=crash_run.server.api, timeout=60) as client:

            async def open_one(answer: dict[str, Any]) -> None:
                async with limit:
                    session = await _answered(
                        lambda: client.post("/inbox/session", json={"receipt_code": answer["receipt_code"]}),
                        time.monotonic() + DRAIN_SECONDS,
                    )
                    if session is None or session.status_code != 200:
                        wrong.append(f"{answer['case_reference']}: session {session and session.status_code}")
                        return
                    token = session.json()["access_token"]
                    inbox = await client.get("/inbox", headers={"Authorization": f"Bearer {token}"})
                if inbox.status_code != 200 or inbox.json()["case_reference"] != answer["case_reference"]:
                    wrong.append(f"{answer['case_reference']}: inbox {inbox.status_code}")

            await asyncio.gather(*(open_one(s.answer) for s in crash_run.acknowledged if s.answer))
        return wrong

    assert crash_run.acknowledged
    assert await open_all() == []


def test_aud_1_the_audit_chain_verifies_after_sigkills(crash_run: CrashRun) -> None:
    """AUD-1: `withu audit verify` passes on the database the killed servers wrote."""
    out = fleet.withu(crash_run.server.env, crash_run.server.cwd, "audit", "verify")
    assert "intact" in out.lower(), out
