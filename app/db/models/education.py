"""MAN-3: education sessions (per role of the manual, the yearly prevention training, #WithU education and expert
training for citizens' workplaces, WU-1) and attendance against the personnel directory."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from app.db.models.base import Base, UTCDateTime, enum
from app.domain.education import Audience, SessionKind


class EducationSession(Base):
    """A directory session may be scoped to an organisation and a unit; a #WithU session names a citizen's
    workplace and counts its attendees by headcount."""

    __tablename__ = "education_session"
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    kind: Mapped[SessionKind] = mapped_column(enum(SessionKind), index=True)
    audience: Mapped[Audience] = mapped_column(enum(Audience))
    title: Mapped[str] = mapped_column(String(200))
    day: Mapped[date] = mapped_column(Date, index=True)
    organisation_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("organisation.id"), nullable=True)
    unit_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("org_unit.id"), nullable=True)
    workplace: Mapped[str | None] = mapped_column(String(200), nullable=True)
    capacity: Mapped[int | None] = mapped_column(Integer, nullable=True)
    headcount: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("staff_user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class EducationAttendance(Base):
    """One employee attended one session: recorded once, however often it is sent."""

    __tablename__ = "education_attendance"
    session_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("education_session.id"), primary_key=True)
    employee_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("employee.id"), primary_key=True, index=True)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
