"""CASE-1 with SAN-2's four eyes (security review F5): a case is decided (with a finding) or withdrawn only on a
proposal of one of its assigned handlers, confirmed by a second person — a team lead or the division head, never
the proposer. Until then the case does not change and nothing of the finding reaches anyone (SAN-4, SAN-5, AMB-1).

The same proposals carry a correction of a case's category that lowers a floor (SD-3: out of secondary damage);
other corrections are made at once."""

from __future__ import annotations

from collections.abc import Collection
from enum import StrEnum
from uuid import UUID

from app.domain.enums import CaseStatus, Category, Role
from app.domain.errors import AccessDenied, Conflict, RuleViolation
from app.domain.lifecycle import allowed_next
from app.domain.sanctions import category_floor

# The statuses that end the handling with consequences: the finding (SAN-4, SAN-5, AMB-1) or the withdrawal.
NEEDS_SECOND_PERSON = frozenset({CaseStatus.decided, CaseStatus.withdrawn})
CONFIRMERS = frozenset({Role.team_lead, Role.division_head})


class ProposalKind(StrEnum):
    """What a proposal changes: the case's status (decided, withdrawn) or its category (SD-3)."""

    status = "status"
    category = "category"


class ProposalStatus(StrEnum):
    proposed = "proposed"
    confirmed = "confirmed"
    declined = "declined"


class DecisionNeedsSecondPerson(RuleViolation):
    code = "decision-needs-second-person"
    title = (
        "A case is decided or withdrawn on a handler's proposal (POST /cases/{id}/decision-proposals), confirmed "
        "by a team lead or the division head who did not propose it."
    )


class NotADecision(RuleViolation):
    code = "not-a-decision"
    title = "Only `decided` and `withdrawn` are proposed; other statuses are ordinary transitions."


class NotAHandler(AccessDenied):
    code = "not-a-handler"
    title = "Only an assigned handler of the case proposes its decision or withdrawal."


class NotAConfirmer(AccessDenied):
    code = "not-a-confirmer"
    title = "Only a team lead or the division head confirms or declines a case's decision."


class ProposerCannotConfirm(AccessDenied):
    code = "proposer-cannot-confirm"
    title = "A second person confirms: you cannot confirm or decline your own proposal."


class DecisionPending(Conflict):
    code = "decision-pending"
    title = "A proposal for this case waits for a second person; it is confirmed or declined first."


class ProposalSettled(Conflict):
    code = "already-decided"
    title = "That proposal has been confirmed or declined already."


class CategoryUnchanged(RuleViolation):
    code = "category-unchanged"
    title = "The case already has that category."


def needs_second_person(target: CaseStatus) -> bool:
    """F5: whether moving to `target` takes a handler's proposal and a second person's confirmation."""
    return target in NEEDS_SECOND_PERSON


def proposed_next(current: CaseStatus) -> list[CaseStatus]:
    """F5: of the statuses a case may move to from `current` (CASE-1), those that are proposed and confirmed."""
    return [s for s in allowed_next(current) if needs_second_person(s)]


def check_direct_transition(target: CaseStatus) -> None:
    """F5: `decided` and `withdrawn` are never a direct transition."""
    if needs_second_person(target):
        raise DecisionNeedsSecondPerson()


def check_proposal(target: CaseStatus, proposer_id: UUID, handler_ids: Collection[UUID], pending: bool) -> None:
    """F5: an assigned handler proposes `decided` or `withdrawn`, one proposal at a time."""
    if not needs_second_person(target):
        raise NotADecision()
    if proposer_id not in handler_ids:
        raise NotAHandler()
    if pending:
        raise DecisionPending()


def check_confirmer(confirmer_id: UUID, confirmer_role: Role, proposer_id: UUID) -> None:
    """F5, SAN-2's four eyes: a team lead or the division head confirms or declines, never the proposer."""
    if confirmer_role not in CONFIRMERS:
        raise NotAConfirmer()
    if confirmer_id == proposer_id:
        raise ProposerCannotConfirm()


def check_open(status: ProposalStatus) -> None:
    """A proposal is confirmed or declined once."""
    if status != ProposalStatus.proposed:
        raise ProposalSettled()


def check_category_correction(current: Category, new: Category) -> None:
    """A correction changes the category."""
    if new == current:
        raise CategoryUnchanged()


def correction_needs_second_person(current: Category, new: Category) -> bool:
    """SD-3 with SAN-2's four eyes: a correction that lowers the floor of the case's sanctions (out of secondary
    damage: no more suspension at least) is proposed and confirmed by a second person."""
    old_floor, new_floor = category_floor(current), category_floor(new)
    return old_floor is not None and (new_floor is None or new_floor.weight < old_floor.weight)
