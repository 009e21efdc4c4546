"""Evidence files: uploads by the case team and the reporter, listings, and downloads with a recorded reason."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import Depends, Request, Response
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError

from app.api.deps import CurrentReporter, CurrentStaff, Uow
from app.api.multipart import read_form
from app.api.problems import BUSY_RESPONSES
from app.api.ratelimit import RateLimits
from app.api.router import make_router
from app.domain.evidence import EvidenceType
from app.schemas.evidence import (
    EvidenceDownloadCreate,
    EvidenceForm,
    EvidenceList,
    EvidenceRead,
    EvidenceUpload,
    InboxEvidenceList,
    InboxEvidenceRead,
)
from app.services import evidence
from app.settings import Settings

router = make_router("evidence")

CASE_UPLOAD_PATH = "/api/v1/cases/{case_id}/evidence"
INBOX_UPLOAD_PATH = "/api/v1/inbox/evidence"
# Room for the multipart framing and the description around the largest file accepted.
FORM_OVERHEAD_BYTES = 64 * 1024
DESCRIPTION_BYTES = 8 * 1024

_UPLOAD_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {
                        "file": {
                            "type": "string",
                            "format": "binary",
                            "description": "JPEG, PNG, WebP, PDF or UTF-8 text, judged by content. Metadata is "
                            "removed; the file name is not kept.",
                        },
                        "description": {"type": "string", "maxLength": 2000},
                    },
                }
            }
        },
    }
}
_DOWNLOAD_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The cleaned file, as an attachment",
        "content": {t.value: {"schema": {"type": "string", "format": "binary"}} for t in EvidenceType},
    }
}


async def _count_upload(request: Request, sender: str) -> None:
    """F9: one upload against the caller's address (both paths together) and against its sender; 429 before
    the body is read."""
    limits: RateLimits = request.app.state.runtime.rate_limits
    await limits.hit("upload", limits.client_key(request))
    await limits.hit("upload_sender", limits.sender_key(sender))


async def staff_upload_limit(request: Request, staff: CurrentStaff) -> None:
    await _count_upload(request, f"staff:{staff.user_id}")


async def inbox_upload_limit(request: Request, reporter: CurrentReporter) -> None:
    await _count_upload(request, f"report:{reporter.report_id}")


def body_limits(settings: Settings) -> dict[str, int]:
    """The request-size limits of the upload paths, for the BodyLimit middleware."""
    limit = settings.max_evidence_bytes + FORM_OVERHEAD_BYTES
    return {CASE_UPLOAD_PATH: limit, INBOX_UPLOAD_PATH: limit}


async def _read_upload(request: Request, max_bytes: int) -> EvidenceUpload:
    form = await read_form(request, files={"file": max_bytes}, texts={"description": DESCRIPTION_BYTES})
    if "file" not in form.files:
        raise RequestValidationError([{"loc": ["body", "file"], "msg": "Field required", "type": "missing"}])
    try:
        fields = EvidenceForm.model_validate({k: v for k, v in form.texts.items() if v.strip()})
    except ValidationError as exc:
        raise RequestValidationError([{**e, "loc": ["body", *e["loc"]]} for e in exc.errors()]) from None
    return EvidenceUpload(content=form.files["file"], description=fields.description)


@router.post(
    "/cases/{case_id}/evidence",
    status_code=201,
    response_model=EvidenceRead,
    openapi_extra=_UPLOAD_BODY,
    responses=BUSY_RESPONSES,
    dependencies=[Depends(staff_upload_limit)],
)
async def upload_case_evidence(case_id: uuid.UUID, request: Request, uow: Uow, staff: CurrentStaff) -> EvidenceRead:
    """Attach a file to a case (multipart field `file`, optional `description`). The type is judged by content;
    metadata is removed; the file is stored encrypted under a random name. Audited. Limited per account and
    per address (429); 503 with Retry-After while cleaning is at capacity."""
    upload = await _read_upload(request, uow.settings.max_evidence_bytes)
    return await evidence.upload_case_evidence(uow, staff, case_id, upload)


@router.get("/cases/{case_id}/evidence", response_model=EvidenceList)
async def list_case_evidence(case_id: uuid.UUID, uow: Uow, staff: CurrentStaff) -> EvidenceList:
    """The case's files: metadata only. The read is audited."""
    return await evidence.list_case_evidence(uow, staff, case_id)


@router.post("/cases/{case_id}/evidence/{evidence_id}/download", response_class=Response, responses=_DOWNLOAD_RESPONSE)
async def download_case_evidence(
    case_id: uuid.UUID, evidence_id: uuid.UUID, command: EvidenceDownloadCreate, uow: Uow, staff: CurrentStaff
) -> Response:
    """Download a file (cleaned, decrypted). Give the reason: it is recorded, and the download is audited."""
    file = await evidence.download_evidence(uow, staff, case_id, evidence_id, command)
    media_type = f"{file.media_type.value}; charset=utf-8" if file.media_type is EvidenceType.text else file.media_type
    return Response(
        content=file.content,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{file.filename}"', "Cache-Control": "no-store"},
    )


@router.post(
    "/inbox/evidence",
    status_code=201,
    response_model=InboxEvidenceRead,
    openapi_extra=_UPLOAD_BODY,
    responses=BUSY_RESPONSES,
    dependencies=[Depends(inbox_upload_limit)],
)
async def upload_inbox_evidence(request: Request, uow: Uow, reporter: CurrentReporter) -> InboxEvidenceRead:
    """Send the case team a file (multipart field `file`, optional `description`). Metadata is removed; the
    file name is not kept. After the case is closed the inbox is read-only. Limited per inbox and per address
    (429); 503 with Retry-After while cleaning is at capacity."""
    upload = await _read_upload(request, uow.settings.max_evidence_bytes)
    return await evidence.upload_reporter_evidence(uow, reporter, upload)


@router.get("/inbox/evidence", response_model=InboxEvidenceList)
async def list_inbox_evidence(uow: Uow, reporter: CurrentReporter) -> InboxEvidenceList:
    """The files you sent."""
    return await evidence.list_reporter_evidence(uow, reporter)
