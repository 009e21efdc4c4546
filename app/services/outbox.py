"""Side effects after commit: a webhook per subscribed receiver, written in the same transaction as the change
(the worker delivers them). Payloads never carry case content or identities."""

from __future__ import annotations

import uuid
from typing import Any

from app.db.models import OutboxMessage
from app.db.uow import UnitOfWork
from app.domain.enums import OutboxStatus
from app.services import clock

TOPICS = (
    "separation.order_opened",
    "separation.order_lifted",
    "separation.order_ended",
    "separation.violation_found",
    # SAN-5: to the personnel system, never case content (app/services/sanctions.py).
    "sanction.decided",
    "respondent.ineligible",
    # CON-2: sent only to the contractor's own subscriptions (app/services/contracts.py).
    "contract.cancellation_initiated",
    "contract.cancelled",
)


async def publish(uow: UnitOfWork, topic: str, data: dict[str, Any]) -> None:
    """Queue `topic` for every active subscription to it; the event id lets receivers drop duplicates."""
    now = clock.now()
    for subscription in await uow.outbox.subscriptions_for(topic):
        event_id = str(uuid.uuid4())
        uow.outbox.add(
            OutboxMessage(
                id=uuid.UUID(event_id),
                subscription_id=subscription.id,
                topic=topic,
                payload={"id": event_id, "type": topic, "created_at": now.isoformat(), "data": data},
                status=OutboxStatus.pending,
                attempts=0,
                next_attempt_at=now,
                created_at=now,
            )
        )
