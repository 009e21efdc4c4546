"""Identity protection (CASE-5), interim protective measures (CASE-7), linked reports (CASE-8)."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, String, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from app.db.encryption import EncryptedText
from app.db.models.base import Base, UTCDateTime, enum
from app.domain.enums import DisclosureStatus, MeasureKind, MeasureStatus, VictimConsent


class DisclosureRequest(Base):
    """CASE-5: someone outside the assigned team asks to see the victim's identity; a second person decides."""

    __tablename__ = "disclosure_request"
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("case_file.id"), index=True)
    requester_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("staff_user.id"), index=True)
    reason: Mapped[str] = mapped_column(EncryptedText("disclosure_request.reason"))
    status: Mapped[DisclosureStatus] = mapped_column(enum(DisclosureStatus), index=True)
    victim_consent: Mapped[VictimConsent | None] = mapped_column(enum(VictimConsent), nullable=True)
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime)
    decided_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("staff_user.id"), nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class ProtectiveMeasure(Base):
    """CASE-7: an interim measure, applied only with the victim's recorded wish."""

    __tablename__ = "protective_measure"
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("case_file.id"), index=True)
    kind: Mapped[MeasureKind] = mapped_column(enum(MeasureKind))
    status: Mapped[MeasureStatus] = mapped_column(enum(MeasureStatus))
    note: Mapped[str | None] = mapped_column(EncryptedText("protective_measure.note"), nullable=True)
    offered_on: Mapped[date] = mapped_column(Date)
    answered_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    answered_by: Mapped[str | None] = mapped_column(String(20), nullable=True)  # "victim" (inbox) or "team"
    applied_on: Mapped[date | None] = mapped_column(Date, nullable=True)


class CaseLink(Base):
    """CASE-8: two cases naming the same respondent (the pair is stored once, smaller id first)."""

    __tablename__ = "case_link"
    __table_args__ = (UniqueConstraint("case_a", "case_b"),)
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    case_a: Mapped[uuid.UUID] = mapped_column(ForeignKey("case_file.id"), index=True)
    case_b: Mapped[uuid.UUID] = mapped_column(ForeignKey("case_file.id"), index=True)
    reason: Mapped[str] = mapped_column(String(40))
    linked_on: Mapped[date] = mapped_column(Date)
