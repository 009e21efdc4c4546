"""WU-1 (#WithU support requests, counted apart) and STAT-1 (no count below 5 outside the case team)."""

from __future__ import annotations

import calendar
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from app.domain.access import works_cases
from app.domain.enums import OrgKind, Role
from app.domain.errors import RuleViolation

THRESHOLD = 5
# Every staff role reads statistics (hr_officer, auditor and sysadmin only suppressed ones).
STATISTICS_ROLES = frozenset(Role)
EMPLOYEE_KINDS = (OrgKind.smg, OrgKind.affiliated, OrgKind.contractor)
UNSPECIFIED = "unspecified"


class SupportKind(StrEnum):
    """WU-1: what a citizen of a poorly protected workplace may ask for."""

    legal_consultation = "legal_consultation"
    counselling = "counselling"
    workplace_education = "workplace_education"


class WindowInvalid(RuleViolation):
    code = "window-invalid"
    title = "The statistics window must start on or before its end."


@dataclass(frozen=True)
class Cell:
    """A published count: the number, or None with `suppressed` (STAT-1)."""

    count: int | None
    suppressed: bool


def sees_exact_counts(role: Role) -> bool:
    """STAT-1: the case team sees exact counts; everyone else never a count below the threshold."""
    return works_cases(role)


def publish(
    counts: Mapping[str, int], *, exact: bool, with_total: bool, threshold: int = THRESHOLD
) -> tuple[dict[str, Cell], Cell | None]:
    """STAT-1: suppress every count below `threshold` for viewers outside the case team. When a total is
    published, the suppressed cells together must also reach the threshold (otherwise total minus the shown
    cells would reveal them), so the smallest shown cells are suppressed as well until they do."""
    total = sum(counts.values())
    if exact:
        return {k: Cell(v, False) for k, v in counts.items()}, (Cell(total, False) if with_total else None)
    hidden = {k for k, v in counts.items() if v < threshold}
    if with_total and total >= threshold:
        shown = sorted((v, k) for k, v in counts.items() if k not in hidden)
        while hidden and sum(counts[k] for k in hidden) < threshold and shown:
            hidden.add(shown.pop(0)[1])
    cells = {k: Cell(None, True) if k in hidden else Cell(v, False) for k, v in counts.items()}
    if not with_total:
        return cells, None
    return cells, Cell(None, True) if total < threshold else Cell(total, False)


def window(start: date, end: date, *, exact: bool) -> tuple[date, date]:
    """The days counted. Outside the case team, whole calendar months (a day-by-day window would let anyone
    date single cases by moving its edges)."""
    if start > end:
        raise WindowInvalid()
    if exact:
        return start, end
    last = calendar.monthrange(end.year, end.month)[1]
    return start.replace(day=1), end.replace(day=last)
