"""AMB-1, AMB-2: publicity ambassadors and the memorial places under their names."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import NoReturn
from uuid import UUID

from app.domain.enums import CaseStatus, Finding
from app.domain.errors import Conflict


class DesignationStatus(StrEnum):
    """AMB-2: `under_review` while a report naming the ambassador is open; AMB-1: `cancelled` for good."""

    active = "active"
    under_review = "under_review"
    cancelled = "cancelled"


class PlaceStatus(StrEnum):
    open = "open"
    shut = "shut"


class CancelBasis(StrEnum):
    """AMB-1: what cancelled a designation."""

    finding = "finding"  # the respondent of a substantiated case
    conviction = "conviction"  # a conviction for a sexual crime, recorded by staff


class DesignationCancelled(Conflict):
    code = "designation-cancelled"
    title = "The designation is cancelled already; it cannot be cancelled again or used."


class DesignationUnderReview(Conflict):
    code = "designation-under-review"
    title = "A report naming this ambassador is open: no new promotional use is approved."


class ReinstatementRefused(Conflict):
    code = "reinstatement-refused"
    title = "A cancelled designation is never reinstated; a new designation is a new record."


class NotCancelled(Conflict):
    code = "designation-not-cancelled"
    title = "The designation is not cancelled; there is nothing to reinstate."


@dataclass(frozen=True)
class Cancellation:
    """AMB-1: the designation is cancelled and these places are shut, in one transaction."""

    basis: CancelBasis
    places_to_shut: tuple[UUID, ...]


def report_is_open(status: CaseStatus) -> bool:
    """AMB-2: a report is open until its case is closed or withdrawn."""
    return status not in (CaseStatus.closed, CaseStatus.withdrawn)


def review_status(current: DesignationStatus, open_reports: int) -> DesignationStatus:
    """AMB-2: under review while any report naming the ambassador is open; a cancellation is never undone."""
    if current == DesignationStatus.cancelled:
        return current
    return DesignationStatus.under_review if open_reports > 0 else DesignationStatus.active


def finding_cancels(status: CaseStatus, finding: Finding | None) -> bool:
    """AMB-1: a substantiated finding (in `decided`, and kept by `closed`) cancels the respondent's designation."""
    return status in (CaseStatus.decided, CaseStatus.closed) and finding == Finding.substantiated


def cancel(current: DesignationStatus, basis: CancelBasis, places: Iterable[tuple[UUID, PlaceStatus]]) -> Cancellation:
    """AMB-1: cancel the designation and shut every open place under the name. Cancelling twice is refused."""
    if current == DesignationStatus.cancelled:
        raise DesignationCancelled()
    return Cancellation(basis, tuple(place_id for place_id, status in places if status == PlaceStatus.open))


def promotional_use_allowed(status: DesignationStatus) -> bool:
    """AMB-2: only an active designation may be used for promotion."""
    return status == DesignationStatus.active


def check_new_place(status: DesignationStatus) -> None:
    """AMB-1, AMB-2: a new memorial place is new promotional use — only under an active designation."""
    if status == DesignationStatus.cancelled:
        raise DesignationCancelled()
    if status == DesignationStatus.under_review:
        raise DesignationUnderReview()


def check_reinstatement(status: DesignationStatus) -> NoReturn:
    """AMB-1: a cancellation is not undone by editing the record. Always refused: a new designation (after a
    new decision) is a new record."""
    if status == DesignationStatus.cancelled:
        raise ReinstatementRefused()
    raise NotCancelled()
