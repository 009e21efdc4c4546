"""STAT-1: who sees exact counts, and the windows everyone else may ask for, table-driven (what they see:
test_suppression.py, test_case_statistics.py, test_stat_1_differencing.py)."""

from __future__ import annotations

from datetime import date

import pytest

from app.domain.enums import Role
from app.domain.statistics import WindowInvalid, WindowNotAllowed, sees_exact_counts, window


@pytest.mark.parametrize(
    ("role", "exact"),
    [
        (Role.intake, True),
        (Role.investigator, True),
        (Role.team_lead, True),
        (Role.division_head, True),
        (Role.hr_officer, False),
        (Role.auditor, False),
        (Role.sysadmin, False),
    ],
)
def test_stat_1_who_sees_exact_counts(role: Role, exact: bool) -> None:
    assert sees_exact_counts(role) is exact


TODAY = date(2026, 7, 15)


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (date(2026, 1, 1), date(2026, 3, 31)),
        (date(2026, 4, 1), date(2026, 6, 30)),
        (date(2025, 10, 1), date(2025, 12, 31)),
        (date(1904, 1, 1), date(1904, 3, 31)),
    ],
)
def test_stat_1_outside_the_case_team_one_ended_quarter(start: date, end: date) -> None:
    """STAT-1: an ended calendar quarter is answered as asked, for everyone."""
    assert window(start, end, exact=False, today=TODAY) == (start, end)
    assert window(start, end, exact=True, today=TODAY) == (start, end)


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (date(2026, 2, 1), date(2026, 3, 31)),  # F10: November–December minus December …
        (date(2026, 3, 1), date(2026, 3, 31)),  # … a month inside a quarter
        (date(2026, 1, 1), date(2026, 12, 31)),  # a year minus its quarters
        (date(2026, 1, 1), date(2026, 6, 30)),  # two quarters
        (date(2026, 2, 1), date(2026, 4, 30)),  # three months across quarters
        (date(2026, 1, 2), date(2026, 3, 31)),
        (date(2026, 1, 1), date(2026, 3, 30)),
        (date(2026, 7, 1), date(2026, 9, 30)),  # the quarter still running
        (date(2026, 3, 10), date(2026, 3, 20)),
    ],
)
def test_stat_1_outside_the_case_team_no_other_window(start: date, end: date) -> None:
    """STAT-1 (F10): windows that overlap another one could be subtracted from it; a running quarter from itself
    a day later. Outside the case team they are refused; the case team asks for any days."""
    with pytest.raises(WindowNotAllowed):
        window(start, end, exact=False, today=TODAY)
    assert window(start, end, exact=True, today=TODAY) == (start, end)


def test_stat_1_a_window_ending_before_it_starts_is_refused() -> None:
    for exact in (True, False):
        with pytest.raises(WindowInvalid):
            window(date(2026, 3, 2), date(2026, 3, 1), exact=exact, today=TODAY)
