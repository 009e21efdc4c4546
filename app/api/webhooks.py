"""The personnel system's webhook subscriptions and delivery log (SEP-4: the personnel system is told)."""

import uuid
from typing import Annotated

from fastapi import Query, Response

from app.api.deps import HostResolver, Uow, client_with_scope
from app.api.router import make_router
from app.domain.enums import OutboxStatus
from app.schemas.webhooks import (
    DeliveryPage,
    WebhookSubscriptionCreate,
    WebhookSubscriptionCreated,
    WebhookSubscriptionRead,
)
from app.services import webhooks
from app.services.actors import ClientActor

router = make_router("webhooks")
Manager = Annotated[ClientActor, client_with_scope("webhooks:manage")]


@router.post("/webhooks/subscriptions", status_code=201, response_model=WebhookSubscriptionCreated)
async def create_subscription(
    command: WebhookSubscriptionCreate, uow: Uow, client: Manager, resolve: HostResolver
) -> WebhookSubscriptionCreated:
    """Subscribe a URL to topics. The URL's host must be a public internet address (422
    `webhook-destination-not-allowed` otherwise). The answer carries the signing secret, shown this once."""
    return await webhooks.create_subscription(uow, client, command, resolve)


@router.get("/webhooks/subscriptions", response_model=list[WebhookSubscriptionRead])
async def list_subscriptions(uow: Uow, client: Manager) -> list[WebhookSubscriptionRead]:
    """Your subscriptions, newest first (never the secrets)."""
    return await webhooks.list_subscriptions(uow, client)


@router.delete("/webhooks/subscriptions/{subscription_id}", status_code=204)
async def deactivate_subscription(subscription_id: uuid.UUID, uow: Uow, client: Manager) -> Response:
    """Deactivate a subscription: no further deliveries to it. Idempotent."""
    await webhooks.deactivate_subscription(uow, client, subscription_id)
    return Response(status_code=204)


@router.get("/webhooks/deliveries", response_model=DeliveryPage)
async def list_deliveries(
    uow: Uow,
    client: Manager,
    subscription_id: uuid.UUID | None = None,
    status: OutboxStatus | None = None,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> DeliveryPage:
    """The delivery log of your subscriptions, newest event first: status, attempts and the last outcome."""
    return await webhooks.list_deliveries(
        uow, client, subscription_id=subscription_id, status=status, offset=offset, limit=limit
    )
