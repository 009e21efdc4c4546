"""A case's decision or withdrawal with four eyes (CASE-1, security review F5): a handler proposes, a second person
confirms or declines."""

import uuid
from typing import Annotated

from fastapi import Header, Response

from app.api.deps import CurrentStaff, Uow
from app.api.router import make_router
from app.schemas.decisions import (
    CategoryCorrectionCreate,
    CategoryCorrectionRead,
    DecisionProposalCreate,
    DecisionProposalRead,
    ProposalDecision,
)
from app.services import case_decisions

router = make_router("cases")


@router.post("/cases/{case_id}/decision-proposals", status_code=201, response_model=DecisionProposalRead)
async def propose_decision(
    case_id: uuid.UUID,
    command: DecisionProposalCreate,
    uow: Uow,
    staff: CurrentStaff,
    if_match: Annotated[str | None, Header(alias="If-Match", max_length=40)] = None,
) -> DecisionProposalRead:
    """An assigned handler proposes `decided` (with a finding) or `withdrawn`, with If-Match (the version read). The
    case does not change until a team lead or the division head, not the proposer, confirms. 403 not-a-handler;
    422 not-a-decision (other statuses are `POST /cases/{id}/transitions`); 409 decision-pending."""
    return await case_decisions.propose(uow, staff, case_id, command, if_match)


@router.get("/cases/{case_id}/decision-proposals", response_model=list[DecisionProposalRead])
async def list_decision_proposals(case_id: uuid.UUID, uow: Uow, staff: CurrentStaff) -> list[DecisionProposalRead]:
    """The case's proposals, oldest first, with their outcome. The read is audited."""
    return await case_decisions.case_proposals(uow, staff, case_id)


@router.post("/cases/{case_id}/decision-proposals/{proposal_id}/decision", response_model=DecisionProposalRead)
async def decide_proposal(
    case_id: uuid.UUID, proposal_id: uuid.UUID, command: ProposalDecision, uow: Uow, staff: CurrentStaff
) -> DecisionProposalRead:
    """A team lead or the division head, never the proposer, confirms (`approve: true`: the case moves now and the
    finding's consequences run — SAN-4, SAN-5, AMB-1) or declines. 403 not-a-confirmer, proposer-cannot-confirm;
    409 already-decided."""
    return await case_decisions.decide(uow, staff, case_id, proposal_id, command)


@router.get("/approvals/decision-proposals", response_model=list[DecisionProposalRead])
async def pending_decision_proposals(uow: Uow, staff: CurrentStaff) -> list[DecisionProposalRead]:
    """Proposals waiting for a second person, on the cases whose content you read (your own are not listed). Each
    case listed is an audited read."""
    return await case_decisions.pending(uow, staff)


@router.post(
    "/cases/{case_id}/category",
    response_model=CategoryCorrectionRead,
    responses={202: {"model": CategoryCorrectionRead}},
)
async def correct_category(
    case_id: uuid.UUID,
    command: CategoryCorrectionCreate,
    response: Response,
    uow: Uow,
    staff: CurrentStaff,
    if_match: Annotated[str | None, Header(alias="If-Match", max_length=40)] = None,
) -> CategoryCorrectionRead:
    """SD-3, CASE-3: correct the case's category, with a reason and If-Match. 200: corrected and routed anew by the
    routing table. 202: it lowers a floor (out of `secondary_damage`), so it waits in `proposal` for a team lead or
    the division head, not you (`POST /cases/{id}/decision-proposals/{proposal_id}/decision`). 422
    category-unchanged; 409 decision-pending (another proposal waits); 428/412 If-Match."""
    answer = await case_decisions.correct_category(uow, staff, case_id, command, if_match)
    if not answer.applied:
        response.status_code = 202
    return answer
