"""CASE-1 with four eyes (security review F5): a handler's proposal to decide or withdraw a case — or to correct its
category where that lowers a floor (SD-3) — and the second person's confirmation or refusal. The reasons are
encrypted (ACC-2: they describe the case)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, Uuid, text
from sqlalchemy.orm import Mapped, mapped_column

from app.db.encryption import EncryptedText
from app.db.models.base import Base, UTCDateTime, enum
from app.domain.case_decisions import ProposalKind, ProposalStatus
from app.domain.enums import CaseStatus, Category, Finding


class DecisionProposal(Base):
    __tablename__ = "decision_proposal"
    # One proposal waits per case at most: two handlers proposing at once cannot both succeed.
    __table_args__ = (
        Index(
            "uq_decision_proposal_pending_case",
            "case_id",
            unique=True,
            sqlite_where=text("status = 'proposed'"),
            postgresql_where=text("status = 'proposed'"),
        ),
    )
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("case_file.id"), index=True)
    kind: Mapped[ProposalKind] = mapped_column(
        enum(ProposalKind), default=ProposalKind.status, server_default=ProposalKind.status.value
    )
    to_status: Mapped[CaseStatus | None] = mapped_column(enum(CaseStatus), nullable=True)  # kind `status`
    category: Mapped[Category | None] = mapped_column(enum(Category), nullable=True)  # kind `category`: the new one
    finding: Mapped[Finding | None] = mapped_column(enum(Finding), nullable=True)
    reason: Mapped[str] = mapped_column(EncryptedText("decision_proposal.reason"))
    status: Mapped[ProposalStatus] = mapped_column(enum(ProposalStatus), index=True)
    proposed_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("staff_user.id"))
    proposed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    decided_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("staff_user.id"), nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    decision_reason: Mapped[str | None] = mapped_column(
        EncryptedText("decision_proposal.decision_reason"), nullable=True
    )
