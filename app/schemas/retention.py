"""DATA-1: an operator's legal hold on a case's content."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated

from pydantic import BaseModel, StringConstraints

from app.schemas.common import Strict

HoldReason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=10, max_length=2000)]


class LegalHoldCreate(Strict):
    reason: HoldReason  # why the content must be kept (e.g. a lawsuit's reference); encrypted, never audited


class LegalHoldLift(Strict):
    reason: HoldReason


class LegalHoldRead(BaseModel):
    id: uuid.UUID
    case_id: uuid.UUID
    reason: str
    set_on: date
    set_by: uuid.UUID
    lifted_on: date | None
    lifted_by: uuid.UUID | None
    lift_reason: str | None
