"""A case's decision or withdrawal, proposed by a handler and confirmed by a second person (CASE-1, security review
F5; the shape of SAN-2's sanction proposals and decisions)."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, Field

from app.domain.case_decisions import ProposalKind, ProposalStatus
from app.domain.enums import CaseStatus, Category, Finding, Team
from app.schemas.common import Strict
from app.schemas.inbox import MessageBody
from app.schemas.sanctions import Reason


class DecisionProposalCreate(Strict):
    """Propose `decided` (with a finding) or `withdrawn`, with the reason the transition will carry. Send If-Match
    with the case's version you read."""

    to: CaseStatus = Field(description="`decided` or `withdrawn` (others: 422 not-a-decision).")
    finding: Finding | None = Field(default=None, description="Required with `decided`, absent otherwise.")
    reason: MessageBody


class ProposalDecision(Strict):
    """The second person's answer: `approve` true confirms (the case changes now), false declines (it does not)."""

    approve: bool
    reason: Reason


class DecisionProposalRead(BaseModel):
    id: uuid.UUID
    case_id: uuid.UUID
    case_reference: str
    kind: ProposalKind = Field(description="`status`: a decision or withdrawal; `category`: a category correction.")
    to_status: CaseStatus | None = Field(description="Kind `status`: the status proposed.")
    category: Category | None = Field(description="Kind `category`: the category proposed (SD-3: it lowers a floor).")
    finding: Finding | None
    reason: str
    status: ProposalStatus
    proposed_by: str
    proposed_by_id: uuid.UUID = Field(description="F5: who proposed it; nobody confirms their own proposal.")
    proposed_at: datetime
    decided_by: str | None
    decided_by_id: uuid.UUID | None
    decided_at: datetime | None
    decision_reason: str | None


class CategoryCorrectionCreate(Strict):
    """Correct the case's category (send If-Match with the version read). Out of `secondary_damage` it removes SD-3's
    floor: then it is proposed and a second person confirms it (the decision proposals)."""

    category: Category
    reason: Reason


class CategoryCorrectionRead(BaseModel):
    """The case's category and team now; `applied` false: the correction waits for a second person (`proposal`)."""

    category: Category
    team: Team
    applied: bool
    proposal: DecisionProposalRead | None
