"""Issue 18 (ACC-1, ACC-2): the wraps of each case's content key, and the recovery key (app.db.case_keys)."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from app.db.models.base import Base, UTCDateTime


class CaseKeyWrap(Base):
    """A case's content key sealed for one holder: "staff:<account id>" (to their public key), "reporter:<report
    id>" (under the key of their receipt code) or "recovery:<key id>" (to the recovery key). Destroying a case's
    wraps makes its content unreadable (DATA-1's crypto-shredding)."""

    __tablename__ = "case_key_wrap"
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("case_file.id"), primary_key=True)
    holder: Mapped[str] = mapped_column(String(80), primary_key=True, index=True)
    sealed: Mapped[bytes] = mapped_column(LargeBinary)


class CaseKeyRequest(Base):
    """A reader under ACC-1 who found no wrap of the case's key (409 `case-key-not-shared`): the next colleague who
    holds the key and signs in shares it (app.services.case_keys.share_requested), if the reader still reads it."""

    __tablename__ = "case_key_request"
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("case_file.id"), primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("staff_user.id"), primary_key=True, index=True)
    requested_on: Mapped[date] = mapped_column(Date)


class RecoveryKey(Base):
    """The recovery key's public half (`withu recovery init`): every case's key is also wrapped to it. Its private
    half exists only as Shamir shares held by named officers, never whole on the server."""

    __tablename__ = "recovery_key"
    id: Mapped[str] = mapped_column(String(16), primary_key=True)
    public_key: Mapped[bytes] = mapped_column(LargeBinary)
    threshold: Mapped[int] = mapped_column(Integer)
    holders: Mapped[list[str]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
