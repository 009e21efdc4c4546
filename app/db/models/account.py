"""Who becomes a staff member, and how (ACC-1, security review F1): changes to case-role accounts that wait for a
division head, and the one-time enrolment links with which an account's owner sets their own password and TOTP."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from app.db.encryption import EncryptedText
from app.db.models.base import Base, UTCDateTime, enum
from app.domain.enums import AccountChangeKind, AccountChangeStatus, Role, Team


class AccountChange(Base):
    """A change to a case-role account's access (its creation, role, team, employee number, reactivation) asked by
    a sysadmin: the account as it was (`from_*`; none for a creation) and as it will be (`to_*`) once a division
    head approves."""

    __tablename__ = "account_change"
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("staff_user.id"), index=True)
    kind: Mapped[AccountChangeKind] = mapped_column(enum(AccountChangeKind))
    status: Mapped[AccountChangeStatus] = mapped_column(enum(AccountChangeStatus), index=True)
    from_role: Mapped[Role | None] = mapped_column(enum(Role), nullable=True)
    from_team: Mapped[Team | None] = mapped_column(enum(Team), nullable=True)
    from_employee_number: Mapped[str | None] = mapped_column(String(40), nullable=True)
    from_active: Mapped[bool] = mapped_column(Boolean)
    to_role: Mapped[Role] = mapped_column(enum(Role))
    to_team: Mapped[Team | None] = mapped_column(enum(Team), nullable=True)
    to_employee_number: Mapped[str | None] = mapped_column(String(40), nullable=True)
    to_active: Mapped[bool] = mapped_column(Boolean)
    requested_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("staff_user.id"))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime)
    decided_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("staff_user.id"), nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class EnrolmentLink(Base):
    """A one-time link to set an account's password and TOTP (only the SHA-256 of its token is kept). The TOTP
    secret offered on the enrolment page waits here, encrypted, until the owner confirms a code from it."""

    __tablename__ = "enrolment_link"
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("staff_user.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    offered_totp_secret: Mapped[str | None] = mapped_column(
        EncryptedText("enrolment_link.offered_totp_secret"), nullable=True
    )
