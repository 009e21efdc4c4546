"""Evidence files: what is uploaded, what is listed, what a download needs."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, StringConstraints

from app.domain.evidence import EvidenceType, Uploader
from app.schemas.common import MediumText, Strict

AccessReason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=10, max_length=500)]


class EvidenceForm(Strict):
    """The text fields of the multipart upload (the file itself is the `file` part)."""

    description: MediumText | None = None


@dataclass(frozen=True)
class EvidenceUpload:
    """An uploaded file as the HTTP edge read it: the bytes (in memory only) and the optional description.
    The client's file name and declared type are not kept: the content decides."""

    content: bytes
    description: str | None = None


class EvidenceRead(BaseModel):
    """The case team's view of a file: metadata only, never the content."""

    id: uuid.UUID
    media_type: EvidenceType
    size: int
    description: str | None
    uploaded_by: Uploader
    uploaded_by_user_id: uuid.UUID | None
    created_on: date
    created_at: datetime | None


class EvidenceList(BaseModel):
    items: list[EvidenceRead]


class InboxEvidenceRead(BaseModel):
    """A file the reporter uploaded, as the reporter sees it (its day only, INT-1)."""

    id: uuid.UUID
    media_type: EvidenceType
    size: int
    description: str | None
    created_on: date


class InboxEvidenceList(BaseModel):
    items: list[InboxEvidenceRead]


class EvidenceDownloadCreate(Strict):
    """Why the file is opened: recorded (encrypted) with the download, which is audited."""

    reason: AccessReason


@dataclass(frozen=True)
class EvidenceContent:
    content: bytes
    media_type: EvidenceType
    filename: str
