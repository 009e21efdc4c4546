"""The reporter's inbox (CASE-4)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints

from app.domain.enums import CaseStatus, DeadlineKind, MessageAuthor
from app.schemas.common import Strict
from app.schemas.protection import InboxMeasureRead
from app.schemas.report import CaseReference

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
    seq: int = Field(description="The message's number within its case.")
    author: MessageAuthor
    body: str
    sent_on: date
    case_reference: str = Field(
        description="SD-2, CASE-4: the case it belongs to — the inbox's own, or a secondary-damage case reported "
        "through it."
    )
    code: str | None = Field(
        default=None,
        description="INT-7: for a message of the system, its code (`acknowledgement`, `acknowledgement.escrow`, "
        "`acknowledgement.secondary_damage`): the reporter's app shows its own text in the reader's language "
        "instead of the stored bilingual body. Null for messages people wrote.",
    )


class SecondaryDamageCaseRead(BaseModel):
    """SD-2: a secondary-damage case reported through this inbox — a case of its own, followed here (its messages
    are in the inbox's `messages`, marked with its reference)."""

    reference: str
    status: CaseStatus
    can_write: bool = Field(default=True, description="CASE-4: false once that case is closed or withdrawn.")
    deadlines: list[DeadlineRead] = Field(default_factory=list, description="CASE-2: those that concern you.")


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
    messages: list[InboxMessageRead] = Field(
        description="CASE-4: the conversation — of this case and of the secondary-damage cases reported through this "
        "inbox, by day, each marked with its case's reference. Internal notes never appear."
    )
    measures: list[InboxMeasureRead]
    can_answer_measures: bool
    secondary_damage_cases: list[SecondaryDamageCaseRead] = Field(
        default_factory=list, description="SD-2: secondary damage reported through this inbox, with each case's status."
    )


class MessageCreate(Strict):
    body: MessageBody
    case_reference: CaseReference | None = Field(
        default=None,
        description="SD-2: a secondary-damage case you reported through this inbox; absent: the inbox's own case.",
    )


class MessageCreated(BaseModel):
    seq: int
    sent_on: date
    case_reference: str | None = Field(default=None, description="The case written to (the reporter's inbox).")
