"""Content-free alerts to the case team (security review F4, F11): a flood of escrow reports naming one person,
a burst of anonymous separation orders naming one employee. An alert says what kind of thing happened, on which
day and how often — never who, never which case. Team leads and the division head see them in the approvals
inbox and acknowledge them."""

from __future__ import annotations

import uuid

from app.db.models import TeamAlert
from app.db.uow import UnitOfWork
from app.domain.accounts import require_role
from app.domain.alerts import ALERT_READERS, check_unacknowledged, raises_now
from app.domain.enums import AlertKind
from app.domain.errors import NotFound
from app.schemas.escrow import TeamAlertRead
from app.services import audit, clock
from app.services.actors import StaffActor, SystemActor

WATCH = SystemActor("watch")


async def count(uow: UnitOfWork, kind: AlertKind, subject_key: str, *, alert_at: int) -> None:
    """One more occurrence today for the person behind `subject_key` (a keyed hash); the alert is raised (shown,
    audited) when today's count reaches `alert_at`, once a day and person."""
    alert = await uow.escrow.todays_alert(kind, subject_key, clock.now().date())
    alert.count += 1
    if raises_now(alert.raised, alert.count, alert_at):
        alert.raised = True
        await audit.record(uow, WATCH, "alert.raised", target=str(alert.id))


async def open_alerts(uow: UnitOfWork, actor: StaffActor) -> list[TeamAlertRead]:
    """Raised alerts nobody has acknowledged yet, oldest first."""
    require_role(actor.role, ALERT_READERS)
    return [_read(a) for a in await uow.escrow.open_alerts()]


async def acknowledge(uow: UnitOfWork, actor: StaffActor, alert_id: uuid.UUID) -> TeamAlertRead:
    """A team lead or the division head has seen it (audited); it leaves the inbox."""
    require_role(actor.role, ALERT_READERS)
    alert = await uow.escrow.alert(alert_id)
    if alert is None or not alert.raised:
        raise NotFound()
    check_unacknowledged(alert.acknowledged_at is not None)
    alert.acknowledged_by = actor.user_id
    alert.acknowledged_at = clock.now()
    await audit.record(uow, actor, "alert.acknowledged", target=str(alert.id))
    return _read(alert)


def _read(alert: TeamAlert) -> TeamAlertRead:
    return TeamAlertRead(
        id=alert.id,
        kind=alert.kind,
        day=alert.day,
        count=alert.count,
        acknowledged=alert.acknowledged_at is not None,
    )
