"""The evidence store that cannot be written or read (reliability review, finding 2): the service does not start
without a writable WITHU_EVIDENCE_DIR, and an upload to a store that fails, or the download of a file that is not
there (a restore without the evidence), answers 503 `evidence-store-unavailable` with Retry-After, never a 500,
and saves nothing (ACC-2, AUD-1, INT-7)."""

from __future__ import annotations

import tempfile
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from app.main import EvidenceStoreUnwritable, create_app
from tests.api.test_evidence import intake_case, stored_files, upload  # noqa: F401 - the fixture is used
from tests.builders import inbox_headers
from tests.conftest import make_settings


def _unwritable_store() -> Path:
    """A store folder that no user can make, root included: its parent is a plain file."""
    parent = Path(tempfile.mkdtemp(prefix="withu-store-")) / "not-a-folder"
    parent.write_text("a file where the store's parent folder should be")
    return parent / "evidence"


def _assert_store_unavailable(response: httpx.Response) -> None:
    assert response.status_code == 503, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "evidence-store-unavailable"
    assert int(response.headers["retry-after"]) > 0


async def _asgi(app: FastAPI) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")


async def test_acc_2_the_service_refuses_to_start_without_a_writable_evidence_store(settings, caplog) -> None:  # type: ignore[no-untyped-def]
    """Finding 2: start-up stops with one line naming WITHU_EVIDENCE_DIR, instead of a server whose every upload
    answers 500."""
    broken = create_app(make_settings(evidence_dir=_unwritable_store()))
    try:
        with pytest.raises(EvidenceStoreUnwritable, match="WITHU_EVIDENCE_DIR=.*cannot be written"):
            async with broken.router.lifespan_context(broken):
                pass
        assert any("WITHU_EVIDENCE_DIR" in r.getMessage() for r in caplog.records)
    finally:
        await broken.state.runtime.engine.dispose()


async def test_acc_2_a_writable_evidence_store_is_made_at_start_up(settings, tmp_path: Path) -> None:
    """The store's folder is made owner-only at start-up, and the probe leaves nothing behind."""
    store = tmp_path / "new" / "evidence"
    fine = create_app(make_settings(evidence_dir=store))
    try:
        async with fine.router.lifespan_context(fine):
            assert store.is_dir() and store.stat().st_mode & 0o077 == 0
        assert list(store.iterdir()) == []
    finally:
        await fine.state.runtime.engine.dispose()


async def test_int_7_uploads_to_an_unwritable_store_answer_503_and_save_nothing(client, intake_case) -> None:  # noqa: F811
    """Staff and reporter uploads to a store that cannot be written: 503 with Retry-After, no row (the case's list
    stays as it was), and the report itself is untouched."""
    body, _, headers, case_id = intake_case
    broken = create_app(make_settings(evidence_dir=_unwritable_store()))
    try:
        async with await _asgi(broken) as c:
            _assert_store_unavailable(await upload(c, headers, b"a note\n", case_id=case_id, filename="a.txt"))
            reporter = await inbox_headers(c, body["receipt_code"])
            _assert_store_unavailable(await upload(c, reporter, b"my note\n", filename="b.txt"))
    finally:
        await broken.state.runtime.engine.dispose()
    listed = await client.get(f"/api/v1/cases/{case_id}/evidence", headers=headers)
    assert listed.status_code == 200 and listed.json()["items"] == []


async def test_aud_1_downloading_a_file_missing_from_the_store_answers_503(client, app, intake_case) -> None:  # noqa: F811
    """A restore without the evidence (the review's new host): the row is there, its file is not. The download is
    503 (not 500) and no download is recorded."""
    _, _, headers, case_id = intake_case
    before = stored_files(app)
    made = await upload(client, headers, b"evidence that goes missing\n", case_id=case_id, filename="a.txt")
    assert made.status_code == 201, made.text
    (new_file,) = stored_files(app) - before
    new_file.unlink()
    got = await client.post(
        f"/api/v1/cases/{case_id}/evidence/{made.json()['id']}/download",
        json={"reason": "Checking the restored backup."},
        headers=headers,
    )
    _assert_store_unavailable(got)
