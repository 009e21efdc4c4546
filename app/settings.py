"""Settings from the environment (prefix WITHU_); placeholder secrets are refused outside development."""

from __future__ import annotations

import base64
import ipaddress
import os
import secrets
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from limits import parse
from pydantic import AfterValidator, BeforeValidator, Field, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from app.domain.destinations import parse_allow_list
from app.domain.evidence import MAX_IMAGE_PIXELS
from app.domain.retention import retention_problem
from app.domain.routing import routing_problems

DEV_JWT_SECRET = "dev-only-jwt-secret-change-me-0000000000000000"  # noqa: S105 - refused outside development
PLACEHOLDERS = {"", "changeme", "change-me", "secret", DEV_JWT_SECRET}


def _comma_separated(value: object) -> object:
    return [item.strip() for item in value.split(",") if item.strip()] if isinstance(value, str) else value


# A list from the environment as `a,b,c` (not JSON).
CommaSeparated = Annotated[list[str], NoDecode, BeforeValidator(_comma_separated)]


def _rate_limit(value: str) -> str:
    parse(value)  # ValueError unless the `limits` notation, e.g. `10/minute`
    return value


# INT-6: a rate limit in the `limits` package notation, checked at start-up.
RateLimit = Annotated[str, AfterValidator(_rate_limit)]


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
    argon2_time_cost: int = Field(default=3, ge=1)
    argon2_memory_kib: int = Field(default=65536, ge=8)
    argon2_parallelism: int = Field(default=4, ge=1)
    # Hashes at once in one process; a further one waits up to argon2_wait_seconds, then answers 503 with
    # Retry-After (each hash holds argon2_memory_kib, so this bounds memory and CPU under a burst).
    # One per core: more only thrash the caches and memory bandwidth that staff requests need too (bench/flood.py:
    # staff p99 under a flood 3.1-3.8x quiet at two per core, 1.3x at one).
    argon2_concurrency: int = Field(default_factory=lambda: os.cpu_count() or 1, ge=1)
    argon2_wait_seconds: float = Field(default=1.0, ge=0, le=30)
    # The scheduler's priority of Argon2 threads (Linux nice, 0-19): under a flood of anonymous submissions and
    # receipt guesses the hashes wait for the CPU, not staff requests (docs/operations.md "Floods").
    argon2_nice: int = Field(default=19, ge=0, le=19)

    access_token_minutes: int = Field(default=15, le=15, ge=1)
    refresh_token_days: int = Field(default=14, ge=1)
    inbox_token_minutes: int = Field(default=20, ge=1, le=60)
    machine_token_minutes: int = Field(default=15, ge=1, le=60)

    # INT-6 receipt entry lockout (1–10 wrong codes, then delays from lock_base_seconds doubling up to
    # lock_max_seconds: at least a second, at most a day — capped, never permanent); staff sign-in lockout.
    receipt_failures_before_lock: int = Field(default=5, ge=1, le=10)
    lock_base_seconds: int = Field(default=60, ge=1, le=86400)
    lock_max_seconds: int = Field(default=3600, ge=1, le=86400)
    # Staff sign-in: failures delay one (account, client) pair, never the account (docs/architecture.md).
    login_failures_before_lock: int = Field(default=5, ge=1, le=100)
    # A staff sign-in ends after this long without use, and this long after it began (ASVS V7.3).
    session_idle_minutes: int = Field(default=30, ge=1, le=480)
    session_absolute_hours: int = Field(default=10, ge=1, le=24)
    # A new account's one-time enrolment link (its owner sets password and TOTP) works this long (F1).
    enrolment_link_hours: int = Field(default=72, ge=1, le=720)

    # Rate limits (the `limits` package notation).
    rate_submit: RateLimit = "10/minute"
    rate_receipt: RateLimit = "20/minute"
    rate_login: RateLimit = "20/minute"
    rate_token: RateLimit = "60/minute"
    # Evidence uploads (F9): per client address over both upload paths, and per sender (a reporter's inbox, a
    # staff account).
    rate_upload: RateLimit = "120/hour"
    rate_upload_sender: RateLimit = "30/hour"
    # The reverse proxy's addresses or networks (docs/deployment.md): only a request from one of them may name
    # the client in X-Forwarded-For, and the right-most address that is not a trusted proxy counts. Empty: the
    # header is ignored and the connecting address counts.
    trusted_proxies: CommaSeparated = []

    max_body_bytes: int = Field(default=256 * 1024, ge=1024)
    # the personnel system's full snapshot (POST /api/v1/personnel/sync)
    max_sync_bytes: int = Field(default=64 * 1024 * 1024, ge=1024)
    # INT-5: a retried submission is answered from its first response for this long — a day at least.
    idempotency_hours: int = Field(default=24, ge=24)

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

    # CASE-2 deadlines: triage and investigation are (config), at least a day; acknowledgement within 7 days and
    # feedback within 3 months are the rule's own: shorter is allowed, longer is not.
    triage_days: int = Field(default=3, ge=1, le=30)
    investigation_days: int = Field(default=30, ge=1, le=365)
    acknowledgement_days: int = Field(default=7, ge=1, le=7)
    feedback_months: int = Field(default=3, ge=1, le=3)
    # RET-1 watch period after closing (config): a year at least.
    watch_years_after_closing: int = Field(default=3, ge=1)
    # CON-1: days a commissioned organisation has to record its measures (config), counted from the report.
    contractor_follow_up_days: int = Field(default=30, ge=1, le=365)
    # CON-1: days from the receipt for the case team to link a contractor case to its contract (config).
    contract_link_days: int = Field(default=3, ge=1, le=30)
    # CASE-8 (security review F4): escrow reports naming one respondent within a window of days; one over the
    # limit is accepted and kept sealed but never counts toward a release, and the case team is alerted.
    escrow_reports_per_respondent: int = Field(default=3, ge=1)
    escrow_window_days: int = Field(default=30, ge=1)
    # SEP-1 (F11): this many orders from anonymous third parties naming one employee on one day alert the team.
    anonymous_orders_alert_at: int = Field(default=2, ge=1)

    # CASE-3 routing by category (config): category -> team code; a category left out goes to intake &
    # counselling. WU-1: citizens' workplaces always go to victim_support_legal (not config).
    routing: dict[str, str] = Field(
        default_factory=lambda: {
            "sexual_harassment": "intake_counselling",
            "sexual_assault": "intake_counselling",
            "stalking": "intake_counselling",
            "online": "intake_counselling",
            "other": "intake_counselling",
            "secondary_damage": "investigation",
        }
    )

    pwa_dir: Path = Path("pwa")

    # The webhook worker (`withu worker`). A claimed message is leased; the lease must outlast a delivery (the
    # timeout, plus app/worker.py's margin). It is also how long a killed worker's messages wait before another
    # worker takes them over: 30 s, not the 120 s it was (reliability review, finding 9).
    worker_poll_seconds: float = Field(default=2.0, gt=0, le=60)
    worker_lease_seconds: int = Field(default=30, ge=10)
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
    due_soon_days: int = Field(default=2, ge=0, le=30)
    escalate_after_days: int = Field(default=3, ge=0, le=30)
    # The worker's periodic jobs: seconds between runs (each runs at start, and once with `withu worker --once`),
    # at least once a day.
    deadline_scan_seconds: float = Field(default=600.0, gt=0, le=86400)
    obligation_scan_seconds: float = Field(default=600.0, gt=0, le=86400)
    evidence_sweep_seconds: float = Field(default=3600.0, gt=0, le=86400)
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
    # OAuth 2.0 (RFC 8414): the public origin the machine clients reach (https://host, no path), the `issuer` of the
    # metadata; unset, the request's own base URL is used (development, tests). Set it behind a proxy (docs/api.md).
    oauth_issuer: str | None = Field(default=None, pattern=r"^https?://[^/?#\s]+$")
    # Reliability (docs/operations.md). The database: a connection within the connect timeout, a statement (and an
    # SQLite writer's wait for its turn) within the statement timeout, else 503 `database-unavailable`.
    database_connect_timeout_seconds: float = Field(default=5.0, gt=0, le=60)
    database_statement_timeout_seconds: float = Field(default=15.0, gt=0, le=300)
    # HTTP connections (`withu serve`): a request's head must arrive within http_header_timeout_seconds and be at
    # most http_max_header_bytes in http_max_headers lines (else 431), its body within http_body_timeout_seconds;
    # an idle keep-alive connection is closed after http_keep_alive_seconds.
    http_header_timeout_seconds: float = Field(default=10.0, gt=0, le=120)
    http_body_timeout_seconds: float = Field(default=120.0, gt=0, le=3600)
    http_max_header_bytes: int = Field(default=32 * 1024, ge=4096, le=1024 * 1024)
    http_max_headers: int = Field(default=100, ge=10, le=1000)
    http_keep_alive_seconds: int = Field(default=5, ge=1, le=300)

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

    @field_validator("routing")
    @classmethod
    def _routes(cls, value: dict[str, str]) -> dict[str, str]:
        if problems := routing_problems(value):
            raise ValueError("WITHU_ROUTING: " + "; ".join(problems))
        return value

    @model_validator(mode="after")
    def _lock_cap(self) -> Settings:
        if self.lock_max_seconds < self.lock_base_seconds:
            raise ValueError("WITHU_LOCK_MAX_SECONDS must be at least WITHU_LOCK_BASE_SECONDS (INT-6)")
        return self

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

    # DATA-1 retention (docs/operations.md "Retention"): a closed case's content is destroyed this many years after
    # closing — at least the RET-1 watch (checked below). The worker's retention job runs every
    # retention_scan_seconds; it also drops webhook payloads delivered more than delivered_payload_days ago.
    retention_years: int = Field(default=5, ge=1)
    retention_scan_seconds: float = Field(default=3600.0, gt=0, le=86400)
    delivered_payload_days: int = Field(default=7, ge=1, le=365)

    @model_validator(mode="after")
    def _retention_after_watch(self) -> Settings:
        if problem := retention_problem(self.retention_years, self.watch_years_after_closing):
            raise ValueError(problem)
        return self

    # Floods (docs/operations.md "Floods"): anonymous submissions accepted per minute by the whole service (every
    # client together; shared through Redis when set). One more answers 503 with Retry-After and writes nothing.
    submissions_per_minute_max: int = Field(default=60, ge=1, le=6000)
    # /metrics (docs/operations.md "Metrics"): off unless set; then only a request bearing this token is answered.
    metrics_token: str | None = Field(default=None, min_length=32)
    # `withu worker` serves its own metrics (job heartbeats) on this port when set, on worker_metrics_address.
    worker_metrics_port: int | None = Field(default=None, ge=1, le=65535)
    worker_metrics_address: str = "127.0.0.1"


@lru_cache
def get_settings() -> Settings:
    return Settings()
