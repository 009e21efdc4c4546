"""The worker's heartbeat for Prometheus (docs/operations.md "Metrics"): when each periodic job last succeeded and
when the last polling round ended. `withu worker` serves them on WITHU_WORKER_METRICS_PORT (off unless set), bound
to WITHU_WORKER_METRICS_ADDRESS (127.0.0.1 unless set: reach it from the host's Prometheus or a private network).
Labels: the job's name only."""

from __future__ import annotations

import logging

from prometheus_client import CollectorRegistry, Gauge, start_http_server

from app.settings import Settings

REGISTRY = CollectorRegistry()
JOB_LAST_SUCCESS = Gauge(
    "withu_worker_job_last_success_timestamp_seconds",
    "When each periodic job last ran to the end (Unix time)",
    ["job"],
    registry=REGISTRY,
)
JOB_FAILURES = Gauge(
    "withu_worker_job_failed", "1 when the periodic job's last run failed, else 0", ["job"], registry=REGISTRY
)
LAST_ROUND = Gauge(
    "withu_worker_last_round_timestamp_seconds", "When the worker last finished a polling round", registry=REGISTRY
)


def job_done(name: str, ok: bool) -> None:
    JOB_FAILURES.labels(name).set(0 if ok else 1)
    if ok:
        JOB_LAST_SUCCESS.labels(name).set_to_current_time()


def serve(settings: Settings) -> None:
    if settings.worker_metrics_port is not None:
        start_http_server(settings.worker_metrics_port, settings.worker_metrics_address, registry=REGISTRY)
        logging.getLogger("withu.worker").info("metrics served port=%d", settings.worker_metrics_port)
