"""Liveness and readiness."""

from sqlalchemy import text

from app.api.deps import Uow
from app.api.router import make_router

router = make_router("meta")


@router.get("/health")
async def health(uow: Uow) -> dict[str, str]:
    """The service answers and its database is reachable."""
    await uow.session.execute(text("SELECT 1"))
    return {"status": "ok"}
