"""Evidence files and their downloads (ACC-2, AUD-1). The file's bytes live encrypted in the file store under
`stored_name`; the row holds only what the case team needs to list them. The uploader's file name is never
stored (it may name a person or a device), and neither is a hash of the content (it would confirm a guess)."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from app.db.encryption import CaseText, EncryptedText
from app.db.models.base import Base, UTCDateTime, enum
from app.domain.evidence import EvidenceType, Uploader


class EvidenceFile(Base):
    __tablename__ = "evidence_file"
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("case_file.id"), index=True)
    uploaded_by: Mapped[Uploader] = mapped_column(enum(Uploader))
    # The staff member who uploaded; for the reporter, the report whose inbox token was used (so a reporter
    # lists only their own files when several reports share a case, CASE-8).
    uploaded_by_user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("staff_user.id"), nullable=True)
    report_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("report.id"), nullable=True, index=True)
    # The type found by sniffing the content, after cleaning (never the client's claim).
    media_type: Mapped[EvidenceType] = mapped_column(enum(EvidenceType))
    size: Mapped[int] = mapped_column(Integer)
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    __case_content__ = ("description",)  # issue 18: under the case's own key, like the file
    description: Mapped[str | None] = mapped_column(CaseText("evidence_file.description"), nullable=True)
    # INT-1: a reporter's upload carries its day only; a staff upload also its time.
    created_on: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class EvidenceAccess(Base):
    """Every download, with the reason given for it (encrypted: it may describe the case)."""

    __tablename__ = "evidence_access"
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    evidence_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("evidence_file.id"), index=True)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("staff_user.id"))
    reason: Mapped[str] = mapped_column(EncryptedText("evidence_access.reason"))
    accessed_at: Mapped[datetime] = mapped_column(UTCDateTime)
