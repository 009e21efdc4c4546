"""What the personnel system sends: a full directory snapshot, or a batch of change events."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, Field, StringConstraints

from app.domain.enums import AssignmentKind, EmployeeStatus
from app.schemas.common import EmployeeNumber, ShortText, Strict

ExternalId = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[A-Za-z0-9._:-]{1,64}$")]
Code = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)]
SyncOrgKind = Literal["smg", "affiliated", "contractor"]

MAX_ROWS = 500_000
MAX_MEMBERS = 5_000
MAX_EVENTS = 1_000


class OrganisationIn(Strict):
    id: ExternalId
    name: ShortText
    kind: SyncOrgKind


class UnitIn(Strict):
    id: ExternalId
    organisation: ExternalId
    parent: ExternalId | None = None
    name: ShortText
    head: EmployeeNumber | None = Field(default=None, description="SAN-4: the unit head's employee number.")


class EmployeeIn(Strict):
    employee_number: EmployeeNumber
    organisation: ExternalId
    unit: ExternalId | None = None
    supervisor: EmployeeNumber | None = None
    status: EmployeeStatus
    retired_on: date | None = None


class AssignmentIn(Strict):
    id: ExternalId
    organisation: ExternalId
    kind: AssignmentKind
    name: ShortText
    members: list[EmployeeNumber] = Field(default_factory=list, max_length=MAX_MEMBERS)


class DirectorySnapshot(Strict):
    """The directory as of `as_of`; rows are upserted by their ids and employee numbers. With `mode=full` (the
    default) it is the whole of the organisations it lists: their people it leaves out are marked as left."""

    as_of: AwareDatetime
    organisations: list[OrganisationIn] = Field(default_factory=list, max_length=MAX_ROWS)
    units: list[UnitIn] = Field(default_factory=list, max_length=MAX_ROWS)
    employees: list[EmployeeIn] = Field(default_factory=list, max_length=MAX_ROWS)
    assignments: list[AssignmentIn] = Field(default_factory=list, max_length=MAX_ROWS)


class Counts(BaseModel):
    created: int
    updated: int
    unchanged: int


class SyncResult(BaseModel):
    """Per kind: rows created, rows whose values changed, rows already as the snapshot says; and how many people
    the snapshot left out were marked as left (`mode=full` only)."""

    as_of: AwareDatetime
    mode: Literal["full", "upsert"]
    organisations: Counts
    units: Counts
    employees: Counts
    assignments: Counts
    memberships: Counts
    marked_left: int = Field(
        description="employed people of the listed organisations whom a full snapshot left out: now `retired`, "
        "each by a `retirement` event (SEP-6: their separation orders end)"
    )


# --- change events: the data each kind carries ----------------------------------------------------------------


RequestedByEmployee = Annotated[
    bool,
    Field(
        description="the personnel system's own label; kept for compatibility and not relied on: RET-1 excuses a "
        "move of a protected person only by their own wish recorded in WithU (CASE-7)"
    ),
]
SeparationOrderCited = Annotated[
    Annotated[str, StringConstraints(max_length=20)] | None,
    Field(
        description="SEP-3: the order whose plan this carries out. Excuses the move (RET-1) only when the order is "
        "active and this employee is its respondent; a victim moved instead is flagged",
    ),
]


class TransferData(Strict):
    unit: ExternalId
    supervisor: EmployeeNumber | None = Field(default=None, description="the new supervisor, if it changes too")
    requested_by_employee: RequestedByEmployee = False
    separation_order: SeparationOrderCited = None


class NewSupervisorData(Strict):
    supervisor: EmployeeNumber | None = Field(description="null: no supervisor any more")
    requested_by_employee: RequestedByEmployee = False
    separation_order: SeparationOrderCited = None


class AssignmentData(Strict):
    assignment: ExternalId
    separation_order: SeparationOrderCited = None


class NoData(Strict):
    pass


class RetirementData(Strict):
    retired_on: date | None = Field(default=None, description="default: the day of effective_at")


class EvaluationData(Strict):
    grade: Code | None = None
    previous_grade: Code | None = None
    worse: bool | None = None


class DisciplineData(Strict):
    level: Code | None = None


class PromotionData(Strict):
    promoted: bool


class TrainingData(Strict):
    granted: bool


class ObjectionData(Strict):
    note: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)] | None = None


class _Event(Strict):
    event_id: Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[A-Za-z0-9._:-]{1,100}$")]
    employee_number: EmployeeNumber
    effective_at: AwareDatetime


class TransferEvent(_Event):
    kind: Literal["transfer"]
    data: TransferData


class NewSupervisorEvent(_Event):
    kind: Literal["new_supervisor"]
    data: NewSupervisorData


class AssignmentEvent(_Event):
    kind: Literal["joined_assignment", "left_assignment"]
    data: AssignmentData


class NoDataEvent(_Event):
    kind: Literal[
        "leave",
        "returned",
        "duties_removed",
        "dismissal",
        "loss_of_status",
        "pay_cut",
        "demotion",
        "resources_withheld",
    ]
    data: NoData = Field(default_factory=NoData)


class RetirementEvent(_Event):
    kind: Literal["retirement"]
    data: RetirementData = Field(default_factory=RetirementData)


class EvaluationEvent(_Event):
    kind: Literal["evaluation"]
    data: EvaluationData = Field(default_factory=EvaluationData)


class DisciplineEvent(_Event):
    kind: Literal["discipline"]
    data: DisciplineData = Field(default_factory=DisciplineData)


class PromotionEvent(_Event):
    kind: Literal["promotion_decision"]
    data: PromotionData


class TrainingEvent(_Event):
    kind: Literal["training_decision"]
    data: TrainingData


class ObjectionEvent(_Event):
    kind: Literal["objection"]
    data: ObjectionData = Field(default_factory=ObjectionData)


PersonnelEventIn = Annotated[
    TransferEvent
    | NewSupervisorEvent
    | AssignmentEvent
    | NoDataEvent
    | RetirementEvent
    | EvaluationEvent
    | DisciplineEvent
    | PromotionEvent
    | TrainingEvent
    | ObjectionEvent,
    Field(discriminator="kind"),
]


# A batch: change events applied in the order given, all or nothing.
EventBatch = Annotated[list[PersonnelEventIn], Field(min_length=1, max_length=MAX_EVENTS)]


class EventOutcome(BaseModel):
    event_id: str
    outcome: Literal["applied", "superseded", "recorded", "duplicate"]


class EventBatchResult(BaseModel):
    results: list[EventOutcome]
