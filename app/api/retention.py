"""DATA-1: the division head's legal hold on a case's content (docs/api.md "Retention")."""

import uuid

from app.api.deps import CurrentStaff, Uow
from app.api.router import make_router
from app.schemas.retention import LegalHoldCreate, LegalHoldLift, LegalHoldRead
from app.services import retention

router = make_router("retention")


@router.get("/cases/{case_id}/legal-hold", response_model=LegalHoldRead | None)
async def get_legal_hold(case_id: uuid.UUID, uow: Uow, staff: CurrentStaff) -> LegalHoldRead | None:
    """The legal hold set on the case, or `null` when none is. Audited."""
    return await retention.get_hold(uow, staff, case_id)


@router.post("/cases/{case_id}/legal-hold", response_model=LegalHoldRead, status_code=201)
async def set_legal_hold(case_id: uuid.UUID, command: LegalHoldCreate, uow: Uow, staff: CurrentStaff) -> LegalHoldRead:
    """Keep the case's content past its retention period (division head, with a reason; audited)."""
    return await retention.set_hold(uow, staff, case_id, command)


@router.post("/cases/{case_id}/legal-hold/lift", response_model=LegalHoldRead)
async def lift_legal_hold(case_id: uuid.UUID, command: LegalHoldLift, uow: Uow, staff: CurrentStaff) -> LegalHoldRead:
    """End the hold (division head, with a reason; audited); the content goes at the next run if its time has come."""
    return await retention.lift_hold(uow, staff, case_id, command)
