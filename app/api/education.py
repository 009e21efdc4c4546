"""MAN-3: the prevention & education team's sessions, attendance, completion and reminders; WU-1 #WithU sessions.
Attendance is also recorded by the personnel system (a machine client with the scope personnel:write)."""

import uuid
from typing import Annotated

from fastapi import Depends, Query

from app.api.deps import Bearer, CurrentStaff, Uow
from app.api.router import make_router
from app.domain.errors import InvalidToken, ScopeNotAllowed
from app.schemas.education import (
    AttendanceCreate,
    AttendanceResult,
    CompletionRead,
    ReminderCreate,
    ReminderResult,
    SessionCreate,
    SessionRead,
)
from app.services import auth, education
from app.services.actors import ClientActor, StaffActor

router = make_router("education")
ATTENDANCE_SCOPE = "personnel:write"
Year = Annotated[int, Query(ge=2000, le=2100)]


async def staff_or_personnel_system(uow: Uow, credentials: Bearer) -> StaffActor | ClientActor:
    """A staff member, or a machine client holding personnel:write (the personnel system)."""
    if credentials is None or not credentials.credentials:
        raise InvalidToken()
    try:
        return await auth.staff_from_token(uow, credentials.credentials)
    except InvalidToken:
        client = await auth.client_from_token(uow, credentials.credentials)
    if ATTENDANCE_SCOPE not in client.scopes:
        raise ScopeNotAllowed(f"This needs the scope '{ATTENDANCE_SCOPE}'.")
    return client


StaffOrPersonnelSystem = Annotated[StaffActor | ClientActor, Depends(staff_or_personnel_system)]


@router.post("/education/sessions", status_code=201, response_model=SessionRead)
async def create_session(command: SessionCreate, uow: Uow, staff: CurrentStaff) -> SessionRead:
    """Schedule a session (prevention & education team, division head): `yearly_prevention` (for `all`),
    `role_training` for a role of the manual, or a #WithU `workplace_education` / `expert_training` held for a
    citizen's workplace (`workplace`). Scope: a directory organisation and unit, optional. 422 `session-invalid`."""
    return await education.create_session(uow, staff, command)


@router.get("/education/sessions", response_model=list[SessionRead])
async def list_sessions(uow: Uow, staff: CurrentStaff, year: Year) -> list[SessionRead]:
    """The sessions held in a calendar year, newest first, with their attendance. The case team reads exact
    counts; HR officers and auditors no count below 5 (STAT-1); others 403."""
    return await education.list_sessions(uow, staff, year)


@router.post("/education/sessions/{session_id}/attendance", response_model=AttendanceResult)
async def record_attendance(
    session_id: uuid.UUID, command: AttendanceCreate, uow: Uow, actor: StaffOrPersonnelSystem
) -> AttendanceResult:
    """Record attendance by employee number (the prevention & education team, the division head, or the personnel
    system with personnel:write). Idempotent: a number sent again is counted in `already_recorded`. One unknown
    number records nothing: 422 `unknown-employee` with `unknown`. #WithU sessions take `headcount` instead."""
    return await education.record_attendance(uow, actor, session_id, command)


@router.get("/education/completion", response_model=CompletionRead)
async def completion(uow: Uow, staff: CurrentStaff, year: Year) -> CompletionRead:
    """Who must attend what in the year and how many did, per organisation and unit: every active employee the
    yearly prevention training, every manager (unit head or supervisor) the manager's role training. HR officers
    and auditors see no count below 5, nor one the others would reveal (STAT-1). The read is audited."""
    return await education.completion(uow, staff, year)


@router.post("/education/reminders", response_model=ReminderResult)
async def send_reminders(command: ReminderCreate, uow: Uow, staff: CurrentStaff) -> ReminderResult:
    """Remind those who have not completed a requirement of the year, through the personnel system: webhook
    `education.reminder` with employee numbers, the session kind and role, the year — no case content."""
    return await education.send_reminders(uow, staff, command)
