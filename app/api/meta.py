"""Liveness and readiness (docs/operations.md)."""

import asyncio

from fastapi import APIRouter, Request, Response
from sqlalchemy import text

from app.api.deps import Uow
from app.api.problems import BUSY_RESPONSES, COMMON_RESPONSES
from app.api.router import make_router
from app.api.unit_of_work import database_unavailable

router = make_router("meta")
# Liveness opens no unit of work (no session, no transaction, nothing to commit): a plain route, listed first in
# app/main.py so that it is matched first.
liveness = APIRouter(prefix="/api/v1", tags=["meta"], responses=COMMON_RESPONSES)
_ALIVE = b'{"status":"ok"}'


@liveness.get("/health", response_model=dict[str, str])
async def health() -> Response:
    """Liveness: the process answers. It never touches the database, so a database outage does not get the
    process restarted (reliability review, finding 3); /ready says whether it can serve."""
    return Response(_ALIVE, media_type="application/json")  # written once: nothing to validate or serialise


@router.get("/ready", responses=BUSY_RESPONSES)
async def ready(request: Request, uow: Uow) -> dict[str, str]:
    """Readiness: the database answers a query within the connect timeout; else 503 `database-unavailable`."""
    try:
        async with asyncio.timeout(request.app.state.runtime.settings.database_connect_timeout_seconds):
            await uow.session.execute(text("SELECT 1"))
    except TimeoutError as exc:
        raise database_unavailable() from exc
    return {"status": "ready"}
