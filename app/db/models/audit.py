"""The append-only, hash-chained audit log (AUD-1)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import (
    Integer,
    String,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.db.models.base import Base, UTCDateTime
from app.domain.audit_chain import MAIN_CHAIN, REPORTER_CHAIN


class AuditEntry(Base):
    """AUD-1: append-only, hash-chained. Who, what, when, which case; never content."""

    __tablename__ = "audit_entry"
    # INT-1: which chain the entry belongs to; each chain numbers its entries 1, 2, 3, … (app.domain.audit_chain).
    chain: Mapped[str] = mapped_column(String(10), primary_key=True, default=MAIN_CHAIN, server_default=MAIN_CHAIN)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    actor_kind: Mapped[str] = mapped_column(String(20))
    actor_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    action: Mapped[str] = mapped_column(String(60), index=True)
    case_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True, index=True)
    target: Mapped[str | None] = mapped_column(String(100), nullable=True)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))

    def chained_fields(self) -> dict[str, object]:
        """What the entry's hash covers. A reporter-chain entry names its chain too (it cannot be passed off as a
        main-chain entry); main-chain entries hash as they always have."""
        fields: dict[str, object] = {
            "seq": self.seq,
            "at": self.at.isoformat(),
            "actor_kind": self.actor_kind,
            "actor_id": self.actor_id,
            "action": self.action,
            "case_id": str(self.case_id) if self.case_id else None,
            "target": self.target,
        }
        if self.chain == REPORTER_CHAIN:
            fields["chain"] = REPORTER_CHAIN
        return fields
