"""RET-1: adverse personnel events about a protected person are flagged without anyone complaining."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from app.domain.deadlines import add_months
from app.domain.enums import PersonnelEventKind

K = PersonnelEventKind

# Always adverse: dismissal or loss of status, discipline, duties removed, an objection by the person.
ALWAYS_ADVERSE = frozenset({K.dismissal, K.discipline, K.duties_removed, K.objection})


def is_adverse(kind: PersonnelEventKind, data: Mapping[str, object], *, carries_out_separation: bool = False) -> bool:
    """RET-1's list: dismissal; discipline (suspension, pay cut, demotion); withheld promotion; transfer or
    reassignment not at the person's own request; a worse evaluation; withheld training; anything objected to.
    A new supervisor that carries out a separation plan (the respondent leaves the person's chain, SEP-3) is not
    a reassignment against their will."""
    if kind == K.new_supervisor and carries_out_separation:
        return False
    if kind in ALWAYS_ADVERSE:
        return True
    if kind == K.transfer or kind == K.new_supervisor:
        return not bool(data.get("requested_by_employee", False))
    if kind == K.promotion_decision:
        return data.get("promoted") is False
    if kind == K.training_decision:
        return data.get("granted") is False
    if kind == K.evaluation:
        return bool(data.get("worse")) or _worse_grade(data.get("grade"), data.get("previous_grade"))
    return False


GRADES = ("S", "A", "B", "C", "D")  # best first


def _worse_grade(grade: object, previous: object) -> bool:
    if not isinstance(grade, str) or not isinstance(previous, str):
        return False
    g, p = grade.strip().upper(), previous.strip().upper()
    return g in GRADES and p in GRADES and GRADES.index(g) > GRADES.index(p)


def in_watch_period(opened_on: date, closed_on: date | None, event_on: date, years_after_closing: int) -> bool:
    """RET-1: from the report to `years_after_closing` years after closing (config, 3 by default)."""
    if event_on < opened_on:
        return False
    return closed_on is None or event_on <= add_months(closed_on, 12 * years_after_closing)
