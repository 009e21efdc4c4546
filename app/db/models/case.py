"""Cases, their transitions, handlers, reports, deadlines and messages. Sensitive columns are encrypted (ACC-2)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    UniqueConstraint,
    Uuid,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.sql.expression import false

from app.db.encryption import CaseJSON, CaseText, EncryptedJSON, EncryptedText, EncryptedUuid
from app.db.models.base import Base, UTCDateTime, enum
from app.domain.enums import (
    CaseOrigin,
    CaseStatus,
    Category,
    DeadlineKind,
    Finding,
    IdentityMode,
    MessageAuthor,
    OrgKind,
    ReporterKind,
    Team,
)


class Case(Base):
    __tablename__ = "case_file"
    # The queue (app/db/repositories/case.py::list_visible) reads three indexes of the cases staff may see at all
    # (partial: not sealed, CASE-8) alone, never the rows, which carry the encrypted columns, until its page: one
    # per order, with the columns in the order's own directions, so that a page is a walk of its entries from either
    # end (migration 0029) — newest first, and the next-deadline order (nearest next_due_on first, within a day
    # newest first; the cases with none come after, newest first, from the same index) — declared after the class
    # (descending columns); and a narrow one for counts. The queue names them to SQLite (INDEXED BY): without
    # statistics its planner would take a one-column index on `status` for a handful of rows.
    __table_args__ = (
        Index(
            "ix_case_file_queue_count",
            "team",
            "status",
            "met_late",
            "next_due_on",
            "sealed",  # always false here; listed so that SQLite reads the partial index alone
            sqlite_where=text("sealed = 0"),
            postgresql_where=text("sealed = false"),
        ),
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
    # INT-1, the queue's newest first: the order of arrival of a reporter-made case among the reporter-made cases
    # of its day (1, 2, 3, …), never a time; 0 for the cases the system opens (watch reviews, exactly timed
    # elsewhere), which come after the day's reports (docs/security.md "Times").
    arrival: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # RET-2, SD-2: a secondary-damage case is linked to the original.
    parent_case_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("case_file.id"), nullable=True, index=True)
    origin: Mapped[CaseOrigin] = mapped_column(enum(CaseOrigin), default=CaseOrigin.report)
    closed_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    # CASE-3 recusal: the respondent as found in the personnel directory, if at all — by MAC (the recusal SQL's
    # look-up) and encrypted id (read back), never by a key into the directory (app.db.links; review F3).
    respondent_mac: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    respondent_employee_id: Mapped[uuid.UUID | None] = mapped_column(
        EncryptedUuid("case_file.respondent_employee_id"), nullable=True
    )
    # CASE-8 escrow: a sealed case is invisible to staff until a second, independent report names the same
    # respondent; then both are released.
    sealed: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # DATA-1: the day the case's content was destroyed (app/services/retention.py); it answers as destroyed since.
    content_destroyed_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    # CASE-2, kept by the database itself (triggers on case_deadline, migration 0029), never written by the app: the
    # earliest due day of the case's unmet deadlines (NULL: none; the queue's next-deadline order), and whether a
    # deadline was met after its due day. A case is overdue (is_breached of any deadline) exactly when met_late, or
    # next_due_on is before today. A migration that copies case_file or case_deadline on SQLite (a batch "move and
    # copy") must drop those triggers first and create them again afterwards (SQLite refuses the rename otherwise).
    next_due_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    met_late: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # Issue 18: the public half of the case's content key (app.db.case_keys): anyone may add content that only the
    # case's readers open. NULL: a case from before per-case keys, under the master key until `withu migrate`.
    content_key: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    __mapper_args__ = {"version_id_col": version}


# The queue's two order indexes (see Case): descending columns, so declared with the columns themselves.
Index(
    "ix_case_file_queue_newest",
    Case.opened_on.desc(),
    Case.arrival.desc(),
    Case.reference,
    Case.id,
    Case.team,
    Case.status,
    Case.met_late,
    Case.next_due_on,
    Case.sealed,
    sqlite_where=text("sealed = 0"),
    postgresql_where=text("sealed = false"),
)
Index(
    "ix_case_file_queue_due",
    Case.next_due_on,
    Case.opened_on.desc(),
    Case.arrival.desc(),
    Case.reference,
    Case.id,
    Case.team,
    Case.status,
    Case.met_late,
    Case.sealed,
    sqlite_where=text("sealed = 0"),
    postgresql_where=text("sealed = false"),
)


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
    # Issue 18: the narrative, the reporter's identity and the rest of the body as reported (the people named, the
    # workplace, when and where) under the case's own key (app.db.case_keys); what the server itself must act on,
    # apart in `facts` (app.services.case_opened.facts_to_store: employee numbers, flags, keyed hashes), under the
    # master key. `facts` NULL: a report from before the two were kept apart (read from `details` until migrated).
    __case_content__ = ("narrative", "identity", "details")
    narrative: Mapped[str] = mapped_column(CaseText("report.narrative"))
    identity: Mapped[dict[str, Any] | None] = mapped_column(CaseJSON("report.identity"), nullable=True)
    details: Mapped[dict[str, Any]] = mapped_column(CaseJSON("report.details"))
    facts: Mapped[dict[str, Any] | None] = mapped_column(EncryptedJSON("report.facts"), nullable=True)
    # CASE-8: keyed hash of the respondent's employee number, for matching without revealing it.
    respondent_key: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    received_on: Mapped[date] = mapped_column(Date)
    # CASE-8 (security review F4): an escrow report over the limit for its respondent, kept sealed; it never
    # counts toward a release.
    escrow_held_out: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class CaseDeadline(Base):
    """CASE-2: every deadline is data on the case."""

    __tablename__ = "case_deadline"
    # A case's deadlines by case (the triggers that keep case_file.next_due_on and met_late, migration 0029, read a
    # case's earliest open one from it), and every open one by due day (the deadline scan, notifications).
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
    # CASE-2: who met it (the staff member whose act or record met it; none when WithU met it at once) and, for the
    # public body's duties recorded by hand, the document's reference (the ministry's receipt number, the plan's).
    met_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("staff_user.id"), nullable=True)
    reference: Mapped[str | None] = mapped_column(String(100), nullable=True)


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
    __case_content__ = ("body",)  # issue 18: under the case's own key
    body: Mapped[str] = mapped_column(CaseText("case_message.body"))
    # INT-1: a reporter's message carries its day only; staff messages also their time.
    sent_on: Mapped[date] = mapped_column(Date)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class CaseReadMarker(Base):
    """The queue's unread marker: the last message of a case (by its number) a staff member has seen."""

    __tablename__ = "case_read_marker"
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("case_file.id"), primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("staff_user.id"), primary_key=True)
    message_seq: Mapped[int] = mapped_column(Integer)
