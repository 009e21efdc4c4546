"""F9 / ACC-2: cleaning evidence is bounded — in memory, in time, in how many run at once, and in how many
uploads one inbox, one account or one address may send."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from app.domain.enums import Role, Team
from app.main import create_app
from app.services import evidence_isolation
from tests.api.test_evidence import stored_files, upload
from tests.builders import case_id_for, inbox_headers, login, make_report, make_staff
from tests.conftest import make_settings
from tests.evidence_samples import flat_png, pdf_with_many_objects, pdf_with_scripts, png_with_text

# The separate apps below share the session's database: the `settings` fixture has migrated it.
pytestmark = pytest.mark.usefixtures("settings")

ROOT = Path(__file__).resolve().parents[2]
MIB = 1024 * 1024
# The server may grow by this much while it receives the 7071×7071 PNG (about 200 KB on disk, 200 MB decoded):
# the upload, the multipart parse, the cleaned result and the bookkeeping — never the decoded picture.
SERVER_GROWTH_BOUND_KIB = 48 * 1024


@asynccontextmanager
async def separate_app(
    address: str = "203.0.113.50", **overrides: object
) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    """An app of its own (own settings, own rate-limit storage) on the shared test database."""
    application = create_app(make_settings(**overrides))
    transport = httpx.ASGITransport(app=application, client=(address, 1234))
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
            yield application, c
    finally:
        await application.state.runtime.engine.dispose()


def probe(tmp_path: Path, content: bytes, **overrides: object) -> dict[str, object]:
    """Upload `content` to a fresh server process (tests/evidence_memory_probe.py) and read what it measured."""
    sample = tmp_path / "upload.bin"
    sample.write_bytes(content)
    settings = [f"{k}={v}" for k, v in overrides.items()]
    done = subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "tests.evidence_memory_probe", str(sample), str(tmp_path), *settings],
        cwd=ROOT,
        capture_output=True,
        check=True,
        timeout=300,
    )
    return json.loads(done.stdout.decode().strip().splitlines()[-1])


def test_f9_acc_2_a_7071_square_png_is_cleaned_without_the_server_growing(tmp_path: Path) -> None:
    """F9, ACC-2: the reviewer's 7071×7071 one-colour RGBA PNG (≈200 KB, 50 MP, 200 MB decoded) is cleaned
    (201) — decoded in a child process under an address-space limit — while the server process's own peak
    memory grows by less than 48 MiB (it grew by ~760 MiB when Pillow decoded it in the server, twice copied).
    The child stayed within its limit, which holds only one decoded copy of the picture and little more."""
    result = probe(tmp_path, flat_png())
    assert result["status"] == 201, result
    assert isinstance(result["growth_kib"], int) and result["growth_kib"] < SERVER_GROWTH_BOUND_KIB, result
    assert isinstance(result["children_peak_kib"], int)
    decoded_kib = 7071 * 7071 * 4 // 1024
    assert decoded_kib < result["children_peak_kib"] < 768 * 1024, result


async def test_f9_acc_2_a_lower_pixel_setting_refuses_the_same_png_before_decoding() -> None:
    """F9, ACC-2: with `evidence_max_image_pixels` at 25 megapixels the same PNG is refused from its header
    (422 image-too-large, saying what is accepted) and nothing is stored."""
    async with separate_app(evidence_max_image_pixels=25_000_000) as (application, c):
        headers = await inbox_headers(c, (await make_report(c))["receipt_code"])
        before = stored_files(application)
        refused = await upload(c, headers, flat_png(), filename="f9.png", content_type="image/png")
        assert refused.status_code == 422, refused.text
        assert refused.json()["code"] == "image-too-large" and "25,000,000" in refused.json()["detail"]
        assert stored_files(application) == before


async def test_f9_a_pdf_that_needs_more_memory_than_the_child_may_use_is_422_and_the_server_goes_on() -> None:
    """F9, ACC-2: a 1 MB PDF of 100,000 objects needs ~100 MB to clean (a 20 MiB one, gigabytes): above the
    child's address-space limit (here 96 MiB) it is refused (422 file-too-complex), nothing is stored, and the
    next PDF is cleaned normally."""
    async with separate_app(evidence_clean_memory_mib=96) as (application, c):
        headers = await inbox_headers(c, (await make_report(c))["receipt_code"])
        before = stored_files(application)
        refused = await upload(c, headers, pdf_with_many_objects(100_000), filename="a.pdf")
        assert refused.status_code == 422, refused.text
        assert refused.json()["code"] == "file-too-complex"
        assert refused.headers["content-type"] == "application/problem+json"
        assert stored_files(application) == before
        after = await upload(c, headers, pdf_with_scripts("ok"), filename="b.pdf")
        assert after.status_code == 201, after.text
        assert after.json()["media_type"] == "application/pdf"


async def test_f9_cleaning_that_runs_past_its_time_limit_is_422() -> None:
    """F9: cleaning is bounded in time too (`evidence_clean_timeout_seconds`, also the child's CPU limit): a
    PDF that takes several seconds of work is stopped after 1 s and refused as file-too-complex."""
    async with separate_app(evidence_clean_timeout_seconds=1) as (_, c):
        headers = await inbox_headers(c, (await make_report(c))["receipt_code"])
        refused = await upload(c, headers, pdf_with_many_objects(100_000), filename="a.pdf")
        assert refused.status_code == 422, refused.text
        assert refused.json()["code"] == "file-too-complex"


async def test_f9_cleaning_beyond_the_concurrency_answers_503_with_retry_after() -> None:
    """F9: at most `evidence_clean_concurrency` files are cleaned at once; an upload that finds every place
    taken for longer than `evidence_clean_wait_seconds` answers 503 busy with Retry-After and stores nothing.
    Once a place is free, the same upload succeeds. (The places are held here by the test, not by timing.)"""
    async with separate_app(evidence_clean_concurrency=1, evidence_clean_wait_seconds=0.05) as (application, c):
        headers = await inbox_headers(c, (await make_report(c))["receipt_code"])
        before = stored_files(application)
        gate = evidence_isolation.gate(application.state.runtime.settings)
        await gate.acquire()
        try:
            busy = await upload(c, headers, png_with_text("busy"), filename="a.png")
        finally:
            gate.release()
        assert busy.status_code == 503, busy.text
        assert busy.json()["code"] == "busy" and busy.headers["content-type"] == "application/problem+json"
        assert busy.headers["retry-after"].isdigit() and int(busy.headers["retry-after"]) >= 1
        assert stored_files(application) == before
        # Plain text is not parsed, so it never waits for a place.
        await gate.acquire()
        try:
            text = await upload(c, headers, b"a note", filename="n.txt", content_type="text/plain")
        finally:
            gate.release()
        assert text.status_code == 201, text.text
        assert (await upload(c, headers, png_with_text("free"), filename="a.png")).status_code == 201


async def test_f9_a_burst_of_uploads_from_one_inbox_answers_429() -> None:
    """F9, INT-6: one inbox may upload `rate_upload_sender` files in the window; the next answers 429
    too-many-requests with Retry-After before its body is read. Another report's inbox from the same address
    is not affected by the first inbox's window."""
    async with separate_app(rate_upload_sender="3/minute") as (_, c):
        first = await inbox_headers(c, (await make_report(c))["receipt_code"])
        for i in range(3):
            assert (await upload(c, first, f"note {i}".encode(), filename="n.txt")).status_code == 201
        refused = await upload(c, first, b"one more", filename="n.txt")
        assert refused.status_code == 429 and refused.json()["code"] == "too-many-requests"
        assert refused.headers["retry-after"].isdigit() and 1 <= int(refused.headers["retry-after"]) <= 60
        second = await inbox_headers(c, (await make_report(c))["receipt_code"])
        assert (await upload(c, second, b"another report", filename="n.txt")).status_code == 201


async def test_f9_uploads_from_one_address_are_limited_across_inboxes() -> None:
    """F9, INT-6: `rate_upload` counts every upload from one (hashed) client address, whichever inbox it uses,
    so opening many reports does not multiply the allowance; another address still uploads."""
    async with separate_app(rate_upload="2/minute") as (application, c):
        inboxes = [await inbox_headers(c, (await make_report(c))["receipt_code"]) for _ in range(3)]
        assert (await upload(c, inboxes[0], b"one", filename="n.txt")).status_code == 201
        assert (await upload(c, inboxes[1], b"two", filename="n.txt")).status_code == 201
        refused = await upload(c, inboxes[2], b"three", filename="n.txt")
        assert refused.status_code == 429 and refused.json()["code"] == "too-many-requests"
        other = httpx.ASGITransport(app=application, client=("198.51.100.78", 4321))
        async with httpx.AsyncClient(transport=other, base_url="http://testserver") as elsewhere:
            assert (await upload(elsewhere, inboxes[2], b"three", filename="n.txt")).status_code == 201


async def test_f9_staff_uploads_are_limited_per_account(uow_factory) -> None:  # type: ignore[no-untyped-def]
    """F9, INT-6: the case team's uploads count against the account (`rate_upload_sender`) and the address."""
    async with separate_app(rate_upload_sender="2/minute") as (_, c):
        officer = await make_staff(uow_factory, role=Role.intake, team=Team.intake_counselling)  # issue 18: a reader
        body = await make_report(c)  # at submission, so the case's key is wrapped for the officer
        headers = await login(c, officer)
        case_id = await case_id_for(c, headers, body["case_reference"])
        for _ in range(2):
            assert (await upload(c, headers, b"note", case_id=case_id, filename="n.txt")).status_code == 201
        refused = await upload(c, headers, b"note", case_id=case_id, filename="n.txt")
        assert refused.status_code == 429 and refused.json()["code"] == "too-many-requests"


@pytest.mark.parametrize("setting", ["evidence_clean_concurrency", "evidence_clean_memory_mib"])
def test_f9_cleaning_limits_must_be_positive(setting: str) -> None:
    """F9: a cleaning limit of zero is refused when the settings load, not at the first upload."""
    with pytest.raises(ValueError):
        make_settings(**{setting: 0})
