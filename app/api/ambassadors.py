"""Publicity ambassadors and memorial places (AMB-1, AMB-2), and the public listing for the city's website."""

import uuid

from fastapi import Response

from app.api.deps import CurrentStaff, Uow
from app.api.router import make_router
from app.schemas.ambassadors import (
    AmbassadorCreate,
    AmbassadorRead,
    CaseAmbassadorCreate,
    ConvictionCreate,
    PlaceCreate,
    PlaceRead,
    PublicAmbassador,
)
from app.services import ambassadors

router = make_router("ambassadors")


@router.post("/ambassadors", status_code=201, response_model=AmbassadorRead)
async def create_ambassador(command: AmbassadorCreate, uow: Uow, staff: CurrentStaff) -> AmbassadorRead:
    """Designate a publicity ambassador (team lead or division head)."""
    return await ambassadors.create_ambassador(uow, staff, command)


@router.get("/ambassadors", response_model=list[AmbassadorRead])
async def list_ambassadors(uow: Uow, staff: CurrentStaff) -> list[AmbassadorRead]:
    """Every designation with its status and memorial places (the case team reads the registry)."""
    return await ambassadors.list_ambassadors(uow, staff)


@router.get("/ambassadors/{ambassador_id}", response_model=AmbassadorRead)
async def read_ambassador(ambassador_id: uuid.UUID, uow: Uow, staff: CurrentStaff) -> AmbassadorRead:
    """One designation with its memorial places."""
    return await ambassadors.read_ambassador(uow, staff, ambassador_id)


@router.post("/ambassadors/{ambassador_id}/places", status_code=201, response_model=PlaceRead)
async def add_place(ambassador_id: uuid.UUID, command: PlaceCreate, uow: Uow, staff: CurrentStaff) -> PlaceRead:
    """Open a memorial place under an active designation (409 while under review or once cancelled)."""
    return await ambassadors.add_place(uow, staff, ambassador_id, command)


@router.post("/ambassadors/{ambassador_id}/convictions", status_code=201, response_model=AmbassadorRead)
async def record_conviction(
    ambassador_id: uuid.UUID, command: ConvictionCreate, uow: Uow, staff: CurrentStaff
) -> AmbassadorRead:
    """Record a conviction for a sexual crime: the designation is cancelled and every place shut (AMB-1)."""
    return await ambassadors.record_conviction(uow, staff, ambassador_id, command)


@router.post("/ambassadors/{ambassador_id}/reinstatement", status_code=204, response_class=Response)
async def request_reinstatement(ambassador_id: uuid.UUID, uow: Uow, staff: CurrentStaff) -> Response:
    """Always refused with 409 (AMB-1): a cancellation is never undone; after a new decision, designate anew
    (a new record)."""
    await ambassadors.request_reinstatement(uow, staff, ambassador_id)
    return Response(status_code=204)  # never reached: the use case always refuses


@router.post("/cases/{case_id}/ambassador", status_code=201, response_model=AmbassadorRead)
async def link_case(case_id: uuid.UUID, command: CaseAmbassadorCreate, uow: Uow, staff: CurrentStaff) -> AmbassadorRead:
    """Record that the case's respondent is an ambassador: under review while the case is open (AMB-2)."""
    return await ambassadors.link_case(uow, staff, case_id, command.ambassador_id)


@router.get("/cases/{case_id}/ambassadors", response_model=list[AmbassadorRead])
async def case_ambassadors(case_id: uuid.UUID, uow: Uow, staff: CurrentStaff) -> list[AmbassadorRead]:
    """The ambassadors the case names."""
    return await ambassadors.case_ambassadors(uow, staff, case_id)


@router.get("/public/ambassadors", response_model=list[PublicAmbassador])
async def public_ambassadors(uow: Uow) -> list[PublicAmbassador]:
    """Public, without sign-in: active ambassadors and their open memorial places; nothing of any case.
    Same origin only: the city's website fetches it server-side or links to it."""
    return await ambassadors.public_listing(uow)
