"""Fixtures: a real database built by migrating (SQLite by default, PostgreSQL with WITHU_TEST_DATABASE_URL),
the ASGI app over httpx, and direct units of work for assertions. No mocks of the database."""

from __future__ import annotations

import base64
import os
import secrets
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from app.api.ratelimit import RateLimits
from app.cli import migrate
from app.db.uow import UnitOfWork
from app.integrations import resolver
from app.main import create_app
from app.settings import Settings

TEST_DIR = Path(tempfile.mkdtemp(prefix="withu-test-"))
MASTER_KEY = base64.b64encode(secrets.token_bytes(32)).decode()
# Tests never query real DNS (F7): every app and worker built without a resolver of its own looks names up here.
# The receivers' names the tests use point at 127.0.0.1 (allow-listed below), so nothing ever leaves the machine.
TEST_DNS = resolver.StaticResolver(
    {name: ["127.0.0.1"] for name in ("hr.example.test", "hr.example.org", "hr.example.go.kr")}
)
resolver.use_by_default(TEST_DNS)


def database_url() -> str:
    return os.environ.get("WITHU_TEST_DATABASE_URL") or f"sqlite+aiosqlite:///{TEST_DIR}/test.db"


def sqlite_file_bytes() -> bytes:
    """The raw bytes of the SQLite test database and its WAL, read by a child process: opening and closing
    the files in this process would drop its SQLite locks (sqlite.org, "How To Corrupt", 2.2)."""
    import subprocess

    path = Path(database_url().split(":///", 1)[1])
    files = sorted(str(p) for p in path.parent.glob(path.name + "*"))
    return subprocess.run(["cat", *files], capture_output=True, check=True).stdout  # noqa: S603, S607


def make_settings(**overrides: object) -> Settings:
    """Test settings: cheap Argon2 (one test pins the production defaults), generous rate limits, webhooks to
    receivers on 127.0.0.1 allowed (tests of the refusal build settings without it) and sent without INT-1's random
    delay."""
    values: dict[str, object] = {
        "environment": "test",
        "database_url": database_url(),
        "master_key": MASTER_KEY,
        "jwt_secret": "test-jwt-secret-" + "x" * 32,
        "argon2_time_cost": 1,
        "argon2_memory_kib": 1024,
        "argon2_parallelism": 1,
        "rate_submit": "1000/minute",
        "rate_receipt": "1000/minute",
        "rate_login": "1000/minute",
        "rate_token": "1000/minute",
        "rate_upload": "1000/minute",
        "rate_upload_sender": "1000/minute",
        "submissions_per_minute_max": 6000,  # the flood ceiling (test_observability sets its own)
        "webhook_allowed_hosts": ["127.0.0.1"],
        "order_opened_delay_max_minutes": 0,  # INT-1: delivered at once (test_reporter_times sets a delay)
        "pwa_dir": TEST_DIR / "no-pwa",
        "evidence_dir": TEST_DIR / "evidence",
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def settings() -> Settings:
    s = make_settings()
    migrate(s)
    return s


@pytest.fixture(scope="session")
async def app(settings: Settings):  # type: ignore[no-untyped-def]
    application = create_app(settings)
    yield application
    await application.state.runtime.engine.dispose()


@pytest.fixture(autouse=True)
def fresh_rate_limits(request: pytest.FixtureRequest) -> None:
    """Each test starts with empty rate-limit windows (tests that need strict limits build their own app)."""
    if "app" in request.fixturenames:
        application = request.getfixturevalue("app")
        application.state.runtime.rate_limits = RateLimits(application.state.runtime.settings)


@pytest.fixture
async def client(app) -> AsyncIterator[httpx.AsyncClient]:  # type: ignore[no-untyped-def]
    transport = httpx.ASGITransport(app=app, client=("203.0.113.7", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c


@pytest.fixture
def uow_factory(app):  # type: ignore[no-untyped-def]
    """Open a unit of work on the test database, for setup and for assertions on what was stored."""
    runtime = app.state.runtime

    def factory() -> UnitOfWork:
        return UnitOfWork(runtime.sessionmaker, runtime.settings)

    return factory


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """A skipped or expected-to-fail test is a defect here (DEVELOPERS' "honest tests"): any fails the run."""
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is None:
        return
    dishonest = reporter.stats.get("skipped", []) + reporter.stats.get("xfailed", []) + reporter.stats.get("xpassed", [])
    if dishonest:
        reporter.write_line(f"{len(dishonest)} skipped or xfail test(s): not allowed here", red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
