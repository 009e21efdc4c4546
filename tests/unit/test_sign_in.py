"""Staff sign-in (ACC-1; security review F12, F14): failed sign-ins slow down one (account, client) pair, never the
account for everyone, and the owner is told; a sign-in ends after an idle limit and after an absolute limit."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from app.domain.lockout import LockoutPolicy
from app.domain.sign_in import (
    PAIR_KEY_LIFETIME,
    USE_RECORDED_EVERY,
    PairFailures,
    SessionLimits,
    after_failure,
    is_delayed,
    owner_notice,
    record_use,
    session_ended,
)

POLICY = LockoutPolicy(failures_before_lock=5, base_seconds=60, max_seconds=3600)
NOW = datetime(2026, 3, 14, 9, 30, tzinfo=UTC)
LIMITS = SessionLimits(idle=timedelta(minutes=30), absolute=timedelta(hours=10))


def _fail(times: int, pair: PairFailures | None = None, now: datetime = NOW) -> PairFailures | None:
    for _ in range(times):
        pair = after_failure(pair, now, POLICY)
    return pair


def test_acc_1_a_client_without_failures_is_never_delayed() -> None:
    """ACC-1 (F12): a client that has not failed on this account (the owner's) has no pair and is not delayed,
    however many failures other clients have on the same account."""
    assert is_delayed(None, NOW) is False


@pytest.mark.parametrize("failures", [1, 2, 3, 4])
def test_acc_1_below_the_threshold_the_pair_is_not_delayed(failures: int) -> None:
    """ACC-1 (F12): fewer failures than the threshold delay nothing."""
    pair = _fail(failures)
    assert pair is not None and pair.failures == failures and pair.delayed_until is None
    assert is_delayed(pair, NOW) is False


def test_acc_1_delays_grow_from_the_threshold_and_are_capped() -> None:
    """ACC-1 (F12): the fifth failure delays the pair 1 minute; each further failure (after the delay) doubles it,
    up to the cap of an hour; the delay always ends."""
    pair = _fail(5)
    assert pair is not None and pair.delayed_until == NOW + timedelta(seconds=60)
    assert is_delayed(pair, NOW) and is_delayed(pair, NOW + timedelta(seconds=59))
    assert not is_delayed(pair, NOW + timedelta(seconds=60))
    later = NOW + timedelta(seconds=61)
    pair = after_failure(pair, later, POLICY)
    assert pair.failures == 6 and pair.delayed_until == later + timedelta(seconds=120)
    for _ in range(40):
        later = pair.delayed_until  # type: ignore[assignment]
        pair = after_failure(pair, later, POLICY)
    assert pair.delayed_until == later + timedelta(hours=1)


def test_acc_1_a_refused_attempt_while_delayed_does_not_lengthen_the_delay() -> None:
    """ACC-1 (F12): requests of a delayed pair are refused unchecked and do not count towards a longer delay."""
    pair = _fail(5)
    assert pair is not None
    again = after_failure(pair, NOW + timedelta(seconds=30), POLICY)
    assert again == pair


def test_acc_1_pair_keys_live_one_day() -> None:
    """ACC-1 (F12): the client key is the rate limiter's keyed hash of the address, which changes every day, so a
    pair not met for a day can be forgotten."""
    assert PAIR_KEY_LIFETIME == timedelta(days=1)


def test_acc_1_the_owner_learns_how_many_failures_and_the_day_of_the_last() -> None:
    """ACC-1 (F12): the owner is told the number of failed attempts since the last sign-in and the day (not the
    time) of the last one; none → 0 and no day."""
    assert owner_notice(0, None) == (0, None)
    assert owner_notice(7, datetime(2026, 3, 13, 23, 59, 59, tzinfo=UTC)) == (7, date(2026, 3, 13))


def test_acc_1_a_sign_in_ends_after_the_idle_limit() -> None:
    """ACC-1 (F14): 30 minutes without use end a sign-in; 29:59 do not."""
    started = NOW - timedelta(hours=1)
    last_used = NOW - timedelta(minutes=30)
    assert session_ended(started, last_used, NOW, LIMITS)
    assert not session_ended(started, last_used + timedelta(seconds=1), NOW, LIMITS)


def test_acc_1_a_sign_in_ends_after_the_absolute_limit_however_busy() -> None:
    """ACC-1 (F14): 10 hours after it began a sign-in ends even if it was used a second ago."""
    assert session_ended(NOW - timedelta(hours=10), NOW - timedelta(seconds=1), NOW, LIMITS)
    assert not session_ended(NOW - timedelta(hours=10) + timedelta(seconds=1), NOW, NOW, LIMITS)


def test_acc_1_use_is_recorded_at_most_once_a_minute() -> None:
    """ACC-1 (F14): the last use is written at most once a minute (a write per request would be waste); so a
    sign-in may end up to a minute early, never late."""
    assert USE_RECORDED_EVERY == timedelta(minutes=1)
    assert not record_use(NOW - timedelta(seconds=59), NOW)
    assert record_use(NOW - timedelta(minutes=1), NOW)
