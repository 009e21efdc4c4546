"""`app/domain/case_statistics.py`: the case statistics' months, durations, breaches and suppression (STAT-1,
CASE-2, SD-2)."""

from __future__ import annotations

from datetime import date

from app.domain.case_statistics import (
    WindowCounts,
    by_month,
    deadlines_by_kind,
    duration,
    months,
    nearest_rank,
    publish,
)
from app.domain.enums import Category, DeadlineKind, Team
from app.domain.statistics import Cell


def test_stat_1_months_and_folding() -> None:
    """STAT-1: the window's months in order, across a year's end; days folded into months with zeros."""
    assert months(date(2025, 11, 15), date(2026, 2, 1)) == ["2025-11", "2025-12", "2026-01", "2026-02"]
    table = by_month([(date(2025, 12, 3), "a", 2), (date(2025, 12, 30), "a", 1)], ["a", "b"], ["2025-11", "2025-12"])
    assert table == {"2025-11": {"a": 0, "b": 0}, "2025-12": {"a": 3, "b": 0}}


def test_stat_1_no_time_figure_about_fewer_than_5_cases_outside_the_case_team() -> None:
    """STAT-1: a median of 4 cases describes single cases: suppressed outside the case team, shown inside. How
    many cases the figures describe is never shown outside (with the window's total it would count the cases
    still open)."""
    assert duration([1, 2, 3, 4], exact=False).suppressed is True
    assert duration([1, 2, 3, 4], exact=False).median_days is None
    inside = duration([1, 2, 3, 4], exact=True)
    assert (inside.median_days, inside.p90_days, inside.cases) == (2.5, 4.0, Cell(4, False))
    outside = duration([0, 1, 2, 3, 10], exact=False)
    assert (outside.median_days, outside.p90_days, outside.suppressed) == (2.0, 10.0, False)
    assert outside.cases == Cell(None, True)
    assert nearest_rank(list(range(1, 11)), 0.9) == 9.0


def test_case_2_breaches_counted_by_kind_with_the_domain_rule() -> None:
    """CASE-2: met late and unmet past the due day are breaches; met on time and not yet due are not."""
    today = date(2026, 3, 1)
    rows = [
        (DeadlineKind.triage, date(2026, 2, 1), date(2026, 2, 3), 2),  # met late
        (DeadlineKind.triage, date(2026, 2, 1), None, 1),  # unmet, overdue
        (DeadlineKind.triage, date(2026, 2, 1), date(2026, 2, 1), 7),  # met on time
        (DeadlineKind.feedback, date(2026, 3, 1), None, 4),  # due today
    ]
    deadlines, breached = deadlines_by_kind(rows, today)
    assert breached["triage"] == 3 and breached["feedback"] == 0 and set(breached) == {str(k) for k in DeadlineKind}
    assert deadlines["triage"] == 10 and deadlines["feedback"] == 4 and deadlines["investigation"] == 0


def quarter(harassment: int, secondary_damage: int, *, citizens: int = 0) -> WindowCounts:
    """Cases in the quarter's last month, all opened by intake at the city government (citizens' apart)."""
    total = harassment + secondary_damage
    by_category = {m: dict.fromkeys(map(str, Category), 0) for m in ("2026-01", "2026-02", "2026-03")}
    by_category["2026-03"] |= {"sexual_harassment": harassment, "secondary_damage": secondary_damage}
    teams = {m: {str(t): 0 for t in Team} for m in by_category}
    teams["2026-03"] |= {"intake_counselling": harassment, "investigation": secondary_damage}
    every = {"triage": total, "investigation": total, "acknowledgement": total, "feedback": total}
    return WindowCounts(
        months=list(by_category),
        by_category=by_category,
        by_team=teams,
        intake={"smg": total - citizens, "citizen_workplace": citizens},
        support={},
        deadlines=every,
        breaches=dict.fromkeys(every, 0),
        days={"acknowledge": [0] * total},
    )


def test_stat_1_sd_2_share_only_where_both_counts_show() -> None:
    """STAT-1, SD-2: 2 of 8 is 0.25 inside the case team; outside, 2 is withheld and so is the share."""
    assert publish(quarter(6, 2), exact=True).secondary_damage.share == 0.25
    outside = publish(quarter(6, 2), exact=False).secondary_damage
    assert (outside.share, outside.suppressed, outside.all_cases) == (None, True, Cell(8, False))
    big = publish(quarter(15, 5), exact=False).secondary_damage
    assert (big.share, big.suppressed, big.cases, big.all_cases) == (0.25, False, Cell(5, False), Cell(20, False))


def test_stat_1_outside_the_case_team_no_teams_no_breach_total_no_case_counts_of_times() -> None:
    """STAT-1: cases by team (they follow from categories by the routing table), the breach total and how many
    cases each time describes are published to the case team only."""
    inside, outside = publish(quarter(15, 5), exact=True), publish(quarter(15, 5), exact=False)
    assert [row.cells["investigation"] for row in inside.by_team] == [Cell(0, False), Cell(0, False), Cell(5, False)]
    assert inside.breach_total == Cell(0, False) and inside.durations["acknowledge"].cases == Cell(20, False)
    assert outside.by_team == [] and outside.breach_total == Cell(None, True)
    assert outside.durations["acknowledge"].cases == Cell(None, True)
    assert outside.durations["acknowledge"].median_days == 0.0


def test_stat_1_wu_1_both_answers_cut_from_one_table() -> None:
    """STAT-1, WU-1: 3 #WithU cases among 20 — withheld, and so is the employees' total, which the cases answer's
    20 would otherwise turn into those 3."""
    outside = publish(quarter(17, 3, citizens=3), exact=False)
    assert outside.secondary_damage.all_cases == Cell(20, False)
    assert outside.withu["cases"] == Cell(None, True) and outside.employees["total"] == Cell(None, True)
    assert outside.employees["smg"] == Cell(None, True)  # 17: it alone would be the total
