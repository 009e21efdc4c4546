"""The case team's cases: queues, a case, messages and internal notes."""

import uuid
from typing import Annotated

from fastapi import Query

from app.api.deps import CurrentStaff, Uow
from app.api.router import make_router
from app.domain.enums import CaseStatus, Team
from app.schemas.case import CaseMessageCreate, CasePage, CaseRead
from app.schemas.inbox import MessageCreated
from app.services import cases

router = make_router("cases")


@router.get("/cases", response_model=CasePage)
async def list_cases(
    uow: Uow,
    staff: CurrentStaff,
    team: Team | None = None,
    status: CaseStatus | None = None,
    mine: bool = False,
    reference: Annotated[str | None, Query(max_length=20)] = None,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> CasePage:
    """The queue of cases your case team works, newest first; overdue cases are flagged, never hidden."""
    return await cases.list_cases(
        uow, staff, team=team, status=status, mine=mine, reference=reference, offset=offset, limit=limit
    )


@router.get("/cases/{case_id}", response_model=CaseRead)
async def read_case(case_id: uuid.UUID, uow: Uow, staff: CurrentStaff) -> CaseRead:
    """A case with its reports, deadlines and conversation. The read is audited."""
    return await cases.read_case(uow, staff, case_id)


@router.post("/cases/{case_id}/messages", status_code=201, response_model=MessageCreated)
async def write_case_message(
    case_id: uuid.UUID, command: CaseMessageCreate, uow: Uow, staff: CurrentStaff
) -> MessageCreated:
    """Write to the reporter's inbox, or (internal=true) a note the reporter never sees."""
    return await cases.send_case_message(uow, staff, case_id, command)
