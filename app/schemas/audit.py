"""AUD-1 for its readers: the auditor's search and verification, and a case's timeline for the case team."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints

from app.schemas.common import Strict


class AuditEntryRead(BaseModel):
    """Who, what, when, which case — never content."""

    seq: int
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
    """Optionally the head recorded by an earlier verification: detects a log cut short."""

    anchor_seq: Annotated[int, Field(ge=1)] | None = None
    anchor_hash: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")] | None = None


class VerificationRead(BaseModel):
    valid: bool
    entries_checked: int
    first_broken_seq: int | None
    reason: str | None
    head_seq: int | None = Field(description="Record head_seq:head_hash outside the database; send it as the anchor.")
    head_hash: str | None


class TimelineActor(BaseModel):
    kind: str = Field(description="staff | client | system | reporter | anonymous")
    user_id: uuid.UUID | None
    display_name: str | None
    role: str | None


class TimelineItem(BaseModel):
    seq: int
    at: datetime = Field(description="What the reporter did carries its day only (midnight UTC, INT-1).")
    action: str
    summary: str = Field(description="<area>.read or <area>.change, e.g. evidence.read, case.change")
    actor: TimelineActor


class TimelineRead(BaseModel):
    items: list[TimelineItem]
    total: int
    offset: int
    limit: int
