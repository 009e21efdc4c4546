"""The bare-uvicorn floors for bench/separation_check.py: a FastAPI app with no middleware, no token and no unit of
work, served by uvicorn with the same options as `withu serve` (1 worker, no access log, no server header).

- POST /check: a body shaped like the check's in, {"allowed": true, "refusals": []} out, no database. What HTTP,
  uvicorn and FastAPI alone cost per request on this machine.
- POST /raw-check: the same body, answered by the benchmark's hand-written check (bench/raw_check.py: the orders
  found by MAC, then RAW_CHECK) on one plain driver connection (aiosqlite or asyncpg, no SQLAlchemy, no pool) to the
  database named by BENCH_RAW_DATABASE_URL, the app's database, with the server's master key from
  BENCH_RAW_MASTER_KEY (base64). The raw-query baseline served over HTTP: what an HTTP service that answers the
  check with those statements, and does nothing else, costs. Only when those variables are set.
"""

from __future__ import annotations

import asyncio
import base64
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from pydantic import BaseModel
from raw_check import RawQuery

DATABASE_URL_VARIABLE = "BENCH_RAW_DATABASE_URL"
MASTER_KEY_VARIABLE = "BENCH_RAW_MASTER_KEY"  # base64: the orders' MACs and encrypted ids need the server's key


class Body(BaseModel):
    employee_number: str
    unit: str | None = None
    supervisor: str | None = None
    assignment: str | None = None


async def _connect(url: str) -> tuple[Any, bool]:
    """A plain driver connection of the app's kind, as the in-process baseline has (same settings that matter for
    a read: SQLite's busy timeout, autocommit; PostgreSQL's jit = off, set by RawQuery.prepare)."""
    if url.startswith("sqlite"):
        import aiosqlite

        connection = await aiosqlite.connect(url.split(":///", 1)[1], timeout=30, isolation_level=None)
        await connection.execute("PRAGMA busy_timeout=30000")
        return connection, True
    import asyncpg
    from sqlalchemy.engine import make_url

    dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    return await asyncpg.connect(dsn), False


def create_app() -> FastAPI:
    database_url = os.environ.get(DATABASE_URL_VARIABLE)
    state: dict[str, Any] = {}

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        if database_url:
            connection, is_sqlite = await _connect(database_url)
            master_key = base64.b64decode(os.environ[MASTER_KEY_VARIABLE])
            state["raw"] = RawQuery(connection, is_sqlite, master_key)
            state["lock"] = asyncio.Lock()  # one connection: one statement at a time
            await state["raw"].prepare()
        try:
            yield
        finally:
            if "raw" in state:
                await state["raw"].connection.close()

    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None, lifespan=lifespan)

    @app.post("/check")
    async def check(body: Body) -> dict[str, object]:
        return {"allowed": True, "refusals": []}

    @app.post("/raw-check")
    async def raw_check(body: Body) -> dict[str, object]:
        async with state["lock"]:
            rows = await state["raw"].check(body.model_dump())
        return {"allowed": not rows, "refusals": [{"order_reference": r, "reason": why} for r, why in rows]}

    @app.get("/health")
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    return app


# --- the case queue's baseline (bench/case_queue.py) -------------------------------------------------------------

QUEUE_DATABASE_URL_VARIABLE = "BENCH_QUEUE_DATABASE_URL"
QUEUE_MASTER_KEY_VARIABLE = "BENCH_QUEUE_MASTER_KEY"  # base64: the recusal look-up's MACs need the server's key


def create_queue_app() -> FastAPI:
    """create_app() (its GET /health is the floor) and GET /raw-queue: the case queue's page answered by the
    hand-written statements of bench/raw_queue.py on one plain driver connection to BENCH_QUEUE_DATABASE_URL (the
    app's database). The query string is GET /api/v1/cases's, with the staff member given as parameters (user_id,
    role, staff_team, employee_number: no token) and the keyset cursor (after_*); the answer also carries the
    statements' own time (`query_ms`)."""
    import time
    from datetime import UTC, datetime

    from fastapi import Request
    from raw_queue import RawQueue

    app = create_app()
    state: dict[str, Any] = {}
    inner = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(application: FastAPI) -> AsyncIterator[None]:
        async with inner(application):
            connection, is_sqlite = await _connect(os.environ[QUEUE_DATABASE_URL_VARIABLE])
            master_key = base64.b64decode(os.environ[QUEUE_MASTER_KEY_VARIABLE])
            state["queue"] = RawQueue(connection, is_sqlite, master_key)
            state["lock"] = asyncio.Lock()  # one connection: one statement at a time
            try:
                yield
            finally:
                await connection.close()

    app.router.lifespan_context = lifespan

    async def raw_queue(request: Request) -> dict[str, Any]:
        started = time.perf_counter()
        async with state["lock"]:
            answer = await state["queue"].page(dict(request.query_params), datetime.now(UTC).date())
        answer["query_ms"] = (time.perf_counter() - started) * 1000
        return answer

    raw_queue.__annotations__["request"] = Request  # imported here, not in the module FastAPI resolves names in
    app.get("/raw-queue")(raw_queue)
    return app
