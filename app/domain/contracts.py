"""CON-1, CON-2: commissioned organisations' follow-up obligations, and cancelling their contracts."""

from __future__ import annotations

from datetime import date, timedelta
from enum import StrEnum
from uuid import UUID

from app.domain.enums import ClientKind, OrgKind, Role
from app.domain.errors import AccessDenied, Conflict, RuleViolation

DECIDERS = frozenset({Role.team_lead, Role.division_head})

# What the contractor is asked to record: neutral, the same for every obligation, nothing of the case.
WHAT_TO_RECORD = (
    "Record the measures your organisation has taken about a report concerning your workplace: "
    "the investigation, the protection of the person affected, and disciplinary action."
)


class ContractStatus(StrEnum):
    active = "active"
    cancellation_initiated = "cancellation_initiated"
    cancelled = "cancelled"


class ObligationStatus(StrEnum):
    """CON-1: open → measures_recorded → accepted | rejected; open past its due day → overdue."""

    open = "open"
    measures_recorded = "measures_recorded"
    accepted = "accepted"
    rejected = "rejected"
    overdue = "overdue"


class CancellationGround(StrEnum):
    """CON-2: why cancellation was initiated."""

    measures_overdue = "measures_overdue"
    measures_rejected = "measures_rejected"
    staff_decision = "staff_decision"


class NotAContractor(RuleViolation):
    code = "not-a-contractor"
    title = "A contract is held by a commissioned organisation through its contractor-portal client."


class WorkplaceNotContractor(RuleViolation):
    code = "workplace-not-contractor"
    title = "The case's workplace is not a commissioned organisation."


class ContractCancelled(Conflict):
    code = "contract-cancelled"
    title = "The contract is cancelled already."


class CancellationAlreadyInitiated(Conflict):
    code = "cancellation-already-initiated"
    title = "Cancellation of this contract is initiated already and waits for a second person's confirmation."


class CancellationNotInitiated(Conflict):
    code = "cancellation-not-initiated"
    title = "Cancellation of this contract has not been initiated."


class OwnInitiation(AccessDenied):
    code = "four-eyes"
    title = "A second person confirms: you cannot confirm a cancellation you initiated."


class MeasuresNotOpen(Conflict):
    code = "obligation-not-open"
    title = "Measures are recorded once, while the obligation is open."


class ObligationOverdue(Conflict):
    code = "obligation-overdue"
    title = "The deadline for recording measures has passed."


class NotAwaitingReview(Conflict):
    code = "obligation-not-awaiting-review"
    title = "Only recorded measures are reviewed, once."


class RejectionReasonRequired(RuleViolation):
    code = "rejection-reason-required"
    title = "Rejecting measures as inadequate needs a reason."


def due_on(reported_on: date, follow_up_days: int) -> date:
    """CON-1: measures are due `follow_up_days` (config) after the day of the report — also when the case team
    links the contract later (a late link leaves the organisation less time; the link step keeps it early)."""
    return reported_on + timedelta(days=follow_up_days)


def needs_link_step(workplace_kind: OrgKind | None, named_contract: ContractStatus | None) -> bool:
    """CON-1: a report from a commissioned organisation that names no contract on record (no number, an unknown
    one, or a cancelled contract's) gives the case team a step: link the case to its contract."""
    return workplace_kind == OrgKind.contractor and named_contract in (None, ContractStatus.cancelled)


def link_step_due(received_on: date, link_days: int) -> date:
    """CON-1: the case team links the contract within `link_days` (config) of the receipt."""
    return received_on + timedelta(days=link_days)


def check_parties(org_kind: OrgKind, client_kind: ClientKind) -> None:
    """A contract is held by a contractor, and reached through its contractor-portal client."""
    if org_kind != OrgKind.contractor or client_kind != ClientKind.contractor_portal:
        raise NotAContractor()


def check_case_workplace(case_org_kind: OrgKind | None) -> None:
    """CON-1: only a case at a commissioned organisation (or one whose workplace was not given) gets one."""
    if case_org_kind not in (None, OrgKind.contractor):
        raise WorkplaceNotContractor()


def check_linkable(status: ContractStatus) -> None:
    if status == ContractStatus.cancelled:
        raise ContractCancelled()


def is_overdue(due: date, status: ObligationStatus, today: date) -> bool:
    """CON-2: nothing recorded by the end of the due day ("nothing is done afterwards")."""
    return status == ObligationStatus.open and today > due


def check_record_measures(due: date, status: ObligationStatus, today: date) -> None:
    """CON-1: the contractor records its measures once, by the due day."""
    if status != ObligationStatus.open:
        raise MeasuresNotOpen()
    if today > due:
        raise ObligationOverdue()


def review(status: ObligationStatus, accept: bool, reason: str | None) -> ObligationStatus:
    """CON-2: the case team accepts recorded measures, or rejects them as inadequate (with a reason)."""
    if status != ObligationStatus.measures_recorded:
        raise NotAwaitingReview()
    if not accept and not (reason and reason.strip()):
        raise RejectionReasonRequired()
    return ObligationStatus.accepted if accept else ObligationStatus.rejected


def initiates_cancellation(status: ObligationStatus) -> bool:
    """CON-2: an overdue or rejected obligation initiates cancellation of the contract."""
    return status in (ObligationStatus.overdue, ObligationStatus.rejected)


def check_initiate(status: ContractStatus) -> None:
    """CON-2: cancellation is initiated once; a cancelled contract is not cancelled again."""
    if status == ContractStatus.cancelled:
        raise ContractCancelled()
    if status == ContractStatus.cancellation_initiated:
        raise CancellationAlreadyInitiated()


def needs_initiation(status: ContractStatus) -> bool:
    """An automatic initiation changes only an active contract (one already on its way out stays so)."""
    return status == ContractStatus.active


def check_confirm(status: ContractStatus, confirmer_id: UUID, confirmer_role: Role, initiator_id: UUID | None) -> None:
    """CON-2: a team lead or the division head — not the person who initiated it — confirms the cancellation.
    An automatic initiation (no initiator) is confirmed by anyone of those roles."""
    if confirmer_role not in DECIDERS:
        raise AccessDenied("Only a team lead or the division head confirms a cancellation.")
    if status == ContractStatus.cancelled:
        raise ContractCancelled()
    if status != ContractStatus.cancellation_initiated:
        raise CancellationNotInitiated()
    if initiator_id is not None and confirmer_id == initiator_id:
        raise OwnInitiation()
