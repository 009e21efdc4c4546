"""Security review F8, INT-6: the address a rate limit counts. X-Forwarded-For is believed only from the
operator's proxy (WITHU_TRUSTED_PROXIES), and then only its right-most entry that is not a trusted proxy — the
one the proxy itself wrote. Rotating the header never buys a fresh window."""

from __future__ import annotations

import asyncio
import ipaddress
import os
import socket
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import pytest

from app.api.ratelimit import client_address
from app.cli import migrate
from app.main import create_app
from tests.conftest import make_settings

ROOT = Path(__file__).resolve().parents[2]
SESSION = "/api/v1/inbox/session"
WRONG_CODE = {"receipt_code": "Z" * 28}
PROXY = "10.0.0.1"
PROXIES = [ipaddress.ip_network(PROXY), ipaddress.ip_network("fd00:1::/64")]


@pytest.mark.parametrize(
    ("peer", "forwarded_for", "counted"),
    [
        ("203.0.113.9", [], "203.0.113.9"),
        ("203.0.113.9", ["198.51.100.1"], "203.0.113.9"),  # not a proxy: its header is ignored
        (PROXY, [], PROXY),
        (PROXY, ["198.51.100.1"], "198.51.100.1"),
        (PROXY, ["6.6.6.6, 198.51.100.1"], "198.51.100.1"),  # the client wrote 6.6.6.6; the proxy appended
        (PROXY, ["6.6.6.6", "198.51.100.1"], "198.51.100.1"),  # two header lines read as one list
        (PROXY, ["198.51.100.1, 10.0.0.1"], "198.51.100.1"),  # trusted proxies on the right are skipped
        (PROXY, ["198.51.100.1:5555"], "198.51.100.1"),
        (PROXY, ["[2001:db8::7]:443"], "2001:db8::7"),
        (PROXY, ["198.51.100.1, not-an-address"], PROXY),  # garbage where the proxy writes: the proxy counts
        (PROXY, ["10.0.0.1"], PROXY),  # only proxies
        ("fd00:1::5", ["2001:db8::9"], "2001:db8::9"),
    ],
)
def test_int_6_f8_the_right_most_untrusted_address_counts(peer: str, forwarded_for: list[str], counted: str) -> None:
    """F8, INT-6: the peer counts unless it is a trusted proxy; then the right-most entry that is not a trusted
    proxy — never the left-most, which the client writes."""
    assert client_address(peer, forwarded_for, PROXIES) == counted


def test_f8_no_trusted_proxy_by_default_and_no_wildcard() -> None:
    """F8: by default no proxy is trusted; `*` (trust anyone) is refused at start-up."""
    assert make_settings().trusted_proxies == []
    assert client_address("127.0.0.1", ["198.51.100.1"], []) == "127.0.0.1"
    with pytest.raises(ValueError, match="trusted_proxies"):
        make_settings(trusted_proxies=["*"])


@asynccontextmanager
async def _app_at(peer: str, **overrides: object) -> AsyncIterator[httpx.AsyncClient]:
    application = create_app(make_settings(rate_receipt="2/minute", **overrides))
    transport = httpx.ASGITransport(app=application, client=(peer, 1234))
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
            yield c
    finally:
        await application.state.runtime.engine.dispose()


async def test_int_6_f8_rotating_x_forwarded_for_from_an_untrusted_peer_gets_no_fresh_window(settings) -> None:
    """F8, INT-6: a client that is not a trusted proxy rotates X-Forwarded-For on every wrong receipt code: the
    3rd attempt still answers 429 (before: one fresh window per header)."""
    async with _app_at("203.0.113.50", trusted_proxies=[PROXY]) as c:
        answers = [
            (await c.post(SESSION, json=WRONG_CODE, headers={"X-Forwarded-For": f"198.51.100.{i}"})).status_code
            for i in range(3)
        ]
    assert answers == [401, 401, 429]


async def test_int_6_f8_behind_the_proxy_each_client_has_its_own_window(settings) -> None:
    """F8, INT-6: behind the trusted proxy, what the client prepends changes nothing (3rd attempt → 429), while
    another client — another address written by the proxy — still has its own window."""
    async with _app_at(PROXY, trusted_proxies=[PROXY]) as c:
        answers = [
            (
                await c.post(SESSION, json=WRONG_CODE, headers={"X-Forwarded-For": f"6.6.6.{i}, 198.51.100.7"})
            ).status_code
            for i in range(3)
        ]
        other = await c.post(SESSION, json=WRONG_CODE, headers={"X-Forwarded-For": "198.51.100.8"})
    assert answers == [401, 401, 429]
    assert other.status_code == 401


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def test_int_6_f8_the_served_app_ignores_what_the_client_prepends(tmp_path) -> None:
    """F8, INT-6, the review's reproduction against `withu serve` itself: with the proxy (here 127.0.0.1) trusted,
    wrong receipt codes whose X-Forwarded-For rotates the client-written part hit 429 after the limit (3 a
    minute); a request the proxy attributes to another client is not limited."""
    settings = make_settings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'serve.db'}")
    await asyncio.to_thread(migrate, settings)
    assert settings.master_key is not None
    env = {name: value for name, value in os.environ.items() if not name.upper().startswith("WITHU_")}
    env.update(
        WITHU_ENVIRONMENT="test",
        WITHU_DATABASE_URL=settings.database_url,
        WITHU_MASTER_KEY=settings.master_key,
        WITHU_JWT_SECRET=settings.jwt_secret,
        WITHU_ARGON2_TIME_COST="1",
        WITHU_ARGON2_MEMORY_KIB="1024",
        WITHU_ARGON2_PARALLELISM="1",
        WITHU_RATE_RECEIPT="3/minute",
        WITHU_TRUSTED_PROXIES="127.0.0.1",
        WITHU_PWA_DIR=str(tmp_path / "no-pwa"),
    )
    port = _free_port()
    log_path = tmp_path / "serve.log"
    with log_path.open("wb") as log_file:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "app.cli", "serve", "--host", "127.0.0.1", "--port", str(port),
            cwd=ROOT, env=env, stdout=log_file, stderr=log_file,
        )  # fmt: skip
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", trust_env=False, timeout=10) as c:
            deadline = time.monotonic() + 60
            while True:
                try:
                    if (await c.get("/api/v1/health")).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                assert time.monotonic() < deadline and process.returncode is None, log_path.read_text()
                await asyncio.sleep(0.2)
            rotating = [
                (
                    await c.post(SESSION, json=WRONG_CODE, headers={"X-Forwarded-For": f"198.51.100.{i}, 10.0.0.1"})
                ).status_code
                for i in range(5)
            ]
            elsewhere = await c.post(SESSION, json=WRONG_CODE, headers={"X-Forwarded-For": "10.0.0.2"})
    finally:
        process.terminate()
        await asyncio.wait_for(process.wait(), timeout=30)
    assert rotating == [401, 401, 401, 429, 429], log_path.read_text()
    assert elsewhere.status_code == 401
