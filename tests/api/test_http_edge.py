"""The HTTP edge: security headers, problem+json for HTTP errors, the offline API docs, rate limits (INT-6)."""

from __future__ import annotations

import json
import os
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import redis.asyncio
from fastapi import FastAPI
from sqlalchemy import func, select

from app.db.models import AuditEntry, Case, Report
from app.db.uow import UnitOfWork
from app.main import create_app
from tests.builders import make_report, report_body
from tests.conftest import make_settings

# a database of its own (flushed by these tests); the PostgreSQL run, beside the SQLite one, is given another
REDIS_URL = os.environ.get("WITHU_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
CLIENT_ADDRESS = "198.51.100.9"


def _assert_security_headers(response: httpx.Response) -> None:
    csp = response.headers.get("content-security-policy", "")
    assert "frame-ancestors 'none'" in csp, response.request.url
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "script-src 'self'" in csp
    assert response.headers.get("x-content-type-options") == "nosniff"
    assert response.headers.get("referrer-policy") == "no-referrer"


def _assert_problem(response: httpx.Response, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == status and problem["code"] == code
    assert problem["type"] == f"/problems/{code}" and problem["title"]
    assert problem["instance"] == response.request.url.path


@asynccontextmanager
async def _separate_app(
    address: str = CLIENT_ADDRESS, **overrides: object
) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    """An app of its own (own settings, own rate-limit storage) on the shared test database."""
    application = create_app(make_settings(**overrides))
    transport = httpx.ASGITransport(app=application, client=(address, 1234))
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
            yield application, c
    finally:
        await application.state.runtime.engine.dispose()


async def _counts(application: FastAPI) -> tuple[int, int, int]:
    runtime = application.state.runtime
    async with UnitOfWork(runtime.sessionmaker, runtime.settings) as uow:
        counts = []
        for model in (Case, Report, AuditEntry):
            counts.append(int(await uow.session.scalar(select(func.count()).select_from(model)) or 0))
        return counts[0], counts[1], counts[2]


async def _fresh_redis() -> redis.asyncio.Redis:
    r = redis.asyncio.Redis.from_url(REDIS_URL)
    await r.flushdb()
    return r


# --- security headers -------------------------------------------------------------------------------------


async def test_security_headers_on_every_response(client) -> None:
    """Every response — success, problem, docs, static asset — carries CSP (no inline script, no framing),
    nosniff and no-referrer; API responses and the docs are never cached."""
    big = b"x" * (300 * 1024)
    responses = {
        "health": await client.get("/api/v1/health"),
        "submitted": await client.post("/api/v1/reports", json=report_body()),
        "unknown path 404": await client.get("/api/v1/no-such-thing"),
        "no token 401": await client.get("/api/v1/auth/me"),
        "bad body 422": await client.post("/api/v1/reports", json={}),
        "bad json 400": await client.post(
            "/api/v1/reports", content=b"{", headers={"content-type": "application/json"}
        ),
        "wrong method 405": await client.delete("/api/v1/health"),
        "too large 413": await client.post(
            "/api/v1/reports", content=big, headers={"content-type": "application/json"}
        ),
        "docs": await client.get("/docs"),
        "openapi": await client.get("/openapi.json"),
    }
    expected = {
        "health": 200,
        "submitted": 201,
        "unknown path 404": 404,
        "no token 401": 401,
        "bad body 422": 422,
        "bad json 400": 400,
        "wrong method 405": 405,
        "too large 413": 413,
        "docs": 200,
        "openapi": 200,
    }
    assert {name: r.status_code for name, r in responses.items()} == expected
    for name, response in responses.items():
        _assert_security_headers(response)
        assert response.headers.get("cache-control") == "no-store", name
        assert response.headers.get("x-trace-id"), name
    asset = await client.get("/docs/assets/swagger-ui.css")
    assert asset.status_code == 200
    _assert_security_headers(asset)


async def test_security_headers_and_problem_on_unexpected_500() -> None:
    """Even an unexpected failure (here: an endpoint that raises) answers a generic 500 problem that carries the
    security headers, Cache-Control no-store and the trace id — and no internals."""
    application = create_app(make_settings())

    async def broken() -> None:
        raise RuntimeError("internal detail 127.0.0.1")

    application.add_api_route("/api/v1/broken-for-test", broken)
    transport = httpx.ASGITransport(app=application, raise_app_exceptions=False)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
            response = await c.get("/api/v1/broken-for-test")
    finally:
        await application.state.runtime.engine.dispose()
    _assert_problem(response, 500, "internal-error")
    assert "127.0.0.1" not in response.text and "Error" not in response.json()["title"]
    assert response.json()["trace_id"]
    _assert_security_headers(response)
    assert response.headers.get("cache-control") == "no-store"
    assert response.headers.get("x-trace-id") == response.json()["trace_id"]


async def test_reliability_unreachable_database_is_503_with_retry_after_and_not_ready() -> None:
    """Reliability review finding 3: a database that refuses connections answers 503 `database-unavailable` with
    Retry-After (never 500) on any request that needs it, readiness says not ready, and liveness still answers."""
    application = create_app(make_settings(database_url="postgresql+asyncpg://postgres@127.0.0.1:9/unreachable"))
    transport = httpx.ASGITransport(app=application, raise_app_exceptions=False)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
            ready = await c.get("/api/v1/ready")
            submitted = await c.post("/api/v1/reports", json=report_body())
            alive = await c.get("/api/v1/health")
    finally:
        await application.state.runtime.engine.dispose()
    for response in (ready, submitted):
        _assert_problem(response, 503, "database-unavailable")
        assert int(response.headers["retry-after"]) > 0
        assert "127.0.0.1" not in response.text
        _assert_security_headers(response)
    assert alive.status_code == 200 and alive.json() == {"status": "ok"}


# --- HTTP problems ----------------------------------------------------------------------------------------


async def test_unknown_api_path_is_a_404_problem(client) -> None:
    """An unknown /api/v1 path answers 404 problem+json (never an HTML page or a static file)."""
    for path in ("/api/v1/no-such-thing", "/api/v1/reports/extra/segments", "/api/v2/reports"):
        response = await client.get(path)
        _assert_problem(response, 404, "not-found")
        assert response.json()["title"] == "Not found."


async def test_wrong_method_is_a_405_problem(client) -> None:
    """A wrong method answers 405 problem+json naming the allowed methods."""
    for method, path in (("DELETE", "/api/v1/health"), ("GET", "/api/v1/reports"), ("PUT", "/api/v1/auth/login")):
        response = await client.request(method, path)
        _assert_problem(response, 405, "method-not-allowed")
        assert response.headers["allow"]
        assert method not in response.headers["allow"]


async def test_health(client) -> None:
    """GET /api/v1/health (liveness) answers 200; GET /api/v1/ready answers 200 when the database is reachable."""
    response = await client.get("/api/v1/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    ready = await client.get("/api/v1/ready")
    assert ready.status_code == 200 and ready.json() == {"status": "ready"}


async def test_reliability_chunked_body_over_the_limit_is_413(client) -> None:
    """Reliability review finding 9: a body sent chunked (no Content-Length) over the limit answers 413
    `body-too-large`, as a declared one does, not 400."""

    async def chunks() -> AsyncIterator[bytes]:
        yield b'{"narrative": "'
        for _ in range(40):
            yield b"x" * 10_000
        yield b'"}'

    response = await client.post("/api/v1/reports", content=chunks(), headers={"content-type": "application/json"})
    _assert_problem(response, 413, "body-too-large")


async def test_reliability_body_of_another_content_type_is_415(client) -> None:
    """Reliability review finding 9: a JSON endpoint sent a body of another content type (or none) answers 415
    `unsupported-media-type`, not 422, and stores nothing; application/json and application/*+json are read."""
    body = json.dumps(report_body())
    for content_type in ("text/plain", "application/x-www-form-urlencoded", "application/xml", None):
        headers = {"content-type": content_type} if content_type else {}
        response = await client.post("/api/v1/reports", content=body, headers=headers)
        _assert_problem(response, 415, "unsupported-media-type")
    accepted = await client.post(
        "/api/v1/reports", content=body, headers={"content-type": "application/json; charset=utf-8"}
    )
    assert accepted.status_code == 201, accepted.text


# --- API docs ---------------------------------------------------------------------------------------------


async def test_docs_use_only_same_origin_scripts(client) -> None:
    """/docs is HTML whose scripts all come from this origin (no CDN, no inline script), and they are served."""
    response = await client.get("/docs")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    html = response.text
    scripts = re.findall(r"<script\b([^>]*)>(.*?)</script>", html, flags=re.S | re.I)
    assert scripts, html
    sources = []
    for attributes, inline in scripts:
        assert inline.strip() == "", "inline script"
        src = re.search(r'src="([^"]+)"', attributes)
        assert src is not None, attributes
        sources.append(src.group(1))
    assert "/docs/assets/swagger-ui-bundle.js" in sources
    for src in sources:
        assert "http" not in src and not src.startswith("//"), src
        assert src.startswith("/")
        served = await client.get(src)
        assert served.status_code == 200, src
        assert "javascript" in served.headers["content-type"]
    for href in re.findall(r'href="([^"]+)"', html):
        assert "http" not in href and href.startswith("/")
    bundle = await client.get("/docs/assets/swagger-ui-bundle.js")
    assert bundle.status_code == 200 and len(bundle.content) > 100_000


async def test_openapi_lists_the_api_and_the_problem_schema(client) -> None:
    """/openapi.json lists the public, staff and machine endpoints and defines the Problem schema."""
    response = await client.get("/openapi.json")
    assert response.status_code == 200
    document = response.json()
    for path in (
        "/api/v1/reports",
        "/api/v1/inbox/session",
        "/api/v1/auth/login",
        "/api/v1/oauth/token",
        "/api/v1/cases",
    ):
        assert path in document["paths"], path
    problem = document["components"]["schemas"]["Problem"]
    assert set(problem["required"]) >= {"type", "title", "status", "code"}
    refused = document["paths"]["/api/v1/reports"]["post"]["responses"]["429"]
    assert refused["content"]["application/problem+json"]["schema"]["$ref"] == "#/components/schemas/Problem"
    assert "/docs" not in document["paths"]


# --- rate limits (INT-6) ----------------------------------------------------------------------------------


async def test_int_6_submissions_are_rate_limited_and_refused_ones_write_nothing(settings) -> None:
    """INT-6: with 2 submissions a minute, the 3rd answers 429 problem+json with a numeric Retry-After, and
    nothing is written for it. Another address is not affected."""
    async with _separate_app(rate_submit="2/minute", rate_receipt="2/minute") as (application, c):
        for _ in range(2):
            assert (await c.post("/api/v1/reports", json=report_body())).status_code == 201
        before = await _counts(application)
        refused = await c.post("/api/v1/reports", json=report_body())
        _assert_problem(refused, 429, "too-many-requests")
        assert refused.headers["retry-after"].isdigit()
        assert 1 <= int(refused.headers["retry-after"]) <= 60
        _assert_security_headers(refused)
        assert "receipt_code" not in refused.json()
        assert await _counts(application) == before
        # The window is per (hashed) address: someone else can still report.
        other = httpx.ASGITransport(app=application, client=("198.51.100.77", 4321))
        async with httpx.AsyncClient(transport=other, base_url="http://testserver") as elsewhere:
            assert (await elsewhere.post("/api/v1/reports", json=report_body())).status_code == 201


async def test_int_6_receipt_entry_is_rate_limited(settings) -> None:
    """INT-6: receipt entry is rate-limited too: the 3rd attempt in the window answers 429, even with the
    right code, and opens no inbox session."""
    async with _separate_app(rate_submit="2/minute", rate_receipt="2/minute") as (application, c):
        code = (await make_report(c))["receipt_code"]
        for _ in range(2):
            wrong = await c.post("/api/v1/inbox/session", json={"receipt_code": "Z" * 28})
            assert wrong.status_code == 401
        before = await _counts(application)
        refused = await c.post("/api/v1/inbox/session", json={"receipt_code": code})
        _assert_problem(refused, 429, "too-many-requests")
        assert refused.headers["retry-after"].isdigit()
        assert "access_token" not in refused.json()
        assert await _counts(application) == before


async def test_int_6_rate_limits_in_redis_are_shared_between_app_instances(settings) -> None:
    """INT-6: with Redis storage, two API processes share one window: 2 submissions on app A use it up, and
    the first one on app B answers 429."""
    r = await _fresh_redis()
    try:
        async with (
            _separate_app(rate_submit="2/minute", redis_url=REDIS_URL) as (app_a, a),
            _separate_app(rate_submit="2/minute", redis_url=REDIS_URL) as (app_b, b),
        ):
            assert app_a.state.runtime.rate_limits is not app_b.state.runtime.rate_limits
            for _ in range(2):
                assert (await a.post("/api/v1/reports", json=report_body())).status_code == 201
            before = await _counts(app_b)
            refused = await b.post("/api/v1/reports", json=report_body())
            _assert_problem(refused, 429, "too-many-requests")
            assert refused.headers["retry-after"].isdigit()
            assert await _counts(app_b) == before
            _assert_problem(await a.post("/api/v1/reports", json=report_body()), 429, "too-many-requests")
        assert await r.dbsize() > 0
    finally:
        await r.flushdb()
        await r.aclose()


async def test_int_1_int_6_redis_rate_limit_keys_never_hold_the_address(settings) -> None:
    """INT-1, INT-6: the keys the limiter stores in Redis never contain the client's address."""
    r = await _fresh_redis()
    try:
        async with _separate_app(rate_submit="2/minute", rate_receipt="2/minute", redis_url=REDIS_URL) as (_, c):
            assert (await c.post("/api/v1/reports", json=report_body())).status_code == 201
            assert (await c.post("/api/v1/inbox/session", json={"receipt_code": "Z" * 28})).status_code == 401
        keys = [key async for key in r.scan_iter(match="*")]
        assert keys, "the limiter stored nothing in Redis"
        for key in keys:
            assert CLIENT_ADDRESS.encode() not in key, key
            assert b"198-51-100-9" not in key and b"198_51_100_9" not in key
        assert any(b"submit" in key for key in keys) and any(b"receipt" in key for key in keys)
    finally:
        await r.flushdb()
        await r.aclose()
