"""Side effects after commit: a webhook per subscribed receiver, written in the same transaction as the change
(the worker delivers them). Payloads never carry case content or identities.

INT-1 (security review F6): no event dates what a reporter did. Every payload's `created_at` is its day only;
an event queued in a reporter's request is created "at midnight" in the delivery logs too; and an event that
follows from a report (`separation.order_opened`, or anything queued in a reporter's request) is not sent before a
random delay of up to WITHU_ORDER_OPENED_DELAY_MAX_MINUTES, so neither its arrival nor the delivery logs date the
report more closely than that (docs/webhooks.md)."""

from __future__ import annotations

import secrets
import uuid
from datetime import datetime, timedelta
from typing import Any

from app.db.models import OutboxMessage, WebhookSubscription
from app.db.uow import UnitOfWork
from app.domain.enums import OutboxStatus
from app.services import clock
from app.services.reporter_request import is_reporter_request, recorded_time

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
    # MAN-3: to the personnel system, employee numbers and a session kind only (app/services/education.py).
    "education.reminder",
)


# Events that follow from a report wherever they are queued (a case released from escrow opens an order too).
DELAYED_TOPICS = frozenset({"separation.order_opened"})


async def publish(uow: UnitOfWork, topic: str, data: dict[str, Any]) -> None:
    """Queue `topic` for every active subscription to it; the event id lets receivers drop duplicates."""
    now = clock.now()
    due = not_before(uow, topic, now)  # one draw per event: every receiver gets it at the same time
    for subscription in await uow.outbox.subscriptions_for(topic):
        enqueue(uow, subscription, topic, data, now=now, due=due)


def enqueue(
    uow: UnitOfWork,
    subscription: WebhookSubscription,
    topic: str,
    data: dict[str, Any],
    *,
    now: datetime,
    due: datetime,
) -> None:
    """One event for one subscription, not sent before `due`: the envelope every receiver gets, with its day
    only in `created_at`; in a reporter's request the delivery logs see it created at midnight too."""
    event_id = uuid.uuid4()
    uow.outbox.add(
        OutboxMessage(
            id=event_id,
            subscription_id=subscription.id,
            topic=topic,
            payload={"id": str(event_id), "type": topic, "created_at": clock.day_start(now).isoformat(), "data": data},
            status=OutboxStatus.pending,
            attempts=0,
            next_attempt_at=due,
            created_at=recorded_time(uow, now),
        )
    )


def not_before(uow: UnitOfWork, topic: str, now: datetime) -> datetime:
    """When an event queued `now` may first be sent: after a uniformly random delay of 0 … the configured maximum
    (whole seconds, `secrets.randbelow`) for an event that follows from a report; at once otherwise."""
    if topic not in DELAYED_TOPICS and not is_reporter_request(uow):
        return now
    bound = uow.settings.order_opened_delay_max_minutes * 60
    return now + timedelta(seconds=secrets.randbelow(bound + 1))
