"""Teams, staff accounts, their sessions and refresh tokens, failed sign-ins per client, and machine clients (OAuth2
client credentials)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.db.encryption import EncryptedText
from app.db.models.base import Base, UTCDateTime, enum
from app.domain.enums import (
    ClientKind,
    Role,
    Team,
)


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
    # Failed sign-ins (from any client) since the last successful one, and when the last failed: the owner is told
    # at the next sign-in. They never lock the account (the delays are per client: SignInDelay).
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    last_failed_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # When the owner set their own password and TOTP (an enrolment link, or the server's command line). Until then
    # nobody signs in with the account (ACC-1, security review F1).
    enrolled_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # "Sign out everywhere" and deactivation: sign-ins begun and access tokens issued before this are refused.
    sessions_valid_from: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # Account changes (role, team, status) name the version they were made against (If-Match), like cases.
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    # Issue 18: the account's X25519 key pair (app.db.case_keys). The private key is stored only sealed under a key
    # derived from the owner's password (Argon2id with `key_salt`); made when the owner sets their password.
    public_key: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    sealed_private_key: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    key_salt: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)


class StaffSession(Base):
    """A sign-in: its refresh tokens rotate; revoking it ends every token of the sign-in. It ends by itself after
    an idle limit (from `last_used_at`) and an absolute limit (from `created_at`, when it began)."""

    __tablename__ = "staff_session"
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("staff_user.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # Issue 18: the owner's private key for this sign-in, sealed under a secret that only the sign-in's tokens carry
    # (never the database): the server opens a case only while one of its readers is signed in.
    sealed_private_key: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)


class SignInDelay(Base):
    """Failed sign-ins of one account from one client, and until when that client waits. The client is the rate
    limiter's keyed hash of its address, which changes every day: never the address."""

    __tablename__ = "sign_in_delay"
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("staff_user.id"), primary_key=True)
    client_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer)
    delayed_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_failed_at: Mapped[datetime] = mapped_column(UTCDateTime)


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


class RevokedMachineToken(Base):
    """A machine client's access token revoked before it expired (RFC 7009), by its `jti`; the row is needed only
    until the token would have expired anyway (`expires_at`), and is removed after."""

    __tablename__ = "revoked_machine_token"
    jti: Mapped[str] = mapped_column(String(64), primary_key=True)
    client_id: Mapped[str] = mapped_column(String(64))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
