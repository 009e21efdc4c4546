"""AUD-1 for its readers: the auditor's search and verification, and a case's timeline for the case team."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field, StringConstraints

from app.schemas.common import Strict


class AuditEntryRead(BaseModel):
    """Who, what, when, which case — never content."""

    chain: Literal["main", "reporter"] = Field(
        description="INT-1: `reporter` for what a reporter's request wrote (its day only), numbered on its own."
    )
    seq: int = Field(description="The entry's number in its chain.")
    at: datetime
    actor_kind: str = Field(description="staff | client | system | reporter | anonymous")
    actor_id: str | None = Field(description="A staff member's id or a client's id; never a reporter's.")
    action: str
    case_id: uuid.UUID | None
    target: str | None
    hash: str


class AuditPage(BaseModel):
    items: list[AuditEntryRead]
    total: int
    offset: int
    limit: int


class VerificationCreate(Strict):
    """Optionally the heads recorded by an earlier verification: detect a log cut short."""

    anchor_seq: Annotated[int, Field(ge=1)] | None = None
    anchor_hash: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")] | None = None
    reporter_anchor_seq: Annotated[int, Field(ge=1)] | None = None
    reporter_anchor_hash: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")] | None = None


class VerificationRead(BaseModel):
    valid: bool
    entries_checked: int = Field(description="Entries of both chains.")
    first_broken_chain: Literal["main", "reporter"] | None
    first_broken_seq: int | None
    reason: str | None
    head_seq: int | None = Field(description="Record head_seq:head_hash outside the database; send it as the anchor.")
    head_hash: str | None
    reporter_head_seq: int | None = Field(
        description="The reporter chain's head (INT-1): record it too; send it as reporter_anchor_seq/_hash."
    )
    reporter_head_hash: str | None


class TimelineActor(BaseModel):
    kind: str = Field(description="staff | client | system | reporter | anonymous")
    user_id: uuid.UUID | None
    display_name: str | None
    role: str | None


class TimelineItem(BaseModel):
    """No sequence number (INT-1): entries come oldest first, those of a reporter's requests first in their day."""

    at: datetime = Field(
        description="What a reporter's request wrote (the system's entries in it too) carries its day only "
        "(midnight UTC, INT-1)."
    )
    action: str
    summary: str = Field(description="<area>.read or <area>.change, e.g. evidence.read, case.change")
    actor: TimelineActor


class TimelineRead(BaseModel):
    items: list[TimelineItem]
    total: int
    offset: int
    limit: int
