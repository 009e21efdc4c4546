"""AUD-1, ACC-2 (issue 18, point 5): the division head's view of the recovery key and of every use of it."""

from app.api.deps import CurrentStaff, Uow
from app.api.router import make_router
from app.schemas.recovery import RecoveryOverview
from app.services import recovery

router = make_router("recovery")


@router.get("/recovery", response_model=RecoveryOverview)
async def recovery_overview(uow: Uow, staff: CurrentStaff) -> RecoveryOverview:
    """The active recovery key (id, threshold, holders, day created; never a share) and every use of recovery —
    keys created or retired, cases restored for an account — newest first, from the audit log. Division head only
    (403 for other roles); the look is audited."""
    return await recovery.overview(uow, staff)
