"""STAT-1 suppression and the statistics window, table-driven."""

from __future__ import annotations

from datetime import date

import pytest

from app.domain.enums import Role
from app.domain.statistics import Cell, WindowInvalid, publish, sees_exact_counts, window

SHOWN = Cell  # readability in the tables below


def hidden() -> Cell:
    return Cell(None, True)


@pytest.mark.parametrize(
    ("counts", "cells", "total"),
    [
        # nothing small: everything shown
        (
            {"a": 12, "b": 7, "c": 5},
            {"a": SHOWN(12, False), "b": SHOWN(7, False), "c": SHOWN(5, False)},
            SHOWN(24, False),
        ),
        # one small cell: it and the next smallest go, so total minus the rest reveals nothing below 5
        ({"a": 12, "b": 7, "c": 2}, {"a": SHOWN(12, False), "b": hidden(), "c": hidden()}, SHOWN(21, False)),
        # zero is a count below 5 as well
        ({"a": 9, "b": 6, "c": 0}, {"a": SHOWN(9, False), "b": hidden(), "c": hidden()}, SHOWN(15, False)),
        # two small cells that together reach 5: their sum may be derived, it is not below 5
        ({"a": 20, "b": 3, "c": 4}, {"a": SHOWN(20, False), "b": hidden(), "c": hidden()}, SHOWN(27, False)),
        # two small cells summing below 5: a third goes too
        (
            {"a": 20, "b": 8, "c": 1, "d": 2},
            {"a": SHOWN(20, False), "b": hidden(), "c": hidden(), "d": hidden()},
            SHOWN(31, False),
        ),
        # a small total is itself suppressed, with every cell
        ({"a": 1, "b": 2, "c": 0}, {"a": hidden(), "b": hidden(), "c": hidden()}, hidden()),
        # exactly at the threshold is shown
        ({"a": 5}, {"a": SHOWN(5, False)}, SHOWN(5, False)),
        ({"a": 4, "b": 1}, {"a": hidden(), "b": hidden()}, SHOWN(5, False)),
    ],
)
def test_stat_1_no_count_below_5_outside_the_case_team(counts, cells, total) -> None:  # type: ignore[no-untyped-def]
    """STAT-1: counts below 5 are suppressed, and so are the cells that would let a total reveal them."""
    got_cells, got_total = publish(counts, exact=False, with_total=True)
    assert got_cells == cells
    assert got_total == total
    shown = {k: c.count for k, c in got_cells.items() if not c.suppressed}
    assert all(v >= 5 for v in shown.values())
    if not got_total.suppressed:  # what the total lets anyone derive is never below 5 (unless nothing is hidden)
        derived = got_total.count - sum(shown.values())
        assert derived == 0 and len(shown) == len(counts) or derived >= 5


@pytest.mark.parametrize(
    ("counts", "cells"),
    [
        (
            {"cases": 7, "legal": 3, "counselling": 5},
            {"cases": SHOWN(7, False), "legal": hidden(), "counselling": SHOWN(5, False)},
        ),
        ({"cases": 0}, {"cases": hidden()}),
    ],
)
def test_stat_1_without_a_total_only_the_small_cells_go(counts, cells) -> None:  # type: ignore[no-untyped-def]
    got, total = publish(counts, exact=False, with_total=False)
    assert got == cells and total is None


@pytest.mark.parametrize("with_total", [True, False])
def test_stat_1_the_case_team_sees_exact_counts(with_total: bool) -> None:
    cells, total = publish({"a": 1, "b": 0, "c": 9}, exact=True, with_total=with_total)
    assert cells == {"a": SHOWN(1, False), "b": SHOWN(0, False), "c": SHOWN(9, False)}
    assert total == (SHOWN(10, False) if with_total else None)


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


@pytest.mark.parametrize(
    ("start", "end", "exact", "expected"),
    [
        (date(2026, 3, 10), date(2026, 3, 20), True, (date(2026, 3, 10), date(2026, 3, 20))),
        (date(2026, 3, 10), date(2026, 3, 20), False, (date(2026, 3, 1), date(2026, 3, 31))),
        (date(2026, 1, 31), date(2026, 2, 1), False, (date(2026, 1, 1), date(2026, 2, 28))),
        (date(2028, 2, 5), date(2028, 2, 5), False, (date(2028, 2, 1), date(2028, 2, 29))),
    ],
)
def test_stat_1_outside_the_case_team_whole_months(start, end, exact, expected) -> None:  # type: ignore[no-untyped-def]
    """STAT-1: day-exact windows only for the case team, so moving a window's edge cannot date single cases."""
    assert window(start, end, exact=exact) == expected


def test_stat_1_a_window_ending_before_it_starts_is_refused() -> None:
    with pytest.raises(WindowInvalid):
        window(date(2026, 3, 2), date(2026, 3, 1), exact=True)
