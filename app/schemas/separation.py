"""Separation orders: the personnel system's minimal view and the case team's full view."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints

from app.domain.enums import ConnectionKind, OrderStatus
from app.schemas.common import EmployeeNumber, Strict

ExternalId = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]


class PlacementCheck(Strict):
    """SEP-4: would this placement connect a separated pair? Name at least the employee."""

    employee_number: EmployeeNumber
    unit: ExternalId | None = Field(default=None, description="The unit the employee would join.")
    supervisor: EmployeeNumber | None = Field(default=None, description="The supervisor they would report to.")
    assignment: ExternalId | None = Field(default=None, description="The assignment they would join.")


class CheckRefusal(BaseModel):
    order_reference: str
    reason: str = Field(description="separated-same-unit | separated-chain-of-command | separated-shared-assignment")


class CheckResult(BaseModel):
    """Allowed, or refused with reason codes and order references — nothing about any case."""

    allowed: bool
    refusals: list[CheckRefusal]


class OrderMinimal(BaseModel):
    """What the personnel system knows of an order: its reference and the two people, in no particular role."""

    reference: str
    employee_numbers: list[str]
    opened_on: date


class OrderPage(BaseModel):
    items: list[OrderMinimal]
    total: int
    offset: int
    limit: int


class ConnectionRead(BaseModel):
    kind: ConnectionKind
    via: str = Field(description="The unit, the assignment, or the person above the other.")


class PlanStepRead(BaseModel):
    who: str
    action: str
    connection: ConnectionKind
    via: str
    at_victims_request: bool


class ViolationRead(BaseModel):
    """SEP-5: open until a later change puts the two apart (`resolved_on` set, `resolved_by` empty) or a team lead
    records its resolution (`resolved_by`, `resolution`)."""

    id: uuid.UUID
    kind: ConnectionKind
    detected_on: date
    resolved_on: date | None = None
    resolved_by: uuid.UUID | None = None
    resolution: str | None = None


class OrderRead(BaseModel):
    id: uuid.UUID
    reference: str
    status: OrderStatus
    awaiting_triage: bool = Field(
        description="SEP-1 (F11): opened by an anonymous third party's report and enforced; the case team confirms "
        "it at triage, or a team lead lifts it (SEP-6)."
    )
    victim_employee_number: str
    respondent_employee_number: str
    opened_on: date
    closed_on: date | None
    connections: list[ConnectionRead]
    plan: list[PlanStepRead]
    violations: list[ViolationRead]


class WishRead(BaseModel):
    wants_to_move: bool
    note: str | None
    recorded_on: date


class CaseSeparationRead(BaseModel):
    orders: list[OrderRead]
    victim_wishes: list[WishRead]


class OrderLift(Strict):
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=10, max_length=2000)]


class ViolationResolve(Strict):
    """SEP-5: how the team lead resolved a violation while the two stay connected."""

    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=10, max_length=2000)]


class VictimWishCreate(Strict):
    """CASE-7: what the victim wants; measures that move the victim need `wants_to_move`."""

    wants_to_move: bool
    note: Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)] | None = None


# --- the batch check (SEP-4): a draft placement list, applied together ------------------------------------------

MAX_BATCH_PLACEMENTS = 10_000


class PlacementBatch(Strict):
    """SEP-4: a draft placement list, checked as if published together. Each employee at most once; at most
    10,000 placements (more: 413 `too-many-placements`)."""

    placements: list[PlacementCheck] = Field(min_length=1)


class PlacementProblem(BaseModel):
    """The problem the single check would answer for this placement (its `type`, `title`, `status`, `code`)."""

    type: str
    title: str
    status: int
    code: str


class BatchAnswer(BaseModel):
    """One placement's answer, in the order sent: allowed, refused (reason codes and order references only), or
    the single check's problem (`allowed` null)."""

    employee_number: str
    allowed: bool | None
    refusals: list[CheckRefusal]
    problem: PlacementProblem | None = None


class BatchResult(BaseModel):
    results: list[BatchAnswer]
    allowed: int = Field(description="How many placements are allowed.")
    refused: int = Field(description="How many are refused (they would connect a separated pair).")
    invalid: int = Field(description="How many the single check would answer with a problem (422).")
