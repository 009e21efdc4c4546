"""Case statistics (STAT-1) and the personnel system's sync status, for the dashboard."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field

from app.schemas.registry import CountCell


class MonthRow(BaseModel):
    """One month: a cell per key (category or team) and the month's total. Cells below 5 are null with
    `suppressed: true` outside the case team, and so are the smallest others where the total would reveal them."""

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
    exact: bool = Field(description="True for the case team; otherwise whole months and STAT-1 suppression.")
    months: list[str]
    by_category: list[MonthRow]
    by_team: list[MonthRow]
    durations: Durations
    deadline_breaches: BreachCounts
    secondary_damage: SecondaryDamageShare


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
