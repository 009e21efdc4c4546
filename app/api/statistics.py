"""Intake statistics: by workplace, #WithU apart (WU-1), no count below 5 outside the case team (STAT-1)."""

from datetime import date
from typing import Annotated

from fastapi import Query

from app.api.deps import CurrentStaff, Uow
from app.api.router import make_router
from app.schemas.statistics import CaseStatistics, IntakeStatistics
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
    asked for. Outside the case team: one ended calendar quarter (else 422 `window-not-allowed`), and no count
    below 5 — nor one the other figures would reveal — is shown (null)."""
    return await statistics.intake_statistics(uow, staff, start, end)


@router.get("/statistics/cases", response_model=CaseStatistics)
async def case_statistics(
    uow: Uow,
    staff: CurrentStaff,
    start: Annotated[date, Query(alias="from")],
    end: Annotated[date, Query(alias="to")],
) -> CaseStatistics:
    """Cases opened in the window by category and team per month, days to acknowledge / decide / close, deadline
    breaches by kind, secondary-damage share. Outside the case team: one ended calendar quarter (else 422
    `window-not-allowed`), and no count below 5 — nor one the other figures would reveal — is shown (null)."""
    return await statistics.case_statistics(uow, staff, start, end)
