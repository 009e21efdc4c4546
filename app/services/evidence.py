"""Evidence files (ACC-1, ACC-2, AUD-1, CASE-4): uploads by the case team and by the reporter, listings, and
downloads that need a recorded reason.

An upload is checked by its content (never its name or declared type), cleaned of metadata, encrypted and
written to the file store under a random name *before* its row is flushed. If the transaction then rolls back,
the file is removed at once; if the process dies between the two, the file has no row, so nothing can reach
it, and `sweep_orphans` removes it later. A row therefore always has its file.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import TypeVar

from app.db.encryption import CaseFileCipher, cipher
from app.db.models import Case, EvidenceAccess, EvidenceFile
from app.db.uow import UnitOfWork
from app.domain.errors import ContentTooLarge, EmptyFile, EvidenceStoreUnavailable, NotFound, UnsupportedMediaType
from app.domain.evidence import Uploader, download_name, sniff
from app.domain.lifecycle import check_reporter_may_write
from app.integrations.file_store import FileStore
from app.schemas.evidence import (
    EvidenceContent,
    EvidenceDownloadCreate,
    EvidenceList,
    EvidenceRead,
    EvidenceUpload,
    InboxEvidenceList,
    InboxEvidenceRead,
)
from app.services import audit, clock, evidence_isolation
from app.services.actors import ReporterActor, StaffActor
from app.services.cases import load_visible_case
from app.services.inbox import _own_case

ORPHAN_GRACE = timedelta(hours=1)
log = logging.getLogger("withu.evidence")
T = TypeVar("T")


def file_store(uow: UnitOfWork, case: Case | None = None) -> FileStore:
    """The evidence store; with a case, its files are sealed and opened under the case's own key (issue 18)."""
    if case is None:
        return FileStore(uow.settings.evidence_dir, cipher())
    return FileStore(uow.settings.evidence_dir, CaseFileCipher(case.id, case.content_key))


async def upload_case_evidence(
    uow: UnitOfWork, actor: StaffActor, case_id: uuid.UUID, upload: EvidenceUpload
) -> EvidenceRead:
    """Attach a file to a case (case team): checked by content, cleaned of metadata, stored encrypted. Audited."""
    case = await load_visible_case(uow, actor, case_id)
    now = clock.now()
    row = await _store(
        uow,
        case,
        upload,
        EvidenceFile(
            case_id=case.id,
            uploaded_by=Uploader.staff,
            uploaded_by_user_id=actor.user_id,
            created_on=now.date(),
            created_at=now,
        ),
    )
    await audit.record(uow, actor, "evidence.uploaded", case_id=case.id, target=str(row.id))
    return _read(row)


async def upload_reporter_evidence(uow: UnitOfWork, actor: ReporterActor, upload: EvidenceUpload) -> InboxEvidenceRead:
    """The reporter adds a file through the inbox; after `closed` or `withdrawn` the inbox is read-only (CASE-4)."""
    report, case = await _own_case(uow, actor)
    check_reporter_may_write(case.status)
    # INT-1: the reporter's upload carries its day only.
    row = await _store(
        uow,
        case,
        upload,
        EvidenceFile(
            case_id=case.id, uploaded_by=Uploader.reporter, report_id=report.id, created_on=clock.now().date()
        ),
    )
    await audit.record(uow, actor, "evidence.uploaded", case_id=case.id, target=str(row.id))
    return _inbox_read(row)


async def list_case_evidence(uow: UnitOfWork, actor: StaffActor, case_id: uuid.UUID) -> EvidenceList:
    """The case's files, metadata only. The read is audited."""
    case = await load_visible_case(uow, actor, case_id)
    rows = await uow.evidence.for_case(case.id)
    await audit.record(uow, actor, "evidence.listed", case_id=case.id)
    return EvidenceList(items=[_read(r) for r in rows])


async def list_reporter_evidence(uow: UnitOfWork, actor: ReporterActor) -> InboxEvidenceList:
    """The files this reporter uploaded (not those of the case team or of another report on the same case)."""
    report, case = await _own_case(uow, actor)
    rows = await uow.evidence.for_report(report.id)
    await audit.record(uow, actor, "inbox.evidence_listed", case_id=case.id)
    return InboxEvidenceList(items=[_inbox_read(r) for r in rows])


async def download_evidence(
    uow: UnitOfWork, actor: StaffActor, case_id: uuid.UUID, evidence_id: uuid.UUID, command: EvidenceDownloadCreate
) -> EvidenceContent:
    """The cleaned file, decrypted. The reason is recorded with the download, and the download audited (AUD-1)."""
    case = await load_visible_case(uow, actor, case_id)
    row = await uow.evidence.in_case(case.id, evidence_id)
    if row is None:
        raise NotFound()
    content = await _in_store(file_store(uow, case).get, row.stored_name)
    uow.evidence.add(
        EvidenceAccess(evidence_id=row.id, user_id=actor.user_id, reason=command.reason, accessed_at=clock.now())
    )
    await uow.evidence.flush()
    await audit.record(uow, actor, "evidence.downloaded", case_id=case.id, target=str(row.id))
    return EvidenceContent(
        content=content, media_type=row.media_type, filename=download_name(row.id.hex, row.media_type)
    )


async def sweep_orphans(uow: UnitOfWork, *, older_than: timedelta = ORPHAN_GRACE) -> int:
    """Remove stored files that no row names (their upload never committed) and stale temporary files. Only
    files older than `older_than`, so an upload still in its transaction is never touched."""
    store = file_store(uow)
    names = await asyncio.to_thread(store.names_older_than, older_than.total_seconds())
    known = await uow.evidence.known_names(names)
    orphans = [n for n in names if n not in known]
    for name in orphans:
        await asyncio.to_thread(store.remove, name)
    return len(orphans)


async def _in_store(call: Callable[..., T], *args: object) -> T:
    """A file-store call in a thread; a store that cannot be written or a file that cannot be read (a folder the
    service's user may not write, a full disk, a restore without the evidence) is 503, never a 500 (finding 2)."""
    try:
        return await asyncio.to_thread(call, *args)
    except OSError as exc:
        log.error("evidence store unavailable: %s", type(exc).__name__)  # never the path or name (INT-1)
        raise EvidenceStoreUnavailable() from exc


async def _store(uow: UnitOfWork, case: Case, upload: EvidenceUpload, row: EvidenceFile) -> EvidenceFile:
    content = upload.content
    if not content:
        raise EmptyFile()
    if len(content) > uow.settings.max_evidence_bytes:
        raise ContentTooLarge(f"At most {uow.settings.max_evidence_bytes} bytes.")
    media = sniff(content)
    if media is None:
        raise UnsupportedMediaType()
    cleaned = await evidence_isolation.clean(media, content, uow.settings)  # F9: in a child, a few at a time
    store = file_store(uow, case)
    name = store.new_name()
    uow.evidence.on_rollback(lambda: store.remove(name))  # armed before the write: a failed write leaves nothing either
    await _in_store(store.put, name, cleaned)
    row.media_type = media
    row.size = len(cleaned)
    row.stored_name = name
    row.description = upload.description
    uow.evidence.add(row)
    await uow.evidence.flush()
    return row


def _read(row: EvidenceFile) -> EvidenceRead:
    return EvidenceRead(
        id=row.id,
        media_type=row.media_type,
        size=row.size,
        description=row.description,
        uploaded_by=row.uploaded_by,
        uploaded_by_user_id=row.uploaded_by_user_id,
        created_on=row.created_on,
        created_at=row.created_at,
    )


def _inbox_read(row: EvidenceFile) -> InboxEvidenceRead:
    return InboxEvidenceRead(
        id=row.id, media_type=row.media_type, size=row.size, description=row.description, created_on=row.created_on
    )
