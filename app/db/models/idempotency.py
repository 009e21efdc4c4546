"""Stored answers of idempotent submissions (INT-5)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Integer,
    LargeBinary,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.db.models.base import Base, UTCDateTime


class IdempotencyRecord(Base):
    """INT-5: the stored answer to a request, sealed with a key derived from the client's Idempotency-Key,
    which the server never stores — so the receipt code inside cannot be read from the database."""

    __tablename__ = "idempotency_record"
    key_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    request_mac: Mapped[str] = mapped_column(String(64))
    response_status: Mapped[int] = mapped_column(Integer)
    sealed_response: Mapped[bytes] = mapped_column(LargeBinary)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
