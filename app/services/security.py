"""Hashing (Argon2id) and tokens (JWT), with their parameters from settings."""

from __future__ import annotations

import asyncio
import hashlib
import math
import os
import secrets
import threading
import uuid
import weakref
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

import jwt
from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from app.db.case_keys import PasswordKdf
from app.db.case_keys import password_key as derive_password_key
from app.domain.errors import Busy, InvalidToken
from app.settings import Settings

ISSUER = "withu"
ALGORITHM = "HS256"


@lru_cache(maxsize=8)
def _hasher(time_cost: int, memory_kib: int, parallelism: int) -> PasswordHasher:
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_kib, parallelism=parallelism, type=Type.ID)


def hasher(settings: Settings) -> PasswordHasher:
    return _hasher(settings.argon2_time_cost, settings.argon2_memory_kib, settings.argon2_parallelism)


# One gate per event loop and ceiling (a semaphore belongs to the loop it first waits on).
_gates: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[int, asyncio.Semaphore]] = weakref.WeakKeyDictionary()


@asynccontextmanager
async def argon2_slot(settings: Settings) -> AsyncIterator[None]:
    """One of the process's `argon2_concurrency` places for Argon2 work (security review F8): each hash holds
    `argon2_memory_kib` and a core, so a burst must not queue without bound. Waits `argon2_wait_seconds` for a
    place, then raises Busy (503 with Retry-After) before anything was done."""
    gates = _gates.setdefault(asyncio.get_running_loop(), {})
    gate = gates.get(settings.argon2_concurrency)
    if gate is None:
        gate = gates[settings.argon2_concurrency] = asyncio.Semaphore(settings.argon2_concurrency)
    try:
        async with asyncio.timeout(settings.argon2_wait_seconds):
            await gate.acquire()
    except TimeoutError:
        raise Busy(retry_after=max(1, math.ceil(settings.argon2_wait_seconds))) from None
    try:
        yield
    finally:
        gate.release()


_pools: dict[tuple[int, int], ThreadPoolExecutor] = {}
_pools_lock = threading.Lock()


def _argon2_pool(settings: Settings) -> ThreadPoolExecutor:
    """The process's threads for Argon2 work, at the scheduler's priority `argon2_nice` (issue 15, floods): a hash
    is slow on purpose and can wait; the event loop serving staff and reporters must not. Argon2's own lane threads
    (`argon2_parallelism`) inherit the priority of the thread that starts them."""
    key = (settings.argon2_concurrency, settings.argon2_nice)
    with _pools_lock:
        pool = _pools.get(key)
        if pool is None:
            pool = _pools[key] = ThreadPoolExecutor(
                max_workers=settings.argon2_concurrency,
                thread_name_prefix="argon2",
                initializer=_lower_thread_priority,
                initargs=(settings.argon2_nice,),
            )
        return pool


def _lower_thread_priority(nice: int) -> None:
    """Linux keeps a nice value per thread; raising one's own needs no privilege. Elsewhere nothing changes."""
    if nice and hasattr(os, "setpriority"):
        try:
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), nice)
        except OSError:
            pass


async def _in_argon2_thread(settings: Settings, work: Callable[..., Any], *args: Any) -> Any:
    async with argon2_slot(settings):
        return await asyncio.get_running_loop().run_in_executor(_argon2_pool(settings), work, *args)


async def hash_secret(settings: Settings, secret: str) -> str:
    """Argon2id with a per-record salt (INT-4, passwords, client secrets). Runs in a low-priority thread: a hash
    takes ~150 ms and must not stop the event loop (argon2 releases the GIL, so hashes also use both cores).
    At most `argon2_concurrency` at once (argon2_slot)."""
    result: str = await _in_argon2_thread(settings, hasher(settings).hash, secret)
    return result


async def verify_secret(settings: Settings, stored_hash: str | None, secret: str) -> bool:
    """Constant work whether or not there is a stored hash, so misses and mismatches look alike. At most
    `argon2_concurrency` at once (argon2_slot)."""
    result: bool = await _in_argon2_thread(settings, _verify, settings, stored_hash, secret)
    return result


async def password_key(settings: Settings, password: str, salt: bytes) -> bytes:
    """Issue 18: the key that seals a staff member's private key, Argon2id of the password with the account's key
    salt and the server's Argon2 parameters, in the Argon2 threads (bounded like every hash: argon2_slot)."""
    kdf = PasswordKdf(settings.argon2_time_cost, settings.argon2_memory_kib, settings.argon2_parallelism)
    result: bytes = await _in_argon2_thread(settings, derive_password_key, password, salt, kdf)
    return result


def _verify(settings: Settings, stored_hash: str | None, secret: str) -> bool:
    ph = hasher(settings)
    try:
        return ph.verify(stored_hash or _dummy_hash(settings), secret) and stored_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


@lru_cache(maxsize=8)
def _dummy_hash_for(time_cost: int, memory_kib: int, parallelism: int) -> str:
    return _hasher(time_cost, memory_kib, parallelism).hash(secrets.token_urlsafe(16))


def _dummy_hash(settings: Settings) -> str:
    return _dummy_hash_for(settings.argon2_time_cost, settings.argon2_memory_kib, settings.argon2_parallelism)


def sha256_hex(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def new_opaque_token() -> str:
    return secrets.token_urlsafe(32)


def issue_jwt(settings: Settings, audience: str, subject: str, now: datetime, ttl: timedelta, **claims: Any) -> str:
    payload = {
        "iss": ISSUER,
        "aud": audience,
        "sub": subject,
        "iat": int(now.timestamp()),
        "exp": int((now + ttl).timestamp()),
        "jti": uuid.uuid4().hex,
        **claims,
    }
    return jwt.encode(payload, settings.jwt_secret, algorithm=ALGORITHM)


def read_jwt(settings: Settings, token: str, audience: str) -> dict[str, Any]:
    """The claims of a valid token for `audience`; a token for another audience is refused."""
    try:
        return jwt.decode(
            token,
            settings.jwt_secret,
            algorithms=[ALGORITHM],
            audience=audience,
            issuer=ISSUER,
            options={"require": ["exp", "iat", "sub", "aud", "iss"]},
        )
    except jwt.PyJWTError as exc:
        raise InvalidToken() from exc
