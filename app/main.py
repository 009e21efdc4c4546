"""The application: settings, database, encryption, middleware, routers, the PWA on the same origin."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.staticfiles import StaticFiles
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

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
    escrow,
    evidence,
    inbox,
    manual,
    meta,
    personnel,
    problems,
    protection,
    pwa,
    reports,
    sanctions,
    separation,
    statistics,
    webhooks,
)
from app.api.middleware import BodyLimit, SecurityHeaders, TraceAndAccessLog
from app.api.ratelimit import RateLimits
from app.db import encryption
from app.db.engine import make_engine, make_sessionmaker
from app.integrations import resolver
from app.settings import Settings, get_settings

API_DESCRIPTION = """WithU: report sexual harassment and assault in the Seoul city government, and handle every case.

Errors are RFC 9457 problem details (`application/problem+json`) with a stable `code`.
Staff authenticate with `POST /api/v1/auth/login`; machine clients with OAuth2 client credentials at
`POST /api/v1/oauth/token`; reporters with their receipt code at `POST /api/v1/inbox/session`.
"""


@dataclass
class Runtime:
    settings: Settings
    engine: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]
    rate_limits: RateLimits
    resolve: resolver.Resolver  # looks up webhook destinations' names (F7)


def create_app(settings: Settings | None = None, *, resolve: resolver.Resolver | None = None) -> FastAPI:
    settings = settings or get_settings()
    encryption.configure(settings.load_master_key())
    engine = make_engine(settings.database_url)
    runtime = Runtime(settings, engine, make_sessionmaker(engine), RateLimits(settings), resolve or resolver.default())

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
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
    for module in (
        reports,
        inbox,
        auth,
        cases,
        decisions,
        separation,
        escrow,
        protection,
        personnel,
        evidence,
        meta,
        webhooks,
        manual,
        ambassadors,
        contracts,
        statistics,
        sanctions,
        deadlines,
        audit,
        admin,
        accounts,
    ):
        app.include_router(module.router)
    app.include_router(pwa.router)
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
        overrides={personnel.SYNC_PATH: settings.max_sync_bytes, **evidence.body_limits(settings)},
    )
    app.add_middleware(SecurityHeaders)
    app.add_middleware(TraceAndAccessLog)
    return app


def _install_openapi(app: FastAPI) -> None:
    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
            schema.setdefault("components", {}).setdefault("schemas", {})["Problem"] = problems.PROBLEM_SCHEMA
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def configure_logging() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
