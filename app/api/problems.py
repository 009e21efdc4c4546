"""RFC 9457 problem details: the one place where errors become HTTP responses."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.domain.errors import (
    AccessDenied,
    Busy,
    Conflict,
    ContentTooLarge,
    DomainError,
    Gone,
    NotFound,
    PreconditionRequired,
    RuleViolation,
    StaleVersion,
    Unauthenticated,
    UnsupportedMediaType,
)

log = logging.getLogger("withu.errors")
MEDIA_TYPE = "application/problem+json"

STATUS_BY_CATEGORY: list[tuple[type[DomainError], int]] = [
    (NotFound, 404),
    (Unauthenticated, 401),
    (AccessDenied, 403),
    (Conflict, 409),
    (RuleViolation, 422),
    (StaleVersion, 412),
    (PreconditionRequired, 428),
    (ContentTooLarge, 413),
    (UnsupportedMediaType, 415),
    (Busy, 503),
    (Gone, 410),
]


class HttpProblem(Exception):
    """A problem that belongs to HTTP itself (size, rate, preconditions), not to the rulebook."""

    def __init__(
        self,
        status: int,
        code: str,
        title: str,
        detail: str | None = None,
        headers: dict[str, str] | None = None,
    ):
        self.status, self.code, self.title, self.detail, self.headers = (
            status,
            code,
            title,
            detail,
            headers or {},
        )


def problem(
    request: Request | None,
    status: int,
    code: str,
    title: str,
    detail: str | None = None,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    body: dict[str, Any] = {"type": f"/problems/{code}", "title": title, "status": status, "code": code}
    if detail:
        body["detail"] = detail
    if request is not None:
        body["instance"] = request.url.path
        trace = getattr(request.state, "trace_id", None)
        if trace:
            body["trace_id"] = trace
    body.update(extra)
    return JSONResponse(body, status_code=status, media_type=MEDIA_TYPE, headers=headers)


def status_of(error: DomainError) -> int:
    for category, status in STATUS_BY_CATEGORY:
        if isinstance(error, category):
            return status
    return 422


def _validation_errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    # Never echo the input: it may be a narrative or a name.
    return [{"loc": list(e.get("loc", ())), "msg": e.get("msg", ""), "type": e.get("type", "")} for e in exc.errors()]


async def _domain(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DomainError)
    status = status_of(exc)
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    if isinstance(exc, Busy):
        headers = {"Retry-After": str(exc.retry_after)}
    return problem(request, status, exc.code, exc.title, exc.detail, headers=headers, **exc.extra)


async def _http_problem(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HttpProblem)
    return problem(request, exc.status, exc.code, exc.title, exc.detail, headers=exc.headers)


async def _validation(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = _validation_errors(exc)
    if any(e["type"] == "json_invalid" for e in errors):
        return problem(request, 400, "malformed-body", "The request body is not valid JSON.")
    return problem(request, 422, "validation-failed", "The request does not match the expected shape.", errors=errors)


async def _starlette_http(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    codes = {404: "not-found", 405: "method-not-allowed", 401: "unauthenticated", 413: "body-too-large"}
    code = codes.get(exc.status_code, f"http-{exc.status_code}")
    headers = dict(exc.headers or {})
    return problem(
        request,
        exc.status_code,
        code,
        str(exc.detail) if exc.status_code != 404 else "Not found.",
        headers=headers,
    )


class UnexpectedErrors:
    """Any unexpected exception becomes a generic 500 problem *inside* the middleware stack, so it still gets
    the security headers, no-store and the trace id (Starlette's own 500 handler sits outside them)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception as exc:
            trace = scope.get("state", {}).get("trace_id")
            # Only the exception type: messages may carry values from the request.
            log.error("unexpected error %s trace=%s", type(exc).__name__, trace)
            if started:
                raise
            response = problem(
                Request(scope), 500, "internal-error", "Something went wrong on our side. Nothing was saved."
            )
            await response(scope, receive, send)


def install(app: FastAPI) -> None:
    app.add_exception_handler(DomainError, _domain)
    app.add_exception_handler(HttpProblem, _http_problem)
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(StarletteHTTPException, _starlette_http)


def _schema(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
    }


# Declared on every route so the OpenAPI document tells integrators what errors look like.
COMMON_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: _schema("Malformed body"),
    401: _schema("Not authenticated"),
    403: _schema("Role or scope not allowed"),
    404: _schema("Not found, or not visible to you"),
    409: _schema("Conflicts with the current state"),
    410: _schema("The case's content was destroyed after its retention period (DATA-1)"),
    413: _schema("Body too large"),
    415: _schema("The content's type is not accepted"),
    422: _schema("Breaks a rule or does not match the schema"),
    412: _schema("If-Match names an older version"),
    428: _schema("If-Match is required"),
    429: _schema("Too many requests; see Retry-After"),
}

# Declared on routes whose work runs only a few at a time (domain error Busy).
BUSY_RESPONSES: dict[int | str, dict[str, Any]] = {503: _schema("Busy; try again after Retry-After seconds")}

PROBLEM_SCHEMA = {
    "type": "object",
    "title": "Problem",
    "description": "RFC 9457 problem details.",
    "required": ["type", "title", "status", "code"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "code": {"type": "string", "description": "Stable, kebab-case."},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "trace_id": {"type": "string"},
        "errors": {"type": "array", "items": {"type": "object"}},
    },
}
