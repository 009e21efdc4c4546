"""INT-6: rate limits with the `limits` package — in memory, or in Redis when WITHU_REDIS_URL is set.

The client's address is never stored: the limiter's key is a keyed hash of it that changes every day. Which
address counts is `client_address`: X-Forwarded-For is believed only from the operator's proxy (security review F8).
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import math
import time
from collections.abc import Callable, Coroutine, Sequence
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from fastapi import Depends, Request
from limits import RateLimitItemPerMinute, parse
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import SlidingWindowCounterRateLimiter

from app.api.problems import HttpProblem
from app.services.receipt_guesses import Guesser
from app.settings import Settings

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


def _address(entry: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """One X-Forwarded-For entry: `1.2.3.4`, `1.2.3.4:5678`, `2001:db8::1` or `[2001:db8::1]:443`."""
    entry = entry.strip()
    if entry.startswith("["):
        entry = entry[1:].partition("]")[0]
    elif entry.count(":") == 1:
        entry = entry.partition(":")[0]
    try:
        return ipaddress.ip_address(entry)
    except ValueError:
        return None


def _is_trusted(address: ipaddress.IPv4Address | ipaddress.IPv6Address, proxies: Sequence[IPNetwork]) -> bool:
    return any(address.version == net.version and address in net for net in proxies)


def client_address(peer: str | None, forwarded_for: Sequence[str], proxies: Sequence[IPNetwork]) -> str:
    """The address a rate limit counts: the connecting peer — unless the peer is one of the operator's proxies
    (WITHU_TRUSTED_PROXIES); then the right-most X-Forwarded-For entry that is not a trusted proxy. Each proxy
    appends the address it saw, so everything left of that entry is whatever the client chose to send; taking
    the left-most would give a client a fresh window per request (F8). An entry that is not an address counts
    as the peer itself, and so does a header made only of trusted proxies."""
    peer_address = _address(peer or "")
    if peer_address is None:
        return peer or "unknown"
    if not forwarded_for or not _is_trusted(peer_address, proxies):
        return str(peer_address)
    entries = [entry for header in forwarded_for for entry in header.split(",")]
    for entry in reversed(entries):
        address = _address(entry)
        if address is None:
            return str(peer_address)
        if not _is_trusted(address, proxies):
            return str(address)
    return str(peer_address)


class RateLimits:
    def __init__(self, settings: Settings) -> None:
        self._secret = settings.jwt_secret.encode()
        self._proxies = tuple(ipaddress.ip_network(entry, strict=False) for entry in settings.trusted_proxies)
        self.storage: Storage
        if settings.redis_url:
            uri = settings.redis_url.replace("redis://", "async+redis://", 1)
            self.storage = RedisStorage(uri, implementation="redispy")
        else:
            self.storage = MemoryStorage()
        # A sliding window counter: two counters per key, no per-request log. The moving window kept a list per key,
        # and the in-memory storage walks every list on a thread after each hit: under a flood from many addresses
        # that walk took the event loop (issue 15, bench/flood.py).
        self.limiter = SlidingWindowCounterRateLimiter(self.storage)
        self.guesses = StoredGuessBook(self.storage, self.sender_key)
        self.rules = {
            "submit": parse(settings.rate_submit),
            "receipt": parse(settings.rate_receipt),
            "login": parse(settings.rate_login),
            "token": parse(settings.rate_token),
            "upload": parse(settings.rate_upload),
            "upload_sender": parse(settings.rate_upload_sender),
        }
        self.submission_ceiling = RateLimitItemPerMinute(settings.submissions_per_minute_max)

    def client_key(self, request: Request) -> str:
        host = client_address(
            request.client.host if request.client else None, request.headers.getlist("x-forwarded-for"), self._proxies
        )
        day = datetime.now(UTC).strftime("%Y-%m-%d")
        return hmac.new(self._secret, f"{day}:{host}".encode(), hashlib.sha256).hexdigest()[:32]

    def sender_key(self, sender: str) -> str:
        """A keyed hash of who sends (e.g. `report:<id>`, `staff:<id>`): the limiter's storage names no one."""
        return hmac.new(self._secret, f"sender:{sender}".encode(), hashlib.sha256).hexdigest()[:32]

    async def hit(self, name: str, key: str) -> None:
        rule = self.rules[name]
        if not await self.limiter.hit(rule, "withu", name, key):
            stats = await self.limiter.get_window_stats(rule, "withu", name, key)
            retry = max(1, math.ceil(stats.reset_time - time.time()))
            raise HttpProblem(
                429,
                "too-many-requests",
                "Too many requests. Please wait and try again.",
                headers={"Retry-After": str(retry)},
            )


class StoredGuessBook:
    """INT-6: receipt guessers' failure counts and waits (app/services/receipt_guesses.py) in the limiter's storage,
    so shared by every process when it is Redis. Every key is hashed again with the server's secret."""

    KEEP_SECONDS = 86400  # a count lives a day from its first failure (the client key changes daily anyway)

    def __init__(self, storage: Storage, hashed: Callable[[str], str]) -> None:
        self.storage, self.hashed = storage, hashed

    async def waiting(self, key: str) -> bool:
        return await self.storage.get(f"withu/wait/{self.hashed(key)}") > 0

    async def count_failure(self, key: str) -> int:
        return await self.storage.incr(f"withu/fails/{self.hashed(key)}", self.KEEP_SECONDS)

    async def wait(self, key: str, delay: timedelta) -> None:
        name = f"withu/wait/{self.hashed(key)}"
        await self.storage.clear(name)
        await self.storage.incr(name, max(1, math.ceil(delay.total_seconds())))

    async def forget(self, key: str) -> None:
        for kind in ("fails", "wait"):
            await self.storage.clear(f"withu/{kind}/{self.hashed(key)}")


async def under_submission_ceiling(request: Request) -> None:
    """Floods: the whole service accepts at most `submissions_per_minute_max` submissions a minute, whoever sends
    them; one more answers 503 with Retry-After before anything is hashed or written."""
    limits: RateLimits = request.app.state.runtime.rate_limits
    if not await limits.limiter.hit(limits.submission_ceiling, "withu", "submissions"):
        stats = await limits.limiter.get_window_stats(limits.submission_ceiling, "withu", "submissions")
        raise HttpProblem(
            503,
            "submission-ceiling",
            "The service is receiving many reports right now. Nothing was saved; please try again in a moment.",
            headers={"Retry-After": str(max(1, math.ceil(stats.reset_time - time.time())))},
        )


def rate_limited(name: str) -> Callable[[Request], Coroutine[Any, Any, None]]:
    """A dependency that counts one request of the named kind against the caller's (hashed) address."""

    async def dependency(request: Request) -> None:
        limits: RateLimits = request.app.state.runtime.rate_limits
        await limits.hit(name, limits.client_key(request))

    return dependency


async def _client_key(request: Request) -> str:
    limits: RateLimits = request.app.state.runtime.rate_limits
    return limits.client_key(request)


# The caller's key as the rate limits see it (a daily keyed hash of the address, never the address): for use cases
# that count per client (the staff sign-in's delays).
ClientKey = Annotated[str, Depends(_client_key)]


async def _receipt_guesser(request: Request) -> Guesser:
    limits: RateLimits = request.app.state.runtime.rate_limits
    return Guesser(limits.guesses, limits.client_key(request))


# Who enters a receipt code, and the book of their wrong guesses (INT-6).
ReceiptGuesser = Annotated[Guesser, Depends(_receipt_guesser)]
