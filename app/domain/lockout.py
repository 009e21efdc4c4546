"""INT-6 and staff sign-in: growing delays after repeated failures, capped, never permanent."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class LockoutPolicy:
    failures_before_lock: int = 5
    base_seconds: int = 60
    max_seconds: int = 3600


def lock_delay(failures: int, policy: LockoutPolicy) -> timedelta | None:
    """The lock after `failures` consecutive failures: none below the threshold, then doubling, capped."""
    if failures < policy.failures_before_lock:
        return None
    exponent = min(failures - policy.failures_before_lock, 30)
    return timedelta(seconds=min(policy.base_seconds * 2**exponent, policy.max_seconds))


def locked_until(failures: int, now: datetime, policy: LockoutPolicy) -> datetime | None:
    delay = lock_delay(failures, policy)
    return None if delay is None else now + delay


def is_locked(until: datetime | None, now: datetime) -> bool:
    return until is not None and now < until
