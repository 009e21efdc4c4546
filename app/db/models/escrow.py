"""CASE-8 (security review F4): possible escrow matches that wait for the case team, and the content-free alerts
raised to the team (F4's escrow limit, F11's anonymous separation orders)."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.sql.expression import false

from app.db.models.base import Base, UTCDateTime, enum
from app.domain.enums import AlertKind, EscrowMatchStatus


class EscrowMatch(Base):
    """Two reports naming the same respondent, one of them in escrow, whose reporters cannot be told apart (an
    anonymous reporter has no identity to compare): nothing is linked or released until a team lead or the
    division head confirms. `new_case_id` came in last."""

    __tablename__ = "escrow_match"
    __table_args__ = (UniqueConstraint("new_case_id", "other_case_id"),)
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    new_case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("case_file.id"), index=True)
    other_case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("case_file.id"), index=True)
    status: Mapped[EscrowMatchStatus] = mapped_column(enum(EscrowMatchStatus), index=True)
    raised_on: Mapped[date] = mapped_column(Date)
    decided_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("staff_user.id"), nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class TeamAlert(Base):
    """A content-free alert to the case team, one per kind, person and day: `subject_key` is the keyed hash of
    the employee number concerned (never shown); `count` how often it happened that day. `raised` once `count`
    reached the alert's threshold — only raised alerts are shown."""

    __tablename__ = "team_alert"
    __table_args__ = (UniqueConstraint("kind", "subject_key", "day"),)
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    kind: Mapped[AlertKind] = mapped_column(enum(AlertKind))
    subject_key: Mapped[str] = mapped_column(String(64))
    day: Mapped[date] = mapped_column(Date, index=True)
    count: Mapped[int] = mapped_column(Integer, default=0)
    raised: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    acknowledged_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("staff_user.id"), nullable=True)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
