"""AUD-1 for the auditor: search the audit log and verify its hash chain (the same walk as `withu audit verify`)."""

import uuid
from datetime import date
from typing import Annotated

from fastapi import Body, Query

from app.api.deps import CurrentStaff, Uow
from app.api.router import make_router
from app.domain.audit_view import MAX_PAGE
from app.schemas.audit import AuditPage, VerificationCreate, VerificationRead
from app.services import audit_log

router = make_router("audit")


@router.get("/audit/entries", response_model=AuditPage)
async def search_entries(
    uow: Uow,
    staff: CurrentStaff,
    action: Annotated[str | None, Query(max_length=60)] = None,
    actor_id: Annotated[str | None, Query(max_length=64)] = None,
    case_id: uuid.UUID | None = None,
    start: Annotated[date | None, Query(alias="from")] = None,
    end: Annotated[date | None, Query(alias="to")] = None,
    offset: Annotated[int, Query(ge=0, le=100_000_000)] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 50,
) -> AuditPage:
    """Audit entries matching every filter given (dates are whole UTC days, both included), newest first. Who,
    what, when, which case — never content. Auditor only; the search is logged."""
    return await audit_log.search_entries(
        uow, staff, action=action, actor_id=actor_id, case_id=case_id, start=start, end=end, offset=offset, limit=limit
    )


@router.post("/audit/verification", response_model=VerificationRead)
async def verify_chain(
    uow: Uow, staff: CurrentStaff, command: Annotated[VerificationCreate | None, Body()] = None
) -> VerificationRead:
    """Walk the whole hash chain (optionally against an anchor recorded earlier) and answer whether it is intact,
    and where it first breaks. Auditor only; the verification is logged."""
    return await audit_log.verify_for_auditor(uow, staff, command or VerificationCreate())
