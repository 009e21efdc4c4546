"""Joint liability (SAN-4): the head of the unit where a case was substantiated gets recorded measures —
performance-pay grade lowered one step and at least one week of human-rights training — tracked to completion."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from enum import StrEnum
from uuid import UUID

from app.domain.errors import Conflict, RuleViolation


class HeadMeasureKind(StrEnum):
    """SAN-4: the measures for the head of the unit where a case was substantiated."""

    perf_pay_grade_lowered = "perf_pay_grade_lowered"
    human_rights_training = "human_rights_training"


class HeadMeasureStatus(StrEnum):
    open = "open"
    done = "done"


# SAN-4: the head's measures, with the least number of days each must last (None: no duration).
HEAD_MEASURES: tuple[tuple[HeadMeasureKind, int | None], ...] = (
    (HeadMeasureKind.perf_pay_grade_lowered, None),
    (HeadMeasureKind.human_rights_training, 7),
)


class DaysRequired(RuleViolation):
    code = "days-required"
    title = "Say how many days the measure lasted: it has a minimum."


class HeadMeasureTooShort(RuleViolation):
    code = "measure-too-short"
    title = "The measure lasted less than its minimum (human-rights training: at least one week)."


class HeadMeasureAlreadyDone(Conflict):
    code = "measure-done"
    title = "This measure has been marked done already."


@dataclass(frozen=True)
class HeadChoice:
    head_id: UUID | None
    source: str  # unit_head | supervisor | none | victim (the head is the victim: not measured)

    @property
    def measured(self) -> bool:
        return self.source != "victim"


def choose_head(
    unit_head_id: UUID | None, supervisor_id: UUID | None, respondent_id: UUID | None, victim_ids: Collection[UUID]
) -> HeadChoice:
    """SAN-4: the head of the respondent's unit; without one on record (or if the head is the respondent), the
    respondent's direct supervisor; without either, the obligation is recorded without a person (flagged).
    A head who is the victim is not measured."""
    if unit_head_id is not None and unit_head_id != respondent_id:
        choice = HeadChoice(unit_head_id, "unit_head")
    elif supervisor_id is not None:
        choice = HeadChoice(supervisor_id, "supervisor")
    else:
        choice = HeadChoice(None, "none")
    if choice.head_id is not None and choice.head_id in victim_ids:
        return HeadChoice(None, "victim")
    return choice


def check_head_measure_open(status: HeadMeasureStatus) -> None:
    if status != HeadMeasureStatus.open:
        raise HeadMeasureAlreadyDone()


def check_completion(min_days: int | None, days: int | None) -> None:
    """SAN-4: a measure with a minimum (training: a week) is done only once it lasted that long."""
    if min_days is None:
        return
    if days is None:
        raise DaysRequired()
    if days < min_days:
        raise HeadMeasureTooShort(f"At least {min_days} days.")
