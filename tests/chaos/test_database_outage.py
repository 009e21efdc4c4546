"""The database goes away (reliability review, finding 3), against a throwaway PostgreSQL cluster this module starts
itself (its own port and socket folder, fsync off; whatever WITHU_TEST_DATABASE says) and a real `withu serve`.

While the cluster is stopped (`pg_ctl stop -m immediate`) or frozen (SIGSTOP: it accepts TCP connections and
answers nothing), every request that needs the database answers 503 `database-unavailable` with Retry-After within
the configured timeouts (the client's own timeout is the bound: a hang fails the test), readiness says not ready
and liveness still answers; when the cluster is back the API recovers by itself, without a restart."""

from __future__ import annotations

import glob
import os
import shutil
import signal
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.chaos import fleet
from tests.e2e import live_server as live
from tests.e2e.browser import REPORT

# a live server's migration and seeding alone can take a minute on a loaded machine
pytestmark = pytest.mark.timeout(300)

PORT = 55439
CONNECT_TIMEOUT, STATEMENT_TIMEOUT = 2, 3
BOUND = CONNECT_TIMEOUT + STATEMENT_TIMEOUT + 5  # no answer within this is a hang


@dataclass
class Cluster:
    folder: Path

    @property
    def data(self) -> Path:
        return self.folder / "data"

    def pg_ctl(self, *args: str) -> None:
        options = f"-p {PORT} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off"
        _as_postgres(_bin("pg_ctl"), "-D", str(self.data), "-l", str(self.folder / "pg.log"), "-o", options, *args)

    def processes(self) -> list[int]:
        """The postmaster and its children."""
        postmaster = int((self.data / "postmaster.pid").read_text().split()[0])
        children = subprocess.run(  # noqa: S603
            ["ps", "-o", "pid=", "--ppid", str(postmaster)],  # noqa: S607
            capture_output=True,
            text=True,
            check=False,
        ).stdout.split()
        return [postmaster, *map(int, children)]

    def signal(self, signum: int) -> None:
        for pid in self.processes():
            os.kill(pid, signum)


def _bin(name: str) -> str:
    return sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))[-1]


def _as_postgres(*command: str) -> None:
    subprocess.run(["runuser", "-u", "postgres", "--", *command], check=True, capture_output=True, timeout=60)  # noqa: S603, S607


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    folder = Path(tempfile.mkdtemp(prefix="withu-chaos-pg-"))
    shutil.chown(folder, "postgres")
    made = Cluster(folder)
    _as_postgres(_bin("initdb"), "-D", str(made.data), "-A", "trust", "-U", "postgres")
    made.pg_ctl("start", "-w")
    try:
        _as_postgres(_bin("createdb"), "-h", "127.0.0.1", "-p", str(PORT), "-U", "postgres", "withu_chaos")
        yield made
    finally:
        try:
            made.signal(signal.SIGCONT)
        except (OSError, ValueError):
            pass
        subprocess.run(  # noqa: S603
            ["runuser", "-u", "postgres", "--", _bin("pg_ctl"), "-D", str(made.data), "stop", "-m", "immediate"],  # noqa: S607
            capture_output=True,
            check=False,
        )
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="module")
def server(cluster: Cluster) -> Iterator[live.LiveServer]:
    with fleet.live_server(
        database_url=f"postgresql+asyncpg://postgres@127.0.0.1:{PORT}/withu_chaos",
        database_connect_timeout_seconds=str(CONNECT_TIMEOUT),
        database_statement_timeout_seconds=str(STATEMENT_TIMEOUT),
    ) as started:
        yield started


def _submit(client: httpx.Client) -> httpx.Response:
    return client.post("/reports", json=REPORT, headers={"Idempotency-Key": str(uuid.uuid4())})


def _assert_unavailable(response: httpx.Response) -> None:
    assert response.status_code == 503, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "database-unavailable"
    assert int(response.headers["retry-after"]) > 0


def _assert_outage_answers(server: live.LiveServer) -> None:
    with httpx.Client(base_url=server.url("/api/v1"), timeout=BOUND) as client:
        _assert_unavailable(client.get("/ready"))
        _assert_unavailable(_submit(client))
        _assert_unavailable(client.post("/inbox/session", json={"receipt_code": server.demo_receipt_code}))
        assert client.get("/health").status_code == 200  # liveness: the process itself is fine


def _assert_recovers(server: live.LiveServer) -> None:
    with httpx.Client(base_url=server.url("/api/v1"), timeout=BOUND) as client:
        for _attempt in range(40):
            if client.get("/ready").status_code == 200:
                break
            time.sleep(0.5)
        assert client.get("/ready").status_code == 200
        submitted = _submit(client)
        assert submitted.status_code == 201, submitted.text
        opened = client.post("/inbox/session", json={"receipt_code": submitted.json()["receipt_code"]})
        assert opened.status_code == 200, opened.text


def test_reliability_stopped_database_answers_503_and_the_api_recovers_by_itself(cluster, server) -> None:
    """Finding 3: `pg_ctl stop -m immediate` (refused connections) gives 503 with Retry-After, not 500; readiness
    is 503 and liveness 200; after `pg_ctl start` the same server process serves again."""
    with httpx.Client(base_url=server.url("/api/v1"), timeout=BOUND) as client:
        assert _submit(client).status_code == 201  # the pool holds live connections when the database goes
    cluster.pg_ctl("stop", "-m", "immediate", "-w")
    try:
        _assert_outage_answers(server)
    finally:
        cluster.pg_ctl("start", "-w")
    _assert_recovers(server)
    assert server.process.poll() is None


def test_reliability_frozen_database_answers_503_within_the_timeouts_not_a_hang(cluster, server) -> None:
    """Finding 3: a database that accepts connections but answers nothing (SIGSTOP) gives 503 within the connect
    and statement timeouts, instead of holding every request for the whole outage; after SIGCONT it recovers."""
    with httpx.Client(base_url=server.url("/api/v1"), timeout=BOUND) as client:
        assert _submit(client).status_code == 201
    cluster.signal(signal.SIGSTOP)
    try:
        _assert_outage_answers(server)
    finally:
        cluster.signal(signal.SIGCONT)
    _assert_recovers(server)
    assert server.process.poll() is None
