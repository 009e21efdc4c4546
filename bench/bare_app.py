"""The bare-uvicorn floor for bench/separation_check.py: a FastAPI app with one JSON endpoint shaped like the
check (a body in, {"allowed": true, "refusals": []} out) and nothing else: no middleware, no database, no token.
Served by uvicorn with the same options as `withu serve` (1 worker, no access log, no server header), it is what
HTTP, uvicorn and FastAPI alone cost per request on this machine."""

from __future__ import annotations

from fastapi import FastAPI
from pydantic import BaseModel


class Body(BaseModel):
    employee_number: str
    unit: str | None = None
    supervisor: str | None = None
    assignment: str | None = None


def create_app() -> FastAPI:
    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)

    @app.post("/check")
    async def check(body: Body) -> dict[str, object]:
        return {"allowed": True, "refusals": []}

    @app.get("/health")
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    return app
