"""Webhook subscriptions, the outbox and the delivery log."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import and_, func, or_, select

from app.db.models import DeliveryAttempt, MachineClient, OutboxMessage, WebhookSubscription
from app.db.repositories.base import Repository
from app.domain.enums import OutboxStatus


@dataclass(frozen=True)
class StaffDeliveryRow:
    """One event of the staff's delivery log, without its payload."""

    id: uuid.UUID
    topic: str
    status: OutboxStatus
    attempts: int
    created_at: datetime
    next_attempt_at: datetime
    delivered_at: datetime | None
    url: str = field(repr=False)
    client_name: str
    client_kind: str


class OutboxRepository(Repository):
    async def subscriptions_for(self, topic: str) -> list[WebhookSubscription]:
        rows = await self.session.scalars(select(WebhookSubscription).where(WebhookSubscription.active.is_(True)))
        return [s for s in rows.all() if topic in s.topics]

    # --- a client's own subscriptions and deliveries (another client's answer as if they did not exist) ---

    async def subscriptions_of(self, client_pk: uuid.UUID) -> Sequence[WebhookSubscription]:
        query = (
            select(WebhookSubscription)
            .where(WebhookSubscription.client_id == client_pk)
            .order_by(WebhookSubscription.created_at.desc(), WebhookSubscription.id)
        )
        return (await self.session.scalars(query)).all()

    async def subscription_of(self, client_pk: uuid.UUID, subscription_id: uuid.UUID) -> WebhookSubscription | None:
        return await self.session.scalar(
            select(WebhookSubscription).where(
                WebhookSubscription.id == subscription_id, WebhookSubscription.client_id == client_pk
            )
        )

    async def deliveries_of(
        self,
        client_pk: uuid.UUID,
        *,
        subscription_id: uuid.UUID | None,
        status: OutboxStatus | None,
        offset: int,
        limit: int,
    ) -> tuple[Sequence[OutboxMessage], int]:
        conditions = [WebhookSubscription.client_id == client_pk]
        if subscription_id is not None:
            conditions.append(OutboxMessage.subscription_id == subscription_id)
        if status is not None:
            conditions.append(OutboxMessage.status == status)
        base = select(OutboxMessage).join(WebhookSubscription, OutboxMessage.subscription_id == WebhookSubscription.id)
        base = base.where(*conditions)
        total = await self.session.scalar(select(func.count()).select_from(base.subquery())) or 0
        page = base.order_by(OutboxMessage.created_at.desc(), OutboxMessage.id).offset(offset).limit(limit)
        return (await self.session.scalars(page)).all(), total

    async def all_deliveries(
        self, *, status: OutboxStatus | None, offset: int, limit: int
    ) -> tuple[list[StaffDeliveryRow], int]:
        """Every client's delivery log for staff, newest event first. Named columns only: the payload (SEP-4)
        and the subscription's secret are never even read."""
        base = (
            select(
                OutboxMessage.id,
                OutboxMessage.topic,
                OutboxMessage.status,
                OutboxMessage.attempts,
                OutboxMessage.created_at,
                OutboxMessage.next_attempt_at,
                OutboxMessage.delivered_at,
                WebhookSubscription.url,
                MachineClient.name.label("client_name"),
                MachineClient.kind.label("client_kind"),
            )
            .join(WebhookSubscription, OutboxMessage.subscription_id == WebhookSubscription.id)
            .join(MachineClient, WebhookSubscription.client_id == MachineClient.id)
        )
        counted = select(func.count()).select_from(OutboxMessage)
        if status is not None:
            base = base.where(OutboxMessage.status == status)
            counted = counted.where(OutboxMessage.status == status)
        total = await self.session.scalar(counted) or 0
        page = base.order_by(OutboxMessage.created_at.desc(), OutboxMessage.id).offset(offset).limit(limit)
        rows = (await self.session.execute(page)).all()
        return [StaffDeliveryRow(*row) for row in rows], int(total)

    async def last_attempts(self, message_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, DeliveryAttempt]:
        """The latest attempt of each message (one query, however many attempts a message has)."""
        if not message_ids:
            return {}
        latest = (
            select(DeliveryAttempt.message_id, func.max(DeliveryAttempt.attempted_at).label("at"))
            .where(DeliveryAttempt.message_id.in_(message_ids))
            .group_by(DeliveryAttempt.message_id)
            .subquery()
        )
        query = select(DeliveryAttempt).join(
            latest,
            and_(DeliveryAttempt.message_id == latest.c.message_id, DeliveryAttempt.attempted_at == latest.c.at),
        )
        return {a.message_id: a for a in (await self.session.scalars(query)).all()}

    async def attempts_of(self, message_id: uuid.UUID) -> Sequence[DeliveryAttempt]:
        query = (
            select(DeliveryAttempt)
            .where(DeliveryAttempt.message_id == message_id)
            .order_by(DeliveryAttempt.attempted_at, DeliveryAttempt.id)
        )
        return (await self.session.scalars(query)).all()

    # --- the worker ---

    async def lock_due(self, now: datetime, limit: int) -> Sequence[OutboxMessage]:
        """Pending messages whose time has come and whose lease (if any) has run out, oldest due first, for
        active subscriptions. Locked for this transaction: PostgreSQL skips rows another worker is claiming
        (FOR UPDATE SKIP LOCKED); SQLite renders no FOR UPDATE, its write transactions are serialised already
        (BEGIN IMMEDIATE), so the select sees every claim committed before it."""
        query = (
            select(OutboxMessage)
            .join(WebhookSubscription, OutboxMessage.subscription_id == WebhookSubscription.id)
            .where(
                OutboxMessage.status == OutboxStatus.pending,
                OutboxMessage.next_attempt_at <= now,
                or_(OutboxMessage.lease_until.is_(None), OutboxMessage.lease_until < now),
                WebhookSubscription.active.is_(True),
            )
            .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
            .limit(limit)
            .with_for_update(skip_locked=True, of=OutboxMessage)
        )
        return (await self.session.scalars(query)).all()

    async def subscriptions_by_id(self, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, WebhookSubscription]:
        if not ids:
            return {}
        rows = await self.session.scalars(select(WebhookSubscription).where(WebhookSubscription.id.in_(set(ids))))
        return {s.id: s for s in rows.all()}

    async def message_for_update(self, message_id: uuid.UUID) -> OutboxMessage | None:
        """One message, locked until the end of the transaction (two recorders never interleave)."""
        return await self.session.scalar(
            select(OutboxMessage).where(OutboxMessage.id == message_id).with_for_update(of=OutboxMessage)
        )
