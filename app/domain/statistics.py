"""WU-1 (#WithU support requests, counted apart) and STAT-1 (no count below 5 outside the case team): who sees
exact counts and which windows the others may ask for. What they see is decided in `case_statistics`."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from app.domain.access import works_cases
from app.domain.enums import OrgKind, Role
from app.domain.errors import RuleViolation

# Every staff role reads statistics (hr_officer, auditor and sysadmin only suppressed ones).
STATISTICS_ROLES = frozenset(Role)
EMPLOYEE_KINDS = (OrgKind.smg, OrgKind.affiliated, OrgKind.contractor)
UNSPECIFIED = "unspecified"


class SupportKind(StrEnum):
    """WU-1: what a citizen of a poorly protected workplace may ask for: legal consultation, counselling,
    education for their workplace, and training of the experts who help them."""

    legal_consultation = "legal_consultation"
    counselling = "counselling"
    workplace_education = "workplace_education"
    expert_training = "expert_training"


class WindowInvalid(RuleViolation):
    code = "window-invalid"
    title = "The statistics window must start on or before its end."


# The longest window anyone may ask for: each month is a column of every table of the answer.
WINDOW_MAX_MONTHS = 120


class WindowTooLong(RuleViolation):
    code = "window-too-long"
    title = f"A statistics window covers at most {WINDOW_MAX_MONTHS // 12} years."


class WindowNotAllowed(RuleViolation):
    code = "window-not-allowed"
    title = "Outside the case team, statistics cover one calendar quarter that has ended."


@dataclass(frozen=True)
class Cell:
    """A published count: the number, or None with `suppressed` (STAT-1)."""

    count: int | None
    suppressed: bool


def sees_exact_counts(role: Role) -> bool:
    """STAT-1: the case team sees exact counts; everyone else never a count below the threshold."""
    return works_cases(role)


def window(start: date, end: date, *, exact: bool, today: date) -> tuple[date, date]:
    """The days counted. The case team asks for any days. Everyone else asks for one calendar quarter that has
    ended: quarters never overlap, so no two answers can be subtracted from each other (a year minus its months,
    November–December minus December), and an ended quarter takes no new cases (today's answer minus yesterday's
    would count the cases opened in between)."""
    if start > end:
        raise WindowInvalid()
    if (end.year - start.year) * 12 + end.month - start.month >= WINDOW_MAX_MONTHS:
        raise WindowTooLong(f"Ask for at most {WINDOW_MAX_MONTHS} calendar months, e.g. one year at a time.")
    if not exact and not (is_quarter(start, end) and end < today):
        raise WindowNotAllowed(
            f"Ask for one calendar quarter that has ended, e.g. from={start.year}-01-01&to={start.year}-03-31."
        )
    return start, end


def is_quarter(start: date, end: date) -> bool:
    """Whether the days are exactly one calendar quarter (January–March, April–June, …)."""
    if start.day != 1 or start.month % 3 != 1 or (end.year, end.month) != (start.year, start.month + 2):
        return False
    return end.day == calendar.monthrange(end.year, end.month)[1]
