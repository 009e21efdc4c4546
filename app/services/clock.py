"""The one place services read the time (the domain never does)."""

from datetime import UTC, datetime


def now() -> datetime:
    return datetime.now(UTC)


def day_start(moment: datetime) -> datetime:
    """The moment's day only: midnight UTC of its day (INT-1: what a reporter does is dated no finer)."""
    return moment.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
