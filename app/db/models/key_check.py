"""The master key's check value (ACC-2): which key this database's encrypted data is written under."""

from __future__ import annotations

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.db.models.base import Base


class KeyCheck(Base):
    """One row (id 1): an HMAC of a fixed label under the master key, written at the first migrate or start. A
    process whose key gives another value refuses to start (reliability review, finding 5)."""

    __tablename__ = "key_check"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    value: Mapped[str] = mapped_column(String(64))
