"""Benchmark: the personnel system's full sync (POST /api/v1/personnel/sync), beside a baseline in the same run.

Run on demand, never as a timed test. `build_directory` makes a synthetic directory (50,000 employees in 5,000
units of 30 organisations, chains of command along the unit tree, 20,000 assignments of 2–8 members). The sync is
timed through the API, from the first byte sent to the answer, three times: the first run creates everything,
the second sends the same snapshot again (idempotent: 0 changes, nothing written), the third the same content as
of a day later (0 changes, but every employee's and membership's effective times move forward: a daily sync).
The baseline is a bare executemany insert of the same employee rows into a plain table of the same kind of
database (same engine set-up, no foreign keys).
Goal (issue 3): a full sync of 50,000 employees in under 30 s on SQLite and PostgreSQL.

    .venv/bin/python bench/separation_check.py --sync-only                   # own server, temporary SQLite file
    .venv/bin/python bench/separation_check.py --sync-only \\
        --database-url postgresql+asyncpg://postgres@127.0.0.1:5432/withu_bench   # a fresh, empty database
    .venv/bin/python bench/separation_check.py --sync-only --employees 2000 --units 200 --assignments 500  # smoke

The benchmark starts its own server (`withu migrate`, `withu client create`, `withu serve` on 127.0.0.1 and a
free port, WITHU_ENVIRONMENT=development) in a fresh temporary directory and stops it at the end, also on failure.
Traffic goes to 127.0.0.1 only. (The check-latency part is still to come; today only --sync-only runs.)
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import random
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import Column, Date, MetaData, String, Table, Uuid
from sqlalchemy.engine import make_url

from app.db.engine import make_engine
from app.db.models import UTCDateTime
from app.settings import Settings

AS_OF = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
GOAL_SECONDS = 30.0
N_ORGANISATIONS = 30


# --- the directory --------------------------------------------------------------------------------------------


def build_directory(
    n_employees: int = 50_000, n_units: int = 5_000, n_assignments: int = 20_000, *, prefix: str = "", seed: int = 7
) -> dict[str, Any]:
    """A snapshot as the personnel system sends it. Unit trees per organisation; the first employee of a unit
    heads it and reports to the head of the parent unit; the others report to their unit's head."""
    rng = random.Random(seed)
    kinds = ["smg"] + ["affiliated"] * 20 + ["contractor"] * (N_ORGANISATIONS - 21)
    organisations = [
        {"id": f"{prefix}ORG{i:02d}", "name": f"Organisation {i}", "kind": kind} for i, kind in enumerate(kinds)
    ]
    units: list[dict[str, Any]] = []
    units_of_org: dict[int, list[int]] = {}
    for i in range(n_units):
        org = i % N_ORGANISATIONS
        earlier = units_of_org.setdefault(org, [])
        parent = f"{prefix}U{rng.choice(earlier):05d}" if earlier else None
        units.append(
            {"id": f"{prefix}U{i:05d}", "organisation": f"{prefix}ORG{org:02d}", "parent": parent, "name": f"Unit {i}"}
        )
        earlier.append(i)

    head_of: dict[int, str] = {}
    employees: list[dict[str, Any]] = []
    for i in range(n_employees):
        unit_index = i % n_units
        number = f"{prefix}E{i:06d}"
        parent = units[unit_index]["parent"]
        if unit_index not in head_of:
            head_of[unit_index] = number
            supervisor = head_of.get(int(parent[len(prefix) + 1 :])) if parent else None
        else:
            supervisor = head_of[unit_index]
        roll = rng.random()
        status = "retired" if roll < 0.02 else "on_leave" if roll < 0.06 else "active"
        employees.append(
            {
                "employee_number": number,
                "organisation": units[unit_index]["organisation"],
                "unit": units[unit_index]["id"],
                "supervisor": supervisor,
                "status": status,
                "retired_on": (AS_OF.date() - timedelta(days=rng.randrange(1, 900))).isoformat()
                if status == "retired"
                else None,
            }
        )

    assignment_kinds = ["project", "duty", "shift", "committee"]
    assignments = [
        {
            "id": f"{prefix}A{i:05d}",
            "organisation": f"{prefix}ORG{rng.randrange(N_ORGANISATIONS):02d}",
            "kind": assignment_kinds[i % 4],
            "name": f"Assignment {i}",
            "members": [
                f"{prefix}E{j:06d}" for j in rng.sample(range(n_employees), min(n_employees, rng.randint(2, 8)))
            ],
        }
        for i in range(n_assignments)
    ]
    return {
        "as_of": AS_OF.isoformat(),
        "organisations": organisations,
        "units": units,
        "employees": employees,
        "assignments": assignments,
    }


# --- the server -------------------------------------------------------------------------------------------------


@dataclass
class Target:
    base_url: str
    settings: Settings
    description: str
    client_id: str
    client_secret: str


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_healthy(base_url: str, server: subprocess.Popen[bytes], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    with httpx.Client(base_url=base_url, timeout=2.0) as client:
        while time.monotonic() < deadline:
            if server.poll() is not None:
                raise RuntimeError(f"the server exited with code {server.returncode} before answering")
            try:
                if client.get("/api/v1/health").status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.2)
    raise RuntimeError(f"the server did not answer GET /api/v1/health with 200 within {timeout:.0f} s")


def stop(server: subprocess.Popen[bytes]) -> None:
    if server.poll() is not None:
        return
    server.terminate()
    try:
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait(timeout=5)


def show_log(log_path: Path, lines: int = 40) -> None:
    if log_path.exists():
        tail = log_path.read_text(errors="replace").splitlines()[-lines:]
        print(f"--- last {len(tail)} lines of the server log ---", file=sys.stderr)
        print("\n".join(tail), file=sys.stderr)


def create_client(withu: Path, tmpdir: Path, log_path: Path) -> tuple[str, str]:
    """`withu client create` for the personnel system; its id and secret parsed from what it prints."""
    command = [str(withu), "client", "create", "--name", "bench personnel system", "--kind", "hr_system"]
    command += ["--scopes", "personnel:write"]
    done = subprocess.run(command, cwd=tmpdir, capture_output=True, text=True, check=False)  # noqa: S603
    with log_path.open("a") as log:
        log.write(done.stderr)
    fields = dict(line.split(":", 1) for line in done.stdout.splitlines() if ":" in line)
    if done.returncode != 0 or "client_id" not in fields or "client_secret" not in fields:
        raise RuntimeError(f"`withu client create` failed with code {done.returncode}: {done.stderr.strip()}")
    return fields["client_id"].strip(), fields["client_secret"].split()[0]


@contextmanager
def own_server(database_url: str | None, start_timeout: float) -> Iterator[Target]:
    """Migrate and serve a fresh instance on 127.0.0.1; always stopped (and its directory removed) at the end."""
    withu = Path(sys.executable).parent / "withu"
    if not withu.exists():
        raise RuntimeError(f"{withu} not found: run this with the project's virtualenv python (.venv/bin/python)")
    with tempfile.TemporaryDirectory(prefix="withu-bench-") as tmp:
        tmpdir = Path(tmp)
        key_file = tmpdir / "master.key"
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(base64.b64encode(secrets.token_bytes(32)).decode())
        os.environ.update(
            {
                "WITHU_ENVIRONMENT": "development",
                "WITHU_DATABASE_URL": database_url or f"sqlite+aiosqlite:///{tmpdir / 'bench.db'}",
                "WITHU_MASTER_KEY_FILE": str(key_file),
                "WITHU_RATE_TOKEN": "100000/minute",
                "WITHU_PWA_DIR": str(tmpdir / "no-pwa"),
            }
        )
        os.environ.pop("WITHU_MASTER_KEY", None)
        settings = Settings()
        log_path = tmpdir / "server.log"
        with log_path.open("wb") as log:
            migrated = subprocess.run([str(withu), "migrate"], cwd=tmpdir, stdout=log, stderr=log, check=False)  # noqa: S603
        if migrated.returncode != 0:
            show_log(log_path)
            raise RuntimeError(f"`withu migrate` failed with code {migrated.returncode}")
        client_id, client_secret = create_client(withu, tmpdir, log_path)
        port = free_port()
        command = [str(withu), "serve", "--host", "127.0.0.1", "--port", str(port)]
        with log_path.open("ab") as log:
            server = subprocess.Popen(command, cwd=tmpdir, stdout=log, stderr=log)  # noqa: S603
        failed = True
        try:
            base_url = f"http://127.0.0.1:{port}"
            wait_healthy(base_url, server, start_timeout)
            db = make_url(settings.database_url).render_as_string(hide_password=True)
            yield Target(base_url, settings, f"own server {base_url}, database {db}", client_id, client_secret)
            failed = False
        finally:
            stop(server)
            if failed:
                show_log(log_path)


# --- the sync through the API ---------------------------------------------------------------------------------


@dataclass
class SyncRun:
    seconds: float
    counts: dict[str, dict[str, int]]


def token(target: Target) -> str:
    form = {"grant_type": "client_credentials", "client_id": target.client_id, "client_secret": target.client_secret}
    with httpx.Client(base_url=target.base_url, timeout=30.0) as client:
        response = client.post("/api/v1/oauth/token", data=form)
    if response.status_code != 200:
        raise RuntimeError(f"no token: HTTP {response.status_code} {response.text[:200]}")
    return str(response.json()["access_token"])


def timed_sync(target: Target, access_token: str, body: bytes, timeout: float) -> SyncRun:
    headers = {"Authorization": f"Bearer {access_token}", "Content-Type": "application/json"}
    with httpx.Client(base_url=target.base_url, timeout=timeout) as client:
        started = time.perf_counter()
        response = client.post("/api/v1/personnel/sync", content=body, headers=headers)
        seconds = time.perf_counter() - started
    if response.status_code != 200:
        raise RuntimeError(f"sync failed: HTTP {response.status_code} {response.text[:500]}")
    counts = {k: v for k, v in response.json().items() if isinstance(v, dict)}
    return SyncRun(seconds, counts)


# --- the baseline -----------------------------------------------------------------------------------------------


def employee_table(name: str) -> Table:
    """The employee table's columns and types, with its primary key and unique number, without foreign keys."""
    return Table(
        name,
        MetaData(),
        Column("id", Uuid, primary_key=True),
        Column("employee_number", String(40), unique=True),
        Column("organisation_id", Uuid),
        Column("unit_id", Uuid, nullable=True),
        Column("supervisor_id", Uuid, nullable=True),
        Column("status", String(40)),
        Column("retired_on", Date, nullable=True),
        Column("unit_effective_at", UTCDateTime),
        Column("supervisor_effective_at", UTCDateTime),
        Column("status_effective_at", UTCDateTime),
    )


async def measure_baseline(settings: Settings, snapshot: dict[str, Any]) -> float:
    """Seconds for one committed executemany insert of the snapshot's employee rows (ids resolved beforehand)."""
    ids = {u["id"]: uuid.uuid4() for u in snapshot["units"]}
    ids |= {o["id"]: uuid.uuid4() for o in snapshot["organisations"]}
    ids |= {e["employee_number"]: uuid.uuid4() for e in snapshot["employees"]}
    rows = [
        {
            "id": ids[e["employee_number"]],
            "employee_number": e["employee_number"],
            "organisation_id": ids[e["organisation"]],
            "unit_id": ids[e["unit"]] if e["unit"] else None,
            "supervisor_id": ids[e["supervisor"]] if e["supervisor"] else None,
            "status": e["status"],
            "retired_on": date.fromisoformat(e["retired_on"]) if e["retired_on"] else None,
            "unit_effective_at": AS_OF,
            "supervisor_effective_at": AS_OF,
            "status_effective_at": AS_OF,
        }
        for e in snapshot["employees"]
    ]
    with tempfile.TemporaryDirectory(prefix="withu-bench-baseline-") as tmp:
        url = f"sqlite+aiosqlite:///{Path(tmp) / 'baseline.db'}" if settings.is_sqlite else settings.database_url
        engine = make_engine(url)  # the server's engine set-up: WAL + synchronous=FULL + BEGIN IMMEDIATE on SQLite
        table = employee_table(f"bench_baseline_{secrets.token_hex(4)}")
        try:
            async with engine.begin() as conn:
                await conn.run_sync(table.metadata.create_all)
            started = time.perf_counter()
            async with engine.begin() as conn:
                await conn.execute(table.insert(), rows)
            return time.perf_counter() - started
        finally:
            async with engine.begin() as conn:
                await conn.run_sync(table.metadata.drop_all)
            await engine.dispose()


# --- the report ---------------------------------------------------------------------------------------------------


def report(
    target: Target, snapshot: dict[str, Any], body: bytes, runs: list[SyncRun], baseline: float, load: tuple[float, ...]
) -> None:
    members = sum(len(a["members"]) for a in snapshot["assignments"])
    n = len(snapshot["employees"])
    print(f"WithU full-sync benchmark: {target.description}")
    print(f"  machine: {os.cpu_count()} CPUs; load average before the run {', '.join(f'{x:.2f}' for x in load)}")
    print(
        f"  directory: {n} employees, {len(snapshot['units'])} units, {len(snapshot['assignments'])} assignments "
        f"({members} memberships), {len(snapshot['organisations'])} organisations; body {len(body) / 2**20:.1f} MiB"
    )
    labels = ("first sync (creates all)", "same snapshot again", "next day, same content")
    for label, run in zip(labels, runs, strict=True):
        summary = ", ".join(f"{kind} {c['created']}/{c['updated']}/{c['unchanged']}" for kind, c in run.counts.items())
        print(f"  {label:26} {run.seconds:7.2f} s   created/updated/unchanged: {summary}")
    print(f"  baseline                   {baseline:7.2f} s   bare executemany insert of the {n} employee rows")
    print(f"  ratio                      {runs[0].seconds / baseline:7.1f}   (first sync / baseline)")
    verdict = "met" if runs[0].seconds < GOAL_SECONDS else "NOT met"
    print(f"  goal: a full sync under {GOAL_SECONDS:.0f} s — {verdict}")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--sync-only", action="store_true", help="measure the full sync only (the check part is to come)")
    p.add_argument("--database-url", help="our server's database (default: a temporary SQLite file); use a fresh one")
    p.add_argument("--employees", type=int, default=50_000)
    p.add_argument("--units", type=int, default=5_000)
    p.add_argument("--assignments", type=int, default=20_000)
    p.add_argument("--timeout", type=float, default=600.0, help="seconds for one sync request (default 600)")
    p.add_argument("--start-timeout", type=float, default=60.0, help="seconds for our server to answer (default 60)")
    args = p.parse_args(argv)
    if min(args.employees, args.units) < 1 or args.assignments < 0:
        p.error("--employees and --units must be at least 1, --assignments at least 0")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if not args.sync_only:
        print("only the full-sync part exists so far: run with --sync-only", file=sys.stderr)
        return 2
    load = os.getloadavg()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    # A prefix per run keeps the rows new even in a database used before (the goal assumes a fresh one).
    snapshot = build_directory(args.employees, args.units, args.assignments, prefix=f"b{secrets.token_hex(2)}-")
    body = json.dumps(snapshot).encode()
    try:
        with own_server(args.database_url, args.start_timeout) as target:
            access_token = token(target)
            next_day = json.dumps({**snapshot, "as_of": (AS_OF + timedelta(days=1)).isoformat()}).encode()
            runs = [timed_sync(target, access_token, b, args.timeout) for b in (body, body, next_day)]
            baseline = asyncio.run(measure_baseline(target.settings, snapshot))
            report(target, snapshot, body, runs, baseline, load)
    except (RuntimeError, httpx.HTTPError) as exc:
        print(f"benchmark failed: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
