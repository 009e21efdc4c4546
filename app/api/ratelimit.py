"""INT-6: rate limits with the `limits` package — in memory, or in Redis when WITHU_REDIS_URL is set.

The client's address is never stored: the limiter's key is a keyed hash of it that changes every day.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import time
from collections.abc import Callable, Coroutine
from datetime import UTC, datetime
from typing import Any

from fastapi import Request
from limits import parse
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter

from app.api.problems import HttpProblem
from app.settings import Settings


class RateLimits:
    def __init__(self, settings: Settings) -> None:
        self._secret = settings.jwt_secret.encode()
        self.storage: Storage
        if settings.redis_url:
            uri = settings.redis_url.replace("redis://", "async+redis://", 1)
            self.storage = RedisStorage(uri, implementation="redispy")
        else:
            self.storage = MemoryStorage()
        self.limiter = MovingWindowRateLimiter(self.storage)
        self.rules = {
            "submit": parse(settings.rate_submit),
            "receipt": parse(settings.rate_receipt),
            "login": parse(settings.rate_login),
            "token": parse(settings.rate_token),
        }

    def client_key(self, request: Request) -> str:
        host = request.client.host if request.client else "unknown"
        day = datetime.now(UTC).strftime("%Y-%m-%d")
        return hmac.new(self._secret, f"{day}:{host}".encode(), hashlib.sha256).hexdigest()[:32]

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


def rate_limited(name: str) -> Callable[[Request], Coroutine[Any, Any, None]]:
    """A dependency that counts one request of the named kind against the caller's (hashed) address."""

    async def dependency(request: Request) -> None:
        limits: RateLimits = request.app.state.runtime.rate_limits
        await limits.hit(name, limits.client_key(request))

    return dependency
