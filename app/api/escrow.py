"""CASE-8 (security review F4): possible escrow matches the case team confirms or declines; content-free alerts
(F4's escrow limit, F11's anonymous separation orders)."""

import uuid

from app.api.deps import CurrentStaff, Uow
from app.api.router import make_router
from app.schemas.escrow import EscrowMatchDecision, EscrowMatchRead, TeamAlertRead
from app.services import alerts, escrow

router = make_router("escrow")


@router.get("/approvals/escrow-matches", response_model=list[EscrowMatchRead])
async def pending_escrow_matches(uow: Uow, staff: CurrentStaff) -> list[EscrowMatchRead]:
    """Possible escrow matches waiting (team lead, division head), oldest first: two reports name the same person,
    one is held in escrow, and an anonymous reporter means nothing shows they come from different people. Only
    those whose two cases you would see once released; no case, person or content is named."""
    return await escrow.pending_matches(uow, staff)


@router.post("/escrow-matches/{match_id}/decision", response_model=EscrowMatchRead)
async def decide_escrow_match(
    match_id: uuid.UUID, command: EscrowMatchDecision, uow: Uow, staff: CurrentStaff
) -> EscrowMatchRead:
    """Confirm (both reports are released to the team and linked) or decline (both stay sealed); audited. 409
    `escrow-match-decided` once decided; 404 for a match you would not see."""
    return await escrow.decide(uow, staff, match_id, command.confirm)


@router.get("/approvals/alerts", response_model=list[TeamAlertRead])
async def open_alerts(uow: Uow, staff: CurrentStaff) -> list[TeamAlertRead]:
    """Alerts nobody has acknowledged (team lead, division head): `escrow_limit` (more escrow reports naming one
    person than the limit allows), `anonymous_orders` (several orders from anonymous third parties naming one
    employee in a day). Kind, day and count only — never who or which case."""
    return await alerts.open_alerts(uow, staff)


@router.post("/alerts/{alert_id}/acknowledgement", response_model=TeamAlertRead)
async def acknowledge_alert(alert_id: uuid.UUID, uow: Uow, staff: CurrentStaff) -> TeamAlertRead:
    """Seen (audited); the alert leaves the list. 409 `alert-acknowledged` the second time."""
    return await alerts.acknowledge(uow, staff, alert_id)
