"""Publicity ambassadors and memorial places (AMB-1, AMB-2)."""

from __future__ import annotations

import uuid
from datetime import date

from pydantic import BaseModel, Field

from app.domain.ambassadors import CancelBasis, DesignationStatus, PlaceStatus
from app.schemas.common import MediumText, ShortText, Strict


class AmbassadorCreate(Strict):
    public_name: ShortText
    designated_on: date | None = Field(default=None, description="Defaults to today.")


class PlaceCreate(Strict):
    name: ShortText
    location: ShortText


class PlaceRead(BaseModel):
    id: uuid.UUID
    name: str
    location: str
    status: PlaceStatus
    opened_on: date
    shut_on: date | None


class ConvictionCreate(Strict):
    """AMB-1: a conviction for a sexual crime, with the court and the date of the judgment."""

    court: ShortText
    convicted_on: date
    note: MediumText | None = None


class AmbassadorRead(BaseModel):
    id: uuid.UUID
    public_name: str
    status: DesignationStatus
    promotional_use_allowed: bool = Field(description="AMB-2: false while under review, and once cancelled.")
    designated_on: date
    cancelled_on: date | None
    cancel_basis: CancelBasis | None
    conviction: dict[str, str] | None = Field(description="The recorded conviction's court, date and note.")
    places: list[PlaceRead]


class CaseAmbassadorCreate(Strict):
    ambassador_id: uuid.UUID


class PublicPlace(BaseModel):
    name: str
    location: str


class PublicAmbassador(BaseModel):
    """What the city's website shows: an active designation and its open places — nothing of any case."""

    id: uuid.UUID
    public_name: str
    designated_on: date
    places: list[PublicPlace]
