"""The application: settings, database, encryption, middleware, routers, the PWA on the same origin."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.staticfiles import StaticFiles
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from app import logs
from app.api import (
    accounts,
    admin,
    ambassadors,
    audit,
    auth,
    cases,
    contracts,
    deadlines,
    decisions,
    docs,
    education,
    escrow,
    evidence,
    inbox,
    manual,
    meta,
    metrics,
    oauth,
    personnel,
    problems,
    protection,
    pwa,
    recovery,
    reports,
    retention,
    sanctions,
    scim,
    separation,
    statistics,
    webhooks,
)
from app.api.metrics import Metrics, RequestMetrics
from app.api.middleware import BodyLimit, SecurityHeaders, TraceAndAccessLog
from app.api.ratelimit import RateLimits
from app.db import encryption
from app.db.engine import engine_for, make_sessionmaker
from app.db.key_check import verify_master_key
from app.integrations import resolver
from app.integrations.file_store import FileStore
from app.services import collector
from app.settings import Settings, get_settings

API_DESCRIPTION = """WithU: report sexual harassment and assault in the Seoul city government, and handle every case.

Errors are RFC 9457 problem details (`application/problem+json`) with a stable `code`.
Staff authenticate with `POST /api/v1/auth/login`; machine clients with OAuth 2.0 client credentials at
`POST /api/v1/oauth/token` (whose errors are RFC 6749's, not problem details; metadata at
`/.well-known/oauth-authorization-server`); reporters with their receipt code at `POST /api/v1/inbox/session`.
"""


@dataclass
class Runtime:
    settings: Settings
    engine: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]
    rate_limits: RateLimits
    resolve: resolver.Resolver  # looks up webhook destinations' names (F7)
    metrics: Metrics = field(default_factory=Metrics)  # /metrics (docs/operations.md)


def create_app(settings: Settings | None = None, *, resolve: resolver.Resolver | None = None) -> FastAPI:
    settings = settings or get_settings()
    encryption.configure(settings.load_master_key())
    engine = engine_for(settings)
    runtime = Runtime(settings, engine, make_sessionmaker(engine), RateLimits(settings), resolve or resolver.default())

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await verify_master_key(engine)  # ACC-2: refuse to start under another key than the data's (finding 5)
        await asyncio.to_thread(check_evidence_store, settings)  # finding 2: no start without a writable store
        collector.freeze_the_start()
        yield
        await engine.dispose()

    app = FastAPI(
        title="WithU API",
        version="1",
        description=API_DESCRIPTION,
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
    )
    app.state.runtime = runtime
    problems.install(app)
    scim.install(app)  # SCIM's error shape under /scim/v2 only
    # Routes are matched one by one in this order (~4 µs each, twice per request with FastAPI's included routers), so
    # the personnel system's per-placement check and liveness come first. No path of one router can match a route
    # of another (tests/api/test_app_floor.py), so the order changes no answer (docs/performance.md, issue 17).
    app.include_router(meta.liveness)
    for module in (
        separation,
        personnel,
        reports,
        inbox,
        auth,
        oauth,
        cases,
        decisions,
        escrow,
        protection,
        evidence,
        meta,
        webhooks,
        manual,
        ambassadors,
        contracts,
        statistics,
        education,
        sanctions,
        retention,
        recovery,
        deadlines,
        audit,
        admin,
        accounts,
        scim,
    ):
        app.include_router(module.router)
    app.include_router(pwa.router)
    app.include_router(metrics.router)
    app.include_router(oauth.well_known)
    if settings.environment != "production":  # Swagger UI is a development aid; /openapi.json stays (docs/api.md)
        docs.install(app)
    _install_openapi(app)
    if settings.pwa_dir.is_dir():
        # Mounted last and outside /api, so API paths never fall through to static files.
        app.mount("/", StaticFiles(directory=settings.pwa_dir, html=True), name="pwa")

    # Added first = innermost: unexpected errors become problems inside the header and logging middleware.
    app.add_middleware(problems.UnexpectedErrors)
    app.add_middleware(
        BodyLimit,
        max_bytes=settings.max_body_bytes,
        overrides={
            personnel.SYNC_PATH: settings.max_sync_bytes,
            **separation.body_limits(),
            **evidence.body_limits(settings),
        },
    )
    app.add_middleware(SecurityHeaders)
    app.add_middleware(TraceAndAccessLog)
    app.add_middleware(RequestMetrics, metrics=runtime.metrics)  # outermost: every answer counted
    return app


class EvidenceStoreUnwritable(RuntimeError):
    """The service does not start without an evidence store it can write (reliability review, finding 2)."""


def check_evidence_store(settings: Settings) -> None:
    """Refuse to start, in one clear log line, when WITHU_EVIDENCE_DIR cannot be made or written by this process."""
    try:
        FileStore(settings.evidence_dir, encryption.cipher()).check_writable()
    except OSError as exc:
        message = (
            f"the evidence store WITHU_EVIDENCE_DIR={settings.evidence_dir} cannot be written by this process "
            f"({type(exc).__name__}: {exc.strerror}); give the service's user a writable folder there "
            "(docs/deployment.md: the evidence volume)"
        )
        logging.getLogger("withu").error(message)
        raise EvidenceStoreUnwritable(message) from None


def _install_openapi(app: FastAPI) -> None:
    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
            schema.setdefault("components", {}).setdefault("schemas", {})["Problem"] = problems.PROBLEM_SCHEMA
            webhooks.document_webhooks(schema)  # the events WithU POSTs, under OpenAPI 3.1's `webhooks`
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def configure_logging() -> None:
    """JSON lines with the trace id, no content (app/logs.py, INT-1).

    A log line names no source line, thread or process (app/logs.py's JsonFormatter writes none of them), so the
    server does not collect them for every record: the logging HOWTO's "Optimization" switches. The access log line
    of every request costs ~40 % less (docs/performance.md, "The app's own floor (issue 17)")."""
    logging._srcfile = None  # no caller lookup (a walk up the stack) per record
    logging.logThreads = False
    logging.logProcesses = False
    logging.logMultiprocessing = False
    logs.configure_logging()
