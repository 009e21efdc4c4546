"""The personnel directory, kept current by the personnel system. Only what separation and the retaliation watch
need: no names, no pay, no files."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import Boolean, Date, ForeignKey, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from app.db.encryption import EncryptedJSON
from app.db.models.base import Base, UTCDateTime, enum
from app.domain.enums import (
    AssignmentKind,
    EmployeeStatus,
    OrgKind,
    PersonnelEventKind,
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
    # Encrypted: a change may name the separation order it carries out, beside the employee (security review F3).
    data: Mapped[dict[str, Any]] = mapped_column(EncryptedJSON("personnel_event.data"))
    outcome: Mapped[str] = mapped_column(String(20))  # applied | superseded | recorded
