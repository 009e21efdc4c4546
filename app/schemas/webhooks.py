"""Webhook subscriptions and the delivery log, as the personnel system sees them."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import AnyHttpUrl, BaseModel, Field, StringConstraints, UrlConstraints

from app.domain.enums import ClientKind, OutboxStatus
from app.schemas.common import Strict

WebhookUrl = Annotated[AnyHttpUrl, UrlConstraints(max_length=2000, allowed_schemes=["http", "https"])]
TopicName = Annotated[str, StringConstraints(min_length=1, max_length=60)]


class WebhookSubscriptionCreate(Strict):
    url: WebhookUrl = Field(description="Where events are POSTed. https (http only outside production).")
    topics: list[TopicName] = Field(
        min_length=1,
        max_length=20,
        description="Topics to receive: the events under `webhooks` in this document (docs/webhooks.md §3).",
    )


class WebhookSubscriptionRead(BaseModel):
    id: uuid.UUID
    url: str
    topics: list[str]
    active: bool
    created_at: datetime


class WebhookSubscriptionCreated(WebhookSubscriptionRead):
    secret: str = Field(
        description="The Standard Webhooks signing secret (`whsec_` + base64). Shown once: keep it in the "
        "receiver's secret store."
    )


class WebhookSecretRotated(BaseModel):
    id: uuid.UUID = Field(description="The subscription.")
    secret: str = Field(description="The new signing secret (`whsec_` + base64). Shown once.")
    previous_secrets_sign_until: datetime = Field(
        description="Until then every delivery is signed with the new and the previous secrets (24 h overlap)."
    )


class DeliveryOutcome(BaseModel):
    """How one event's delivery went: the fields both delivery logs (the client's and the staff's) share."""

    id: uuid.UUID = Field(description="The event id (the payload's `id` and the `webhook-id` header).")
    topic: str
    status: OutboxStatus
    attempts: int
    created_at: datetime
    next_attempt_at: datetime | None = Field(description="When the next attempt is due; null once delivered.")
    delivered_at: datetime | None
    last_attempt_at: datetime | None
    last_status_code: int | None = Field(description="The HTTP status of the last attempt, if the receiver answered.")


class DeliveryRead(DeliveryOutcome):
    subscription_id: uuid.UUID
    last_error: str | None


class DeliveryPage(BaseModel):
    items: list[DeliveryRead]
    total: int
    offset: int
    limit: int


DeliveryError = Literal["http_status", "timeout", "request_failed"]


class StaffDeliveryRead(DeliveryOutcome):
    """One event in the staff's delivery log: who it went to and how it went — never the payload (SEP-4: it names
    orders and employees), never the subscription's path or query, never the receiver's answer."""

    client_name: str = Field(description="The machine client the subscription belongs to.")
    client_kind: ClientKind
    url_host: str | None = Field(description="The subscription URL's host (and port), nothing else of it.")
    last_error: DeliveryError | None = Field(
        description="Why the last attempt failed: `http_status` (see last_status_code), `timeout` or "
        "`request_failed` (nothing answered); null when it succeeded or none was made."
    )


class StaffDeliveryPage(BaseModel):
    items: list[StaffDeliveryRead]
    total: int
    offset: int
    limit: int
