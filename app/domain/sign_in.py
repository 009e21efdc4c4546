"""Staff sign-in (ACC-1). Failed sign-ins slow down one (account, client) pair — never the account for everyone, so
the owner with the right password and TOTP is not refused because of someone else's guesses — and the owner is told
of them at the next sign-in. A sign-in ends after an idle limit and after an absolute limit.

The client is the rate limiter's keyed hash of its address, which changes every day (never the address itself).
Pure: `now` is always a parameter.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from app.domain.lockout import LockoutPolicy, is_locked, locked_until

# The client key changes every day: a pair whose last failure is older than this can never be met again.
PAIR_KEY_LIFETIME = timedelta(days=1)
# The last use of a sign-in is written at most this often, so a sign-in may end up to this much early, never late.
USE_RECORDED_EVERY = timedelta(minutes=1)


@dataclass(frozen=True)
class PairFailures:
    """Failed sign-ins of one account from one client, and until when that client must wait."""

    failures: int = 0
    delayed_until: datetime | None = None


def is_delayed(pair: PairFailures | None, now: datetime) -> bool:
    """The client must wait: its attempts are refused, right credentials or not. A client that has not failed on
    this account (`None`: the owner's, usually) never waits, whatever other clients did."""
    return pair is not None and is_locked(pair.delayed_until, now)


def after_failure(pair: PairFailures | None, now: datetime, policy: LockoutPolicy) -> PairFailures:
    """The pair after one more failure: no delay below the policy's threshold, then doubling delays, capped. An
    attempt refused while the pair waits does not lengthen the wait."""
    pair = pair or PairFailures()
    if is_delayed(pair, now):
        return pair
    failures = pair.failures + 1
    return PairFailures(failures, locked_until(failures, now, policy))


def owner_notice(failures: int, last_failed_at: datetime | None) -> tuple[int, date | None]:
    """What the owner is told at a successful sign-in: how many attempts failed since the last one, and the day
    (not the time) of the last failure."""
    return failures, last_failed_at.date() if last_failed_at is not None else None


@dataclass(frozen=True)
class SessionLimits:
    idle: timedelta
    absolute: timedelta


def session_ended(started_at: datetime, last_used_at: datetime, now: datetime, limits: SessionLimits) -> bool:
    """A sign-in is over once `idle` has passed without use, or `absolute` since it began, however busy."""
    return now >= started_at + limits.absolute or now >= last_used_at + limits.idle


def record_use(last_used_at: datetime, now: datetime) -> bool:
    """Whether this use of a sign-in is written down (at most once per USE_RECORDED_EVERY)."""
    return now - last_used_at >= USE_RECORDED_EVERY
