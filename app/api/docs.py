"""The OpenAPI document and its reader (Swagger UI from a local package: no CDN, no inline script)."""

from __future__ import annotations

from importlib.resources import files

from fastapi import APIRouter, FastAPI
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

DOCS_HTML = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>WithU API</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="/docs/assets/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="/docs/assets/swagger-ui-bundle.js"></script>
<script src="/docs/init.js"></script></body></html>"""


def install(app: FastAPI) -> None:
    router = APIRouter(include_in_schema=False)

    @router.get("/docs", response_class=HTMLResponse)
    async def docs() -> str:
        return DOCS_HTML

    app.include_router(router)
    app.mount("/docs/assets", StaticFiles(directory=str(files("fastapi_offline") / "static")), name="docs-assets")
    app.mount("/docs", StaticFiles(directory=str(files("app.api") / "static")), name="docs-init")
