"""Separation orders and their violations (SEP), protected persons, victims' wishes (CASE-7) and retaliation flags
(RET-1)."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import JSON, Boolean, Date, ForeignKey, String, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.sql.expression import false

from app.db.encryption import EncryptedText, EncryptedUuid
from app.db.models.base import Base, enum
from app.domain.enums import (
    ConnectionKind,
    OrderStatus,
    ProtectedRole,
)


class SeparationOrder(Base):
    """SEP-1: the two people it separates are named by MACs (look-ups) and encrypted ids (read back), never by
    foreign keys into the directory, and it carries days, not times (app.db.links; security review F3)."""

    __tablename__ = "separation_order"
    __table_args__ = (UniqueConstraint("case_id", "victim_mac", "respondent_mac"),)
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    reference: Mapped[str] = mapped_column(String(20), unique=True)
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("case_file.id"), index=True)
    victim_mac: Mapped[str] = mapped_column(String(64), index=True)
    respondent_mac: Mapped[str] = mapped_column(String(64), index=True)
    victim_id: Mapped[uuid.UUID] = mapped_column(EncryptedUuid("separation_order.victim_id"))
    respondent_id: Mapped[uuid.UUID] = mapped_column(EncryptedUuid("separation_order.respondent_id"))
    status: Mapped[OrderStatus] = mapped_column(enum(OrderStatus), index=True)
    # SEP-1 (security review F11): opened by an anonymous third party's report, enforced, and waiting for the case
    # team to confirm it (or a team lead to lift it) at triage.
    awaiting_triage: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # SEP-5: the connections last seen between the two; a change that adds one is a violation.
    connections: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    opened_on: Mapped[date] = mapped_column(Date)
    closed_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    closed_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("staff_user.id"), nullable=True)
    close_reason: Mapped[str | None] = mapped_column(EncryptedText("separation_order.close_reason"), nullable=True)


class SeparationViolation(Base):
    """SEP-5: a personnel change that connected a separated pair. Open until a later change puts the two apart again
    (resolved by itself: no `resolved_by`) or a team lead records how it was resolved."""

    __tablename__ = "separation_violation"
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    order_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("separation_order.id"), index=True)
    kind: Mapped[ConnectionKind] = mapped_column(enum(ConnectionKind))
    # The event is about one of the two: encrypted, and the day only (its time would match the event's).
    event_id: Mapped[uuid.UUID | None] = mapped_column(EncryptedUuid("separation_violation.event_id"), nullable=True)
    detected_on: Mapped[date] = mapped_column(Date)
    resolved_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    resolved_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("staff_user.id"), nullable=True)
    resolution: Mapped[str | None] = mapped_column(EncryptedText("separation_violation.resolution"), nullable=True)


class PendingParty(Base):
    """SEP-1: an employee number an open case names (victim, respondent, reporter, witness) that the directory did
    not know when the case started running, by MAC only: when a sync brings that number, the case's order opens."""

    __tablename__ = "pending_party"
    __table_args__ = (UniqueConstraint("case_id", "employee_mac"),)
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("case_file.id"), index=True)
    employee_mac: Mapped[str] = mapped_column(String(64), index=True)


class ProtectedPerson(Base):
    """RET-1: the employees a case protects (victim, reporter, witnesses, helpers), by MAC and encrypted id."""

    __tablename__ = "protected_person"
    __table_args__ = (UniqueConstraint("case_id", "employee_mac", "role"),)
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("case_file.id"), index=True)
    employee_mac: Mapped[str] = mapped_column(String(64), index=True)
    employee_id: Mapped[uuid.UUID] = mapped_column(EncryptedUuid("protected_person.employee_id"))
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
    __table_args__ = (UniqueConstraint("event_mac", "original_case_id"),)
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    # The event is about a protected person of the original case: by MAC and encrypted id, and the day only.
    event_mac: Mapped[str] = mapped_column(String(64))
    event_id: Mapped[uuid.UUID] = mapped_column(EncryptedUuid("retaliation_flag.event_id"))
    original_case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("case_file.id"), index=True)
    review_case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("case_file.id"), index=True)
    role: Mapped[ProtectedRole] = mapped_column(enum(ProtectedRole))
    created_on: Mapped[date] = mapped_column(Date)
