"""`app/domain/ambassadors.py`: the ambassador cascade (AMB-1, AMB-2) as pure rules."""

from __future__ import annotations

import uuid

import pytest

from app.domain.ambassadors import (
    CancelBasis,
    DesignationCancelled,
    DesignationStatus,
    DesignationUnderReview,
    NotCancelled,
    PlaceStatus,
    ReinstatementRefused,
    cancel,
    check_new_place,
    check_reinstatement,
    finding_cancels,
    promotional_use_allowed,
    report_is_open,
    review_status,
)
from app.domain.enums import CaseStatus, Finding

D = DesignationStatus
S = CaseStatus


@pytest.mark.parametrize(
    ("current", "open_reports", "expected"),
    [
        (D.active, 0, D.active),
        (D.active, 1, D.under_review),
        (D.under_review, 2, D.under_review),
        (D.under_review, 0, D.active),
        (D.cancelled, 0, D.cancelled),
        (D.cancelled, 3, D.cancelled),
    ],
)
def test_amb_2_under_review_while_a_report_is_open(current, open_reports, expected) -> None:  # type: ignore[no-untyped-def]
    """AMB-2: under review while a report naming the ambassador is open; a cancellation never comes back."""
    assert review_status(current, open_reports) == expected


@pytest.mark.parametrize("status", list(CaseStatus))
def test_amb_2_a_report_is_open_until_closed_or_withdrawn(status: CaseStatus) -> None:
    assert report_is_open(status) is (status not in (S.closed, S.withdrawn))


@pytest.mark.parametrize(
    ("status", "finding", "expected"),
    [
        (S.decided, Finding.substantiated, True),
        (S.closed, Finding.substantiated, True),
        (S.decided, Finding.not_substantiated, False),
        (S.decided, Finding.insufficient_evidence, False),
        (S.investigating, None, False),
        (S.withdrawn, None, False),
    ],
)
def test_amb_1_only_a_substantiated_finding_cancels(status, finding, expected) -> None:  # type: ignore[no-untyped-def]
    """AMB-1: the respondent of a substantiated case loses the designation."""
    assert finding_cancels(status, finding) is expected


@pytest.mark.parametrize("current", [D.active, D.under_review])
def test_amb_1_cancellation_shuts_every_open_place(current: DesignationStatus) -> None:
    """AMB-1: every open place under the name is shut in the same decision; shut ones stay as they are."""
    a, b, c = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    decision = cancel(
        current, CancelBasis.finding, [(a, PlaceStatus.open), (b, PlaceStatus.shut), (c, PlaceStatus.open)]
    )
    assert decision.basis == CancelBasis.finding
    assert decision.places_to_shut == (a, c)


@pytest.mark.parametrize("basis", list(CancelBasis))
def test_amb_1_cancelled_twice_is_refused(basis: CancelBasis) -> None:
    """AMB-1: a designation is cancelled once; a second cancellation (finding or conviction) is a conflict."""
    with pytest.raises(DesignationCancelled):
        cancel(D.cancelled, basis, [(uuid.uuid4(), PlaceStatus.open)])


@pytest.mark.parametrize(
    ("status", "allowed", "error"),
    [
        (D.active, True, None),
        (D.under_review, False, DesignationUnderReview),
        (D.cancelled, False, DesignationCancelled),
    ],
)
def test_amb_2_no_new_promotional_use_unless_active(status, allowed, error) -> None:  # type: ignore[no-untyped-def]
    """AMB-2: no new promotional use (e.g. a new memorial place) under review; none at all once cancelled."""
    assert promotional_use_allowed(status) is allowed
    if error is None:
        check_new_place(status)
    else:
        with pytest.raises(error):
            check_new_place(status)


@pytest.mark.parametrize(
    ("status", "error"), [(D.cancelled, ReinstatementRefused), (D.active, NotCancelled), (D.under_review, NotCancelled)]
)
def test_amb_1_a_cancellation_is_never_undone(status, error) -> None:  # type: ignore[no-untyped-def]
    """AMB-1: reinstatement is always refused; a new designation is a new record."""
    with pytest.raises(error):
        check_reinstatement(status)
