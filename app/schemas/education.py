"""MAN-3: education sessions, attendance, completion per organisation and unit, reminders; WU-1 counts."""

from __future__ import annotations

import uuid
from datetime import date

from pydantic import BaseModel, Field

from app.domain.education import Audience, SessionKind
from app.schemas.common import EmployeeNumber, ShortText, Strict
from app.schemas.statistics import CountCell

MAX_ATTENDEES = 5_000


class SessionCreate(Strict):
    kind: SessionKind
    role: Audience = Field(default=Audience.all, description="The role of the manual it teaches, or `all`.")
    title: ShortText
    day: date
    organisation: str | None = Field(
        default=None, max_length=64, description="External id of a directory organisation; none: every one."
    )
    unit: str | None = Field(default=None, max_length=64, description="External id of a unit of that organisation.")
    workplace: ShortText | None = Field(default=None, description="#WithU sessions: the citizen's workplace.")
    capacity: int | None = Field(default=None, ge=1, le=100_000)


class SessionRead(BaseModel):
    id: uuid.UUID
    kind: SessionKind
    role: Audience
    title: str
    day: date
    organisation: str | None
    unit: str | None
    workplace: str | None
    capacity: int | None
    attendees: CountCell = Field(description="Directory attendees, or the headcount of a #WithU session (STAT-1).")


class AttendanceCreate(Strict):
    """Directory sessions: employee numbers (recorded once each, however often sent). #WithU sessions: the
    headcount (replaces the one recorded before)."""

    employee_numbers: list[EmployeeNumber] = Field(default_factory=list, max_length=MAX_ATTENDEES)
    headcount: int | None = Field(default=None, ge=0, le=100_000)


class AttendanceResult(BaseModel):
    recorded: int = Field(description="Newly recorded attendees.")
    already_recorded: int = Field(description="Sent again: already recorded, nothing changed.")
    attendees: int = Field(description="The session's attendees (or headcount) now.")


class CompletionRow(BaseModel):
    key: str = Field(description="External id of the organisation or unit; empty: people without a unit.")
    name: str
    required: CountCell
    completed: CountCell
    percent: float | None = Field(description="completed / required × 100; null when either is suppressed.")


class OrgCompletionRead(CompletionRow):
    units: list[CompletionRow]


class RequirementCompletion(BaseModel):
    kind: SessionKind
    role: Audience
    organisations: list[OrgCompletionRead]


class CompletionRead(BaseModel):
    year: int
    exact: bool = Field(description="False: counts below 5 are suppressed for your role (STAT-1).")
    requirements: list[RequirementCompletion]


class ReminderCreate(Strict):
    year: int = Field(ge=2000, le=2100)


class ReminderResult(BaseModel):
    year: int
    reminded: dict[str, int] = Field(description="People reminded per requirement (`kind:role`).")
    events: int = Field(description="Webhook events queued (one per receiver and batch of employee numbers).")
