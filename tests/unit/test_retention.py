"""DATA-1: when a closed case's content may be destroyed (app/domain/retention.py)."""

from __future__ import annotations

from datetime import date

import pytest

from app.domain.retention import (
    KeptBecause,
    RetentionFacts,
    first_destruction_day,
    kept_because,
    retention_problem,
)
from app.settings import Settings

CLOSED = date(2020, 3, 10)


def facts(**overrides: object) -> RetentionFacts:
    values: dict[str, object] = {
        "closed_on": CLOSED,
        "content_destroyed_on": None,
        "active_orders": 0,
        "pending_sanctions": 0,
        "legal_hold": False,
    }
    values.update(overrides)
    return RetentionFacts(**values)  # type: ignore[arg-type]


def test_data_1_destroyed_the_day_after_the_retention_period() -> None:
    assert first_destruction_day(CLOSED, 5, 3) == date(2025, 3, 11)
    assert kept_because(facts(), date(2025, 3, 10), 5, 3) == KeptBecause.period  # the period's last day
    assert kept_because(facts(), date(2025, 3, 11), 5, 3) is None


def test_data_1_never_before_the_ret_1_watch_ends() -> None:
    """A retention shorter than the watch (refused at start-up) still waits for the watch's last day to pass."""
    assert first_destruction_day(CLOSED, 1, 3) == date(2023, 3, 11)
    assert kept_because(facts(), date(2023, 3, 10), 1, 3) == KeptBecause.period
    assert kept_because(facts(), date(2023, 3, 11), 1, 3) is None


def test_data_1_calendar_years_clamp_to_the_month_end() -> None:
    assert first_destruction_day(date(2020, 2, 29), 5, 3) == date(2025, 3, 1)


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        ({"closed_on": None}, KeptBecause.open),
        ({"active_orders": 1}, KeptBecause.separation_order),
        ({"pending_sanctions": 2}, KeptBecause.sanction_pending),
        ({"legal_hold": True}, KeptBecause.legal_hold),
        ({"content_destroyed_on": date(2025, 3, 11)}, KeptBecause.destroyed),
    ],
)
def test_data_1_each_exception_keeps_the_content(overrides: dict[str, object], reason: KeptBecause) -> None:
    """SEP-6 order active, SAN-2 sanction undecided, a legal hold, an open case: kept long after the period."""
    assert kept_because(facts(**overrides), date(2040, 1, 1), 5, 3) == reason


def test_data_1_retention_shorter_than_the_watch_is_refused_at_start_up(clean_env: None) -> None:
    assert retention_problem(5, 3) is None
    assert retention_problem(3, 3) is None
    assert "WITHU_RETENTION_YEARS" in (retention_problem(2, 3) or "")
    assert Settings(environment="development").retention_years == 5
    with pytest.raises(ValueError, match="WITHU_RETENTION_YEARS"):
        Settings(environment="development", retention_years=2)
    with pytest.raises(ValueError, match="WITHU_WATCH_YEARS_AFTER_CLOSING"):
        Settings(environment="development", retention_years=4, watch_years_after_closing=5)
