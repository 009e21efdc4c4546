"""The reporter's inbox (CASE-4)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints

from app.domain.enums import CaseStatus, DeadlineKind, MessageAuthor
from app.schemas.common import Strict
from app.schemas.protection import InboxMeasureRead

MessageBody = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=10_000)]


class InboxSessionCreate(Strict):
    receipt_code: Annotated[str, StringConstraints(max_length=100)]


class TokenRead(BaseModel):
    access_token: str
    token_type: str = "Bearer"
    expires_in: int


class DeadlineRead(BaseModel):
    kind: DeadlineKind
    due_on: date
    met_on: date | None
    breached: bool


class InboxMessageRead(BaseModel):
    seq: int
    author: MessageAuthor
    body: str
    sent_on: date


class SecondaryDamageCaseRead(BaseModel):
    """SD-2: a secondary-damage case reported through this inbox — a case of its own, followed here."""

    reference: str
    status: CaseStatus


class InboxRead(BaseModel):
    case_reference: str
    status: CaseStatus
    received_on: date
    can_write: bool
    sealed: bool = Field(
        description="CASE-8: a report in escrow, held until the case team reviews it. It says so until the team acts "
        "on the case (a status change, a message, a measure), whether or not another report named the same person "
        "meanwhile (security review F4)."
    )
    deadlines: list[DeadlineRead]
    messages: list[InboxMessageRead]
    measures: list[InboxMeasureRead]
    can_answer_measures: bool
    secondary_damage_cases: list[SecondaryDamageCaseRead] = Field(
        default_factory=list, description="SD-2: secondary damage reported through this inbox, with each case's status."
    )


class MessageCreate(Strict):
    body: MessageBody


class MessageCreated(BaseModel):
    seq: int
    sent_on: date
