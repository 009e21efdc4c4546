"""RET-1: adverse personnel events about a protected person are flagged without anyone complaining. What excuses
a move: carrying out a separation order that moves its respondent (SEP-3), or the person's own wish recorded in
WithU (CASE-7) — never the personnel system's say-so."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from app.domain.deadlines import add_months
from app.domain.enums import MeasureKind, MeasureStatus
from app.domain.enums import PersonnelEventKind as K

# Always adverse: dismissal or loss of status; discipline, suspension, pay cut, demotion; no duties; withheld
# resources; a change the person objected to. No wish and no order excuses them.
ALWAYS_ADVERSE = frozenset(
    {
        K.dismissal,
        K.loss_of_status,
        K.discipline,
        K.pay_cut,
        K.demotion,
        K.duties_removed,
        K.resources_withheld,
        K.objection,
    }
)
# Transfer, reassignment, a new supervisor: adverse unless the person wished it (or, for the respondent of the
# order the event cites, it carries out that order's plan).
MOVES = frozenset({K.transfer, K.new_supervisor, K.joined_assignment, K.left_assignment})
# What a separation plan does to the respondent (app.domain.separation.PLAN_ACTIONS).
PLAN_MOVES = frozenset({K.transfer, K.new_supervisor, K.left_assignment})


@dataclass(frozen=True)
class OwnWish:
    """CASE-7: what the person asked for, as recorded in WithU — the only proof of an employee's own request.
    The personnel system's `requested_by_employee` proves nothing (HR could label any move so)."""

    move: bool = False
    leave: bool = False


@dataclass(frozen=True)
class Verdict:
    flagged: bool
    reason: str  # adverse | against-their-will | not-adverse | own-recorded-wish | separation-plan-moves-the-respondent


NO_WISH = OwnWish()


def assess(
    kind: K, data: Mapping[str, object], *, wish: OwnWish = NO_WISH, moves_respondent_of_cited_order: bool = False
) -> Verdict:
    """RET-1 for one event about a protected person: flag it (a review opens, RET-2) or not, and why.
    `moves_respondent_of_cited_order`: the event cites an active order whose respondent is this person (SEP-3)."""
    if kind in ALWAYS_ADVERSE:
        return Verdict(True, "adverse")
    if kind in MOVES or kind == K.leave:
        if moves_respondent_of_cited_order and kind in PLAN_MOVES:
            return Verdict(False, "separation-plan-moves-the-respondent")
        if wish.leave if kind == K.leave else wish.move:
            return Verdict(False, "own-recorded-wish")
        return Verdict(True, "against-their-will")
    return Verdict(True, "adverse") if _adverse_decision(kind, data) else Verdict(False, "not-adverse")


def _adverse_decision(kind: K, data: Mapping[str, object]) -> bool:
    """Withheld promotion or training; a worse evaluation."""
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


# Measures that move the victim, or give them leave, when accepted (CASE-7).
MOVING_MEASURES = frozenset({MeasureKind.workplace_change, MeasureKind.further_separation})
YES = frozenset({MeasureStatus.accepted, MeasureStatus.applied})


def own_wish(
    wishes: Iterable[tuple[date, bool]], measures: Iterable[tuple[MeasureKind, MeasureStatus, date | None]]
) -> OwnWish:
    """CASE-7: the victim's latest recorded answer, per subject. Moving: recorded wishes (`wants_to_move`) and
    answers to workplace-change or further-separation measures; leave: answers to paid-leave measures. An
    unanswered offer says nothing; on the same day a no wins over a yes."""
    move = [(on, yes) for on, yes in wishes]
    leave: list[tuple[date, bool]] = []
    for kind, status, answered_on in measures:
        if answered_on is None or status == MeasureStatus.offered:
            continue
        answers = move if kind in MOVING_MEASURES else leave if kind == MeasureKind.paid_leave else None
        if answers is not None:
            answers.append((answered_on, status in YES))
    return OwnWish(move=_latest_is_yes(move), leave=_latest_is_yes(leave))


def _latest_is_yes(answers: list[tuple[date, bool]]) -> bool:
    latest = max(answers, key=lambda a: (a[0], not a[1]), default=None)
    return latest is not None and latest[1]


def in_watch_period(opened_on: date, closed_on: date | None, event_on: date, years_after_closing: int) -> bool:
    """RET-1: from the report to `years_after_closing` years after closing (config, 3 by default)."""
    if event_on < opened_on:
        return False
    return closed_on is None or event_on <= add_months(closed_on, 12 * years_after_closing)
