"""Work that may run only a few at a time in one process (security review F8, F9): a place, a short wait for
one, then Busy (503 with Retry-After) before anything was done."""

from __future__ import annotations

import asyncio
import math
import weakref
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from app.domain.errors import Busy

# One semaphore per event loop (a semaphore belongs to the loop it first waits on), kind of work and size.
_gates: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[tuple[str, int], asyncio.Semaphore]] = (
    weakref.WeakKeyDictionary()
)


def gate(kind: str, size: int) -> asyncio.Semaphore:
    """The `size` places for `kind` of work in this process."""
    gates = _gates.setdefault(asyncio.get_running_loop(), {})
    if (kind, size) not in gates:
        gates[kind, size] = asyncio.Semaphore(size)
    return gates[kind, size]


@asynccontextmanager
async def place(kind: str, size: int, wait_seconds: float) -> AsyncIterator[None]:
    """Hold one of the places for `kind`; wait up to `wait_seconds` for one, then raise Busy."""
    places = gate(kind, size)
    try:
        async with asyncio.timeout(wait_seconds):
            await places.acquire()
    except TimeoutError:
        raise Busy(retry_after=max(1, math.ceil(wait_seconds))) from None
    try:
        yield
    finally:
        places.release()
