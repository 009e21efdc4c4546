"""CASE-8 (security review F4): possible escrow matches for the case team to decide; content-free team alerts
(F4, F11). Neither names a case, a person or a reporter."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from pydantic import BaseModel, Field

from app.domain.enums import AlertKind, EscrowMatchStatus
from app.schemas.common import Strict


class EscrowMatchRead(BaseModel):
    """Two reports name the same person; at least one is held in escrow and at least one reporter is anonymous, so
    nothing shows that they come from different people. Content-free until confirmed."""

    id: uuid.UUID
    status: EscrowMatchStatus
    raised_on: date
    decided_by: str | None = None
    decided_at: datetime | None = None


class EscrowMatchDecision(Strict):
    confirm: bool = Field(
        description="true: both reports are released to the team and linked; false: both stay sealed."
    )


class TeamAlertRead(BaseModel):
    """What kind of thing happened, on which day, how often — never who, never which case."""

    id: uuid.UUID
    kind: AlertKind
    day: date
    count: int
    acknowledged: bool
