"""Sanctions (SAN-1 … SAN-3, SD-3), the victim's opinion (CASE-6), the unit head's measures (SAN-4) and the
respondent's ineligibility (SAN-5)."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.sql.expression import false

from app.db.encryption import CaseText, EncryptedText, EncryptedUuid
from app.db.models.base import Base, UTCDateTime, enum
from app.domain.joint_liability import HeadMeasureKind, HeadMeasureStatus
from app.domain.sanctions import SanctionLevel, SanctionStatus


class Sanction(Base):
    """SAN-2: proposed by a case handler, decided (or rejected) by a second person."""

    __tablename__ = "sanction"
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("case_file.id"), index=True)
    # The respondent: an employee of the directory (encrypted id), or (someone outside it) a label, encrypted.
    respondent_employee_id: Mapped[uuid.UUID | None] = mapped_column(
        EncryptedUuid("sanction.respondent_employee_id"), nullable=True
    )
    respondent_label: Mapped[str | None] = mapped_column(EncryptedText("sanction.respondent_label"), nullable=True)
    level: Mapped[SanctionLevel] = mapped_column(enum(SanctionLevel))
    months: Mapped[int | None] = mapped_column(Integer, nullable=True)
    mitigation_for_merit: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    status: Mapped[SanctionStatus] = mapped_column(enum(SanctionStatus), index=True)
    reason: Mapped[str] = mapped_column(EncryptedText("sanction.reason"))
    proposed_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("staff_user.id"))
    proposed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    decided_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("staff_user.id"), nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    decision_reason: Mapped[str | None] = mapped_column(EncryptedText("sanction.decision_reason"), nullable=True)


class VictimOpinion(Base):
    """CASE-6, SAN-3: the victim's opinion on discipline, recorded before any decision."""

    __tablename__ = "victim_opinion"
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("case_file.id"), index=True)
    __case_content__ = ("text",)  # issue 18: under the case's own key
    text: Mapped[str] = mapped_column(CaseText("victim_opinion.text"))
    recorded_on: Mapped[date] = mapped_column(Date)
    recorded_by: Mapped[str] = mapped_column(String(64))  # "victim" (through the inbox) or the staff member's id


class HeadMeasure(Base):
    """SAN-4: a measure for the head of the unit where a case was substantiated, tracked to completion."""

    __tablename__ = "head_measure"
    __table_args__ = (UniqueConstraint("case_id", "kind"),)
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("case_file.id"), index=True)
    # None: nobody on record (no unit head, no supervisor) — the obligation is flagged for the team.
    # Encrypted: the head of the respondent's unit would name the unit (review F3).
    head_employee_id: Mapped[uuid.UUID | None] = mapped_column(
        EncryptedUuid("head_measure.head_employee_id"), nullable=True
    )
    head_source: Mapped[str] = mapped_column(String(20))  # unit_head | supervisor | none
    kind: Mapped[HeadMeasureKind] = mapped_column(enum(HeadMeasureKind))
    min_days: Mapped[int | None] = mapped_column(Integer, nullable=True)
    status: Mapped[HeadMeasureStatus] = mapped_column(enum(HeadMeasureStatus), index=True)
    opened_on: Mapped[date] = mapped_column(Date)
    evidence_note: Mapped[str | None] = mapped_column(EncryptedText("head_measure.evidence_note"), nullable=True)
    done_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    done_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("staff_user.id"), nullable=True)


class RespondentIneligibility(Base):
    """SAN-5: a substantiated respondent is ineligible for performance bonus and key posts (recorded once per
    person: by MAC, with the encrypted id)."""

    __tablename__ = "respondent_ineligibility"
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    employee_mac: Mapped[str] = mapped_column(String(64), unique=True)
    employee_id: Mapped[uuid.UUID] = mapped_column(EncryptedUuid("respondent_ineligibility.employee_id"))
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("case_file.id"), index=True)
    recorded_on: Mapped[date] = mapped_column(Date)
