"""The sysadmin's accounts and machine clients. No case content anywhere (ACC-1)."""

import uuid
from typing import Annotated

from fastapi import Header, Query, Response

from app.api.deps import CurrentStaff, Uow
from app.api.router import make_router
from app.domain.enums import Role, Team
from app.schemas.admin import (
    ClientCreate,
    ClientCreated,
    ClientPage,
    ClientRead,
    EnrolmentLinkRead,
    UserCreate,
    UserCreated,
    UserPage,
    UserRead,
    UserUpdate,
)
from app.services import admin

router = make_router("administration")
Offset = Annotated[int, Query(ge=0, le=10_000_000)]
Limit = Annotated[int, Query(ge=1, le=200)]


@router.get("/users", response_model=UserPage)
async def list_users(
    uow: Uow,
    staff: CurrentStaff,
    role: Role | None = None,
    team: Team | None = None,
    active: bool | None = None,
    offset: Offset = 0,
    limit: Limit = 50,
) -> UserPage:
    """Staff accounts by e-mail (sysadmin). Each carries its version: send it as If-Match with a change."""
    return await admin.list_users(uow, staff, role=role, team=team, active=active, offset=offset, limit=limit)


@router.post("/users", status_code=201, response_model=UserCreated)
async def create_user(command: UserCreate, uow: Uow, staff: CurrentStaff) -> UserCreated:
    """Create a staff account (sysadmin) with no password: the answer carries a one-time enrolment link (shown
    once) where the account's owner sets password and TOTP. A case-role account (intake, investigator, team lead,
    division head) stays inactive until a division head approves it (`user.pending_change`)."""
    return await admin.create_user_for_admin(uow, staff, command)


@router.post("/users/{user_id}/enrolment", status_code=201, response_model=EnrolmentLinkRead)
async def issue_enrolment_link(user_id: uuid.UUID, uow: Uow, staff: CurrentStaff) -> EnrolmentLinkRead:
    """A new one-time enrolment link (sysadmin), shown once, for an account whose owner has not enrolled yet; an
    unused older link stops working. An enrolled account gets none (409 `already-enrolled`)."""
    return await admin.issue_enrolment_link(uow, staff, user_id)


@router.patch(
    "/users/{user_id}",
    response_model=UserRead,
    responses={202: {"model": UserRead, "description": "The change waits for a division head (pending_change)."}},
)
async def update_user(
    user_id: uuid.UUID,
    command: UserUpdate,
    uow: Uow,
    staff: CurrentStaff,
    response: Response,
    if_match: Annotated[str | None, Header(alias="If-Match", max_length=40)] = None,
) -> UserRead:
    """Change an account's name, employee number, role, team or status (sysadmin; If-Match with its version).
    Not your own role, team, employee number or status; deactivation ends every sign-in of the account at once.
    A change that gives or moves case access (to a case role, its team or employee number, a reactivation)
    answers 202: it waits for a division head. An employee-number change that would lift a recusal on an open
    case is refused (409 `recusal-would-lift`)."""
    user, waits = await admin.update_user(uow, staff, user_id, command, if_match)
    if waits:
        response.status_code = 202
    response.headers["ETag"] = f'"{user.version}"'
    return user


@router.get("/clients", response_model=ClientPage)
async def list_clients(uow: Uow, staff: CurrentStaff, offset: Offset = 0, limit: Limit = 50) -> ClientPage:
    """Machine clients, newest first (sysadmin); never a secret."""
    return await admin.list_clients(uow, staff, offset=offset, limit=limit)


@router.post("/clients", status_code=201, response_model=ClientCreated)
async def create_client(command: ClientCreate, uow: Uow, staff: CurrentStaff) -> ClientCreated:
    """Create an OAuth2 machine client (sysadmin); its secret is in this answer only."""
    return await admin.create_client_for_admin(uow, staff, command)


@router.post("/clients/{client_pk}/deactivation", response_model=ClientRead)
async def deactivate_client(client_pk: uuid.UUID, uow: Uow, staff: CurrentStaff) -> ClientRead:
    """Deactivate a machine client (sysadmin): its tokens stop working at once. Twice changes nothing."""
    return await admin.deactivate_client(uow, staff, client_pk)
