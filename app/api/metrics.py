"""Prometheus metrics at /metrics (docs/operations.md "Metrics"), without a label that could name a person or a case.

Requests are counted and timed by method, ROUTE TEMPLATE (`/api/v1/cases/{case_id}`, never the path itself, which
holds ids) and status; everything else is a count or an age read from the database when the metrics are scraped.

Access: off unless WITHU_METRICS_TOKEN is set (then 404, as for a route that does not exist); with it, only a
request bearing that token (Prometheus' `authorization: {credentials: …}`) is answered, any other gets 401.
"""

from __future__ import annotations

import hmac
import time
from typing import Any

from fastapi import APIRouter, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.api.deps import Uow
from app.api.problems import HttpProblem
from app.api.unit_of_work import UnitOfWorkRoute
from app.services import operations

PATH = "/metrics"
# Latency buckets (seconds): a staff read is tens of ms, an Argon2 hash ~0.2 s, a database timeout 5–15 s.
BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


class Metrics:
    """One application's metrics, in a registry of its own (one per app, so tests and workers never mix)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.requests = Counter(
            "withu_http_requests", "HTTP requests answered", ["method", "route", "status"], registry=r
        )
        self.latency = Histogram(
            "withu_http_request_duration_seconds",
            "Time to answer an HTTP request",
            ["method", "route"],
            buckets=BUCKETS,
            registry=r,
        )
        self.outbox_pending = Gauge("withu_outbox_pending", "Webhook events not yet delivered", registry=r)
        self.outbox_oldest = Gauge(
            "withu_outbox_oldest_age_seconds", "Age of the oldest undelivered webhook event (0: none)", registry=r
        )
        self.deliveries_failing = Gauge(
            "withu_deliveries_failing", "Webhook events pending after at least one failed attempt", registry=r
        )
        self.deadlines_overdue = Gauge(
            "withu_deadlines_overdue", "Open case deadlines whose day has passed (CASE-2)", registry=r
        )

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        self.requests.labels(method, route, str(status)).inc()
        self.latency.labels(method, route).observe(seconds)

    def show(self, figures: operations.OperationsFigures) -> bytes:
        self.outbox_pending.set(figures.outbox_pending)
        self.outbox_oldest.set(figures.outbox_oldest_age_seconds)
        self.deliveries_failing.set(figures.deliveries_failing)
        self.deadlines_overdue.set(figures.deadlines_overdue)
        return generate_latest(self.registry)


def route_label(scope: Scope) -> str:
    """The route's template, never the path: ids stay out of the labels. Unmatched paths share one label."""
    template = getattr(scope.get("route"), "path", None)
    if template:
        return str(template)
    return "/api/unmatched" if scope["path"].startswith("/api/") else "static"


class RequestMetrics:
    """Counts and times every HTTP request by method, route template and status."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app, self.metrics = app, metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        started = time.perf_counter()
        status = {"code": 500}

        async def capture(message: Message) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, capture)
        finally:
            self.metrics.observe(scope["method"], route_label(scope), status["code"], time.perf_counter() - started)


router = APIRouter(route_class=UnitOfWorkRoute)


@router.get(PATH, include_in_schema=False)
async def metrics(request: Request, uow: Uow) -> Response:
    runtime: Any = request.app.state.runtime
    _check_access(request, runtime.settings.metrics_token)
    figures = await operations.figures(uow)
    return Response(runtime.metrics.show(figures), media_type=CONTENT_TYPE_LATEST)


def _check_access(request: Request, token: str | None) -> None:
    if not token:
        raise HttpProblem(404, "not-found", "Not found.")
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(given.encode(), token.encode()):
        raise HttpProblem(
            401, "metrics-token-required", "The metrics token is required.", headers={"WWW-Authenticate": "Bearer"}
        )
