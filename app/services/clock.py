"""The one place services read the time (the domain never does)."""

from datetime import UTC, datetime


def now() -> datetime:
    return datetime.now(UTC)
