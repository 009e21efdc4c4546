"""A case's decision or withdrawal, proposed by a handler and confirmed by a second person (CASE-1, security review
F5; the shape of SAN-2's sanction proposals and decisions)."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, Field

from app.domain.case_decisions import ProposalStatus
from app.domain.enums import CaseStatus, Finding
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
    to_status: CaseStatus
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
