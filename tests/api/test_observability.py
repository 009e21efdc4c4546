"""Observability without leaking (reliability review, "Build and prove" 6; INT-1): /metrics by route template with
no label that names a person or a case, refused without its token; JSON logs with the trace id and no content.
The submission ceiling (floods, INT-6/INT-7): beyond it 503 with Retry-After, nothing written."""

from __future__ import annotations

import io
import json
import logging
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import pytest
from sqlalchemy import func, select

from app.db.models import Report
from app.db.uow import UnitOfWork
from app.domain.enums import Role
from app.logs import JsonFormatter
from app.main import create_app
from app.worker_metrics import REGISTRY, job_done
from tests.builders import case_id_for, login, make_staff, report_body
from tests.conftest import make_settings

TOKEN = "metrics-token-" + "m" * 32
PROXY = "10.0.0.1"
NARRATIVE = "CANARY-NARRATIVE-7f3a: he followed me to the corridor after the dinner."
NAME = "CANARY-NAME-Kim-Jiyoung"
ADDRESS = "198.51.100.233"
WRONG_CODE = "CANARYRC" + "Q" * 20


@asynccontextmanager
async def _app(**overrides: object) -> AsyncIterator[tuple[httpx.AsyncClient, object]]:
    application = create_app(make_settings(trusted_proxies=[PROXY], **overrides))
    transport = httpx.ASGITransport(app=application, client=(PROXY, 4321))
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
            yield c, application
    finally:
        await application.state.runtime.engine.dispose()


def _uow(application) -> UnitOfWork:  # type: ignore[no-untyped-def]
    runtime = application.state.runtime
    return UnitOfWork(runtime.sessionmaker, runtime.settings)


async def test_int_1_metrics_are_off_unless_configured_and_refused_without_the_token(settings) -> None:
    """/metrics is not public: without WITHU_METRICS_TOKEN it does not exist (404); with it, no token, a wrong
    one or a staff member's bearer token get 401, and only the metrics token gets the figures."""
    async with _app() as (c, _):
        assert (await c.get("/metrics")).status_code == 404
    async with _app(metrics_token=TOKEN) as (c, application):
        staff = await make_staff(lambda: _uow(application), role=Role.sysadmin)
        for headers in ({}, {"Authorization": "Bearer wrong"}, await login(c, staff), {"Authorization": TOKEN}):
            refused = await c.get("/metrics", headers=headers)
            assert refused.status_code == 401, headers
            assert refused.headers["content-type"] == "application/problem+json"
            assert "withu_" not in refused.text
        answered = await c.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
        assert answered.status_code == 200
        assert answered.headers["content-type"].startswith("text/plain")


async def test_int_1_metrics_and_logs_name_no_person_no_case_and_no_content(settings) -> None:
    """INT-1: a narrative, a reporter's name, a receipt code (right and wrong) and a client address planted in
    requests reach neither the logs nor /metrics; a case's id and reference never appear there either (routes are
    templates). Each log line is JSON with the trace id the response carried."""
    lines = io.StringIO()
    handler = logging.StreamHandler(lines)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(lambda record: not record.name.startswith("httpx"))  # the test's own client, not the server
    root = logging.getLogger()
    root.addHandler(handler)
    level = root.level
    root.setLevel(logging.INFO)
    try:
        async with _app(metrics_token=TOKEN) as (c, application):
            # issue 18: the division head reads every case, and exists before the report comes in
            head = await make_staff(lambda: _uow(application), role=Role.division_head)
            head_headers = await login(c, head)
            forwarded = {"X-Forwarded-For": ADDRESS}
            body = report_body(identity_mode="confidential", reporter_kind="victim", narrative=NARRATIVE)
            body["reporter"] = {"name": NAME}
            submitted = await c.post("/api/v1/reports", json=body, headers=forwarded)
            assert submitted.status_code == 201, submitted.text
            code, reference = submitted.json()["receipt_code"], submitted.json()["case_reference"]
            assert (await c.post("/api/v1/inbox/session", json={"receipt_code": code}, headers=forwarded)).is_success
            wrong = await c.post("/api/v1/inbox/session", json={"receipt_code": WRONG_CODE}, headers=forwarded)
            assert wrong.status_code == 401
            case_id = await case_id_for(c, head_headers, reference)
            read = await c.get(f"/api/v1/cases/{case_id}", headers=head_headers)
            assert read.status_code == 200 and NARRATIVE in read.text  # the canary did go through the service
            job_done("deadline-scan", ok=True)
            metrics = (await c.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})).text
    finally:
        root.removeHandler(handler)
        root.setLevel(level)
    logged = lines.getvalue()
    assert 'route="/api/v1/cases/{case_id}"' in metrics
    assert 'route="/api/v1/reports",status="201"' in metrics
    for gauge in ("withu_outbox_pending", "withu_outbox_oldest_age_seconds", "withu_deliveries_failing"):
        assert f"\n{gauge} " in metrics
    assert "\nwithu_deadlines_overdue " in metrics
    for canary in (NARRATIVE[:20], NAME, code, code.replace("-", ""), WRONG_CODE, ADDRESS, str(case_id), reference):
        assert canary not in logged, canary
        assert canary not in metrics, canary
    entries = [json.loads(line) for line in logged.splitlines() if line]
    access = [e for e in entries if e["logger"] == "withu.access"]
    assert access and all(e["trace_id"] for e in access)
    assert read.headers["x-trace-id"] in {e["trace_id"] for e in access}


def test_int_1_worker_heartbeat_names_jobs_only() -> None:
    """The worker's heartbeat: the last success of each periodic job, labelled by the job's name alone."""
    job_done("retention", ok=True)
    samples = {s.labels.get("job") for m in REGISTRY.collect() for s in m.samples}
    assert "retention" in samples
    # job names only (other tests run jobs of their own in this process): words, never a number, id or reference
    assert all(re.fullmatch(r"[a-z]+(-[a-z]+)*", job) for job in samples - {None}), samples


@pytest.mark.parametrize("ceiling", [2])
async def test_int_6_int_7_the_submission_ceiling_answers_503_and_writes_nothing(settings, ceiling: int) -> None:
    """Floods: beyond `submissions_per_minute_max` for the whole service (here from two clients), a submission
    answers 503 problem+json with Retry-After and writes nothing; nothing acknowledged is affected."""
    async with _app(submissions_per_minute_max=ceiling) as (c, application):
        async with _uow(application) as uow:
            before = await uow.session.scalar(select(func.count()).select_from(Report))
        answers = [
            await c.post("/api/v1/reports", json=report_body(), headers={"X-Forwarded-For": f"198.51.100.{n}"})
            for n in range(ceiling + 1)
        ]
        async with _uow(application) as uow:
            after = await uow.session.scalar(select(func.count()).select_from(Report))
    assert [a.status_code for a in answers] == [201] * ceiling + [503]
    refused = answers[-1]
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["code"] == "submission-ceiling"
    assert int(refused.headers["retry-after"]) >= 1
    assert "receipt_code" not in refused.text
    assert after == before + ceiling
