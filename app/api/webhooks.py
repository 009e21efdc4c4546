"""The personnel system's webhook subscriptions and delivery log (SEP-4: the personnel system is told), and the
events themselves in the OpenAPI document (its `webhooks`, OpenAPI 3.1)."""

import json
import uuid
from pathlib import Path
from typing import Annotated, Any

from fastapi import Query, Response

from app.api.deps import HostResolver, Uow, client_with_scope
from app.api.router import make_router
from app.domain.enums import OutboxStatus
from app.schemas.webhooks import (
    DeliveryPage,
    WebhookSecretRotated,
    WebhookSubscriptionCreate,
    WebhookSubscriptionCreated,
    WebhookSubscriptionRead,
)
from app.services import webhooks
from app.services.actors import ClientActor
from app.services.outbox import TOPICS

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


@router.post("/webhooks/subscriptions/{subscription_id}/secret/rotate", response_model=WebhookSecretRotated)
async def rotate_secret(subscription_id: uuid.UUID, uow: Uow, client: Manager) -> WebhookSecretRotated:
    """Issue a new signing secret, shown this once. For 24 hours every delivery carries a signature with the new
    and one with each previous secret (`webhook-signature: v1,… v1,…`); then the previous ones stop."""
    return await webhooks.rotate_secret(uow, client, subscription_id)


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


# --- the events, in the OpenAPI document ---

PAYLOAD_SCHEMA_FILE = Path(__file__).resolve().parents[2] / "docs" / "webhook-payloads.schema.json"
SIGNATURE_HEADERS: list[dict[str, Any]] = [
    {
        "name": "webhook-id",
        "in": "header",
        "required": True,
        "description": "The event id (the payload's `id`): the same on every retry. Drop an id you have processed.",
        "schema": {"type": "string", "format": "uuid"},
    },
    {
        "name": "webhook-timestamp",
        "in": "header",
        "required": True,
        "description": "When this attempt was signed, in unix seconds. Refuse it more than 5 minutes off.",
        "schema": {"type": "string", "pattern": "^[0-9]+$"},
    },
    {
        "name": "webhook-signature",
        "in": "header",
        "required": True,
        "description": "Standard Webhooks: `v1,` + base64 HMAC-SHA256 of `{webhook-id}.{webhook-timestamp}.{body}` "
        "keyed with the base64-decoded part of the secret after `whsec_`; several, separated by spaces, during a "
        "secret rotation (one match is enough). Verify with the `standardwebhooks` library (docs/webhooks.md).",
        "schema": {"type": "string", "pattern": "^v1,[A-Za-z0-9+/]+={0,2}( v1,[A-Za-z0-9+/]+={0,2})*$"},
    },
    {
        "name": "WithU-Event-Type",
        "in": "header",
        "required": True,
        "description": "The topic (the payload's `type`), for routing before parsing. Not signed: trust the body's.",
        "schema": {"type": "string"},
    },
]


def document_webhooks(openapi: dict[str, Any]) -> None:
    """Add every event WithU sends (app.services.outbox.TOPICS) to `openapi` under `webhooks`: its payload from the
    published JSON Schema (docs/webhook-payloads.schema.json) as components `WebhookEvent.<topic>` and
    `WebhookData.<topic>`, and the Standard Webhooks headers it is signed with."""
    catalogue = json.loads(PAYLOAD_SCHEMA_FILE.read_text())
    data = json.loads(json.dumps(catalogue["$defs"]).replace('"#/$defs/', '"#/components/schemas/WebhookData.'))
    envelope = catalogue["properties"]
    schemas = openapi.setdefault("components", {}).setdefault("schemas", {})
    events = openapi.setdefault("webhooks", {})
    for topic in TOPICS:
        schemas[f"WebhookData.{topic}"] = data[topic]
        schemas[f"WebhookEvent.{topic}"] = {
            "type": "object",
            "additionalProperties": False,
            "required": catalogue["required"],
            "properties": {
                "id": envelope["id"],
                "type": {"const": topic},
                "created_at": envelope["created_at"],
                "data": {"$ref": f"#/components/schemas/WebhookData.{topic}"},
            },
        }
        events[topic] = {
            "post": {
                "summary": topic,
                "description": data[topic].get("description", ""),
                "operationId": f"webhook_{topic.replace('.', '_')}",
                "tags": ["webhooks"],
                "parameters": SIGNATURE_HEADERS,
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/WebhookEvent.{topic}"}}},
                },
                "responses": {
                    "2XX": {"description": "Delivered: never sent again."},
                    "default": {"description": "Anything else, or no answer in time: retried with backoff."},
                },
            }
        }
