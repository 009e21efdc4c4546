"""What an operator watches (docs/operations.md "Metrics" and "What to alert on"): counts and ages only — no
content, no identifier of a person or a case."""

from __future__ import annotations

from dataclasses import dataclass

from app.db.uow import UnitOfWork
from app.services import clock


@dataclass(frozen=True)
class OperationsFigures:
    outbox_pending: int  # webhook events not yet delivered
    outbox_oldest_age_seconds: float  # how long the oldest of them has waited (0 when none waits)
    deliveries_failing: int  # events still pending after at least one failed attempt
    deadlines_overdue: int  # open CASE-2 deadlines whose day has passed


async def figures(uow: UnitOfWork) -> OperationsFigures:
    now = clock.now()
    pending, failing, oldest = await uow.operations.outbox_pending()
    age = max(0.0, (now - oldest).total_seconds()) if oldest is not None else 0.0
    return OperationsFigures(pending, age, failing, await uow.operations.deadlines_overdue(now.date()))
