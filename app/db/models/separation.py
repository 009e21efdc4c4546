"""Separation orders and their violations (SEP), protected persons, victims' wishes (CASE-7) and retaliation flags
(RET-1)."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, ForeignKey, String, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from app.db.encryption import EncryptedText
from app.db.models.base import Base, UTCDateTime, enum
from app.domain.enums import (
    ConnectionKind,
    OrderStatus,
    ProtectedRole,
)


class SeparationOrder(Base):
    __tablename__ = "separation_order"
    __table_args__ = (UniqueConstraint("case_id", "victim_id", "respondent_id"),)
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    reference: Mapped[str] = mapped_column(String(20), unique=True)
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("case_file.id"), index=True)
    victim_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("employee.id"), index=True)
    respondent_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("employee.id"), index=True)
    status: Mapped[OrderStatus] = mapped_column(enum(OrderStatus), index=True)
    # SEP-5: the connections last seen between the two; a change that adds one is a violation.
    connections: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    closed_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("staff_user.id"), nullable=True)
    close_reason: Mapped[str | None] = mapped_column(EncryptedText("separation_order.close_reason"), nullable=True)


class SeparationViolation(Base):
    """SEP-5: a personnel change that connected a separated pair."""

    __tablename__ = "separation_violation"
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    order_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("separation_order.id"), index=True)
    kind: Mapped[ConnectionKind] = mapped_column(enum(ConnectionKind))
    event_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("personnel_event.id"), nullable=True)
    detected_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ProtectedPerson(Base):
    """RET-1: the employees a case protects (victim, reporter, witnesses, helpers)."""

    __tablename__ = "protected_person"
    __table_args__ = (UniqueConstraint("case_id", "employee_id", "role"),)
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("case_file.id"), index=True)
    employee_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("employee.id"), index=True)
    role: Mapped[ProtectedRole] = mapped_column(enum(ProtectedRole))


class VictimWish(Base):
    """CASE-7: the victim's own recorded wish about protective measures (e.g. to move)."""

    __tablename__ = "victim_wish"
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("case_file.id"), index=True)
    wants_to_move: Mapped[bool] = mapped_column(Boolean)
    note: Mapped[str | None] = mapped_column(EncryptedText("victim_wish.note"), nullable=True)
    recorded_on: Mapped[date] = mapped_column(Date)
    recorded_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("staff_user.id"), nullable=True)


class RetaliationFlag(Base):
    """RET-1, RET-2: an adverse personnel event about a protected person, and the review it opened."""

    __tablename__ = "retaliation_flag"
    __table_args__ = (UniqueConstraint("event_id", "original_case_id"),)
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    event_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("personnel_event.id"))
    original_case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("case_file.id"), index=True)
    review_case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("case_file.id"), index=True)
    role: Mapped[ProtectedRole] = mapped_column(enum(ProtectedRole))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
