"""Workplaces outside the city government: contracts with commissioned organisations and their follow-up
obligations (CON-1, CON-2), and the support citizens of poorly protected workplaces ask for (WU-1)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, ForeignKey, String, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from app.db.encryption import EncryptedJSON, EncryptedText
from app.db.models.base import Base, UTCDateTime, enum
from app.domain.contracts import CancellationGround, ContractStatus, ObligationStatus
from app.domain.statistics import SupportKind


class Contract(Base):
    __tablename__ = "contract"
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    organisation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisation.id"), index=True)
    number: Mapped[str] = mapped_column(String(64), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    status: Mapped[ContractStatus] = mapped_column(enum(ContractStatus), index=True)
    # The contractor's contractor_portal client: it sees this contract's obligations, and only those.
    machine_client_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("machine_client.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    cancellation_ground: Mapped[CancellationGround | None] = mapped_column(enum(CancellationGround), nullable=True)
    cancellation_reason: Mapped[str | None] = mapped_column(
        EncryptedText("contract.cancellation_reason"), nullable=True
    )
    cancellation_initiated_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    # None when the deadline scan initiated it: then any team lead or the division head confirms.
    cancellation_initiated_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("staff_user.id"), nullable=True)
    cancelled_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    cancelled_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("staff_user.id"), nullable=True)


class Obligation(Base):
    """CON-1: the contractor records its measures for a case at its workplace by `due_on`."""

    __tablename__ = "obligation"
    __table_args__ = (UniqueConstraint("case_id", "contract_id"),)
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("case_file.id"), index=True)
    contract_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("contract.id"), index=True)
    status: Mapped[ObligationStatus] = mapped_column(enum(ObligationStatus), index=True)
    opened_on: Mapped[date] = mapped_column(Date)
    due_on: Mapped[date] = mapped_column(Date, index=True)
    # {investigation, protection_of_victim, discipline}: may describe the people involved.
    measures: Mapped[dict[str, Any] | None] = mapped_column(EncryptedJSON("obligation.measures"), nullable=True)
    recorded_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    reviewed_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    reviewed_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("staff_user.id"), nullable=True)
    review_reason: Mapped[str | None] = mapped_column(EncryptedText("obligation.review_reason"), nullable=True)


class SupportRequest(Base):
    """WU-1: support a reporter asked for (counted under #WithU for citizens' workplaces)."""

    __tablename__ = "support_request"
    __table_args__ = (UniqueConstraint("case_id", "kind"),)
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("case_file.id"), index=True)
    kind: Mapped[SupportKind] = mapped_column(enum(SupportKind))
    requested_on: Mapped[date] = mapped_column(Date)
