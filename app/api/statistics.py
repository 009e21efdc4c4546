"""Intake statistics: by workplace, #WithU apart (WU-1), no count below 5 outside the case team (STAT-1)."""

from datetime import date
from typing import Annotated

from fastapi import Query

from app.api.deps import CurrentStaff, Uow
from app.api.router import make_router
from app.schemas.registry import IntakeStatistics
from app.services import statistics

router = make_router("statistics")


@router.get("/statistics/intake", response_model=IntakeStatistics)
async def intake_statistics(
    uow: Uow,
    staff: CurrentStaff,
    start: Annotated[date, Query(alias="from")],
    end: Annotated[date, Query(alias="to")],
) -> IntakeStatistics:
    """Cases opened in the window by workplace kind, and citizens' workplaces (#WithU) apart with the support
    asked for. Outside the case team: whole calendar months, and counts below 5 suppressed (null)."""
    return await statistics.intake_statistics(uow, staff, start, end)
