"""The personnel system keeps WithU's directory current (machine clients with the scope personnel:write)."""

from typing import Annotated

from fastapi import Body, Depends, Query

from app.api.deps import CurrentStaff, Uow, client_with_scope, collector_paused
from app.api.router import make_router
from app.domain.directory import SyncMode
from app.domain.enums import OutboxStatus
from app.schemas.personnel import DirectorySnapshot, EventBatch, EventBatchResult, SyncResult
from app.schemas.statistics import PersonnelStatus
from app.schemas.webhooks import StaffDeliveryPage
from app.services import personnel, webhooks
from app.services.actors import ClientActor

router = make_router("personnel")
SYNC_PATH = "/api/v1/personnel/sync"

PersonnelWriter = Annotated[ClientActor, client_with_scope("personnel:write")]


@router.post("/personnel/sync", response_model=SyncResult, dependencies=[Depends(collector_paused)])
async def sync_directory(
    snapshot: DirectorySnapshot,
    uow: Uow,
    client: PersonnelWriter,
    mode: Annotated[
        SyncMode,
        Query(
            description="full: the employed people of the listed organisations whom the snapshot leaves out "
            "are marked as left (a `retirement` event each; SEP-6). upsert: they are left untouched."
        ),
    ] = SyncMode.full,
    confirm_removals: Annotated[
        int | None,
        Query(
            ge=0,
            le=10_000_000,
            description="full mode: the exact number of people it marks as left, needed "
            "when that is more than 10 % of the employed people of the listed organisations (and more than 1)",
        ),
    ] = None,
) -> SyncResult:
    """Send the directory (organisations, units, employees, assignments) as of a time. All or nothing:
    unknown references, cycles and duplicates refuse the snapshot (422), and so does a full snapshot that would
    mark too many people as left without `confirm_removals` (422 `removals-not-confirmed`). The same snapshot
    twice changes nothing."""
    return await personnel.sync_directory(uow, client, snapshot, mode=mode, confirm_removals=confirm_removals)


@router.post("/personnel/events", response_model=EventBatchResult)
async def record_events(events: Annotated[EventBatch, Body()], uow: Uow, client: PersonnelWriter) -> EventBatchResult:
    """Send change events (a JSON array), applied in order, all or nothing. Each answers `applied`,
    `superseded` (older than the stored state), `recorded` (changes no placement) or `duplicate` (id seen)."""
    return await personnel.record_events(uow, client, events)


@router.get("/personnel/status", response_model=PersonnelStatus)
async def sync_status(uow: Uow, staff: CurrentStaff) -> PersonnelStatus:
    """For HR officers, team leads, the division head and the sysadmin: the last full sync, the directory's size,
    change events received, webhook deliveries waiting. Counts and times only."""
    return await personnel.sync_status(uow, staff)


@router.get("/personnel/deliveries", response_model=StaffDeliveryPage)
async def delivery_log(
    uow: Uow,
    staff: CurrentStaff,
    status: OutboxStatus | None = None,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> StaffDeliveryPage:
    """For the same roles as the status: every webhook delivery, newest event first — client, receiver host,
    topic, status, attempts and the last outcome (an HTTP status or `timeout` / `request_failed`). Never the
    payload, the URL's path or the receiver's answer. The read is audited."""
    return await webhooks.staff_deliveries(uow, staff, status=status, offset=offset, limit=limit)
