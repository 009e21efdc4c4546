"""DATA-1: an operator's legal hold on a case's content (set and lifted by the division head, with reasons)."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import Date, ForeignKey, Index, Uuid, text
from sqlalchemy.orm import Mapped, mapped_column

from app.db.encryption import EncryptedText
from app.db.models.base import Base


class LegalHold(Base):
    """While a hold is set (`lifted_on` is NULL) the case's content is never destroyed. The reasons are encrypted:
    they may describe the case (a lawsuit, a request of a court); the row is kept when the hold is lifted."""

    __tablename__ = "legal_hold"
    # One hold set per case at most.
    __table_args__ = (
        Index(
            "uq_legal_hold_set_case",
            "case_id",
            unique=True,
            sqlite_where=text("lifted_on IS NULL"),
            postgresql_where=text("lifted_on IS NULL"),
        ),
    )
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("case_file.id"), index=True)
    reason: Mapped[str] = mapped_column(EncryptedText("legal_hold.reason"))
    set_on: Mapped[date] = mapped_column(Date)
    set_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("staff_user.id"))
    lifted_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    lifted_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("staff_user.id"), nullable=True)
    lift_reason: Mapped[str | None] = mapped_column(EncryptedText("legal_hold.lift_reason"), nullable=True)
