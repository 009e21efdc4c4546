"""Liveness and readiness (docs/operations.md)."""

import asyncio

from fastapi import Request
from sqlalchemy import text

from app.api.deps import Uow
from app.api.problems import BUSY_RESPONSES
from app.api.router import make_router
from app.api.unit_of_work import database_unavailable

router = make_router("meta")


@router.get("/health")
async def health() -> dict[str, str]:
    """Liveness: the process answers. It never touches the database, so a database outage does not get the
    process restarted (reliability review, finding 3); /ready says whether it can serve."""
    return {"status": "ok"}


@router.get("/ready", responses=BUSY_RESPONSES)
async def ready(request: Request, uow: Uow) -> dict[str, str]:
    """Readiness: the database answers a query within the connect timeout; else 503 `database-unavailable`."""
    try:
        async with asyncio.timeout(request.app.state.runtime.settings.database_connect_timeout_seconds):
            await uow.session.execute(text("SELECT 1"))
    except TimeoutError as exc:
        raise database_unavailable() from exc
    return {"status": "ready"}
