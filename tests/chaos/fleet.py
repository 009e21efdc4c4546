"""Real `withu` processes for the crash and scale-out tests: servers and workers on a fresh database (an SQLite file,
or a PostgreSQL database made here and dropped afterwards), each process in a process group of its own so that a
SIGKILL takes all of it, and a direct look at the database for the checks. Everything listens on 127.0.0.1.

PostgreSQL is reached as scripts/pg.sh reaches it (for every test here): PG_ADMIN_URL (exported by
scripts/pg.sh, which `make test` sources) or WITHU_TEST_PG_ADMIN_URL, else the server of WITHU_TEST_PG_URL, else
127.0.0.1:5432. No PostgreSQL there fails the test (never a skip)."""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool
from standardwebhooks import Webhook, WebhookVerificationError

from tests.e2e import live_server as live

ENGINES = ("sqlite", "postgresql")
FIGURES = live.ROOT / "test-output" / "chaos-figures.jsonl"


def admin_url() -> str:
    explicit = os.environ.get("PG_ADMIN_URL") or os.environ.get("WITHU_TEST_PG_ADMIN_URL")
    if explicit:
        return explicit
    test_url = os.environ.get("WITHU_TEST_PG_URL") or os.environ.get("WITHU_TEST_DATABASE_URL", "")
    if test_url.startswith("postgresql"):
        return make_url(test_url).set(drivername="postgresql", database="postgres").render_as_string(False)
    return "postgresql://postgres@127.0.0.1:5432/postgres"


def _psql(sql: str) -> None:
    subprocess.run(["psql", admin_url(), "-qc", sql], check=True, capture_output=True, timeout=60)  # noqa: S603, S607


@contextmanager
def fresh_database(engine: str, folder: Path) -> Iterator[str]:
    """The URL of a new, empty database: a file in `folder`, or a PostgreSQL database dropped on the way out."""
    if engine == "sqlite":
        yield f"sqlite+aiosqlite:///{folder}/withu.db"
        return
    name = f"withu_chaos_{uuid.uuid4().hex[:12]}"
    _psql(f'CREATE DATABASE "{name}"')
    try:
        yield make_url(admin_url()).set(drivername="postgresql+asyncpg", database=name).render_as_string(False)
    finally:
        _psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def migrated(engine: str, prefix: str, **settings: str) -> Iterator[tuple[Path, str, dict[str, str]]]:
    """A new work folder and a fresh, migrated database: (the folder, the database URL, the `withu` environment).
    The folder is removed on the way out unless the run failed (its logs stay for a look)."""
    workdir = Path(tempfile.mkdtemp(prefix=prefix))
    with fresh_database(engine, workdir) as database_url:
        env = live.server_env(workdir, database_url=database_url, **settings)
        withu(env, workdir, "migrate")
        yield workdir, database_url, env
    shutil.rmtree(workdir, ignore_errors=True)


@contextmanager
def live_server(**settings: str) -> Iterator[live.LiveServer]:
    """A migrated and seeded `withu serve` (tests/e2e/live_server.py), stopped and its folder removed afterwards."""
    started = live.start(**settings)
    try:
        yield started
    finally:
        started.stop()
        shutil.rmtree(started.workdir, ignore_errors=True)


def run_withu(env: dict[str, str], cwd: Path, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """A `withu` command, whatever its exit status."""
    return subprocess.run(  # noqa: S603
        [str(live.WITHU), *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=timeout
    )


def withu(env: dict[str, str], cwd: Path, *args: str, timeout: float = 180) -> str:
    """A `withu` command; its standard output (a failure raises with its output)."""
    done = run_withu(env, cwd, *args, timeout=timeout)
    if done.returncode != 0:
        raise AssertionError(f"withu {' '.join(args)} exited {done.returncode}:\n{done.stdout}\n{done.stderr}")
    return done.stdout


@dataclass
class Process:
    """One `withu` process (`serve` or `worker`), restartable; its output goes to `log`."""

    args: Sequence[str]
    env: dict[str, str]
    cwd: Path
    log: Path
    process: subprocess.Popen[bytes] | None = None
    kills: int = 0

    def start(self) -> Process:
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(  # noqa: S603
                [str(live.WITHU), *self.args],
                env=self.env,
                cwd=self.cwd,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # a process group of its own: killpg reaches everything it started
            )
        return self

    def _signal_group(self, signum: int) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signum)

    def kill(self) -> None:
        """SIGKILL, no warning: nothing is flushed, nothing finishes."""
        self._signal_group(signal.SIGKILL)
        if self.process is not None:
            self.process.wait(timeout=30)
        self.kills += 1

    def stop(self) -> None:
        """SIGTERM (a worker finishes its round), SIGKILL after 15 s."""
        self._signal_group(signal.SIGTERM)
        if self.process is not None:
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self._signal_group(signal.SIGKILL)
                self.process.wait(timeout=15)

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""


@dataclass
class Server(Process):
    port: int = field(default_factory=live.free_port)

    @property
    def api(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/v1"

    def wait_healthy(self, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is None or self.process.poll() is not None:
                break
            try:
                if httpx.get(self.api + "/health", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.05)
        raise AssertionError(f"the server on port {self.port} did not come up:\n{self.output()[-3000:]}")


def server(env: dict[str, str], workdir: Path, name: str = "server") -> Server:
    made = Server(args=(), env=env, cwd=workdir, log=workdir / f"{name}.log")
    made.args = ("serve", "--host", "127.0.0.1", "--port", str(made.port))
    return made


def worker(env: dict[str, str], workdir: Path, name: str) -> Process:
    return Process(args=("worker",), env=env, cwd=workdir, log=workdir / f"{name}.log")


def stop_all(processes: Sequence[Process]) -> None:
    for process in processes:
        process.stop()


def write_figures(figures: dict[str, Any]) -> None:
    """One run's figures, a line of test-output/chaos-figures.jsonl."""
    FIGURES.parent.mkdir(exist_ok=True)
    with FIGURES.open("a") as out:
        out.write(json.dumps(figures) + "\n")


async def query(database_url: str, sql: str, **params: Any) -> list[tuple[Any, ...]]:
    """Rows of one SQL statement, read straight from the database (plain columns only: nothing is decrypted)."""
    engine = create_async_engine(database_url, poolclass=NullPool)
    try:
        async with engine.connect() as connection:
            return [tuple(row) for row in (await connection.execute(text(sql), params)).all()]
    finally:
        await engine.dispose()


# --- the personnel system: a directory of victim/respondent pairs, a subscription, reports that open orders ---

SEPARATION_TOPICS = [
    "separation.order_opened",
    "separation.order_lifted",
    "separation.order_ended",
    "separation.violation_found",
]


def hr_client(env: dict[str, str], workdir: Path) -> tuple[str, str]:
    """A personnel-system client (`withu client create`): its id and secret."""
    out = withu(env, workdir, "client", "create", "--name", "Personnel system", "--kind", "hr_system")
    fields = dict(line.split(":", 1) for line in out.splitlines() if ":" in line)
    return fields["client_id"].strip(), fields["client_secret"].split()[0]


def hr_token(api: str, client: tuple[str, str]) -> httpx.Response:
    return httpx.post(api + "/oauth/token", data={"grant_type": "client_credentials"}, auth=client, timeout=60)


def sync_pairs(api: str, token: str, pairs: int) -> list[tuple[str, str]]:
    """A directory of `pairs` (victim, respondent) employees, each in a unit of their own (U-<number>)."""
    people = [(f"V-{i}", f"R-{i}") for i in range(pairs)]
    numbers = [number for pair in people for number in pair]
    snapshot = {
        "as_of": datetime.now(UTC).isoformat(),
        "organisations": [{"id": "ORG", "name": "Chaos organisation", "kind": "smg"}],
        "units": [{"id": f"U-{n}", "organisation": "ORG", "name": f"Unit {n}"} for n in numbers],
        "employees": [
            {"employee_number": n, "organisation": "ORG", "unit": f"U-{n}", "status": "active"} for n in numbers
        ],
    }
    synced = httpx.post(api + "/personnel/sync", json=snapshot, headers=bearer(token), timeout=120)
    assert synced.status_code == 200, synced.text
    return people


def subscribe(api: str, token: str, url: str) -> str:
    """A subscription to the separation topics; its signing secret."""
    made = httpx.post(
        api + "/webhooks/subscriptions", json={"url": url, "topics": SEPARATION_TOPICS}, headers=bearer(token)
    )
    assert made.status_code == 201, made.text
    return str(made.json()["secret"])


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def victim_report(victim: str, respondent: str) -> dict[str, Any]:
    """A victim's confidential report naming the respondent: it opens a separation order (one
    `separation.order_opened` event)."""
    return {
        "reporter_kind": "victim",
        "identity_mode": "confidential",
        "reporter": {"name": "A victim", "employee_number": victim},
        "respondent": {"employee_number": respondent},
        "category": "sexual_harassment",
        "narrative": "My supervisor keeps commenting on my body and touched me in the archive room.",
    }


# --- a webhook receiver on 127.0.0.1 ---


@dataclass
class Delivery:
    """One request as the receiver saw it: the event id (Standard Webhooks `webhook-id`), whether the signature
    verified, the status answered, and when it came in and when the answer was written (time.monotonic())."""

    event_id: str
    verified: bool
    status: int
    came_in: float
    answered: float
    sent: bool  # the answer was written (the worker had not hung up)


class Receiver(ThreadingHTTPServer):
    """Answers each delivery, by a seeded draw: 204 after `ok_seconds` (most), 500, or 204 after `slow_seconds`
    (beyond the worker's timeout). Verifies every signature with the `standardwebhooks` library."""

    daemon_threads = True

    def __init__(
        self,
        *,
        seed: int,
        ok_seconds: tuple[float, float],
        slow_seconds: float,
        fail_share: float = 0.0,
        slow_share: float = 0.0,
    ) -> None:
        super().__init__(("127.0.0.1", 0), _ReceiverHandler)
        self.secret = ""
        self.deliveries: list[Delivery] = []
        self.lock = threading.Lock()
        self.rng = random.Random(seed)
        self.ok_seconds, self.slow_seconds = ok_seconds, slow_seconds
        self.fail_share, self.slow_share = fail_share, slow_share
        self.thread = threading.Thread(target=self.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/withu"

    def __enter__(self) -> Receiver:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.shutdown()
        self.server_close()

    def plan(self) -> tuple[int, float]:
        with self.lock:
            draw = self.rng.random()
            ok_wait = self.rng.uniform(*self.ok_seconds)
        if draw < self.fail_share:
            return 500, 0.05
        if draw < self.fail_share + self.slow_share:
            return 204, self.slow_seconds
        return 204, ok_wait

    def twice_after_in_time_2xx(self, in_time: float) -> list[tuple[Delivery, Delivery]]:
        """(the earlier 2xx answered within `in_time` seconds, a later delivery of the same event)."""
        by_event: dict[str, list[Delivery]] = {}
        for delivery in sorted(self.deliveries, key=lambda d: d.came_in):
            by_event.setdefault(delivery.event_id, []).append(delivery)
        pairs = []
        for deliveries in by_event.values():
            first_ok = next(
                (d for d in deliveries if d.sent and d.status == 204 and d.answered - d.came_in <= in_time), None
            )
            if first_ok is not None:
                pairs += [(first_ok, later) for later in deliveries if later.came_in > first_ok.came_in]
        return pairs


class _ReceiverHandler(BaseHTTPRequestHandler):
    server: Receiver

    def do_POST(self) -> None:  # noqa: N802 - the http.server hook
        came_in = time.monotonic()
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        headers = {name.lower(): value for name, value in self.headers.items()}
        try:
            Webhook(self.server.secret).verify(body, headers)
            verified = True
        except WebhookVerificationError:
            verified = False
        status, wait = self.server.plan()
        time.sleep(wait)
        status = status if verified else 401
        try:
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()
            self.wfile.flush()
            sent = True
        except OSError:
            sent = False
        delivery = Delivery(headers.get("webhook-id", ""), verified, status, came_in, time.monotonic(), sent)
        with self.server.lock:
            self.server.deliveries.append(delivery)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - silent
        pass
