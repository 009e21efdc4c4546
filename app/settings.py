"""Settings from the environment (prefix WITHU_); placeholder secrets are refused outside development."""

from __future__ import annotations

import base64
import os
import secrets
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_JWT_SECRET = "dev-only-jwt-secret-change-me-0000000000000000"  # noqa: S105 - refused outside development
PLACEHOLDERS = {"", "changeme", "change-me", "secret", DEV_JWT_SECRET}


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="WITHU_", env_file=None, extra="ignore")

    environment: Literal["development", "test", "production"] = "development"
    database_url: str = "sqlite+aiosqlite:///var/withu.db"
    redis_url: str | None = None

    # Secrets. The master key encrypts narratives, identities and messages (ACC-2).
    master_key: str | None = Field(default=None, description="base64 of 32 bytes")
    master_key_file: Path = Path("var/master.key")
    jwt_secret: str = DEV_JWT_SECRET

    # Argon2id parameters (receipt codes, passwords, client secrets).
    argon2_time_cost: int = 3
    argon2_memory_kib: int = 65536
    argon2_parallelism: int = 4

    access_token_minutes: int = Field(default=15, le=15, ge=1)
    refresh_token_days: int = 14
    inbox_token_minutes: int = Field(default=20, ge=1, le=60)
    machine_token_minutes: int = Field(default=15, ge=1, le=60)

    # INT-6 receipt entry lockout; staff sign-in lockout.
    receipt_failures_before_lock: int = 5
    lock_base_seconds: int = 60
    lock_max_seconds: int = 3600
    login_failures_before_lock: int = 5

    # Rate limits (the `limits` package notation).
    rate_submit: str = "10/minute"
    rate_receipt: str = "20/minute"
    rate_login: str = "20/minute"
    rate_token: str = "60/minute"

    max_body_bytes: int = 256 * 1024
    max_sync_bytes: int = 64 * 1024 * 1024  # the personnel system's full snapshot (POST /api/v1/personnel/sync)
    idempotency_hours: int = 24

    # Evidence files (ACC-2): stored encrypted under random names; the largest file accepted.
    evidence_dir: Path = Path("var/evidence")
    max_evidence_bytes: int = Field(default=20 * 1024 * 1024, ge=1)

    # CASE-2 deadlines (config).
    triage_days: int = 3
    investigation_days: int = 30
    acknowledgement_days: int = 7
    feedback_months: int = 3
    # RET-1 watch period after closing (config).
    watch_years_after_closing: int = 3
    # CON-1: days a commissioned organisation has to record its measures (config).
    contractor_follow_up_days: int = Field(default=30, ge=1)

    # CASE-3 routing by category (config): category -> team code.
    routing: dict[str, str] = Field(
        default_factory=lambda: {
            "sexual_harassment": "intake_counselling",
            "sexual_assault": "intake_counselling",
            "stalking": "intake_counselling",
            "online": "intake_counselling",
            "other": "intake_counselling",
            "secondary_damage": "investigation",
            "citizen_workplace": "victim_support_legal",
        }
    )

    pwa_dir: Path = Path("pwa")

    # The webhook worker (`withu worker`). A claimed message is leased; the lease must outlast a delivery.
    worker_poll_seconds: float = Field(default=2.0, gt=0, le=60)
    worker_lease_seconds: int = Field(default=120, ge=10)
    webhook_timeout_seconds: float = Field(default=10.0, gt=0, le=60)
    webhook_backoff_base_seconds: float = Field(default=10.0, gt=0)
    webhook_backoff_max_seconds: float = Field(default=3600.0, gt=0)

    # CASE-2 deadline queues and notifications (config): due within this many days is "due soon"; overdue by
    # more than this many days escalates to the team lead and the division head.
    due_soon_days: int = Field(default=2, ge=0)
    escalate_after_days: int = Field(default=3, ge=0)
    # The worker's periodic jobs: seconds between runs (each runs at start, and once with `withu worker --once`).
    deadline_scan_seconds: float = Field(default=600.0, gt=0)
    obligation_scan_seconds: float = Field(default=600.0, gt=0)
    evidence_sweep_seconds: float = Field(default=3600.0, gt=0)
    # Notification e-mail (docs/notifications.md). Without smtp_host nothing is sent: notices wait, pending.
    smtp_host: str | None = None
    smtp_port: int = Field(default=25, ge=1, le=65535)
    smtp_from: str = "WithU <no-reply@withu.invalid>"
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_starttls: bool = False
    smtp_timeout: float = Field(default=10.0, gt=0, le=60)
    smtp_backoff_base_seconds: float = Field(default=30.0, gt=0)
    smtp_backoff_max_seconds: float = Field(default=3600.0, gt=0, le=3600)

    @model_validator(mode="after")
    def _refuse_placeholders(self) -> Settings:
        if self.environment != "development":
            if self.jwt_secret in PLACEHOLDERS or len(self.jwt_secret) < 32:
                raise ValueError("WITHU_JWT_SECRET must be a real secret of at least 32 characters")
            if self.master_key is not None and self.master_key in PLACEHOLDERS:
                raise ValueError("WITHU_MASTER_KEY must be a real key")
        return self

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    def load_master_key(self) -> bytes:
        """The 32-byte master key: from WITHU_MASTER_KEY, else the key file (created in development)."""
        if self.master_key:
            key = base64.b64decode(self.master_key)
        elif self.master_key_file.exists():
            key = base64.b64decode(self.master_key_file.read_text().strip())
        elif self.environment == "development":
            self.master_key_file.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.master_key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as f:
                f.write(base64.b64encode(secrets.token_bytes(32)).decode())
            return self.load_master_key()
        else:
            raise ValueError("no master key: set WITHU_MASTER_KEY or WITHU_MASTER_KEY_FILE")
        if len(key) != 32:
            raise ValueError("the master key must be 32 bytes (base64)")
        return key


@lru_cache
def get_settings() -> Settings:
    return Settings()
