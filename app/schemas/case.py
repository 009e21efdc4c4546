"""The case team's view of cases."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import BaseModel, Field, StringConstraints

from app.domain.deadlines import REFERENCE_MAX
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
    open_violations: int = Field(
        default=0,
        description="SEP-5: personnel changes that connected a separated pair of this case and are not resolved yet "
        "(the two apart again, or a team lead's recorded resolution). `violations=true` lists only such cases.",
    )
    unread_messages: bool = Field(
        default=False,
        description="CASE-4: the reporter wrote a message you have not seen yet (you open the case's messages: "
        "`POST /cases/{id}/messages/read`). Only on cases whose content you read.",
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
    deadlines: list[CaseDeadlineRead]
    reports: list[ReportRead]
    messages: list[CaseMessageRead]
    handlers: list[HandlerRead]
    transitions: list[CaseTransitionRead]


class CaseMessageCreate(Strict):
    body: MessageBody
    internal: bool = False
    feedback: bool = Field(
        default=False,
        description="CASE-2: this message to the reporter is the feedback on the outcome; it meets the feedback "
        "deadline (a plain reply does not). Never with internal=true (422 feedback-to-reporter-only).",
    )


class CaseDeadlineRead(DeadlineRead):
    """CASE-2 on the case team's side: who met a deadline and, for a duty recorded by hand, its reference."""

    met_by: str | None = Field(description="The staff member whose act or record met it, by name.")
    reference: str | None = Field(
        description="The ministry notification's receipt number or the prevention plan's document reference."
    )


DutyReference = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=REFERENCE_MAX)]


class DeadlineDone(Strict):
    """CASE-2: the ministry notification or the prevention plan was done, outside WithU."""

    reference: DutyReference = Field(description="The ministry's receipt number, or the plan's document reference.")
    done_on: date | None = Field(default=None, description="The day it was done; today when left out.")


class WorkplaceSet(Strict):
    """CASE-2: the workplace kind of a report that named none, learnt later."""

    kind: OrgKind


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
