"""Webhook subscriptions, the outbox of events and the log of delivery attempts."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from app.db.encryption import EncryptedJSON, EncryptedText
from app.db.models.base import Base, UTCDateTime, enum
from app.domain.enums import (
    OutboxStatus,
)


class WebhookSubscription(Base):
    __tablename__ = "webhook_subscription"
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    client_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("machine_client.id"), index=True)
    url: Mapped[str] = mapped_column(String(2000))
    secret: Mapped[str] = mapped_column(EncryptedText("webhook_subscription.secret"))
    topics: Mapped[list[str]] = mapped_column(JSON)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class OutboxMessage(Base):
    """A side effect to deliver after commit (a webhook), claimed by workers with a lease."""

    __tablename__ = "outbox_message"
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    subscription_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("webhook_subscription.id"), index=True)
    topic: Mapped[str] = mapped_column(String(60))
    # Encrypted: a payload names employees beside an order or a sanction (security review F3). NULL once delivered
    # more than `delivered_payload_days` ago (DATA-1's purge, app/services/retention.py): the row stays for the log.
    payload: Mapped[dict[str, Any] | None] = mapped_column(EncryptedJSON("outbox_message.payload"), nullable=True)
    status: Mapped[OutboxStatus] = mapped_column(enum(OutboxStatus), index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class DeliveryAttempt(Base):
    """The delivery log an integrator can read."""

    __tablename__ = "delivery_attempt"
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    message_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("outbox_message.id"), index=True)
    attempted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status_code: Mapped[int | None] = mapped_column(Integer, nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    duration_ms: Mapped[int] = mapped_column(Integer)
