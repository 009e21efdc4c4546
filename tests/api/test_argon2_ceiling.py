"""Security review F8, INT-4, INT-6: Argon2 work (the receipt code's hash at submission, receipt checks, staff
passwords, client secrets) runs at most `WITHU_ARGON2_CONCURRENCY` at once per process. When the places are
taken for longer than a short wait, the request answers 503 problem+json with Retry-After — and nothing is
written — instead of queueing without bound (each hash holds 64 MiB and a core)."""

from __future__ import annotations

import os
import threading
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from app.db.models import AuditEntry, Case, Report
from app.domain.enums import Role
from app.main import create_app
from app.services import security
from app.services.security import argon2_slot, hasher
from app.settings import Settings
from tests.builders import make_report, make_staff, report_body
from tests.conftest import make_settings

CEILING_ONE = {"argon2_concurrency": 1, "argon2_wait_seconds": 0.2}


@pytest.fixture
async def one_at_a_time() -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    """An app whose process allows one Argon2 computation at a time."""
    application = create_app(make_settings(**CEILING_ONE))
    transport = httpx.ASGITransport(app=application, client=("198.51.100.61", 4000))
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
            yield application, c
    finally:
        await application.state.runtime.engine.dispose()


async def _counts(uow_factory) -> list[int]:  # type: ignore[no-untyped-def]
    """How many cases, reports and audit entries are stored."""
    async with uow_factory() as uow:
        return [
            int(await uow.session.scalar(select(func.count()).select_from(m)) or 0) for m in (Case, Report, AuditEntry)
        ]


def _assert_busy(response: httpx.Response) -> None:
    assert response.status_code == 503, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "busy"
    assert response.headers["retry-after"].isdigit() and int(response.headers["retry-after"]) >= 1


async def test_int_4_f8_a_submission_while_the_only_place_is_taken_answers_503_and_writes_nothing(
    one_at_a_time, uow_factory
) -> None:
    """F8, INT-4: with the ceiling at 1 and a hash in progress (its place held), a submission waits the short
    wait, then answers 503 `busy` with Retry-After; no case, report or audit entry is written, and no receipt
    code is shown. Once the place is free, the same submission is accepted."""
    application, c = one_at_a_time
    settings = application.state.runtime.settings
    before = await _counts(uow_factory)
    async with argon2_slot(settings):  # the place a hash in progress holds
        refused = await c.post("/api/v1/reports", json=report_body())
        _assert_busy(refused)
        assert "receipt_code" not in refused.text
        assert await _counts(uow_factory) == before
    accepted = await c.post("/api/v1/reports", json=report_body())
    assert accepted.status_code == 201, accepted.text
    assert await _counts(uow_factory) != before


async def test_int_6_f8_receipt_and_password_checks_share_the_ceiling(one_at_a_time, uow_factory) -> None:
    """F8, INT-6: the receipt check and the staff password check wait for the same places: while the only one
    is taken both answer 503 with Retry-After (no failed attempt is counted); afterwards both work."""
    application, c = one_at_a_time
    settings = application.state.runtime.settings
    code = (await make_report(c))["receipt_code"]
    staff = await make_staff(uow_factory, role=Role.hr_officer)
    sign_in = {"email": staff.email, "password": staff.password, "totp": staff.totp()}
    async with argon2_slot(settings):
        _assert_busy(await c.post("/api/v1/inbox/session", json={"receipt_code": code}))
        _assert_busy(await c.post("/api/v1/auth/login", json=sign_in))
    assert (await c.post("/api/v1/inbox/session", json={"receipt_code": code})).status_code == 200
    signed_in = await c.post("/api/v1/auth/login", json=sign_in)
    assert signed_in.status_code == 200, signed_in.text


def test_f8_the_default_ceiling_is_one_per_core() -> None:
    """F8, issue 15 (floods): by default a process runs at most one Argon2 computation per core at once (more
    only thrash the caches staff requests need: bench/flood.py), on threads of the lowest scheduling priority."""
    default = Settings.model_fields["argon2_concurrency"].default_factory
    assert default is not None and default() == (os.cpu_count() or 1)  # type: ignore[call-arg]
    assert Settings.model_fields["argon2_nice"].default == 19


async def test_f8_argon2_runs_on_threads_that_yield_the_cpu_to_requests(settings) -> None:  # type: ignore[no-untyped-def]
    """Issue 15 (floods): hashes run on threads whose nice value is `argon2_nice` (Linux keeps one per thread), so
    staff and reporters' requests on the event loop's thread go first; the event loop's own thread is untouched."""
    seen: list[int] = []
    own = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())

    def hash_and_look(secret: str) -> str:
        seen.append(os.getpriority(os.PRIO_PROCESS, threading.get_native_id()))
        return hasher(settings).hash(secret)

    assert (await security._in_argon2_thread(settings, hash_and_look, "secret")).startswith("$argon2id$")
    assert seen == [max(own, settings.argon2_nice)] and settings.argon2_nice == 19
    assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) == own
