"""STAT-1 for the case statistics: counts by month, times to acknowledge / decide / close, deadline breaches and
the share of secondary damage — every count through `statistics.publish`, and no median or percentile of fewer
than 5 cases outside the case team (it would describe single cases)."""

from __future__ import annotations

import math
import statistics as pystats
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from app.domain.deadlines import is_breached
from app.domain.enums import Category, DeadlineKind
from app.domain.statistics import THRESHOLD, Cell, publish


def month_of(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def months(start: date, end: date) -> list[str]:
    """Every calendar month the window touches, in order."""
    found, year, month = [], start.year, start.month
    while (year, month) <= (end.year, end.month):
        found.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return found


def by_month(
    rows: Iterable[tuple[date, str, int]], keys: Iterable[str], window: list[str]
) -> dict[str, dict[str, int]]:
    """(day, key, count) rows folded into month → key → count, with zeros where nothing happened."""
    table = {m: dict.fromkeys(keys, 0) for m in window}
    for day, key, count in rows:
        table[month_of(day)][key] += count
    return table


def publish_rows(table: Mapping[str, Mapping[str, int]], *, exact: bool) -> list[tuple[str, dict[str, Cell], Cell]]:
    """STAT-1, per month with its total: `publish` (complementary suppression within the row). No column totals
    are published: with the rows' cells they would reveal what a row suppressed."""
    published = []
    for month, counts in table.items():
        cells, total = publish(counts, exact=exact, with_total=True)
        assert total is not None
        published.append((month, cells, total))
    return published


def nearest_rank(values: list[int], q: float) -> float:
    """The q-quantile by nearest rank (q=0.9: the value 90 % of the cases do not exceed)."""
    ordered = sorted(values)
    return float(ordered[max(0, math.ceil(q * len(ordered)) - 1)])


@dataclass(frozen=True)
class Duration:
    cases: Cell
    median_days: float | None
    p90_days: float | None
    suppressed: bool


def duration(days: list[int], *, exact: bool) -> Duration:
    """Median and 90th percentile of whole days; outside the case team nothing about fewer than 5 cases."""
    if not days or (not exact and len(days) < THRESHOLD):
        return Duration(Cell(len(days), False) if exact else Cell(None, True), None, None, not exact)
    return Duration(Cell(len(days), False), float(pystats.median(days)), nearest_rank(days, 0.9), False)


def breaches_by_kind(rows: Iterable[tuple[DeadlineKind, date, date | None, int]], today: date) -> dict[str, int]:
    """CASE-2's is_breached (met late, or unmet past the due day) counted per kind over (kind, due, met, n)."""
    counts = {str(k): 0 for k in DeadlineKind}
    for kind, due_on, met_on, n in rows:
        if is_breached(due_on, met_on, today):
            counts[str(kind)] += n
    return counts


@dataclass(frozen=True)
class Share:
    cases: Cell
    all_cases: Cell
    share: float | None
    suppressed: bool


def secondary_damage_share(by_category: Mapping[str, int], *, exact: bool) -> Share:
    """SD cases among all cases of the window; the share only where both counts may be shown."""
    sd = by_category.get(str(Category.secondary_damage), 0)
    cells, total = publish(
        {"secondary_damage": sd, "other": sum(by_category.values()) - sd}, exact=exact, with_total=True
    )
    assert total is not None
    part = cells["secondary_damage"]
    if part.count is None or total.count is None:
        return Share(part, total, None, True)
    return Share(part, total, round(part.count / total.count, 4) if total.count else None, False)
