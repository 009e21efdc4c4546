"""The case team's deadline queues (CASE-2): due soon, overdue, escalated."""

from typing import Annotated

from fastapi import Query

from app.api.deps import CurrentStaff, Uow
from app.api.router import make_router
from app.domain.enums import Team
from app.schemas.deadlines import AttentionState, DeadlinePage
from app.services import deadlines

router = make_router("deadlines")


@router.get("/deadlines", response_model=DeadlinePage)
async def list_deadlines(
    uow: Uow,
    staff: CurrentStaff,
    team: Team | None = None,
    state: AttentionState | None = None,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> DeadlinePage:
    """Open deadlines of your case team's cases that are due soon or overdue, most overdue first; overdue ones
    are never hidden. `state` narrows to due_soon, overdue (escalated included) or escalated."""
    return await deadlines.list_deadlines(uow, staff, team=team, state=state, offset=offset, limit=limit)
