"""ASGI middleware: trace ids and a content-free access log, security headers, request body limits."""

from __future__ import annotations

import json
import logging
import secrets
import time
from collections.abc import Mapping
from typing import Any

from fastapi import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.logs import TRACE_ID

access_log = logging.getLogger("withu.access")

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; manifest-src 'self'; worker-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), interest-cohort=()"),
    (b"strict-transport-security", b"max-age=63072000; includeSubDomains"),
]


class SecurityHeaders:
    """Every response gets the security headers; API responses are never cached."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        no_store = scope["path"].startswith("/api/") or scope["path"] in ("/docs", "/openapi.json")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [
                    (k, v) for k, v in message.get("headers", []) if k.lower() != b"cache-control" or not no_store
                ]
                headers.extend(SECURITY_HEADERS)
                if no_store:
                    headers.append((b"cache-control", b"no-store"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


class BodyLimit:
    """Bodies larger than the limit are refused with 413 before they are read (declared or streamed).
    `overrides` gives single paths (exact match) a limit of their own, e.g. the personnel system's full sync.
    A path may be a template whose `{name}` segments match any one segment (evidence uploads to a case)."""

    def __init__(self, app: ASGIApp, max_bytes: int, overrides: Mapping[str, int] | None = None) -> None:
        self.app, self.default_bytes, self.overrides = app, max_bytes, dict(overrides or {})
        self.templates = [(path.split("/"), n) for path, n in self.overrides.items() if "{" in path]

    def _limit(self, path: str) -> int:
        if path in self.overrides:
            return self.overrides[path]
        segments = path.split("/")
        for template, limit in self.templates:
            if len(template) == len(segments) and all(
                t == s or (t.startswith("{") and s) for t, s in zip(template, segments, strict=True)
            ):
                return limit
        return self.default_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        max_bytes = self._limit(scope["path"])
        declared = dict(scope.get("headers", [])).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > max_bytes):
            return await _too_large(scope, send, max_bytes)
        received = 0
        response_started = False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > max_bytes:
                    raise _BodyTooLarge()
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal response_started
            if message["type"] == "http.response.start":
                response_started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except _BodyTooLarge:
            if not response_started:
                await _too_large(scope, send, max_bytes)


class _BodyTooLarge(HTTPException):
    """An HTTP exception, so that FastAPI, reading a streamed (chunked) body, passes it on as the 413 it is instead
    of turning it into a 400 "error parsing the body" (reliability review, finding 9)."""

    def __init__(self) -> None:
        super().__init__(status_code=413, detail="The request body is too large.")


async def _too_large(scope: Scope, send: Send, max_bytes: int) -> None:
    body = json.dumps(
        {
            "type": "/problems/body-too-large",
            "title": "The request body is too large.",
            "status": 413,
            "code": "body-too-large",
            "detail": f"At most {max_bytes} bytes.",
            "instance": scope["path"],
        }
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"application/problem+json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class TraceAndAccessLog:
    """A random trace id per request, and an access log line with no address, no query and no body."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        trace_id = secrets.token_hex(8)
        scope.setdefault("state", {})["trace_id"] = trace_id
        trace_token = TRACE_ID.set(trace_id)  # every log line of this request carries it (app/logs.py)
        started = time.perf_counter()
        status: dict[str, Any] = {"code": 500}

        async def capture(message: Message) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
                message.setdefault("headers", []).append((b"x-trace-id", trace_id.encode()))
            await send(message)

        try:
            await self.app(scope, receive, capture)
        finally:
            route = scope.get("route")
            path = getattr(route, "path", None) or ("/api/…" if scope["path"].startswith("/api/") else "static")
            access_log.info(
                "%s %s %s %.1fms trace=%s",
                scope["method"],
                path,
                status["code"],
                (time.perf_counter() - started) * 1000,
                trace_id,
            )
            TRACE_ID.reset(trace_token)
