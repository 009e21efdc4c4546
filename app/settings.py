"""Settings from the environment (prefix WITHU_); placeholder secrets are refused outside development."""

from __future__ import annotations

import base64
import ipaddress
import os
import secrets
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BeforeValidator, Field, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from app.domain.destinations import parse_allow_list
from app.domain.evidence import MAX_IMAGE_PIXELS

DEV_JWT_SECRET = "dev-only-jwt-secret-change-me-0000000000000000"  # noqa: S105 - refused outside development
PLACEHOLDERS = {"", "changeme", "change-me", "secret", DEV_JWT_SECRET}


def _comma_separated(value: object) -> object:
    return [item.strip() for item in value.split(",") if item.strip()] if isinstance(value, str) else value


# A list from the environment as `a,b,c` (not JSON).
CommaSeparated = Annotated[list[str], NoDecode, BeforeValidator(_comma_separated)]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="WITHU_", env_file=None, extra="ignore")

    # Fail closed: without WITHU_ENVIRONMENT this is production (`make run` and the tests say which they are).
    environment: Literal["development", "test", "production"] = "production"
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
    # Hashes at once in one process; a further one waits up to argon2_wait_seconds, then answers 503 with
    # Retry-After (each hash holds argon2_memory_kib, so this bounds memory and CPU under a burst).
    argon2_concurrency: int = Field(default_factory=lambda: 2 * (os.cpu_count() or 1), ge=1)
    argon2_wait_seconds: float = Field(default=1.0, ge=0, le=30)

    access_token_minutes: int = Field(default=15, le=15, ge=1)
    refresh_token_days: int = 14
    inbox_token_minutes: int = Field(default=20, ge=1, le=60)
    machine_token_minutes: int = Field(default=15, ge=1, le=60)

    # INT-6 receipt entry lockout; staff sign-in lockout.
    receipt_failures_before_lock: int = 5
    lock_base_seconds: int = 60
    lock_max_seconds: int = 3600
    # Staff sign-in: failures delay one (account, client) pair, never the account (docs/architecture.md).
    login_failures_before_lock: int = Field(default=5, ge=1, le=100)
    # A staff sign-in ends after this long without use, and this long after it began (ASVS V7.3).
    session_idle_minutes: int = Field(default=30, ge=1, le=480)
    session_absolute_hours: int = Field(default=10, ge=1, le=24)
    # A new account's one-time enrolment link (its owner sets password and TOTP) works this long (F1).
    enrolment_link_hours: int = Field(default=72, ge=1, le=720)

    # Rate limits (the `limits` package notation).
    rate_submit: str = "10/minute"
    rate_receipt: str = "20/minute"
    rate_login: str = "20/minute"
    rate_token: str = "60/minute"
    # Evidence uploads (F9): per client address over both upload paths, and per sender (a reporter's inbox, a
    # staff account).
    rate_upload: str = "120/hour"
    rate_upload_sender: str = "30/hour"
    # The reverse proxy's addresses or networks (docs/deployment.md): only a request from one of them may name
    # the client in X-Forwarded-For, and the right-most address that is not a trusted proxy counts. Empty: the
    # header is ignored and the connecting address counts.
    trusted_proxies: CommaSeparated = []

    max_body_bytes: int = 256 * 1024
    max_sync_bytes: int = 64 * 1024 * 1024  # the personnel system's full snapshot (POST /api/v1/personnel/sync)
    idempotency_hours: int = 24

    # Evidence files (ACC-2): stored encrypted under random names; the largest file accepted.
    evidence_dir: Path = Path("var/evidence")
    max_evidence_bytes: int = Field(default=20 * 1024 * 1024, ge=1)
    # Cleaning (F9, docs/evidence.md): images above this many pixels are refused from their header (50 MP at
    # most). Each file is cleaned in a child process limited to this much address space and time; at most
    # evidence_clean_concurrency at once, a further upload waits up to evidence_clean_wait_seconds, then 503.
    evidence_max_image_pixels: int = Field(default=MAX_IMAGE_PIXELS, ge=1, le=MAX_IMAGE_PIXELS)
    evidence_clean_memory_mib: int = Field(default=768, ge=64)
    evidence_clean_timeout_seconds: float = Field(default=60.0, gt=0, le=600)
    evidence_clean_concurrency: int = Field(default=2, ge=1)
    evidence_clean_wait_seconds: float = Field(default=5.0, gt=0, le=60)

    # CASE-2 deadlines (config).
    triage_days: int = 3
    investigation_days: int = 30
    acknowledgement_days: int = 7
    feedback_months: int = 3
    # RET-1 watch period after closing (config).
    watch_years_after_closing: int = 3
    # CON-1: days a commissioned organisation has to record its measures (config).
    contractor_follow_up_days: int = Field(default=30, ge=1)
    # CASE-8 (security review F4): escrow reports naming one respondent within a window of days; one over the
    # limit is accepted and kept sealed but never counts toward a release, and the case team is alerted.
    escrow_reports_per_respondent: int = Field(default=3, ge=1)
    escrow_window_days: int = Field(default=30, ge=1)
    # SEP-1 (F11): this many orders from anonymous third parties naming one employee on one day alert the team.
    anonymous_orders_alert_at: int = Field(default=2, ge=1)

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
    # INT-1 (F6): `separation.order_opened` (and any event queued in a reporter's request) is sent after a random
    # delay of up to this many minutes, so that its arrival does not date the report (docs/webhooks.md).
    order_opened_delay_max_minutes: int = Field(default=60, ge=0, le=1440)
    # Webhook destinations allowed although not public (docs/webhooks.md): host[:port], address[:port] or
    # network, e.g. `127.0.0.1` for a receiver on the developer's machine. Empty: only public addresses.
    webhook_allowed_hosts: CommaSeparated = []

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

    @field_validator("trusted_proxies")
    @classmethod
    def _proxy_networks(cls, value: list[str]) -> list[str]:
        for entry in value:
            ipaddress.ip_network(entry, strict=False)  # ValueError for `*` or a name: trust is by address
        return value

    @field_validator("webhook_allowed_hosts")
    @classmethod
    def _allow_list(cls, value: list[str]) -> list[str]:
        parse_allow_list(value)
        return value

    @model_validator(mode="after")
    def _session_limits(self) -> Settings:
        if self.session_idle_minutes > self.session_absolute_hours * 60:
            raise ValueError("WITHU_SESSION_IDLE_MINUTES must not exceed WITHU_SESSION_ABSOLUTE_HOURS")
        return self

    @model_validator(mode="after")
    def _refuse_placeholders(self) -> Settings:
        if self.environment != "development":
            if self.jwt_secret in PLACEHOLDERS or len(self.jwt_secret) < 32:
                raise ValueError(
                    f"WITHU_JWT_SECRET must be a real secret of at least 32 characters in {self.environment} "
                    "(WITHU_ENVIRONMENT: production unless set; `make run` sets development)"
                )
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
