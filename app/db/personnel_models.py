"""The personnel directory (kept current by the personnel system), separation orders, the retaliation watch,
and the outbox of webhooks. Only what separation and the retaliation watch need: no names, no pay, no files."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from app.db.encryption import EncryptedText
from app.db.models import Base, UTCDateTime, enum
from app.domain.enums import (
    AssignmentKind,
    ConnectionKind,
    EmployeeStatus,
    OrderStatus,
    OrgKind,
    OutboxStatus,
    PersonnelEventKind,
    ProtectedRole,
)


class Organisation(Base):
    __tablename__ = "organisation"
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    external_id: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[OrgKind] = mapped_column(enum(OrgKind))


class OrgUnit(Base):
    __tablename__ = "org_unit"
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    external_id: Mapped[str] = mapped_column(String(64), unique=True)
    organisation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisation.id"), index=True)
    parent_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("org_unit.id"), nullable=True, index=True)
    name: Mapped[str] = mapped_column(String(200))
    # SAN-4: the unit's head (joint liability). use_alter: employee and org_unit refer to each other.
    head_employee_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("employee.id", use_alter=True), nullable=True, index=True
    )


class Employee(Base):
    """Each placement field carries the effective time of the change that set it, so events that arrive out of
    order never overwrite a later state (last writer by effective time wins)."""

    __tablename__ = "employee"
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    employee_number: Mapped[str] = mapped_column(String(40), unique=True)
    organisation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisation.id"), index=True)
    unit_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("org_unit.id"), nullable=True, index=True)
    supervisor_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("employee.id"), nullable=True, index=True)
    status: Mapped[EmployeeStatus] = mapped_column(enum(EmployeeStatus))
    retired_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    unit_effective_at: Mapped[datetime] = mapped_column(UTCDateTime)
    supervisor_effective_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status_effective_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Assignment(Base):
    __tablename__ = "assignment"
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    external_id: Mapped[str] = mapped_column(String(64), unique=True)
    organisation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisation.id"), index=True)
    kind: Mapped[AssignmentKind] = mapped_column(enum(AssignmentKind))
    name: Mapped[str] = mapped_column(String(200))


class AssignmentMember(Base):
    """Membership by effective time: `member` is the state set by the latest change for this pair."""

    __tablename__ = "assignment_member"
    assignment_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("assignment.id"), primary_key=True)
    employee_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("employee.id"), primary_key=True, index=True)
    member: Mapped[bool] = mapped_column(Boolean)
    effective_at: Mapped[datetime] = mapped_column(UTCDateTime)


class PersonnelEvent(Base):
    """An incremental change from the personnel system; idempotent by its event id."""

    __tablename__ = "personnel_event"
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    event_id: Mapped[str] = mapped_column(String(100), unique=True)
    employee_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("employee.id"), index=True)
    kind: Mapped[PersonnelEventKind] = mapped_column(enum(PersonnelEventKind))
    effective_at: Mapped[datetime] = mapped_column(UTCDateTime)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    outcome: Mapped[str] = mapped_column(String(20))  # applied | superseded | recorded


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
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
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
