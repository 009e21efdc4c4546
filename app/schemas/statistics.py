"""Case statistics and intake counts (STAT-1, WU-1) and the personnel system's sync status, for the dashboard."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field


class CountCell(BaseModel):
    count: int | None = Field(description="Null when suppressed (STAT-1).")
    suppressed: bool


class MonthRow(BaseModel):
    """One month: a cell per key (category or team) and the month's total. Outside the case team a count below 5 is
    null with `suppressed: true`, and so is any count that, with the other figures, would reveal one (STAT-1)."""

    month: str = Field(description="YYYY-MM")
    cells: dict[str, CountCell]
    total: CountCell


class DurationRead(BaseModel):
    cases: CountCell = Field(description="How many cases the figures describe.")
    median_days: float | None
    p90_days: float | None
    suppressed: bool = Field(description="Outside the case team, nothing is said about fewer than 5 cases.")


class Durations(BaseModel):
    acknowledge: DurationRead
    decide: DurationRead = Field(description="From receipt to the first decision (a finding).")
    close: DurationRead


class BreachCounts(BaseModel):
    cells: dict[str, CountCell] = Field(description="Per deadline kind: met late, or unmet past the due day.")
    total: CountCell


class SecondaryDamageShare(BaseModel):
    cases: CountCell
    all_cases: CountCell
    share: float | None = Field(description="cases / all_cases, 0–1; null when either is suppressed.")
    suppressed: bool


class CaseStatistics(BaseModel):
    start: date
    end: date
    exact: bool = Field(description="True for the case team; otherwise one ended quarter and STAT-1 suppression.")
    months: list[str]
    by_category: list[MonthRow]
    by_team: list[MonthRow] = Field(description="Empty outside the case team (teams follow from categories).")
    durations: Durations
    deadline_breaches: BreachCounts
    secondary_damage: SecondaryDamageShare


class EmployeeCounts(BaseModel):
    smg: CountCell
    affiliated: CountCell
    contractor: CountCell
    unspecified: CountCell = Field(description="Reports that did not say where it happened.")
    total: CountCell


class WithUCounts(BaseModel):
    """WU-1: citizens' workplaces, counted apart from employee cases, with the support they asked for."""

    cases: CountCell
    legal_consultation: CountCell
    counselling: CountCell
    workplace_education: CountCell
    expert_training: CountCell


class WithUEducationCounts(BaseModel):
    """WU-1, MAN-3: #WithU education and expert training held in the window, and who attended (headcounts)."""

    sessions: CountCell
    attendees: CountCell
    workplace_education_sessions: CountCell
    workplace_education_attendees: CountCell
    expert_training_sessions: CountCell
    expert_training_attendees: CountCell


class IntakeStatistics(BaseModel):
    start: date = Field(serialization_alias="from")
    end: date = Field(serialization_alias="to")
    exact: bool = Field(description="False: counts below 5 are suppressed for your role (STAT-1).")
    employee_cases: EmployeeCounts
    withu: WithUCounts
    withu_education: WithUEducationCounts


class PersonnelStatus(BaseModel):
    """Counts and times only: no person, no case."""

    last_full_sync_at: datetime | None
    last_full_sync_as_of: str | None = Field(description="The `as_of` the personnel system sent with it.")
    employees: int
    active_employees: int
    units: int
    assignments: int
    last_event_at: datetime | None
    events_last_24h: int
    webhook_deliveries_pending: int
    webhook_deliveries_failing: int = Field(description="Pending deliveries that failed at least once (retrying).")
