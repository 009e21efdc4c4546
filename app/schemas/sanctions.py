"""Sanctions (SAN-1 … SAN-3, SD-3), the victim's opinion (CASE-6), the unit head's measures (SAN-4), and
reports of secondary damage through the inbox (SD-1, SD-2)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints

from app.domain.enums import CaseStatus
from app.domain.joint_liability import HeadMeasureKind, HeadMeasureStatus
from app.domain.sanctions import SanctionLevel, SanctionStatus
from app.domain.secondary_damage import SecondaryDamageKind
from app.schemas.common import EmployeeNumber, MediumText, ShortText, Strict
from app.schemas.report import CaseReference, Narrative

Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=10, max_length=2000)]
OpinionText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=10_000)]


class SanctionCreate(Strict):
    """A proposal: the level, its duration where it has one, and the grounds. The respondent defaults to the
    case's respondent in the directory."""

    level: SanctionLevel = Field(description="SAN-1, most severe first: " + ", ".join(SanctionLevel))
    months: int | None = Field(default=None, description="1–3 for suspension and salary_reduction; absent otherwise.")
    respondent_employee_number: EmployeeNumber | None = Field(
        default=None, description="Someone other than the case's respondent (e.g. one of several)."
    )
    respondent_label: ShortText | None = Field(
        default=None, description="A respondent outside the personnel directory (stored encrypted)."
    )
    mitigation_for_merit: bool = Field(
        default=False, description="SAN-3: never allowed here (sexual misconduct or its cover-up): true is refused."
    )
    reason: Reason


class SanctionDecision(Strict):
    approve: bool
    reason: Reason


class SanctionRead(BaseModel):
    id: uuid.UUID
    case_id: uuid.UUID
    case_reference: str
    respondent_employee_number: str | None
    respondent_label: str | None
    level: SanctionLevel
    months: int | None
    heavy: bool
    for_secondary_damage: bool = Field(
        description="SD-3: held to the floor — on a secondary-damage case, or for someone other than the case's "
        "respondent (secondary damage or covering up)."
    )
    mitigation_for_merit: bool
    status: SanctionStatus
    reason: str
    proposed_by: str
    proposed_by_id: uuid.UUID = Field(description="SAN-2: who proposed it; nobody decides their own proposal.")
    proposed_at: datetime
    decided_by: str | None
    decided_at: datetime | None
    decision_reason: str | None


class PenaltyRead(BaseModel):
    level: SanctionLevel
    months: int | None


class CaseSanctionsRead(BaseModel):
    sanctions: list[SanctionRead]
    victim_opinion_recorded: bool = Field(description="CASE-6: a decision needs the victim's opinion on record.")
    penalty_floor: PenaltyRead | None = Field(
        description="SD-3: the least sanction for secondary damage that may be proposed now — on a secondary-damage "
        "case for anyone, on another case for anyone but its respondent (absent: no floor applies here)."
    )
    original_sanction_decided: bool | None = Field(
        description="SD-3: whether the original respondent's sanction is decided, so that a sanction for secondary "
        "damage here may be finalised (absent: nothing to wait for)."
    )


class VictimOpinionCreate(Strict):
    text: OpinionText


class InboxVictimOpinionCreate(Strict):
    text: OpinionText
    case_reference: CaseReference | None = Field(
        default=None,
        description="A secondary-damage case you reported through this inbox; absent: the inbox's own case.",
    )


class VictimOpinionRead(BaseModel):
    id: uuid.UUID
    text: str
    recorded_on: date
    recorded_by: str = Field(description='"victim" (through the inbox) or the staff member who recorded it.')


class VictimOpinionRecorded(BaseModel):
    case_reference: str
    recorded_on: date


class HeadMeasureDone(Strict):
    evidence_note: Reason
    days: int | None = Field(
        default=None, ge=1, le=3650, description="How long the measure lasted; required where it has a minimum."
    )


class HeadMeasureRead(BaseModel):
    id: uuid.UUID
    kind: HeadMeasureKind
    min_days: int | None
    status: HeadMeasureStatus
    head_employee_number: str | None
    head_source: str = Field(description="unit_head, supervisor, or none (nobody on record: flagged).")
    flagged: bool = Field(description="No head on record: the team must identify who carries the measure.")
    opened_on: date
    evidence_note: str | None
    done_on: date | None
    done_by: str | None


# --- secondary damage through the inbox (SD-2) ----------------------------------------------------------------


class SecondaryDamageRespondent(Strict):
    employee_number: EmployeeNumber | None = None
    description: MediumText | None = None


class SecondaryDamageCreate(Strict):
    narrative: Narrative = Field(description="What happened, 10–20,000 characters.")
    kinds: list[SecondaryDamageKind] = Field(default_factory=list, max_length=len(SecondaryDamageKind))
    respondent: SecondaryDamageRespondent | None = None


class SecondaryDamageReceipt(BaseModel):
    """The new case's reference: follow it in this inbox (no new receipt code)."""

    case_reference: str
    status: CaseStatus
    message: str
