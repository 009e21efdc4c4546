"""The case team's deadline queues (CASE-2) and what a deadline scan did."""

from __future__ import annotations

import uuid
from datetime import date
from enum import StrEnum

from pydantic import BaseModel

from app.domain.enums import DeadlineKind, Team
from app.domain.escalation import DeadlineState


class AttentionState(StrEnum):
    """Which queue: due soon, overdue (escalated ones included), or escalated only."""

    due_soon = "due_soon"
    overdue = "overdue"
    escalated = "escalated"


class DeadlineItem(BaseModel):
    case_id: uuid.UUID
    reference: str
    team: Team
    kind: DeadlineKind
    due_on: date
    state: DeadlineState
    days_left: int | None  # while not overdue: 0 on the due day
    days_overdue: int | None  # once overdue: 1 the day after the due day
    countdown: str  # "D-2", "D-0", "overdue"
    escalated: bool


class DeadlinePage(BaseModel):
    items: list[DeadlineItem]
    total: int
    offset: int
    limit: int
    today: date


class DeadlineScanResult(BaseModel):
    deadlines: int  # live deadlines due soon or overdue
    queued: int  # notices queued by this scan (already queued ones are not counted)
