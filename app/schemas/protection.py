"""Disclosure requests (CASE-5) and protective measures (CASE-7)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints

from app.domain.enums import DisclosureStatus, MeasureKind, MeasureStatus, VictimConsent
from app.schemas.common import Strict

Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=10, max_length=2000)]
Note = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)]


class DisclosureCreate(Strict):
    reason: Reason


class DisclosureDecision(Strict):
    approve: bool
    victim_consent: VictimConsent | None = None


class DisclosureRead(BaseModel):
    id: uuid.UUID
    case_id: uuid.UUID
    case_reference: str
    requester: str
    requester_id: uuid.UUID = Field(description="SAN-2/CASE-5: who asked; nobody decides their own request.")
    reason: str
    status: DisclosureStatus
    victim_consent: VictimConsent | None
    requested_at: datetime
    decided_by: str | None
    decided_at: datetime | None


class MeasureCreate(Strict):
    kind: MeasureKind
    note: Note | None = None


class MeasureAnswer(Strict):
    """The victim's own answer: accept or decline the measure."""

    accept: bool


class MeasureRead(BaseModel):
    id: uuid.UUID
    kind: MeasureKind
    status: MeasureStatus
    note: str | None
    offered_on: date
    answered_on: date | None
    answered_by: str | None
    applied_on: date | None


class InboxMeasureRead(BaseModel):
    """What the reporter sees of a measure offered (no internal note)."""

    id: uuid.UUID
    kind: MeasureKind
    status: MeasureStatus
    offered_on: date
