"""The case team's deadline queues (CASE-2): due soon, overdue, escalated; the public body's duties recorded as
done; a workplace learnt later."""

import uuid
from typing import Annotated

from fastapi import Query, Response

from app.api.deps import CurrentStaff, Uow
from app.api.router import make_router
from app.domain.enums import DeadlineKind, Team
from app.schemas.case import CaseDeadlineRead, CaseRead, DeadlineDone, WorkplaceSet
from app.schemas.deadlines import AttentionState, DeadlinePage
from app.services import case_deadlines, cases, deadlines

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


@router.post("/cases/{case_id}/deadlines/{kind}/done", response_model=CaseDeadlineRead)
async def record_deadline_done(
    case_id: uuid.UUID, kind: DeadlineKind, command: DeadlineDone, uow: Uow, staff: CurrentStaff
) -> CaseDeadlineRead:
    """Record the ministry notification or the prevention plan as done (CASE-2), with its reference (the ministry's
    receipt number, the plan's document reference) and the day (today when left out). Once; audited. The case's
    handlers, its team lead or the division head; closed cases too, as these duties outlive the case."""
    return await case_deadlines.record_done(uow, staff, case_id, kind, command)


@router.put("/cases/{case_id}/workplace", response_model=CaseRead)
async def set_workplace(
    case_id: uuid.UUID, command: WorkplaceSet, uow: Uow, staff: CurrentStaff, response: Response
) -> CaseRead:
    """Set the workplace kind a report did not name (CASE-2): a public body opens the ministry notification (unless
    the victim objected) and, after a substantiated finding, the prevention plan. Set once (the same kind again
    changes nothing; another one is 409 workplace-already-known); audited. Who: as for recording a duty done."""
    await case_deadlines.set_workplace(uow, staff, case_id, command)
    case = await cases.read_case(uow, staff, case_id)
    response.headers["ETag"] = f'"{case.version}"'
    return case
