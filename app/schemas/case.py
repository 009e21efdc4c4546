"""The case team's view of cases."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, Field

from app.domain.enums import (
    CaseStatus,
    Category,
    Finding,
    IdentityMode,
    MessageAuthor,
    OrgKind,
    ReporterKind,
    Team,
)
from app.schemas.common import Strict
from app.schemas.inbox import DeadlineRead, MessageBody


class CaseSummary(BaseModel):
    id: uuid.UUID
    reference: str
    status: CaseStatus
    team: Team
    category: Category
    org_kind: OrgKind | None
    opened_on: date
    days_open: int
    next_deadline: DeadlineRead | None
    overdue: bool
    # ACC-1 (F13): whether you read the case's content; if not (it has handlers and you are not one of them, nor
    # their team lead or the division head), the case answers you 404 and this row is all you see of it.
    content_visible: bool
    separation_awaiting_triage: bool = Field(
        default=False,
        description="SEP-1 (F11): a separation order an anonymous third party's report opened waits for the case "
        "team to confirm it (or a team lead to lift it) at triage; it is enforced meanwhile.",
    )


class CasePage(BaseModel):
    items: list[CaseSummary]
    total: int
    offset: int
    limit: int


class ReportRead(BaseModel):
    id: uuid.UUID
    reporter_kind: ReporterKind
    identity_mode: IdentityMode
    received_on: date
    narrative: str
    reporter: dict[str, Any] | None
    details: dict[str, Any]


class CaseMessageRead(BaseModel):
    id: uuid.UUID
    seq: int
    author: MessageAuthor
    author_name: str | None
    internal: bool
    body: str
    sent_on: date
    sent_at: datetime | None


class LinkedCaseRead(BaseModel):
    """CASE-8: another case naming the same respondent."""

    id: uuid.UUID
    reference: str
    reason: str


class ChildCaseRead(BaseModel):
    """SD-2: a secondary-damage case linked to this one."""

    id: uuid.UUID
    reference: str
    status: CaseStatus
    opened_on: date


class CaseRead(BaseModel):
    id: uuid.UUID
    reference: str
    status: CaseStatus
    finding: Finding | None
    team: Team
    category: Category
    org_kind: OrgKind | None
    opened_on: date
    version: int
    origin: str
    parent_case_id: uuid.UUID | None
    closed_on: date | None
    allowed_transitions: list[CaseStatus]
    decision_transitions: list[CaseStatus] = Field(
        description="F5: of allowed_transitions, those an assigned handler proposes (POST /cases/{id}/decision-proposals) "
        "and a team lead or the division head, not the proposer, confirms; never a direct transition."
    )
    victim_pseudonym: str
    identity_visible: bool = Field(description="CASE-5: whether you see the victim's identity.")
    linked_cases: list[LinkedCaseRead]
    secondary_damage_cases: list[ChildCaseRead] = Field(
        description="SD-2: secondary-damage cases opened for harm linked to this case (those you may see)."
    )
    deadlines: list[DeadlineRead]
    reports: list[ReportRead]
    messages: list[CaseMessageRead]
    handlers: list[HandlerRead]
    transitions: list[CaseTransitionRead]


class CaseMessageCreate(Strict):
    body: MessageBody
    internal: bool = False


class CaseTransitionCreate(Strict):
    """CASE-1: move the case to another status, with a reason; `decided` carries a finding."""

    to: CaseStatus
    finding: Finding | None = None
    reason: MessageBody


class CaseTransitionRead(BaseModel):
    from_status: CaseStatus
    to_status: CaseStatus
    finding: Finding | None
    reason: str
    at: datetime
    by: str | None


class AssignmentCreate(Strict):
    user_id: uuid.UUID


class HandlerRead(BaseModel):
    user_id: uuid.UUID
    display_name: str
    role: str


CaseRead.model_rebuild()
