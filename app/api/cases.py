"""The case team's cases: queues, a case, messages and internal notes."""

import uuid
from typing import Annotated

from fastapi import Header, Query, Response

from app.api.deps import CurrentStaff, Uow
from app.api.router import make_router
from app.domain.enums import CaseStatus, QueueSort, Team
from app.schemas.audit import TimelineRead
from app.schemas.case import AssignmentCreate, CaseMessageCreate, CasePage, CaseRead, CaseTransitionCreate, HandlerRead
from app.schemas.inbox import MessageCreated
from app.services import audit_log, case_handling, cases

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
    overdue: bool | None = None,
    violations: bool | None = None,
    sort: QueueSort = QueueSort.newest,
) -> CasePage:
    """The queue of cases your case team works, newest first (`sort=next_deadline`: nearest open deadline first);
    overdue cases are flagged, never hidden (`overdue=true`: only them). Each row counts the case's open separation
    violations (SEP-5; `violations=true`: only cases with one, `false`: the others)."""
    return await cases.list_cases(
        uow,
        staff,
        team=team,
        status=status,
        mine=mine,
        reference=reference,
        offset=offset,
        limit=limit,
        overdue=overdue,
        violations=violations,
        sort=sort,
    )


@router.get("/cases/{case_id}/timeline", response_model=TimelineRead)
async def case_timeline(
    case_id: uuid.UUID,
    uow: Uow,
    staff: CurrentStaff,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 200,
) -> TimelineRead:
    """The case's audit entries, oldest first: when, what (a summary code), and who (staff by name and role;
    reporters never identified). For those who may read the case; the read is audited."""
    return await audit_log.case_timeline(uow, staff, case_id, offset=offset, limit=limit)


@router.get("/cases/{case_id}", response_model=CaseRead)
async def read_case(case_id: uuid.UUID, uow: Uow, staff: CurrentStaff, response: Response) -> CaseRead:
    """A case with its reports, deadlines and conversation. The read is audited. ETag carries the version."""
    case = await cases.read_case(uow, staff, case_id)
    response.headers["ETag"] = f'"{case.version}"'
    return case


@router.post("/cases/{case_id}/messages", status_code=201, response_model=MessageCreated)
async def write_case_message(
    case_id: uuid.UUID, command: CaseMessageCreate, uow: Uow, staff: CurrentStaff
) -> MessageCreated:
    """Write to the reporter's inbox, or (internal=true) a note the reporter never sees."""
    return await cases.send_case_message(uow, staff, case_id, command)


@router.post("/cases/{case_id}/messages/read", status_code=204)
async def mark_case_messages_read(case_id: uuid.UUID, uow: Uow, staff: CurrentStaff) -> Response:
    """You have seen the case's messages so far: the queue's unread marker (`unread_messages`) is cleared for you."""
    await cases.mark_messages_read(uow, staff, case_id)
    return Response(status_code=204)


@router.post("/cases/{case_id}/transitions", response_model=CaseRead)
async def transition_case(
    case_id: uuid.UUID,
    command: CaseTransitionCreate,
    uow: Uow,
    staff: CurrentStaff,
    response: Response,
    if_match: Annotated[str | None, Header(alias="If-Match", max_length=40)] = None,
) -> CaseRead:
    """Move the case to another status (CASE-1) with a reason; send If-Match with the version you read. `decided`
    and `withdrawn` are not moved to here (422 decision-needs-second-person): a handler proposes them
    (`POST /cases/{id}/decision-proposals`) and a second person confirms."""
    await case_handling.transition_case(uow, staff, case_id, command, if_match)
    case = await cases.read_case(uow, staff, case_id)
    response.headers["ETag"] = f'"{case.version}"'
    return case


@router.post("/cases/{case_id}/handlers", status_code=201, response_model=HandlerRead)
async def assign_handler(case_id: uuid.UUID, command: AssignmentCreate, uow: Uow, staff: CurrentStaff) -> HandlerRead:
    """Assign a handler from the case's team (team lead or division head); recused people never (CASE-3)."""
    return await case_handling.assign_handler(uow, staff, case_id, command.user_id)


@router.get("/cases/{case_id}/assignable", response_model=list[HandlerRead])
async def assignable_handlers(case_id: uuid.UUID, uow: Uow, staff: CurrentStaff) -> list[HandlerRead]:
    """Whom you may assign as the case's handler: its team's members and division heads, none recused. Team leads
    and the division head."""
    return await case_handling.assignable_handlers(uow, staff, case_id)


@router.delete("/cases/{case_id}/handlers/{user_id}", status_code=204)
async def unassign_handler(case_id: uuid.UUID, user_id: uuid.UUID, uow: Uow, staff: CurrentStaff) -> Response:
    """Remove a handler from the case."""
    await case_handling.unassign_handler(uow, staff, case_id, user_id)
    return Response(status_code=204)
