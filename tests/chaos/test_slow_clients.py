"""Slow and greedy clients against a real `withu serve` on 127.0.0.1 (SQLite, the embedded default): one client
trickling its request never stops anyone else (reliability review, finding 1), request heads are bounded and slow
ones are closed (finding 7). The ordering is proved with events, not clocks: the other requests complete while the
slow body is still unsent."""

from __future__ import annotations

import asyncio
import socket
import uuid
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest

from app.services import reports
from app.settings import Settings
from tests.builders import report_body
from tests.chaos import fleet
from tests.e2e import live_server as live
from tests.e2e.browser import REPORT, StaffApi

# a live server's migration and seeding alone can take a minute on a loaded machine
pytestmark = pytest.mark.timeout(300)

HEADER_TIMEOUT = "2"
MAX_HEADER_BYTES = 32 * 1024


@pytest.fixture(scope="module")
def server() -> Iterator[live.LiveServer]:
    with fleet.live_server(
        http_header_timeout_seconds=HEADER_TIMEOUT, http_max_header_bytes=str(MAX_HEADER_BYTES)
    ) as started:
        yield started


async def test_int_1_int_7_a_trickling_report_body_blocks_no_one_and_is_still_acknowledged(server) -> None:
    """INT-1/INT-7, finding 1: while one reporter's body trickles in (half sent, the rest held back), liveness,
    readiness, a staff read of the case list and another reporter's submission all complete; then the slow report
    is acknowledged too (201 with its receipt code). Before the fix the unit of work took SQLite's writer lock
    before the body was read, and everything queued behind the slow client."""
    api = StaffApi(server)
    await api.token("intake")  # signed in before the slow client starts
    body = httpx.Request("POST", "/", json=REPORT).content
    half_sent, others_done = asyncio.Event(), asyncio.Event()

    async def trickle() -> AsyncIterator[bytes]:
        yield body[: len(body) // 2]
        half_sent.set()
        await others_done.wait()
        yield body[len(body) // 2 :]

    async with httpx.AsyncClient(base_url=server.url("/api/v1"), timeout=60) as slow_client:
        slow = asyncio.create_task(
            slow_client.post("/reports", content=trickle(), headers={"content-type": "application/json"})
        )
        await asyncio.wait_for(half_sent.wait(), 30)
        async with httpx.AsyncClient(base_url=server.url("/api/v1"), timeout=20) as other:
            health = await other.get("/health")
            ready = await other.get("/ready")
            submitted = await other.post("/reports", json=REPORT, headers={"Idempotency-Key": str(uuid.uuid4())})
        cases = await api.get("/cases?limit=5", staff="intake")
        assert not slow.done(), "the slow body is still being sent"
        others_done.set()
        slow_answer = await asyncio.wait_for(slow, 30)
    await api.aclose()
    assert health.status_code == 200 and ready.status_code == 200
    assert submitted.status_code == 201 and submitted.json()["receipt_code"], submitted.text
    assert cases.status_code == 200, cases.text
    assert slow_answer.status_code == 201 and slow_answer.json()["receipt_code"], slow_answer.text


def _raw(server: live.LiveServer) -> socket.socket:
    host, port = server.host.split(":")
    connection = socket.create_connection((host, int(port)), timeout=15)
    return connection


def _read_all(connection: socket.socket) -> bytes:
    answer = b""
    while chunk := connection.recv(65536):
        answer += chunk
    return answer


def test_reliability_a_64_kb_header_is_refused_with_431(server) -> None:
    """Finding 7: one header of 64 KB (complete, or never finished) and 200 header lines each get 431
    `header-too-large` and a closed connection; the server is not made to hold them."""
    big = b"GET /api/v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + b"a" * 65536
    many = b"GET /api/v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\n" + b"".join(b"X-H%d: v\r\n" % i for i in range(200))
    for head in (big + b"\r\n\r\n", big, many + b"\r\n"):
        with _raw(server) as connection:
            connection.sendall(head)
            answer = _read_all(connection)
        assert answer.startswith(b"HTTP/1.1 431 "), answer[:200]
        assert b'"code": "header-too-large"' in answer
    assert httpx.get(server.url("/api/v1/health"), timeout=10).status_code == 200


def test_reliability_a_large_body_sent_with_its_head_is_no_large_head(server) -> None:
    """Finding 7, SEP-4: the head limit counts the head only — a 100 KB body that arrives in the same reads as its head
    (a personnel system's directory sync, say) is read as a body, not refused 431 (it reached the sync's own
    authentication here: 401)."""
    body = b'{"as_of": "2026-12-03T00:00:00Z", "organisations": [], "employees": [], "pad": "' + b"a" * 100_000 + b'"}'
    request = (
        b"POST /api/v1/personnel/sync HTTP/1.1\r\nHost: 127.0.0.1\r\ncontent-type: application/json\r\n"
        b"content-length: %d\r\nconnection: close\r\n\r\n" % len(body)
    ) + body
    with _raw(server) as connection:
        connection.sendall(request)
        answer = _read_all(connection)
    assert answer.startswith(b"HTTP/1.1 401 "), answer[:200]


def test_reliability_a_slowloris_connection_is_closed_after_the_header_timeout(server) -> None:
    """Finding 7: a client that sends its request head one header at a time, slower than the header timeout
    allows, has its connection closed by the server before it finishes (it would take 40 s)."""
    closed = False
    with _raw(server) as connection:
        connection.sendall(b"GET /api/v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        for i in range(40):
            try:
                connection.sendall(b"X-Slow-%d: 1\r\n" % i)
                connection.settimeout(1.0)
                if connection.recv(1) == b"":
                    closed = True
                    break
            except TimeoutError:
                continue
            except OSError:  # reset by the server
                closed = True
                break
    assert closed, "the server kept a slow request head open"


async def test_int_7_a_receipt_hash_holds_no_lock_another_report_is_acknowledged_meanwhile(client, monkeypatch) -> None:
    """INT-7, finding 1: while one submission's receipt code is being hashed (held here until released: the hash,
    not the database, is replaced), another submission is acknowledged (201); then the first is too. Before the fix
    the first held SQLite's writer lock through its hash and the second waited for it."""
    real_hash = reports.hash_secret
    hashing, release = asyncio.Event(), asyncio.Event()

    async def held_hash(settings: Settings, secret: str) -> str:
        if not hashing.is_set():
            hashing.set()
            await release.wait()
        return await real_hash(settings, secret)

    monkeypatch.setattr(reports, "hash_secret", held_hash)
    first = asyncio.create_task(client.post("/api/v1/reports", json=report_body()))
    await asyncio.wait_for(hashing.wait(), 20)
    second = await asyncio.wait_for(client.post("/api/v1/reports", json=report_body()), 20)
    assert second.status_code == 201, second.text
    assert not first.done(), "the first submission is still hashing"
    release.set()
    answer = await asyncio.wait_for(first, 20)
    assert answer.status_code == 201 and answer.json()["receipt_code"], answer.text
