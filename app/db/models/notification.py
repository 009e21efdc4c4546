"""Content-free notifications to staff (CASE-2, SEP-5): which notice, to whom, about which deadline or separation
violation — never its text.

The e-mail is composed at sending time from the case reference, the deadline's kind and its due day; nothing
else is stored here. Rows are claimed by workers with a lease, like the webhook outbox, but they are a queue of
their own: the outbox belongs to webhook subscriptions."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from app.db.models.base import Base, UTCDateTime, enum
from app.domain.escalation import NotificationKind, NotificationStatus


class Notification(Base):
    __tablename__ = "notification"
    # A scan never queues the same notice twice, however often it runs and however many workers run it.
    __table_args__ = (UniqueConstraint("deadline_id", "kind", "recipient_user_id"),)
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    recipient_user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("staff_user.id"), index=True)
    kind: Mapped[NotificationKind] = mapped_column(enum(NotificationKind))
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("case_file.id"), index=True)
    # What the notice is about: a deadline (CASE-2) or a separation order's violation (SEP-5).
    deadline_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("case_deadline.id"), nullable=True)
    violation_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("separation_violation.id"), nullable=True)
    status: Mapped[NotificationStatus] = mapped_column(enum(NotificationStatus), index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # Short and free of addresses: "SMTP 451", "timeout", "connect failed (ConnectionRefusedError)".
    last_error: Mapped[str | None] = mapped_column(String(200), nullable=True)
