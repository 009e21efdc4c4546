"""SQLAlchemy models. Sensitive columns are encrypted (ACC-2); relationships are never lazy-loaded."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    UniqueConstraint,
    Uuid,
    text,
)
from sqlalchemy import Enum as SAEnum
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.sql.expression import false
from sqlalchemy.types import TypeDecorator

from app.db.encryption import EncryptedJSON, EncryptedText
from app.domain.enums import (
    CaseOrigin,
    CaseStatus,
    Category,
    ClientKind,
    DeadlineKind,
    Finding,
    IdentityMode,
    MessageAuthor,
    OrgKind,
    ReporterKind,
    Role,
    Team,
)

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every database (SQLite returns naive ones)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def enum(cls: type) -> SAEnum:
    """Enums stored as their values in a plain string column (portable, no native type to migrate)."""
    return SAEnum(cls, native_enum=False, create_constraint=False, length=40, values_callable=_values)


def _values(cls: type) -> list[str]:
    return [m.value for m in cls]  # type: ignore[attr-defined]


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class TeamRow(Base):
    __tablename__ = "team"
    code: Mapped[Team] = mapped_column(enum(Team), primary_key=True)
    name_ko: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(100))


class StaffUser(Base):
    __tablename__ = "staff_user"
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    role: Mapped[Role] = mapped_column(enum(Role))
    team: Mapped[Team | None] = mapped_column(enum(Team), ForeignKey("team.code"), nullable=True)
    employee_number: Mapped[str | None] = mapped_column(String(40), nullable=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    totp_secret: Mapped[str] = mapped_column(EncryptedText("staff_user.totp_secret"))
    last_totp_step: Mapped[int] = mapped_column(Integer, default=0)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # "Sign out everywhere" and deactivation: sign-ins begun and access tokens issued before this are refused.
    sessions_valid_from: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # Account changes (role, team, status) name the version they were made against (If-Match), like cases.
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")


class StaffSession(Base):
    """A sign-in: its refresh tokens rotate; revoking it ends every token of the sign-in."""

    __tablename__ = "staff_session"
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("staff_user.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class RefreshToken(Base):
    __tablename__ = "refresh_token"
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    session_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("staff_session.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class MachineClient(Base):
    __tablename__ = "machine_client"
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    client_id: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[ClientKind] = mapped_column(enum(ClientKind))
    secret_hash: Mapped[str] = mapped_column(String(200))
    scopes: Mapped[list[str]] = mapped_column(JSON)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Case(Base):
    __tablename__ = "case_file"
    # The queue (app/db/repositories/case.py::list_visible) reads these two indexes alone, never the rows, which
    # carry the encrypted columns. Newest first walks the first in order (a deep offset skips index entries only);
    # a count, and the next-deadline order's look-up of a deadline's case, use the second, in case id order, so
    # the per-case look-ups into case_deadline (also keyed by case_id first) stay local.
    __table_args__ = (
        Index("ix_case_file_queue_cover", "opened_on", "reference", "id", "sealed", "team", "status"),
        Index("ix_case_file_id_cover", "id", "sealed", "team", "status", "opened_on", "reference"),
    )
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    reference: Mapped[str] = mapped_column(String(20), unique=True)
    status: Mapped[CaseStatus] = mapped_column(enum(CaseStatus), index=True)
    finding: Mapped[Finding | None] = mapped_column(enum(Finding), nullable=True)
    team: Mapped[Team] = mapped_column(enum(Team), ForeignKey("team.code"), index=True)
    category: Mapped[Category] = mapped_column(enum(Category))
    org_kind: Mapped[OrgKind | None] = mapped_column(enum(OrgKind), nullable=True)
    # INT-1: staff see the day of receipt; the exact time is kept only encrypted (for deadlines).
    opened_on: Mapped[date] = mapped_column(Date, index=True)
    received_at: Mapped[str] = mapped_column(EncryptedText("case_file.received_at"))
    # RET-2, SD-2: a secondary-damage case is linked to the original.
    parent_case_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("case_file.id"), nullable=True, index=True)
    origin: Mapped[CaseOrigin] = mapped_column(enum(CaseOrigin), default=CaseOrigin.report)
    closed_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    # CASE-3 recusal and CASE-8 matching: the respondent as found in the personnel directory, if at all.
    respondent_employee_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("employee.id"), nullable=True, index=True
    )
    # CASE-8 escrow: a sealed case is invisible to staff until a second, independent report names the same
    # respondent; then both are released.
    sealed: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    version: Mapped[int] = mapped_column(Integer, default=1)
    __mapper_args__ = {"version_id_col": version}


class CaseTransition(Base):
    """CASE-1: every status change, with its reason (encrypted: it may describe the case)."""

    __tablename__ = "case_transition"
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("case_file.id"), index=True)
    from_status: Mapped[CaseStatus] = mapped_column(enum(CaseStatus))
    to_status: Mapped[CaseStatus] = mapped_column(enum(CaseStatus))
    finding: Mapped[Finding | None] = mapped_column(enum(Finding), nullable=True)
    reason: Mapped[str] = mapped_column(EncryptedText("case_transition.reason"))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    by_user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("staff_user.id"))


class CaseAssignment(Base):
    __tablename__ = "case_assignment"
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("case_file.id"), primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("staff_user.id"), primary_key=True, index=True)
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Report(Base):
    """One submission. A case has one report or more (CASE-8 joins them later)."""

    __tablename__ = "report"
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("case_file.id"), index=True)
    reporter_kind: Mapped[ReporterKind] = mapped_column(enum(ReporterKind))
    identity_mode: Mapped[IdentityMode] = mapped_column(enum(IdentityMode))
    # INT-4: a non-secret locator and an Argon2id hash of the whole receipt code.
    locator: Mapped[str] = mapped_column(String(16), unique=True)
    receipt_hash: Mapped[str] = mapped_column(String(200))
    receipt_failures: Mapped[int] = mapped_column(Integer, default=0)
    receipt_locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    narrative: Mapped[str] = mapped_column(EncryptedText("report.narrative"))
    identity: Mapped[dict[str, Any] | None] = mapped_column(EncryptedJSON("report.identity"), nullable=True)
    details: Mapped[dict[str, Any]] = mapped_column(EncryptedJSON("report.details"))
    # CASE-8: keyed hash of the respondent's employee number, for matching without revealing it.
    respondent_key: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    received_on: Mapped[date] = mapped_column(Date)


class CaseDeadline(Base):
    """CASE-2: every deadline is data on the case."""

    __tablename__ = "case_deadline"
    # The queue's `overdue` filter and next-deadline order read deadlines from these indexes alone: a case's open
    # (met_on IS NULL) ones by case, and every open one by due day (the next-deadline order walks it and stops
    # after the page). `id` breaks ties between two open deadlines of a case due the same day.
    __table_args__ = (
        UniqueConstraint("case_id", "kind"),
        Index("ix_case_deadline_open_by_case", "case_id", "met_on", "due_on", "id"),
        Index(
            "ix_case_deadline_open_by_due",
            "due_on",
            "case_id",
            "id",
            "met_on",  # always NULL here; listed so that SQLite reads the partial index alone
            sqlite_where=text("met_on IS NULL"),
            postgresql_where=text("met_on IS NULL"),
        ),
    )
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("case_file.id"), index=True)
    kind: Mapped[DeadlineKind] = mapped_column(enum(DeadlineKind))
    due_on: Mapped[date] = mapped_column(Date, index=True)
    met_on: Mapped[date | None] = mapped_column(Date, nullable=True)


class CaseMessage(Base):
    """CASE-4: the conversation between case team and reporter, and internal notes."""

    __tablename__ = "case_message"
    __table_args__ = (UniqueConstraint("case_id", "seq"),)
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("case_file.id"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    author: Mapped[MessageAuthor] = mapped_column(enum(MessageAuthor))
    author_user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("staff_user.id"), nullable=True)
    internal: Mapped[bool] = mapped_column(Boolean, default=False)
    body: Mapped[str] = mapped_column(EncryptedText("case_message.body"))
    # INT-1: a reporter's message carries its day only; staff messages also their time.
    sent_on: Mapped[date] = mapped_column(Date)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class AuditEntry(Base):
    """AUD-1: append-only, hash-chained. Who, what, when, which case; never content."""

    __tablename__ = "audit_entry"
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor_kind: Mapped[str] = mapped_column(String(20))
    actor_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    action: Mapped[str] = mapped_column(String(60), index=True)
    case_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True, index=True)
    target: Mapped[str | None] = mapped_column(String(100), nullable=True)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))

    def chained_fields(self) -> dict[str, object]:
        return {
            "seq": self.seq,
            "at": self.at.isoformat(),
            "actor_kind": self.actor_kind,
            "actor_id": self.actor_id,
            "action": self.action,
            "case_id": str(self.case_id) if self.case_id else None,
            "target": self.target,
        }


class IdempotencyRecord(Base):
    """INT-5: the stored answer to a request, sealed with a key derived from the client's Idempotency-Key,
    which the server never stores — so the receipt code inside cannot be read from the database."""

    __tablename__ = "idempotency_record"
    key_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    request_mac: Mapped[str] = mapped_column(String(64))
    response_status: Mapped[int] = mapped_column(Integer)
    sealed_response: Mapped[bytes] = mapped_column(LargeBinary)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
