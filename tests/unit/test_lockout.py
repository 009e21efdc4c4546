"""INT-6: wrong receipt codes lock a locator with growing delays, capped, never permanent."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.domain.lockout import LockoutPolicy, is_locked, lock_delay, locked_until

POLICY = LockoutPolicy()
NOW = datetime(2026, 3, 14, 9, 30, tzinfo=UTC)


def test_int_6_default_policy_locks_after_five_failures() -> None:
    """INT-6: after 5 failures on one locator, that locator is locked."""
    assert POLICY.failures_before_lock == 5
    assert lock_delay(4, POLICY) is None
    assert lock_delay(5, POLICY) is not None


@pytest.mark.parametrize("failures", [0, 1, 2, 3, 4])
def test_int_6_no_lock_below_threshold(failures: int) -> None:
    """INT-6: fewer failures than the threshold lock nothing."""
    assert lock_delay(failures, POLICY) is None
    assert locked_until(failures, NOW, POLICY) is None


@pytest.mark.parametrize(
    ("failures", "seconds"),
    [
        (5, 60),
        (6, 120),
        (7, 240),
        (8, 480),
        (9, 960),
        (10, 1920),
        (11, 3600),  # 3840 capped
        (12, 3600),
        (50, 3600),
        (1000, 3600),
        (10**6, 3600),
    ],
)
def test_int_6_delays_double_and_are_capped(failures: int, seconds: int) -> None:
    """INT-6: growing delays: the base after the threshold, doubling with each failure, capped at the maximum."""
    assert lock_delay(failures, POLICY) == timedelta(seconds=seconds)
    assert locked_until(failures, NOW, POLICY) == NOW + timedelta(seconds=seconds)


@pytest.mark.parametrize(
    "policy",
    [
        LockoutPolicy(),
        LockoutPolicy(failures_before_lock=3, base_seconds=10, max_seconds=600),
        LockoutPolicy(failures_before_lock=1, base_seconds=1, max_seconds=86_400),
        LockoutPolicy(failures_before_lock=10, base_seconds=30, max_seconds=30),
    ],
)
def test_int_6_growing_capped_never_permanent_for_any_policy(policy: LockoutPolicy) -> None:
    """INT-6: for any (config) policy: monotone, doubling until the cap, never above it, always finite."""
    previous = timedelta(0)
    cap = timedelta(seconds=policy.max_seconds)
    for failures in range(policy.failures_before_lock, policy.failures_before_lock + 1000):
        delay = lock_delay(failures, policy)
        assert delay is not None
        assert previous <= delay <= cap
        if previous and previous < cap:
            assert delay == min(previous * 2, cap)
        previous = delay
    assert previous == cap
    # a lock always ends: some time later the locator is open again
    until = locked_until(policy.failures_before_lock + 1000, NOW, policy)
    assert until is not None
    assert not is_locked(until, until + timedelta(seconds=1))


def test_int_6_never_permanent_after_1000_failures() -> None:
    """INT-6: even after 1000 failures the lock is finite (the cap), not permanent."""
    delay = lock_delay(1000, POLICY)
    assert delay is not None
    assert delay == timedelta(seconds=POLICY.max_seconds)
    assert delay < timedelta(days=1)


@pytest.mark.parametrize(
    ("until", "now", "locked"),
    [
        (None, NOW, False),
        (NOW + timedelta(seconds=60), NOW, True),
        (NOW + timedelta(microseconds=1), NOW, True),
        (NOW, NOW, False),  # the lock ends at `until`
        (NOW - timedelta(microseconds=1), NOW, False),
        (NOW - timedelta(hours=1), NOW, False),
    ],
)
def test_int_6_is_locked_boundaries(until: datetime | None, now: datetime, locked: bool) -> None:
    """INT-6: locked strictly before `until`, open from `until` on; no lock without `until`."""
    assert is_locked(until, now) is locked


def test_int_6_lock_expires_after_its_delay() -> None:
    """INT-6: a locator locked after the threshold is open again once the delay has passed."""
    until = locked_until(5, NOW, POLICY)
    assert until is not None
    assert is_locked(until, NOW)
    assert is_locked(until, NOW + timedelta(seconds=59))
    assert not is_locked(until, NOW + timedelta(seconds=60))
