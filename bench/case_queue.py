"""Benchmark: the case team's queue (GET /api/v1/cases), a page of 50 out of 1,000,000 cases, each variant beside a
raw baseline in the same run — issue 17's goal: every variant's p99 within 2x that of a bare uvicorn + FastAPI
endpoint answering with the best hand-written keyset query for it (issue 7's older goal: under a second).

Run on demand, never as a timed test (`--smoke` is a tiny run that fails on any error or differing answer). The
benchmark starts its own server (bench/server.py: `withu migrate`, `withu serve` on 127.0.0.1 and a free port, in a
fresh temporary directory), creates with `withu user create` a division head (who sees every case, so the deep page
is really deep), an intake team lead and an intake handler, with employee numbers of a one-organisation directory
seeded alongside (a case-team account sees no case without that match), and seeds the cases by bulk load straight
into the server's scratch database — one executemany per table and chunk on SQLite, COPY on PostgreSQL — each case
with its CASE-2 deadlines (acknowledgement met, triage, feedback, investigation; some met, some late), spread over
three years (more recent ones than old), the four teams, every status and category, numbered within its day as the
app numbers arrivals. The rows carry the case's next due day and met-late flag as the database's triggers keep them
(migration 0029; on SQLite the triggers also run on every deadline inserted); afterwards one statement checks every
case's values against its deadlines. The handler gets 200 cases assigned; 40 cases get an active separation order
with an open violation. Through the API each case would cost a report and its Argon2id receipt hash (~20 hours).

Variants, a page of 50 each (the staff member in brackets):
  newest            ?limit=50                                  (division head: all cases)
  mine              ?mine=true                                 (the handler)
  team              ?team=intake_counselling&status=investigating   (the team lead's own queue)
  status            ?status=triaged
  overdue           ?overdue=true           (the total counts every overdue case)
  not overdue       ?overdue=false
  violations        ?violations=true
  no violations     ?violations=false
  next deadline     ?sort=next_deadline
  deep              ?offset=<total-50>
  deep by deadline  ?sort=next_deadline&offset=<total-50>

Baseline, per variant: bench/bare_app.py's GET /raw-queue under uvicorn with `withu serve`'s options, answering with
bench/raw_queue.py's hand-written statements on one plain driver connection to the same database: the same
visibility (recusal included), the same total and the same page, read by keyset from the previous page's last row
(deep pages: the row just before the page, found once beforehand). Per round and variant, sequentially: the API
request, then the baseline's, through the same keep-alive client; every answer is compared with the API's (total,
references in order, overdue, next deadline, content visible, open violations). Floors: GET /api/v1/health and the
bare app's GET /health. Printed: p50 and p99 of each, the ratio API p99 / baseline p99 (and at p50), the goal, and
the baseline's own statement time.

    .venv/bin/python bench/case_queue.py                 # 1,000,000 cases, temporary SQLite
    .venv/bin/python bench/case_queue.py --cases 100000 --requests 30
    .venv/bin/python bench/case_queue.py --database-url postgresql+asyncpg://postgres@127.0.0.1:5432/SCRATCH_DB
    .venv/bin/python bench/case_queue.py --smoke         # 2,000 cases, 5 requests each; exit 1 on a failure

Exit 1 if a request failed, an answer differed from the baseline's, or (not with --smoke) a variant missed the goal;
2 if the benchmark could not run. Traffic goes to 127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import http.client
import json
import math
import os
import queue
import random
import re
import secrets
import sqlite3
import sys
import threading
import time
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import httpx
import pyotp
from server import BareApp, Http, Server, exit_on_sigterm, own_server, run_cli
from sqlalchemy import Boolean, Date, Table, Uuid, bindparam, insert, select, text
from sqlalchemy import Enum as SAEnum
from sqlalchemy.dialects.postgresql.asyncpg import dialect as postgresql_dialect
from sqlalchemy.dialects.sqlite.aiosqlite import dialect as sqlite_dialect
from sqlalchemy.engine import make_url
from sqlalchemy.types import TypeDecorator

from app.db import encryption, links
from app.db.engine import make_engine
from app.db.models import (
    Case,
    CaseAssignment,
    CaseDeadline,
    Employee,
    Organisation,
    SeparationOrder,
    SeparationViolation,
    StaffUser,
)
from app.domain.deadlines import add_months
from app.domain.enums import (
    CaseOrigin,
    CaseStatus,
    Category,
    ConnectionKind,
    DeadlineKind,
    EmployeeStatus,
    OrderStatus,
    OrgKind,
    Team,
)
from app.settings import Settings

GOAL_RATIO = 2.0
CHUNK = 50_000  # cases per bulk statement (and their deadlines)
PASSWORD = "bench-queue-password-1"
ASSIGNED = 200  # the handler's cases
VIOLATING = 40  # cases with an active order and an open violation
STAFF_NUMBERS = {"head": "E-BENCH-HEAD", "lead": "E-BENCH-LEAD", "handler": "E-BENCH-HANDLER"}


def percentile(values: Iterable[float], p: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


# --- the rows ----------------------------------------------------------------------------------------------------


def case_rows(
    start: int, n: int, today: date, rng: random.Random, tag: str, arrivals: dict[date, int]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Cases start..start+n over the last three years, their deadlines as CASE-2 sets them at receipt, and the
    next due day and met-late flag the database keeps from those deadlines (migration 0029)."""
    statuses = list(CaseStatus)
    teams, categories, kinds = list(Team), list(Category), list(OrgKind)
    cases, deadlines = [], []
    for i in range(start, start + n):
        opened = today - timedelta(days=int(rng.random() ** 2 * 1095))  # more recent cases than old ones
        arrivals[opened] = arrivals.get(opened, 0) + 1  # INT-1: the order of arrival within the day
        status = rng.choice(statuses)
        case_id = uuid.uuid4()
        ended = status in (CaseStatus.closed, CaseStatus.withdrawn)
        due = {
            DeadlineKind.acknowledgement: opened + timedelta(days=7),
            DeadlineKind.triage: opened + timedelta(days=3),
            DeadlineKind.feedback: add_months(opened, 3),
            DeadlineKind.investigation: opened + timedelta(days=30),
        }
        unmet, late = [], False
        for kind, due_on in due.items():
            met = kind == DeadlineKind.acknowledgement or (status != CaseStatus.received and rng.random() < 0.8)
            met_on = opened if kind == DeadlineKind.acknowledgement else due_on + timedelta(days=rng.randint(-3, 2))
            met_on = min(met_on, today) if met else None
            deadlines.append({"id": uuid.uuid4(), "case_id": case_id, "kind": kind, "due_on": due_on, "met_on": met_on})
            if met_on is None:
                unmet.append(due_on)
            elif met_on > due_on:
                late = True
        cases.append(
            {
                "id": case_id,
                "reference": f"WU-{tag}-{i:07d}",
                "status": status,
                "team": rng.choice(teams),
                "category": rng.choice(categories),
                "org_kind": rng.choice(kinds),
                "opened_on": opened,
                "received_at": datetime.combine(opened, datetime.min.time(), UTC).isoformat(),
                "arrival": arrivals[opened],
                "origin": CaseOrigin.report,
                "closed_on": opened + timedelta(days=rng.randint(20, 120)) if ended else None,
                "sealed": False,
                "version": 1,
                "next_due_on": min(unmet) if unmet else None,
                "met_late": late,
            }
        )
    return cases, deadlines


# The columns a seeded row sets, in the table's order (that of the INSERT statements SQLAlchemy compiles).
CASE_COLUMNS = [
    c.name
    for c in Case.__table__.columns
    if c.name
    in {
        "id",
        "reference",
        "status",
        "team",
        "category",
        "org_kind",
        "opened_on",
        "received_at",
        "arrival",
        "origin",
        "closed_on",
        "sealed",
        "version",
        "next_due_on",
        "met_late",
    }
]
DEADLINE_COLUMNS = [
    c.name for c in CaseDeadline.__table__.columns if c.name in {"id", "case_id", "kind", "due_on", "met_on"}
]


class Loader:
    """Rows as the driver stores them, converted column by column: on SQLite uuids as hex, days as text, booleans as
    integers; on PostgreSQL as asyncpg's COPY takes them; on both, enums as their values and the encrypted columns
    encrypted (the column type's own process_bind_param). Checked against SQLAlchemy's own bind processors on the
    first rows (the storage format must be the app's)."""

    def __init__(self, is_sqlite: bool) -> None:
        self.is_sqlite = is_sqlite
        self.dialect = sqlite_dialect() if is_sqlite else postgresql_dialect()
        self.converters: dict[str, list[Any]] = {}
        self.checked: set[str] = set()
        for table, names in ((Case.__table__, CASE_COLUMNS), (CaseDeadline.__table__, DEADLINE_COLUMNS)):
            assert isinstance(table, Table)
            self.converters[table.name] = [self._converter(table.c[name].type) for name in names]

    def _converter(self, column_type: Any) -> Any:
        if isinstance(column_type, TypeDecorator):
            return lambda v, t=column_type, d=self.dialect: t.process_bind_param(v, d)
        if isinstance(column_type, SAEnum):
            return lambda v: v.value
        if not self.is_sqlite:
            return None
        if isinstance(column_type, Uuid):
            return lambda v: v.hex
        if isinstance(column_type, Date):
            return lambda v: v.isoformat()
        if isinstance(column_type, Boolean):
            return int
        return None

    def tuples(self, table: str, names: list[str], rows: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
        converters = list(zip(names, self.converters[table], strict=True))
        out = [
            tuple(None if row[n] is None else (row[n] if c is None else c(row[n])) for n, c in converters)
            for row in rows
        ]
        if table not in self.checked and self.is_sqlite and rows:  # the app's storage format, exactly
            self.checked.add(table)
            model = Case if table == "case_file" else CaseDeadline
            processors = [
                model.__table__.c[n].type.dialect_impl(self.dialect).bind_processor(self.dialect) for n in names
            ]
            for row, mine in zip(rows[:20], out, strict=False):
                theirs = tuple(
                    None if row[n] is None else (p(row[n]) if p else row[n])
                    for n, p in zip(names, processors, strict=True)
                )
                for n, a, b in zip(names, mine, theirs, strict=True):
                    if n != "received_at" and a != b:  # encrypted: a new nonce each time
                        raise RuntimeError(f"{table}.{n} stored as {a!r}, the app stores {b!r}")
        return out


def ahead(items: Iterator[Any]) -> Iterator[Any]:
    """`items`, each made by a thread of its own while the one before is used (sqlite3 and asyncpg's COPY leave the
    interpreter free meanwhile)."""
    made: queue.Queue[Any] = queue.Queue(maxsize=1)
    done = object()

    def make() -> None:
        try:
            for item in items:
                made.put(item)
        except BaseException as exc:  # noqa: BLE001 - handed to the consumer
            made.put(exc)
        made.put(done)

    threading.Thread(target=make, daemon=True).start()
    while (item := made.get()) is not done:
        if isinstance(item, BaseException):
            raise item
        yield item


def _sqlite_path(url: str) -> str:
    return url.split(":///", 1)[1]


def _pg_dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@dataclass
class Seeded:
    seconds: float
    assigned: list[uuid.UUID]
    violating: list[uuid.UUID]
    stale: int  # cases whose stored next due day or met-late flag differ from their deadlines (must be 0)


async def seed(settings: Settings, n: int, seed_value: int) -> Seeded:
    """Bulk-load the staff's directory, n cases and their deadlines into the server's (scratch) database; the
    seconds it took, the handler's cases and those that get a violation."""
    encryption.configure(settings.load_master_key())  # case_file.received_at is encrypted
    rng = random.Random(seed_value)
    today, tag = date.today(), secrets.token_hex(2).upper()
    picked = rng.sample(range(n), min(n, ASSIGNED + VIOLATING))
    assigned_at, violating_at = set(picked[:ASSIGNED]), set(picked[ASSIGNED:])
    assigned: list[uuid.UUID] = []
    violating: list[uuid.UUID] = []
    loader = Loader(settings.is_sqlite)
    engine = make_engine(settings.database_url)
    started = time.perf_counter()
    try:
        async with engine.begin() as conn:
            organisation = {"id": uuid.uuid4(), "external_id": "BENCH-ORG", "name": "Bench org", "kind": OrgKind.smg}
            now = datetime.now(UTC)
            await conn.execute(insert(Organisation), [organisation])
            await conn.execute(
                insert(Employee),
                [
                    {
                        "id": uuid.uuid4(),
                        "employee_number": number,
                        "organisation_id": organisation["id"],
                        "status": EmployeeStatus.active,
                        "unit_effective_at": now,
                        "supervisor_effective_at": now,
                        "status_effective_at": now,
                    }
                    for number in STAFF_NUMBERS.values()
                ],
            )

        def chunks() -> Iterator[tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]]:
            arrivals: dict[date, int] = {}
            for start in range(0, n, CHUNK):
                cases, deadlines = case_rows(start, min(CHUNK, n - start), today, rng, tag, arrivals)
                for offset, case in enumerate(cases, start=start):
                    if offset in assigned_at:
                        assigned.append(case["id"])
                    elif offset in violating_at:
                        violating.append(case["id"])
                # by id, and the deadlines by case: the inserts into the indexes keyed by them stay near each other
                cases.sort(key=lambda c: c["id"].bytes)
                deadlines.sort(key=lambda d: (d["case_id"].bytes, d["id"].bytes))
                yield (
                    loader.tuples("case_file", CASE_COLUMNS, cases),
                    loader.tuples("case_deadline", DEADLINE_COLUMNS, deadlines),
                )

        rows = ahead(chunks())  # the next chunk is made while the database stores this one
        if settings.is_sqlite:
            await asyncio.to_thread(_load_sqlite, _sqlite_path(settings.database_url), rows)
        else:
            await _load_postgresql(_pg_dsn(settings.database_url), rows)
        seconds = time.perf_counter() - started
        async with engine.connect() as conn:
            stale = int(await conn.scalar(text(STALE_SQLITE if settings.is_sqlite else STALE_POSTGRESQL)) or 0)
    finally:
        await engine.dispose()
    return Seeded(seconds, assigned, violating, stale)


def _insert_sql(model: Any, names: list[str]) -> str:
    """INSERT INTO table (names) VALUES (?, …), positional in the order of `names` (the table's)."""
    sql = str(model.__table__.insert().values({n: bindparam(n) for n in names}).compile(dialect=sqlite_dialect()))
    assert sql.startswith(f"INSERT INTO {model.__tablename__} ({', '.join(names)}) VALUES"), sql
    return sql


def _load_sqlite(path: str, chunks: Iterator[tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]]) -> None:
    """One executemany per table and chunk, on a plain connection with a large page cache (the server's own
    connections are idle meanwhile); the deadlines' triggers run as they would for any insert."""
    connection = sqlite3.connect(path, isolation_level=None, timeout=60)
    try:
        connection.execute("PRAGMA cache_size=-2000000")  # 2 GB: the indexes being filled stay in memory
        connection.execute("PRAGMA synchronous=OFF")  # a scratch database: no fsync per chunk
        case_sql, deadline_sql = _insert_sql(Case, CASE_COLUMNS), _insert_sql(CaseDeadline, DEADLINE_COLUMNS)
        for cases, deadlines in chunks:
            connection.execute("BEGIN")
            connection.executemany(case_sql, cases)
            connection.executemany(deadline_sql, deadlines)
            connection.execute("COMMIT")
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        connection.close()


async def _load_postgresql(dsn: str, chunks: Iterator[tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]]) -> None:
    """One COPY per table and chunk (the deadlines' statement triggers run once per COPY), then what autovacuum
    does after that many inserts (it is off on this machine's development server): planner statistics, and the
    visibility map without which index-only scans still visit the rows."""
    import asyncpg

    connection = await asyncpg.connect(dsn)
    try:
        for cases, deadlines in chunks:
            async with connection.transaction():
                await connection.copy_records_to_table("case_file", records=cases, columns=CASE_COLUMNS)
                await connection.copy_records_to_table("case_deadline", records=deadlines, columns=DEADLINE_COLUMNS)
        await connection.execute("VACUUM ANALYZE")
        # The load's dirty pages written out now, not by a checkpoint in the middle of the measurement (whichever
        # variant ran then showed a one-off p99 of ~140 ms, API and baseline alike exposed to it).
        await connection.execute("CHECKPOINT")
    finally:
        await connection.close()


_STALE = """
    SELECT count(*) FROM case_file c
    WHERE c.next_due_on {differs} (SELECT min(d.due_on) FROM case_deadline d
                                   WHERE d.case_id = c.id AND d.met_on IS NULL)
       OR c.met_late {differs} EXISTS (SELECT 1 FROM case_deadline d WHERE d.case_id = c.id AND d.met_on > d.due_on)
"""
STALE_SQLITE = _STALE.format(differs="IS NOT")
STALE_POSTGRESQL = _STALE.format(differs="IS DISTINCT FROM")


async def add_assignments_and_violations(settings: Settings, seeded: Seeded, handler_id: uuid.UUID) -> None:
    """The handler's cases, and an active separation order with an open violation for each violating case."""
    engine = make_engine(settings.database_url)
    now, today = datetime.now(UTC), date.today()
    try:
        async with engine.begin() as conn:
            rows = [{"case_id": c, "user_id": handler_id, "assigned_at": now} for c in seeded.assigned]
            if rows:
                await conn.execute(insert(CaseAssignment), rows)
            orders = [
                {
                    "id": uuid.uuid4(),
                    "reference": f"SO-B{secrets.token_hex(3)}-{i:04d}",
                    "case_id": case_id,
                    "victim_mac": links.employee_mac(f"V-{i}"),
                    "respondent_mac": links.employee_mac(f"R-{i}"),
                    "victim_id": uuid.uuid4(),
                    "respondent_id": uuid.uuid4(),
                    "status": OrderStatus.active,
                    "connections": [],
                    "opened_on": today,
                }
                for i, case_id in enumerate(seeded.violating)
            ]
            if orders:
                await conn.execute(insert(SeparationOrder), orders)
                violations = [
                    {
                        "id": uuid.uuid4(),
                        "order_id": order["id"],
                        "kind": ConnectionKind.same_unit,
                        "detected_on": today,
                    }
                    for order in orders
                ]
                await conn.execute(insert(SeparationViolation), violations)
    finally:
        await engine.dispose()


async def cursor_before(settings: Settings, reference: str) -> dict[str, str]:
    """The keyset cursor of a case: its order's columns (the baseline's `after_*` parameters)."""
    engine = make_engine(settings.database_url)
    try:
        async with engine.connect() as conn:
            row = (
                await conn.execute(
                    select(Case.next_due_on, Case.opened_on, Case.arrival, Case.reference).where(
                        Case.reference == reference
                    )
                )
            ).one()
    finally:
        await engine.dispose()
    return {
        "after_due": row.next_due_on.isoformat() if row.next_due_on else "",
        "after_opened": row.opened_on.isoformat(),
        "after_arrival": str(row.arrival),
        "after_reference": row.reference,
    }


# --- the staff, the servers, the clients --------------------------------------------------------------------------


def create_staff(server: Server, role: str, team: str | None, employee_number: str) -> tuple[str, str]:
    """A staff account through `withu user create`; its e-mail and TOTP secret."""
    email = f"bench-{role}-{secrets.token_hex(3)}@bench.withu.local"
    args = ["user", "create", "--email", email, "--name", f"Bench {role}", "--role", role, "--password", PASSWORD]
    args += ["--employee-number", employee_number]
    done = run_cli(server, *args, *(["--team", team] if team else []))
    found = re.search(r"TOTP secret[^:]*: ([A-Z2-7]+)", done.stdout)
    if done.returncode != 0 or not found:
        raise RuntimeError(f"`withu user create` failed with code {done.returncode}")
    return email, found.group(1)


def sign_in(base_url: str, email: str, secret: str) -> str:
    body = {"email": email, "password": PASSWORD, "totp": pyotp.TOTP(secret).now()}
    response = httpx.post(f"{base_url}/api/v1/auth/login", json=body, timeout=30)
    response.raise_for_status()
    return str(response.json()["access_token"])


async def staff_ids(settings: Settings) -> dict[str, uuid.UUID]:
    engine = make_engine(settings.database_url)
    try:
        async with engine.connect() as conn:
            rows = await conn.execute(select(StaffUser.employee_number, StaffUser.id))
            return {number: user_id for number, user_id in rows if number}
    finally:
        await engine.dispose()


def bare_queue_server(start_timeout: float, database_url: str, master_key: bytes) -> BareApp:
    """bench/bare_app.py's create_queue_app (the baseline's GET /raw-queue and the bare GET /health) on the app's
    database."""
    env = {
        "BENCH_QUEUE_DATABASE_URL": database_url,
        "BENCH_QUEUE_MASTER_KEY": base64.b64encode(master_key).decode(),
    }
    return BareApp("create_queue_app", env, start_timeout)


# --- the measurement ----------------------------------------------------------------------------------------------


@dataclass
class Variant:
    name: str
    who: str  # head, lead, handler
    params: dict[str, str]
    cursor: dict[str, str] = field(default_factory=dict)  # the baseline's keyset cursor (deep pages)
    api: list[float] = field(default_factory=list)
    raw: list[float] = field(default_factory=list)
    raw_query: list[float] = field(default_factory=list)
    total: int = 0


def variants(totals: dict[str, int]) -> list[Variant]:
    deep = str(max(0, totals["head"] - 50))
    return [
        Variant("newest", "head", {}),
        Variant("mine", "handler", {"mine": "true"}),
        Variant("team", "lead", {"team": "intake_counselling", "status": "investigating"}),
        Variant("status", "head", {"status": "triaged"}),
        Variant("overdue", "head", {"overdue": "true"}),
        Variant("not overdue", "head", {"overdue": "false"}),
        Variant("violations", "head", {"violations": "true"}),
        Variant("no violations", "head", {"violations": "false"}),
        Variant("next deadline", "head", {"sort": "next_deadline"}),
        Variant("deep", "head", {"offset": deep}),
        Variant("deep by deadline", "head", {"sort": "next_deadline", "offset": deep}),
    ]


def compare(api: dict[str, Any], raw: dict[str, Any]) -> str | None:
    """Where the baseline's answer differs from the API's, or None."""
    if api["total"] != raw["total"]:
        return f"total {api['total']} != {raw['total']}"
    mine = [i["reference"] for i in api["items"]]
    theirs = [i["reference"] for i in raw["items"]]
    if mine != theirs:
        return f"references differ (first: {mine[:2]} vs {theirs[:2]})"
    for a, r in zip(api["items"], raw["items"], strict=True):
        shown = (a["next_deadline"] or {}).get("kind"), (a["next_deadline"] or {}).get("due_on")
        expected = (r["next_deadline"] or {}).get("kind"), (r["next_deadline"] or {}).get("due_on")
        for what, x, y in (
            ("overdue", a["overdue"], r["overdue"]),
            ("next deadline", shown, expected),
            ("content visible", a["content_visible"], r["content_visible"]),
            ("open violations", a["open_violations"], r["open_violations"]),
            ("status", a["status"], r["status"]),
        ):
            if x != y:
                return f"{a['reference']}: {what} {x} != {y}"
    return None


@dataclass
class Run:
    variants: list[Variant]
    health: list[float] = field(default_factory=list)
    bare: list[float] = field(default_factory=list)
    signed_in: list[float] = field(default_factory=list)  # GET /api/v1/auth/me: token, staff look-ups, no queue
    failures: list[str] = field(default_factory=list)
    mismatches: list[str] = field(default_factory=list)


def measure(
    server: Server,
    bare: BareApp,
    tokens: dict[str, str],
    who: dict[str, dict[str, str]],
    run: Run,
    rounds: int,
    warmup: int,
) -> None:
    """Rounds of every variant in turn, each the API request then the baseline's (interleaved: the same machine
    state for both), then the two floors; the first `warmup` rounds are not counted."""
    api = Http(server.base_url, 120.0)
    raw = Http(f"http://127.0.0.1:{bare.port}", 120.0)
    try:
        for round_number in range(warmup + rounds):
            counted = round_number >= warmup
            for v in run.variants:
                query = {"limit": "50", **v.params}
                headers = {"Authorization": f"Bearer {tokens[v.who]}"}
                status, body, ms = api.get(f"/api/v1/cases?{urlencode(query)}", headers)
                raw_query = {**query, **who[v.who], **v.cursor}
                raw_query.pop("offset", None)
                raw_status, raw_body, raw_ms = raw.get(f"/raw-queue?{urlencode(raw_query)}")
                if status != 200 or raw_status != 200:
                    run.failures.append(f"{v.name}: HTTP {status} / baseline HTTP {raw_status}")
                    continue
                answer, raw_answer = json.loads(body), json.loads(raw_body)
                if not answer["items"]:
                    run.failures.append(f"{v.name}: an empty page")
                differs = compare(answer, raw_answer)
                if differs and (not run.mismatches or not run.mismatches[-1].startswith(v.name)):
                    run.mismatches.append(f"{v.name}: {differs}")
                v.total = answer["total"]
                if counted:
                    v.api.append(ms)
                    v.raw.append(raw_ms)
                    v.raw_query.append(raw_answer["query_ms"])
            status, _, ms = api.get("/api/v1/health")
            bare_status, _, bare_ms = raw.get("/health")
            me_status, _, me_ms = api.get("/api/v1/auth/me", {"Authorization": f"Bearer {tokens['head']}"})
            if status != 200 or bare_status != 200 or me_status != 200:
                run.failures.append(f"floors: HTTP {status} / bare HTTP {bare_status} / signed in HTTP {me_status}")
            elif counted:
                run.health.append(ms)
                run.bare.append(bare_ms)
                run.signed_in.append(me_ms)
    finally:
        api.close()
        raw.close()


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--database-url", help="our server's database (default: a temporary SQLite file); use a fresh one")
    p.add_argument("--smoke", action="store_true", help="a tiny, fast run (CI); exit 1 on any failure")
    p.add_argument("--cases", type=int, help="default 1,000,000 (--smoke: 2,000)")
    p.add_argument("--requests", type=int, help="per variant, default 30 (--smoke: 5)")
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--start-timeout", type=float, default=60.0)
    args = p.parse_args(argv)
    args.cases = args.cases or (2_000 if args.smoke else 1_000_000)
    args.requests = args.requests or (5 if args.smoke else 30)
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    load_before = os.getloadavg()
    exit_on_sigterm()
    try:
        with own_server(args.database_url, 1, args.start_timeout, {"WITHU_RATE_LOGIN": "100000/minute"}) as server:
            seeded = asyncio.run(seed(server.settings, args.cases, args.seed))
            if seeded.stale:
                raise RuntimeError(f"{seeded.stale} cases' next due day or met-late flag differ from their deadlines")
            accounts = {
                "head": create_staff(server, "division_head", None, STAFF_NUMBERS["head"]),
                "lead": create_staff(server, "team_lead", "intake_counselling", STAFF_NUMBERS["lead"]),
                "handler": create_staff(server, "intake", "intake_counselling", STAFF_NUMBERS["handler"]),
            }
            ids = asyncio.run(staff_ids(server.settings))
            asyncio.run(add_assignments_and_violations(server.settings, seeded, ids[STAFF_NUMBERS["handler"]]))
            tokens = {who: sign_in(server.base_url, *account) for who, account in accounts.items()}
            who = {
                "head": {"role": "division_head", "staff_team": ""},
                "lead": {"role": "team_lead", "staff_team": "intake_counselling"},
                "handler": {"role": "intake", "staff_team": "intake_counselling"},
            }
            for key, facts in who.items():
                facts.update(user_id=str(ids[STAFF_NUMBERS[key]]), employee_number=STAFF_NUMBERS[key])
            with httpx.Client(base_url=server.base_url, timeout=120.0) as client:
                head_h = {"Authorization": f"Bearer {tokens['head']}"}
                total = client.get("/api/v1/cases", params={"limit": 1}, headers=head_h).json()["total"]
                run = Run(variants({"head": total}))
                for v in run.variants:  # deep pages: the baseline starts after the row just before the page
                    if "offset" in v.params and int(v.params["offset"]) > 0:
                        before = {**v.params, "offset": str(int(v.params["offset"]) - 1), "limit": "1"}
                        reference = client.get("/api/v1/cases", params=before, headers=head_h).json()["items"][0]
                        v.cursor = asyncio.run(cursor_before(server.settings, reference["reference"]))
            bare = bare_queue_server(
                args.start_timeout, server.settings.database_url, server.settings.load_master_key()
            )
            try:
                measure(server, bare, tokens, who, run, args.requests, 3)
            finally:
                bare.close()
            description = server.description
    except (RuntimeError, httpx.HTTPError, OSError, http.client.HTTPException) as exc:
        print(f"benchmark failed: {exc}", file=sys.stderr)
        return 2
    load_after = os.getloadavg()
    return report(args, description, seeded, total, run, load_before, load_after)


def report(
    args: argparse.Namespace,
    description: str,
    seeded: Seeded,
    total: int,
    run: Run,
    load_before: tuple[float, ...],
    load_after: tuple[float, ...],
) -> int:
    db = "SQLite " + sqlite3.sqlite_version if description.endswith(".db") else "PostgreSQL"
    print(f"WithU case queue benchmark: {description} ({db})")
    print(
        f"  {args.cases:,} cases seeded in {seeded.seconds:.1f} s ({total:,} visible to the division head; "
        f"next due day and met-late flag of every case equal to its deadlines); load average "
        f"{load_before[0]:.2f} before, {load_after[0]:.2f} after"
    )
    print(f"  goal: every variant's p99 <= {GOAL_RATIO:.0f}x the baseline's (bare uvicorn + hand-written keyset query)")
    print(f"  {args.requests} rounds after 3 warm-up; latencies in ms; baseline statements' own time at p50 in [ ]")
    print(
        "  net: (API - signed-in floor) / (baseline - bare floor), at p50: the queue's own work against the raw SQL's"
    )
    print(
        f"  {'variant':<17} {'total':>9}  {'API p50':>8} {'p99':>7}  {'baseline p50':>12} {'p99':>7}  "
        f"{'[sql]':>7}  {'x p50':>6} {'x p99':>6} {'net':>6}"
    )
    missed = []
    me50 = percentile(run.signed_in, 50) if run.signed_in else 0.0
    bare50 = percentile(run.bare, 50) if run.bare else 0.0
    for v in run.variants:
        if not v.api:
            continue
        a50, a99, r50, r99 = percentile(v.api, 50), percentile(v.api, 99), percentile(v.raw, 50), percentile(v.raw, 99)
        ratio = a99 / r99
        verdict = "ok" if ratio <= GOAL_RATIO else "MISSED"
        if ratio > GOAL_RATIO:
            missed.append(v.name)
        print(
            f"  {v.name:<17} {v.total:>9,}  {a50:>8.1f} {a99:>7.1f}  {r50:>12.1f} {r99:>7.1f}  "
            f"[{percentile(v.raw_query, 50):>5.1f}]  {a50 / r50:>6.2f} {ratio:>6.2f} "
            f"{(a50 - me50) / max(r50 - bare50, 0.01):>6.2f}  {verdict}"
        )
    if run.health:
        h50, h99, b50, b99 = (percentile(x, p) for x in (run.health, run.bare) for p in (50, 99))
        print(
            f"  {'floors: health':<17} {'':>9}  {h50:>8.1f} {h99:>7.1f}  {b50:>12.1f} {b99:>7.1f}  (bare GET /health)"
        )
        m50, m99 = percentile(run.signed_in, 50), percentile(run.signed_in, 99)
        print(f"  {'signed in':<17} {'':>9}  {m50:>8.1f} {m99:>7.1f}  (GET /api/v1/auth/me: token and staff look-ups)")
    for line in run.failures[:10]:
        print(f"  failure: {line}")
    for line in run.mismatches[:10]:
        print(f"  DIFFERENT ANSWER: {line}")
    if run.failures or run.mismatches:
        return 1
    if missed and not args.smoke:
        print(f"  missed the goal of {GOAL_RATIO:.0f}x: {', '.join(missed)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
