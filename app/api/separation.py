"""Separation orders: the personnel system's check and list (SEP-4), the case team's view and decisions."""

import uuid
from typing import Annotated

from fastapi import Depends, Query, Response

from app.api.deps import CurrentStaff, Uow, client_claims_with_scope, client_with_scope, collector_paused
from app.api.router import make_router
from app.schemas.separation import (
    BatchResult,
    CaseSeparationRead,
    CheckResult,
    OrderLift,
    OrderPage,
    PlacementBatch,
    PlacementCheck,
    VictimWishCreate,
    ViolationResolve,
    WishRead,
)
from app.services import separation, separation_batch
from app.services.actors import ClientActor

router = make_router("separation")

# The check's last statement also confirms that the client is still active (app.services.separation).
CheckClient = Annotated[ClientActor, client_claims_with_scope("separation:check")]
ReadClient = Annotated[ClientActor, client_with_scope("separation:read")]


@router.post("/separation/check", response_model=CheckResult)
async def check_placement(command: PlacementCheck, uow: Uow, client: CheckClient) -> CheckResult:
    """Ask before any placement: allowed, or refused with a reason code and the order's reference (SEP-4)."""
    return await separation.check_placement(uow, client, command)


# A batch of 10,000 placements with long keys is about 3.3 MB of JSON: the body limit the BodyLimit middleware must
# give this path (`body_limits`; the default limit is `max_body_bytes`, 256 KiB).
CHECK_BATCH_PATH = "/api/v1/separation/check-batch"
CHECK_BATCH_BODY_BYTES = 4 * 1024 * 1024
BatchClient = Annotated[ClientActor, client_with_scope("separation:check")]


def body_limits() -> dict[str, int]:
    """The request-size limit of the batch check, for the BodyLimit middleware (app.main)."""
    return {CHECK_BATCH_PATH: CHECK_BATCH_BODY_BYTES}


@router.post("/separation/check-batch", response_model=BatchResult, dependencies=[Depends(collector_paused)])
async def check_placements(command: PlacementBatch, uow: Uow, client: BatchClient) -> Response:
    """Check a whole draft placement list (at most 10,000, each employee once), applied together: for each
    placement, in the order sent, what the single check would answer once every other placement of the list is
    applied — allowed, refused with reason codes and order references (SEP-4), or the single check's problem.
    One audit entry for the batch. 413 `too-many-placements`, 422 `duplicate-placement`."""
    outcome = await separation_batch.check_batch(uow, client, command)
    # Written as JSON by the service (`BatchOutcome.json`, the shape of BatchResult): not 10,000 models validated.
    return Response(content=outcome.json(), media_type="application/json")


@router.get("/separation/orders", response_model=OrderPage)
async def list_active_orders(
    uow: Uow,
    client: ReadClient,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> OrderPage:
    """The active orders: reference and the two employee numbers, in no particular role (SEP-4)."""
    return await separation.list_active_orders(uow, client, offset, limit)


@router.get("/cases/{case_id}/separation", response_model=CaseSeparationRead)
async def case_separation(case_id: uuid.UUID, uow: Uow, staff: CurrentStaff) -> CaseSeparationRead:
    """The case's separation orders: current connections, the proposed plan, violations, the victim's wishes."""
    return await separation.case_separation(uow, staff, case_id)


@router.post("/cases/{case_id}/separation/orders/{order_id}/lift", status_code=204)
async def lift_order(
    case_id: uuid.UUID, order_id: uuid.UUID, command: OrderLift, uow: Uow, staff: CurrentStaff
) -> Response:
    """Lift an order (team lead only, with a reason; audited) — never automatic, never by closing (SEP-6)."""
    await separation.lift_order(uow, staff, case_id, order_id, command.reason)
    return Response(status_code=204)


@router.post("/cases/{case_id}/separation/orders/{order_id}/confirmation", status_code=204)
async def confirm_order(case_id: uuid.UUID, order_id: uuid.UUID, uow: Uow, staff: CurrentStaff) -> Response:
    """At triage, confirm an order an anonymous third party's report opened (SEP-1, F11): it stays, no longer
    awaiting triage; audited. To lift it instead, a team lead lifts it (SEP-6). 409 `order-not-awaiting-triage`."""
    await separation.confirm_order(uow, staff, case_id, order_id)
    return Response(status_code=204)


@router.post("/cases/{case_id}/separation/violations/{violation_id}/resolve", status_code=204)
async def resolve_violation(
    case_id: uuid.UUID, violation_id: uuid.UUID, command: ViolationResolve, uow: Uow, staff: CurrentStaff
) -> Response:
    """Record how a violation was resolved while the two stay connected (team lead only, with a reason; audited).
    A violation also ends by itself once a personnel change or sync shows the two apart (SEP-5). 409
    `violation-resolved`."""
    await separation.resolve_violation(uow, staff, case_id, violation_id, command.reason)
    return Response(status_code=204)


@router.post("/cases/{case_id}/victim-wishes", status_code=201, response_model=WishRead)
async def record_victim_wish(case_id: uuid.UUID, command: VictimWishCreate, uow: Uow, staff: CurrentStaff) -> WishRead:
    """Record the victim's own wish about protective measures (CASE-7)."""
    return await separation.record_victim_wish(uow, staff, case_id, command.wants_to_move, command.note)
