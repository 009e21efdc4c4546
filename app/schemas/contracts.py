"""Contracts with commissioned organisations and their follow-up obligations (CON-1, CON-2)."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints

from app.domain.contracts import CancellationGround, ContractStatus, ObligationStatus
from app.schemas.common import ShortText, Strict

MeasureText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=5000)]
Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=10, max_length=2000)]
ContractNumber = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[A-Za-z0-9./-]{1,64}$")]


class ContractCreate(Strict):
    organisation: str = Field(
        max_length=64, description="The commissioned organisation's id in the personnel directory (as synced)."
    )
    number: ContractNumber
    title: ShortText
    client_id: str = Field(max_length=64, description="The contractor's contractor_portal client (its client_id).")


class ContractRead(BaseModel):
    id: uuid.UUID
    organisation: str = Field(description="The organisation's id in the personnel directory.")
    organisation_name: str
    number: str
    title: str
    client_id: str
    status: ContractStatus
    cancellation_ground: CancellationGround | None
    cancellation_reason: str | None
    cancellation_initiated_on: date | None
    initiated_automatically: bool
    cancelled_on: date | None
    you_may_confirm: bool = Field(description="Whether you may confirm the initiated cancellation (CON-2).")


class CancellationCreate(Strict):
    reason: Reason


class CaseContractCreate(Strict):
    contract_id: uuid.UUID


class ContractorMeasuresCreate(Strict):
    """CON-1: what the organisation has done."""

    investigation: MeasureText
    protection_of_victim: MeasureText
    discipline: MeasureText


class ObligationRead(BaseModel):
    """The case team's view: the measures recorded and the review."""

    id: uuid.UUID
    case_id: uuid.UUID
    contract_id: uuid.UUID
    contract_number: str
    status: ObligationStatus
    opened_on: date
    due_on: date
    recorded_on: date | None
    measures: dict[str, str] | None
    reviewed_on: date | None
    review_reason: str | None


class StaffObligationRead(BaseModel):
    """The registry's view of a follow-up obligation (CON-1, CON-2) for the case-team roles: its contract, days and
    state — never the measures or the review's reason (case content). The case is named only to those who may
    see it (ACC-1); for anyone else `case_id` and `case_reference` are null."""

    id: uuid.UUID
    contract_id: uuid.UUID
    contract_number: str
    organisation_name: str
    case_id: uuid.UUID | None = Field(description="Null unless you may see the case.")
    case_reference: str | None = Field(description="Null unless you may see the case.")
    status: ObligationStatus
    opened_on: date
    due_on: date
    recorded_on: date | None = Field(description="The day the organisation recorded its measures.")
    reviewed_on: date | None = Field(description="The day the case team accepted or rejected them.")


class StaffObligationPage(BaseModel):
    items: list[StaffObligationRead]
    total: int
    offset: int
    limit: int


class ObligationReview(Strict):
    accept: bool
    reason: Reason | None = Field(default=None, description="Required when rejecting as inadequate.")


class ContractorObligation(BaseModel):
    """The contractor's view (CON-1): never the case, its narrative, its reference or anyone's identity."""

    id: uuid.UUID
    contract_number: str
    status: ObligationStatus
    opened_on: date
    due_on: date
    recorded_on: date | None
    what_to_record: str


class ContractorContract(BaseModel):
    """The contract's state as the contractor sees it (CON-2: the organisation is told)."""

    number: str
    title: str
    status: ContractStatus
    cancellation_ground: CancellationGround | None
    cancellation_initiated_on: date | None
    cancelled_on: date | None


class ContractorOverview(BaseModel):
    contracts: list[ContractorContract]
    obligations: list[ContractorObligation]


class ScanResult(BaseModel):
    overdue: int
    cancellations_initiated: int
