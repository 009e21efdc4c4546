"""Evidence files (ACC-1, ACC-2, AUD-1, CASE-4): uploads by the case team and the reporter, checked by content,
cleaned of metadata, encrypted under random names; listings; downloads with a recorded, audited reason."""

from __future__ import annotations

import io
import logging
import os
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import pikepdf
import pytest
from PIL import Image
from sqlalchemy import select

from app.api.middleware import BodyLimit
from app.db.case_keys import KeyUnavailable
from app.db.encryption import LOCKED, CaseFileCipher, cipher
from app.db.models import AuditEntry, Case, EvidenceAccess, EvidenceFile
from app.domain.enums import Role, Team
from app.domain.errors import ContentTooLarge, EmptyFile
from app.integrations.file_store import FileStore
from app.main import create_app
from app.schemas.evidence import EvidenceUpload
from app.services import audit as audit_service
from app.services import auth as auth_service
from app.services import evidence as evidence_service
from tests.api.test_privacy import _all_stored_values
from tests.builders import case_id_for, inbox_headers, login, make_report, make_staff, move_case
from tests.conftest import database_url, make_settings, sqlite_file_bytes
from tests.evidence_samples import (
    ELF,
    jpeg_with_gps,
    pdf_with_scripts,
    png_bomb,
    png_with_text,
    webp_with_exif,
    zip_bomb,
)

REASON = "Preparing the investigation interview."
CONTENT_BLIND = [Role.hr_officer, Role.auditor, Role.sysadmin]


@pytest.fixture
async def intake_case(client, uow_factory):  # type: ignore[no-untyped-def]
    """A fresh report in the intake team's queue, and a signed-in intake officer (there before the report came in:
    issue 18, the case's key is wrapped for its readers at submission)."""
    officer = await make_staff(uow_factory, role=Role.intake, team=Team.intake_counselling)
    body = await make_report(client)
    headers = await login(client, officer)
    return body, officer, headers, await case_id_for(client, headers, body["case_reference"])


def evidence_dir(app: Any) -> Path:
    return app.state.runtime.settings.evidence_dir


def stored_files(app: Any) -> set[Path]:
    root = evidence_dir(app)
    return {p for p in root.rglob("*") if p.is_file()} if root.exists() else set()


async def upload(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    content: bytes,
    *,
    case_id: str | None = None,
    filename: str = "photo.jpg",
    content_type: str = "image/jpeg",
    description: str | None = None,
) -> httpx.Response:
    """Upload through the case team's endpoint, or (case_id None) through the reporter's inbox."""
    url = f"/api/v1/cases/{case_id}/evidence" if case_id else "/api/v1/inbox/evidence"
    data = {"description": description} if description is not None else None
    return await client.post(url, headers=headers, files={"file": (filename, content, content_type)}, data=data)


async def download(
    client: httpx.AsyncClient, headers: dict[str, str], case_id: str, evidence_id: str, reason: str | None = REASON
) -> httpx.Response:
    body = {"reason": reason} if reason is not None else {}
    return await client.post(f"/api/v1/cases/{case_id}/evidence/{evidence_id}/download", json=body, headers=headers)


async def audit_actions(uow_factory, case_id: str) -> list[tuple[str, str | None, str | None]]:  # type: ignore[no-untyped-def]
    async with uow_factory() as uow:
        return [(e.action, e.actor_id, e.target) for e in await uow.audit.for_case(uuid.UUID(case_id))]


async def test_acc_2_jpeg_with_gps_round_trip_without_metadata(client, app, intake_case, uow_factory) -> None:
    """ACC-2, AUD-1: a JPEG with EXIF GPS is stored without EXIF (and upright); listed with its metadata only;
    downloaded with a reason as an attachment named by its id; the upload and the download are audited."""
    _, officer, headers, case_id = intake_case
    tag = uuid.uuid4().hex[:10]
    original = jpeg_with_gps(tag)
    response = await upload(client, headers, original, case_id=case_id, description="Photo of the message board")
    assert response.status_code == 201, response.text
    created = response.json()
    assert created["media_type"] == "image/jpeg" and created["uploaded_by"] == "staff"
    assert created["uploaded_by_user_id"] == str(officer.id) and created["created_at"] is not None
    assert created["description"] == "Photo of the message board"
    assert "photo.jpg" not in response.text  # the client's file name is not kept

    listing = await client.get(f"/api/v1/cases/{case_id}/evidence", headers=headers)
    assert listing.status_code == 200
    assert [i["id"] for i in listing.json()["items"]] == [created["id"]]
    assert listing.json()["items"][0]["size"] == created["size"]

    got = await download(client, headers, case_id, created["id"])
    assert got.status_code == 200, got.text
    assert got.headers["content-type"] == "image/jpeg"
    assert (
        got.headers["content-disposition"]
        == f'attachment; filename="evidence-{created["id"].replace("-", "")[:8]}.jpg"'
    )
    assert got.headers["cache-control"] == "no-store"
    assert len(got.content) == created["size"]
    assert tag.encode() not in got.content and b"Exif" not in got.content
    with Image.open(io.BytesIO(got.content)) as image:
        assert image.size == (40, 80)  # orientation 6 applied to 80×40 pixels
        assert dict(image.getexif()) == {}
        assert image.getexif().get_ifd(0x8825) == {}

    async with uow_factory() as uow:
        row = await uow.session.get(EvidenceFile, uuid.UUID(created["id"]))
        assert row is not None and row.stored_name not in ("photo.jpg", created["id"])
        accesses = (await uow.session.scalars(select(EvidenceAccess).where(EvidenceAccess.evidence_id == row.id))).all()
        assert [(a.user_id, a.reason) for a in accesses] == [(officer.id, REASON)]
    actions = await audit_actions(uow_factory, case_id)
    assert ("evidence.uploaded", str(officer.id), created["id"]) in actions
    assert ("evidence.listed", str(officer.id), None) in actions
    assert ("evidence.downloaded", str(officer.id), created["id"]) in actions


async def test_acc_2_png_loses_its_text_chunks(client, intake_case) -> None:
    """ACC-2: PNG text chunks (author, comment, XMP) and EXIF are removed on upload."""
    _, _, headers, case_id = intake_case
    tag = uuid.uuid4().hex[:10]
    response = await upload(client, headers, png_with_text(tag), case_id=case_id, filename="screen.png")
    assert response.status_code == 201, response.text
    assert response.json()["media_type"] == "image/png"
    got = await download(client, headers, case_id, response.json()["id"])
    assert got.status_code == 200 and got.headers["content-type"] == "image/png"
    assert tag.encode() not in got.content
    for chunk in (b"tEXt", b"zTXt", b"iTXt", b"eXIf"):
        assert chunk not in got.content
    with Image.open(io.BytesIO(got.content)) as image:
        assert image.text == {} and image.size == (20, 30)  # its eXIf orientation 6 was applied


async def test_acc_2_webp_is_accepted_and_cleaned(client, intake_case) -> None:
    """ACC-2: WebP (read by Pillow) is on the allow-list; its EXIF and XMP go."""
    _, _, headers, case_id = intake_case
    tag = uuid.uuid4().hex[:10]
    response = await upload(client, headers, webp_with_exif(tag), case_id=case_id, filename="x.webp")
    assert response.status_code == 201 and response.json()["media_type"] == "image/webp"
    got = await download(client, headers, case_id, response.json()["id"])
    assert got.headers["content-disposition"].endswith('.webp"') and tag.encode() not in got.content


async def test_acc_2_pdf_loses_author_xmp_and_javascript(client, intake_case) -> None:
    """ACC-2, bad input: a PDF with /Author, XMP and a JavaScript OpenAction is cleaned (not refused): the
    download has no document info, no XMP, no scripts, no embedded file — and still its page."""
    _, _, headers, case_id = intake_case
    tag = uuid.uuid4().hex[:10]
    original = pdf_with_scripts(tag)
    assert f"Author{tag}".encode() in original and b"/JavaScript" in original
    response = await upload(client, headers, original, case_id=case_id, filename="statement.pdf")
    assert response.status_code == 201, response.text
    assert response.json()["media_type"] == "application/pdf"
    got = await download(client, headers, case_id, response.json()["id"])
    assert got.status_code == 200 and got.headers["content-type"] == "application/pdf"
    assert got.headers["content-disposition"].endswith('.pdf"')
    assert tag.encode() not in got.content
    assert b"JavaScript" not in got.content and b"/JS" not in got.content and b"/Launch" not in got.content
    with pikepdf.open(io.BytesIO(got.content)) as pdf:
        assert len(pdf.pages) == 1
        assert "/Info" not in pdf.trailer and "/Metadata" not in pdf.Root and "/OpenAction" not in pdf.Root
        assert "/EmbeddedFiles" not in pdf.Root.Names and "/AA" not in pdf.pages[0].obj


async def test_acc_2_plain_text_round_trip(client, intake_case) -> None:
    """ACC-2: UTF-8 text comes back byte for byte, as text/plain; the name says .txt whatever it was called."""
    _, _, headers, case_id = intake_case
    text = "2026-11-03 21:40 그가 또 메시지를 보냈다.\nHe sent another message.\n".encode()
    response = await upload(client, headers, text, case_id=case_id, filename="notes.jpg", content_type="image/jpeg")
    assert response.status_code == 201 and response.json()["media_type"] == "text/plain"
    got = await download(client, headers, case_id, response.json()["id"])
    assert got.content == text
    assert got.headers["content-type"] == "text/plain; charset=utf-8"
    assert got.headers["content-disposition"].endswith('.txt"')
    assert got.headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("ELF executable named photo.jpg", ELF),
        ("Windows executable named photo.jpg", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 120),
        ("ZIP bomb named photo.jpg", None),
        ("GIF named photo.jpg", b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!\xf9\x04\x00;"),
    ],
)
async def test_acc_2_file_lying_about_its_type_is_415(
    client, app, intake_case, name: str, content: bytes | None
) -> None:
    """ACC-2, bad input: the name and declared type say JPEG, the content says otherwise: 415, nothing stored.
    A zip bomb is an archive, and archives are not on the allow-list."""
    _, _, headers, case_id = intake_case
    before = stored_files(app)
    response = await upload(client, headers, content if content is not None else zip_bomb(), case_id=case_id)
    assert response.status_code == 415, name
    assert response.json()["code"] == "unsupported-media-type"
    assert response.headers["content-type"] == "application/problem+json"
    assert stored_files(app) == before
    assert (await client.get(f"/api/v1/cases/{case_id}/evidence", headers=headers)).json()["items"] == []


async def test_acc_2_empty_file_is_422(client, app, intake_case) -> None:
    """Bad input: an empty file is refused (422 empty-file); nothing is stored."""
    _, _, headers, case_id = intake_case
    before = stored_files(app)
    response = await upload(client, headers, b"", case_id=case_id)
    assert response.status_code == 422 and response.json()["code"] == "empty-file"
    assert stored_files(app) == before


async def test_acc_2_decompression_bomb_is_422(client, app, intake_case) -> None:
    """Bad input: a 30000×30000 PNG of ~100 KB is refused before it is decoded (422 image-too-large)."""
    _, _, headers, case_id = intake_case
    before = stored_files(app)
    response = await upload(client, headers, png_bomb(), case_id=case_id, filename="bomb.png")
    assert response.status_code == 422 and response.json()["code"] == "image-too-large"
    assert stored_files(app) == before


async def test_acc_2_malformed_pdf_is_422(client, app, intake_case) -> None:
    """Bad input: something that starts like a PDF but is not one is 422 malformed-file."""
    _, _, headers, case_id = intake_case
    response = await upload(client, headers, b"%PDF-1.7\n1 0 obj << /Type /Catalog", case_id=case_id)
    assert response.status_code == 422 and response.json()["code"] == "malformed-file"


async def test_oversized_upload_is_413_and_stores_nothing(client, app, intake_case) -> None:
    """Bad input: a body above max_evidence_bytes (20 MiB by default) is refused by the body limit of the upload
    paths before it is read; a 1 MiB file, above the general body limit, is accepted there."""
    body, _, headers, case_id = intake_case
    reporter = await inbox_headers(client, body["receipt_code"])
    before = stored_files(app)
    too_big = b"a" * (app.state.runtime.settings.max_evidence_bytes + 1)
    for case, who in ((case_id, headers), (None, reporter)):
        response = await upload(client, who, too_big, case_id=case, filename="big.txt")
        assert response.status_code == 413 and response.json()["code"] == "body-too-large"
    assert stored_files(app) == before
    accepted = await upload(client, headers, b"b" * (1024 * 1024), case_id=case_id, filename="big.txt")
    assert accepted.status_code == 201, accepted.text
    # Other paths keep the general limit.
    big_message = await client.post(
        f"/api/v1/cases/{case_id}/messages", json={"body": "x" * (1024 * 1024)}, headers=headers
    )
    assert big_message.status_code == 413


async def test_file_above_the_limit_inside_a_small_body_is_413(uow_factory, intake_case) -> None:
    """Bad input: with a small max_evidence_bytes, a file one byte above it is refused while the form is read
    (the body itself is within the limit plus the form's room), and a larger body by the body limit."""
    _, _, headers, case_id = intake_case
    small = create_app(make_settings(max_evidence_bytes=2048))
    try:
        transport = httpx.ASGITransport(app=small, client=("203.0.113.9", 50000))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
            before = stored_files(small)
            at_limit = await upload(c, headers, b"c" * 2048, case_id=case_id, filename="a.txt")
            assert at_limit.status_code == 201, at_limit.text
            over = await upload(c, headers, b"c" * 2049, case_id=case_id, filename="a.txt")
            assert over.status_code == 413 and over.json()["code"] == "body-too-large"
            huge = await upload(c, headers, b"c" * 100_000, case_id=case_id, filename="a.txt")
            assert huge.status_code == 413 and huge.json()["code"] == "body-too-large"
            assert len(stored_files(small) - before) == 1
    finally:
        await small.state.runtime.engine.dispose()


async def test_service_refuses_empty_and_oversized_content_itself(uow_factory, intake_case, app) -> None:
    """The use case checks the size too, whoever calls it (the HTTP edge is not the only caller). The caller is the
    officer's own sign-in (issue 18: only a reader who holds the case's key reaches its files)."""
    _, _, headers, case_id = intake_case
    limit = app.state.runtime.settings.max_evidence_bytes
    async with uow_factory() as uow:
        actor = await auth_service.staff_from_token(uow, headers["Authorization"].removeprefix("Bearer "))
        with pytest.raises(EmptyFile):
            await evidence_service.upload_case_evidence(uow, actor, uuid.UUID(case_id), EvidenceUpload(b""))
        with pytest.raises(ContentTooLarge):
            await evidence_service.upload_case_evidence(
                uow, actor, uuid.UUID(case_id), EvidenceUpload(b"x" * (limit + 1))
            )


async def test_upload_form_errors(client, intake_case) -> None:
    """Bad input: no file → 422; an unknown field → 422; a description too long → 422; not a form → 400."""
    _, _, headers, case_id = intake_case
    url = f"/api/v1/cases/{case_id}/evidence"
    no_file = await client.post(url, headers=headers, data={"description": "only words"}, files={"x": ("", b"")})
    assert no_file.status_code == 422 and no_file.json()["code"] == "validation-failed"
    missing = await client.post(url, headers=headers, files={"description": (None, "words")})
    assert missing.status_code == 422
    assert {"loc": ["body", "file"], "msg": "Field required", "type": "missing"} in missing.json()["errors"]
    long_text = await upload(client, headers, b"text", case_id=case_id, description="d" * 2001)
    assert long_text.status_code == 422 and long_text.json()["errors"][0]["loc"] == ["body", "description"]
    twice = await client.post(url, headers=headers, files=[("file", ("a", b"a")), ("file", ("b", b"b"))])
    assert twice.status_code == 422
    json_body = await client.post(url, headers=headers, json={"file": "aGVsbG8="})
    assert json_body.status_code == 400 and json_body.json()["code"] == "malformed-body"


async def test_case_4_reporter_uploads_through_the_inbox(client, uow_factory) -> None:
    """CASE-4, INT-1: the reporter uploads with the inbox token; the reporter lists only their own files; the
    case team sees the file as the reporter's, with its day only; the audit entry has no actor id and no time."""
    officer = await make_staff(uow_factory, role=Role.intake, team=Team.intake_counselling)
    body = await make_report(client)
    reporter = await inbox_headers(client, body["receipt_code"])
    tag = uuid.uuid4().hex[:10]
    response = await upload(client, reporter, jpeg_with_gps(tag), description="The photo he sent me")
    assert response.status_code == 201, response.text
    created = response.json()
    assert created["media_type"] == "image/jpeg" and "created_at" not in created
    assert set(created) == {"id", "media_type", "size", "description", "created_on"}

    headers = await login(client, officer)
    case_id = await case_id_for(client, headers, body["case_reference"])
    staff_file = await upload(client, headers, b"case team note", case_id=case_id, filename="n.txt")
    assert staff_file.status_code == 201

    mine = (await client.get("/api/v1/inbox/evidence", headers=reporter)).json()["items"]
    assert [i["id"] for i in mine] == [created["id"]]
    assert mine[0]["description"] == "The photo he sent me"
    team_view = {
        i["id"]: i for i in (await client.get(f"/api/v1/cases/{case_id}/evidence", headers=headers)).json()["items"]
    }
    assert set(team_view) == {created["id"], staff_file.json()["id"]}
    from_reporter = team_view[created["id"]]
    assert from_reporter["uploaded_by"] == "reporter" and from_reporter["uploaded_by_user_id"] is None
    assert from_reporter["created_at"] is None
    got = await download(client, headers, case_id, created["id"])
    assert got.status_code == 200 and tag.encode() not in got.content

    async with uow_factory() as uow:
        entries = [e for e in await uow.audit.for_case(uuid.UUID(case_id)) if e.target == created["id"]]
        uploaded = next(e for e in entries if e.action == "evidence.uploaded")
        assert uploaded.actor_kind == "reporter" and uploaded.actor_id is None
        assert (uploaded.at.hour, uploaded.at.minute, uploaded.at.second) == (0, 0, 0)


@pytest.mark.parametrize("ending", ["withdrawn", "closed"])
async def test_case_4_reporter_cannot_upload_after_the_case_ends(client, app, uow_factory, ending: str) -> None:
    """CASE-4, bad input: after `withdrawn` or `closed` the reporter's upload is 409 case-closed, nothing is
    stored; the reporter still lists their files. The case team may still add files (e.g. later findings)."""
    officer = await make_staff(uow_factory, role=Role.intake, team=Team.intake_counselling)
    body = await make_report(client)
    reporter = await inbox_headers(client, body["receipt_code"])
    assert (await upload(client, reporter, b"first note")).status_code == 201
    headers = await login(client, officer)
    case_id = await case_id_for(client, headers, body["case_reference"])
    steps = (
        [("withdrawn", {})]
        if ending == "withdrawn"
        else [
            ("triaged", {}),
            ("investigating", {}),
            ("decided", {"finding": "insufficient_evidence"}),
            ("closed", {}),
        ]
    )
    for to, extra in steps:
        await move_case(client, uow_factory, headers, case_id, to, **extra)  # decided, withdrawn: two people (F5)
    before = stored_files(app)
    refused = await upload(client, reporter, b"second note")
    assert refused.status_code == 409 and refused.json()["code"] == "case-closed"
    assert stored_files(app) == before
    assert len((await client.get("/api/v1/inbox/evidence", headers=reporter)).json()["items"]) == 1
    assert (await upload(client, headers, b"team note", case_id=case_id)).status_code == 201


async def test_download_needs_a_reason(client, intake_case, uow_factory) -> None:
    """Bad input: a download without a reason, or with one under 10 characters, is 422; nothing is recorded."""
    _, _, headers, case_id = intake_case
    created = (await upload(client, headers, b"a note", case_id=case_id)).json()
    for reason in (None, "short", " " * 20):
        response = await download(client, headers, case_id, created["id"], reason)
        assert response.status_code == 422 and response.json()["code"] == "validation-failed"
    no_body = await client.post(f"/api/v1/cases/{case_id}/evidence/{created['id']}/download", headers=headers)
    assert no_body.status_code == 422
    actions = [a for a, _, _ in await audit_actions(uow_factory, case_id)]
    assert "evidence.downloaded" not in actions
    async with uow_factory() as uow:
        accesses = await uow.session.scalars(
            select(EvidenceAccess).where(EvidenceAccess.evidence_id == uuid.UUID(created["id"]))
        )
        assert accesses.all() == []


async def test_acc_1_other_team_gets_404_on_every_evidence_endpoint(client, intake_case, uow_factory) -> None:
    """ACC-1: outside the case team, a case's files answer 404 exactly like a case that does not exist; an
    evidence id is found only under its own case."""
    _, _, headers, case_id = intake_case
    created = (await upload(client, headers, b"a note", case_id=case_id)).json()
    outsider = await login(client, await make_staff(uow_factory, role=Role.investigator, team=Team.investigation))
    for target in (case_id, str(uuid.uuid4())):
        for response in (
            await client.get(f"/api/v1/cases/{target}/evidence", headers=outsider),
            await upload(client, outsider, b"x", case_id=target),
            await download(client, outsider, target, created["id"]),
        ):
            assert response.status_code == 404 and response.json()["code"] == "not-found"
            assert "a note" not in response.text
    other_body = await make_report(client)
    other_case = await case_id_for(client, headers, other_body["case_reference"])
    assert (await download(client, headers, other_case, created["id"])).status_code == 404
    assert (await download(client, headers, case_id, str(uuid.uuid4()))).status_code == 404


@pytest.mark.parametrize("role", CONTENT_BLIND)
async def test_acc_1_content_blind_roles_get_404(client, intake_case, uow_factory, role: Role) -> None:
    """ACC-1: hr_officer, auditor and sysadmin never receive evidence: the case answers them 404, as a case that
    does not exist."""
    _, _, headers, case_id = intake_case
    created = (await upload(client, headers, b"CANARY evidence text", case_id=case_id)).json()
    blind = await login(client, await make_staff(uow_factory, role=role))
    for response in (
        await client.get(f"/api/v1/cases/{case_id}/evidence", headers=blind),
        await upload(client, blind, b"x", case_id=case_id),
        await download(client, blind, case_id, created["id"]),
    ):
        assert response.status_code == 404 and response.json()["code"] == "not-found"
        assert "CANARY" not in response.text


async def test_evidence_endpoints_need_a_token(client, intake_case) -> None:
    """Anonymous callers get 401 on every evidence endpoint; a staff token does not open the inbox's."""
    _, _, headers, case_id = intake_case
    evidence_id = str(uuid.uuid4())
    for response in (
        await client.get(f"/api/v1/cases/{case_id}/evidence"),
        await upload(client, {}, b"x", case_id=case_id),
        await download(client, {}, case_id, evidence_id),
        await client.get("/api/v1/inbox/evidence"),
        await upload(client, {}, b"x"),
        await client.get("/api/v1/inbox/evidence", headers=headers),
    ):
        assert response.status_code == 401


async def test_acc_2_no_canary_in_the_database_the_file_store_or_the_logs(client, app, uow_factory, caplog) -> None:
    """ACC-2: a canary inside an uploaded text file, in its description and in a download reason appears in no
    column, in no file under the evidence directory, in no log line. Issue 18: the stored file is sealed under its
    case's own key — the server's master key does not open it, nor does the server without a reader of the case —
    while the case team reads it through the API."""
    tag = uuid.uuid4().hex[:12]
    canaries = {
        "file": f"CANARYFILE{tag}",
        "description": f"CANARYDESCRIPTION{tag}",
        "reason": f"CANARYREASON{tag} for the interview",
        "staff_file": f"CANARYSTAFFFILE{tag}",
    }
    caplog.set_level(logging.DEBUG)
    officer = await make_staff(uow_factory, role=Role.intake, team=Team.intake_counselling)
    body = await make_report(client)
    reporter = await inbox_headers(client, body["receipt_code"])
    plaintext = f"He wrote: {canaries['file']}\n".encode()
    created = await upload(client, reporter, plaintext, filename="n.txt", description=canaries["description"])
    assert created.status_code == 201
    headers = await login(client, officer)
    case_id = await case_id_for(client, headers, body["case_reference"])
    staff_upload = await upload(client, headers, canaries["staff_file"].encode(), case_id=case_id)
    assert staff_upload.status_code == 201
    got = await download(client, headers, case_id, created.json()["id"], canaries["reason"])
    assert got.content == plaintext  # readable to the team, through the API

    stored = "\n".join(await _all_stored_values(uow_factory))
    assert stored
    for canary in canaries.values():
        assert canary not in stored, f"found in the database: {canary[:24]}"
    files = stored_files(app)
    raw = b"".join(p.read_bytes() for p in files)
    assert raw
    for canary in canaries.values():
        assert canary.encode() not in raw, f"found in the file store: {canary[:24]}"
    if database_url().startswith("sqlite"):
        db_raw = sqlite_file_bytes()
        for canary in canaries.values():
            assert canary.encode() not in db_raw, f"found in the SQLite file: {canary[:24]}"
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "POST /api/v1/inbox/evidence 201" in logged
    for canary in canaries.values():
        assert canary not in logged

    async with uow_factory() as uow:
        row = await uow.session.get(EvidenceFile, uuid.UUID(created.json()["id"]))
        assert row is not None
        name = row.stored_name
    path = evidence_dir(app) / name[:2] / name
    assert path in files and oct(path.stat().st_mode & 0o777) == "0o600"
    sealed = path.read_bytes()
    assert sealed[1:17] == uuid.UUID(case_id).bytes  # it names its case, whose key alone opens it
    with pytest.raises(ValueError, match="unknown ciphertext version"):
        FileStore(evidence_dir(app), cipher()).get(name)  # the master key opens no case's file
    async with uow_factory() as uow:  # the server alone, as the worker: no reader's sign-in, so no case key
        case = await uow.session.get(Case, uuid.UUID(case_id))
        assert case is not None and case.content_key is not None
        with pytest.raises(KeyUnavailable):
            FileStore(evidence_dir(app), CaseFileCipher(case.id, case.content_key)).get(name)
        row = await uow.session.get(EvidenceFile, uuid.UUID(created.json()["id"]))
        assert row is not None and row.description is LOCKED  # its description, likewise
    again = await download(client, headers, case_id, created.json()["id"], canaries["reason"])
    assert again.status_code == 200 and again.content == plaintext


async def test_failed_transaction_removes_the_file(client, app, intake_case, uow_factory, monkeypatch) -> None:
    """The file and its row are consistent: when the transaction fails after the file was written, the file is
    removed with the rollback and no row remains."""
    _, _, headers, case_id = intake_case
    before = stored_files(app)

    async def broken_audit(*args: object, **kwargs: object) -> None:
        raise RuntimeError("the audit log is unavailable")

    monkeypatch.setattr(audit_service, "record", broken_audit)
    response = await upload(client, headers, b"a note that must not stay", case_id=case_id)
    monkeypatch.undo()
    assert response.status_code == 500
    assert stored_files(app) == before
    async with uow_factory() as uow:
        rows = await uow.session.scalars(select(EvidenceFile).where(EvidenceFile.case_id == uuid.UUID(case_id)))
        assert rows.all() == []


async def test_sweep_removes_orphans_and_stale_temporary_files_only(client, app, intake_case, uow_factory) -> None:
    """A file without a row (its process died before the commit) is never reachable; the sweep removes it once
    it is older than the grace period, with stale temporary files — and never a file that has its row."""
    _, _, headers, case_id = intake_case
    created = (await upload(client, headers, b"kept", case_id=case_id)).json()
    async with uow_factory() as uow:
        row = await uow.session.get(EvidenceFile, uuid.UUID(created["id"]))
        assert row is not None
        kept = row.stored_name
    store = FileStore(evidence_dir(app), cipher())
    orphan, young = store.new_name(), store.new_name()
    store.put(orphan, b"orphan")
    store.put(young, b"young orphan")
    temp = evidence_dir(app) / orphan[:2] / f".{orphan}.dead.tmp"
    temp.write_bytes(b"half")
    two_hours_ago = time.time() - 7200
    for path in (store._path(orphan), store._path(kept), temp):
        os.utime(path, (two_hours_ago, two_hours_ago))
    async with uow_factory() as uow:
        removed = await evidence_service.sweep_orphans(uow)
    assert removed >= 1
    assert not store.exists(orphan) and not temp.exists()
    assert store.exists(kept) and store.exists(young)
    got = await download(client, headers, case_id, created["id"])
    assert got.status_code == 200 and got.content == b"kept"
    store.remove(young)


def test_body_limit_templates_match_one_segment() -> None:
    """The upload paths' limit applies to those paths only: `{case_id}` matches one non-empty segment."""
    limit = BodyLimit(None, 10, {"/api/v1/cases/{case_id}/evidence": 100, "/api/v1/inbox/evidence": 100})  # type: ignore[arg-type]
    assert limit._limit("/api/v1/inbox/evidence") == 100
    assert limit._limit(f"/api/v1/cases/{uuid.uuid4()}/evidence") == 100
    assert limit._limit("/api/v1/cases//evidence") == 10
    assert limit._limit(f"/api/v1/cases/{uuid.uuid4()}/evidence/x/download") == 10
    assert limit._limit(f"/api/v1/cases/{uuid.uuid4()}/messages") == 10
    assert limit._limit("/api/v1/reports") == 10


async def test_aud_1_download_entry_names_the_file_not_its_content(client, intake_case, uow_factory) -> None:
    """AUD-1: the audit entries of evidence carry who, what, when, which case and the file's id — never the
    reason or the description."""
    _, officer, headers, case_id = intake_case
    created = (await upload(client, headers, b"note", case_id=case_id, description="DESCRIPTIONMARK")).json()
    await download(client, headers, case_id, created["id"], "REASONMARK for the report")
    async with uow_factory() as uow:
        entries = (await uow.session.scalars(select(AuditEntry).where(AuditEntry.case_id == uuid.UUID(case_id)))).all()
        fields = [e.chained_fields() for e in entries if e.action.startswith("evidence.")]
    assert {f["action"] for f in fields} == {"evidence.uploaded", "evidence.downloaded"}
    for entry in fields:
        assert entry["target"] == created["id"] and entry["actor_id"] == str(officer.id)
        assert "MARK" not in str(entry)
