"""AMB-1, AMB-2: the registry of publicity ambassadors, the memorial places under their names, and the cases
that name them."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, ForeignKey, String, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from app.db.encryption import EncryptedJSON, EncryptedUuid
from app.db.models.base import Base, UTCDateTime, enum
from app.domain.ambassadors import CancelBasis, DesignationStatus, PlaceStatus


class Ambassador(Base):
    __tablename__ = "ambassador"
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    public_name: Mapped[str] = mapped_column(String(200))
    status: Mapped[DesignationStatus] = mapped_column(enum(DesignationStatus), index=True)
    designated_on: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    cancelled_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    cancel_basis: Mapped[CancelBasis | None] = mapped_column(enum(CancelBasis), nullable=True)
    # A recorded conviction's court, date and note (encrypted: it is about a person).
    cancel_reason: Mapped[dict[str, Any] | None] = mapped_column(
        EncryptedJSON("ambassador.cancel_reason"), nullable=True
    )
    cancelled_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("staff_user.id"), nullable=True)


class MemorialPlace(Base):
    __tablename__ = "memorial_place"
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    ambassador_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("ambassador.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    location: Mapped[str] = mapped_column(String(200))
    status: Mapped[PlaceStatus] = mapped_column(enum(PlaceStatus))
    opened_on: Mapped[date] = mapped_column(Date)
    shut_on: Mapped[date | None] = mapped_column(Date, nullable=True)


class CaseAmbassador(Base):
    """AMB-2: a case whose respondent is an ambassador (named in the report, or linked by the case team). The
    ambassador is named by MAC and encrypted id: the registry is public, so a plain key would name the respondent
    (app.db.links; security review F3)."""

    __tablename__ = "case_ambassador"
    __table_args__ = (UniqueConstraint("case_id", "ambassador_mac"),)
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("case_file.id"), index=True)
    ambassador_mac: Mapped[str] = mapped_column(String(64), index=True)
    ambassador_id: Mapped[uuid.UUID] = mapped_column(EncryptedUuid("case_ambassador.ambassador_id"))
    linked_on: Mapped[date] = mapped_column(Date)
