"""`app/domain/contracts.py`: the contractor deadline and review (CON-1, CON-2) as pure rules."""

from __future__ import annotations

import uuid
from datetime import date

import pytest

from app.domain.contracts import (
    CancellationAlreadyInitiated,
    CancellationNotInitiated,
    ContractCancelled,
    ContractStatus,
    MeasuresNotOpen,
    NotAContractor,
    NotAwaitingReview,
    ObligationOverdue,
    ObligationStatus,
    OwnInitiation,
    RejectionReasonRequired,
    WorkplaceNotContractor,
    check_case_workplace,
    check_confirm,
    check_initiate,
    check_parties,
    check_record_measures,
    due_on,
    initiates_cancellation,
    is_overdue,
    link_step_due,
    needs_initiation,
    needs_link_step,
    review,
)
from app.domain.enums import ClientKind, OrgKind, Role
from app.domain.errors import AccessDenied

O = ObligationStatus  # noqa: E741
C = ContractStatus


def test_con_1_measures_are_due_after_the_configured_days() -> None:
    """CON-1: due 30 days (config) after the obligation opens; any value holds."""
    assert due_on(date(2026, 11, 28), 30) == date(2026, 12, 28)
    assert due_on(date(2026, 2, 27), 3) == date(2026, 3, 2)


DUE = date(2026, 12, 28)


@pytest.mark.parametrize(
    ("status", "today", "overdue"),
    [
        (O.open, date(2026, 12, 27), False),
        (O.open, DUE, False),  # the due day itself still counts
        (O.open, date(2026, 12, 29), True),
        (O.open, date(2027, 6, 1), True),
        (O.measures_recorded, date(2027, 6, 1), False),
        (O.accepted, date(2027, 6, 1), False),
        (O.rejected, date(2027, 6, 1), False),
        (O.overdue, date(2027, 6, 1), False),  # once is enough: the scan is idempotent
    ],
)
def test_con_2_nothing_recorded_by_the_deadline_with_a_frozen_clock(status, today, overdue) -> None:  # type: ignore[no-untyped-def]
    """CON-2: an open obligation with nothing recorded after its due day is overdue (the date is a parameter)."""
    assert is_overdue(DUE, status, today) is overdue


@pytest.mark.parametrize(
    ("status", "today", "error"),
    [
        (O.open, DUE, None),
        (O.open, date(2026, 12, 29), ObligationOverdue),
        (O.measures_recorded, DUE, MeasuresNotOpen),
        (O.accepted, DUE, MeasuresNotOpen),
        (O.rejected, DUE, MeasuresNotOpen),
        (O.overdue, DUE, MeasuresNotOpen),
    ],
)
def test_con_1_measures_are_recorded_once_by_the_due_day(status, today, error) -> None:  # type: ignore[no-untyped-def]
    if error is None:
        check_record_measures(DUE, status, today)
    else:
        with pytest.raises(error):
            check_record_measures(DUE, status, today)


@pytest.mark.parametrize(
    ("status", "accept", "reason", "expected"),
    [
        (O.measures_recorded, True, None, O.accepted),
        (O.measures_recorded, False, "The investigation was not independent.", O.rejected),
        (O.measures_recorded, False, None, RejectionReasonRequired),
        (O.measures_recorded, False, "   ", RejectionReasonRequired),
        (O.open, True, None, NotAwaitingReview),
        (O.accepted, False, "again", NotAwaitingReview),
        (O.overdue, True, None, NotAwaitingReview),
    ],
)
def test_con_2_the_case_team_reviews_recorded_measures(status, accept, reason, expected) -> None:  # type: ignore[no-untyped-def]
    """CON-2: accepted, or rejected as inadequate with a reason; only recorded measures, once."""
    if isinstance(expected, type):
        with pytest.raises(expected):
            review(status, accept, reason)
    else:
        assert review(status, accept, reason) == expected


@pytest.mark.parametrize("status", list(ObligationStatus))
def test_con_2_overdue_or_rejected_initiates_cancellation(status: ObligationStatus) -> None:
    assert initiates_cancellation(status) is (status in (O.overdue, O.rejected))


@pytest.mark.parametrize(
    ("status", "error"),
    [(C.active, None), (C.cancellation_initiated, CancellationAlreadyInitiated), (C.cancelled, ContractCancelled)],
)
def test_con_2_initiated_once_and_a_cancelled_contract_is_not_cancelled_again(status, error) -> None:  # type: ignore[no-untyped-def]
    assert needs_initiation(status) is (error is None)
    if error is None:
        check_initiate(status)
    else:
        with pytest.raises(error):
            check_initiate(status)


LEAD, OTHER = uuid.uuid4(), uuid.uuid4()


@pytest.mark.parametrize(
    ("status", "confirmer", "role", "initiator", "error"),
    [
        (C.cancellation_initiated, OTHER, Role.team_lead, LEAD, None),
        (C.cancellation_initiated, OTHER, Role.division_head, LEAD, None),
        (C.cancellation_initiated, LEAD, Role.team_lead, None, None),  # automatic: anyone of the roles
        (C.cancellation_initiated, LEAD, Role.team_lead, LEAD, OwnInitiation),
        (C.cancellation_initiated, OTHER, Role.investigator, LEAD, AccessDenied),
        (C.cancellation_initiated, OTHER, Role.hr_officer, None, AccessDenied),
        (C.cancelled, OTHER, Role.team_lead, LEAD, ContractCancelled),
        (C.active, OTHER, Role.team_lead, None, CancellationNotInitiated),
    ],
)
def test_con_2_a_second_person_confirms(status, confirmer, role, initiator, error) -> None:  # type: ignore[no-untyped-def]
    """CON-2: a team lead or the division head confirms — never the initiator; cancelled twice → conflict."""
    if error is None:
        check_confirm(status, confirmer, role, initiator)
    else:
        with pytest.raises(error):
            check_confirm(status, confirmer, role, initiator)


@pytest.mark.parametrize(
    ("org", "client", "ok"),
    [
        (OrgKind.contractor, ClientKind.contractor_portal, True),
        (OrgKind.smg, ClientKind.contractor_portal, False),
        (OrgKind.contractor, ClientKind.hr_system, False),
        (OrgKind.affiliated, ClientKind.hr_system, False),
    ],
)
def test_con_1_contracts_are_held_by_contractors_through_their_portal_client(org, client, ok) -> None:  # type: ignore[no-untyped-def]
    if ok:
        check_parties(org, client)
    else:
        with pytest.raises(NotAContractor):
            check_parties(org, client)


@pytest.mark.parametrize("kind", [None, *OrgKind])
def test_con_1_only_cases_at_a_contractor_get_an_obligation(kind: OrgKind | None) -> None:
    if kind in (None, OrgKind.contractor):
        check_case_workplace(kind)
    else:
        with pytest.raises(WorkplaceNotContractor):
            check_case_workplace(kind)


@pytest.mark.parametrize(
    ("workplace", "named", "step"),
    [
        (OrgKind.contractor, None, True),  # no number, or a number not on record
        (OrgKind.contractor, ContractStatus.cancelled, True),  # a cancelled contract cannot be linked
        (OrgKind.contractor, ContractStatus.active, False),  # the obligation opens at once instead
        (OrgKind.contractor, ContractStatus.cancellation_initiated, False),
        (OrgKind.smg, None, False),
        (OrgKind.citizen_workplace, None, False),
        (None, None, False),  # the report did not say: no step (staff may still link)
    ],
)
def test_con_1_a_contractor_report_naming_no_contract_on_record_needs_a_link_step(
    workplace: OrgKind | None, named: ContractStatus | None, step: bool
) -> None:
    """CON-1 (rules audit defect 18): the case team must link the contract of a contractor case whose report named
    none on record, so that the follow-up obligation opens."""
    assert needs_link_step(workplace, named) is step


def test_con_1_link_step_and_follow_up_count_from_the_report() -> None:
    """CON-1: the link step is due `link_days` after the receipt; the measures `follow_up_days` after the report
    (not after a later link)."""
    reported = date(2026, 12, 30)
    assert link_step_due(reported, 3) == date(2027, 1, 2)
    assert due_on(reported, 30) == date(2027, 1, 29)
