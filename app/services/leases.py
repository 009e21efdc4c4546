"""Rows the worker delivers under a lease (webhooks, e-mail notices): the retry schedule they share."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Protocol

_MAX_DOUBLINGS = 32


class Leased(Protocol):
    attempts: int
    next_attempt_at: datetime
    lease_until: datetime | None


def backoff_seconds(attempts: int, base: float, cap: float) -> float:
    """The wait after the `attempts`-th failed attempt: base, doubling, capped. There is no last attempt."""
    return min(cap, base * 2 ** min(max(attempts - 1, 0), _MAX_DOUBLINGS))


def retry_later(row: Leased, claimed_lease_until: datetime | None, now: datetime, base: float, cap: float) -> None:
    """Schedule the next attempt and free the lease — only while the lease is still the claiming worker's (a
    worker whose lease ran out must not move the new holder's schedule)."""
    if row.lease_until != claimed_lease_until:
        return
    row.next_attempt_at = now + timedelta(seconds=backoff_seconds(row.attempts, base, cap))
    row.lease_until = None
