"""Issue 18, point 8: `withu migrate` moves the content of cases from before per-case keys (under the master key) to
their own keys — in batches of cases, each batch one short transaction, resumable (a case is moved or not; run
again to go on), while the service runs (both kinds of ciphertext are read meanwhile), and without a plaintext copy
on disk (values and evidence files are decrypted in memory and written encrypted under the case's key).

For each case without a content key: a new key; every case-content value (`__case_content__` columns) re-encrypted
under it; the report's facts stored apart (`report_facts.facts_to_store`); each evidence file written again under a
new name (the old file is removed once the batch committed; a batch that fails leaves only orphans, which the
evidence sweep removes); the key wrapped for its readers (ACC-1) who have a key pair, and the recovery key. The
reporter's receipt code is not on the server, so the key is also kept for the reporter under the master key
("reporter-pending") until the reporter next opens their inbox, when it is wrapped under their code and the pending
wrap goes (`case_keys.open_for_reporter`); and for the readers whose accounts get their key pair only at their next
sign-in ("staff-pending", until every reader holds a wrap: `case_keys.share`). Until then such a case can still be
opened with the master key; `withu migrate --drop-pending` ends those copies (docs/security.md "Keys").
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from app.db import case_keys as keys
from app.db.encryption import VERSION, CaseFileCipher, cipher
from app.db.models import Case, CaseKeyWrap, CaseMessage, EvidenceFile, Report, VictimOpinion
from app.db.uow import UnitOfWork
from app.domain.secondary_damage import THROUGH_INBOX
from app.integrations.file_store import FileStore
from app.services import case_keys
from app.services.report_facts import facts_to_store

CASE_CONTENT = (Report, CaseMessage, EvidenceFile, VictimOpinion)
DEFAULT_BATCH = 50


@dataclass
class MigrationBatch:
    cases: int = 0
    values: int = 0
    files: int = 0
    # Evidence files of this batch's cases under the master key, removed once the batch committed.
    old_files: list[str] = field(default_factory=list)


async def migrate_batch(uow: UnitOfWork, limit: int = DEFAULT_BATCH) -> MigrationBatch:
    """Move up to `limit` cases; the caller commits, then removes `old_files`. Zero cases: all moved."""
    batch = MigrationBatch()
    for case in await uow.keys.unmoved_cases(limit):
        key = case_keys.new_case(uow, case)
        for model in CASE_CONTENT:
            batch.values += await _reencrypt(uow, model, case.id, key)
        await _store_facts(uow, case.id)
        await _move_files(uow, case, key, batch)
        await _keep_for_reporters(uow, case.id, key)
        await uow.keys.flush()
        await case_keys.share(uow, case)
        batch.cases += 1
    return batch


async def _reencrypt(uow: UnitOfWork, model: Any, case_id: uuid.UUID, key: keys.CaseKey) -> int:
    """Every master-key value of the model's case-content columns of this case, under the case's key. Written as
    bytes past the column types (which would encrypt again)."""
    moved = 0
    for row_id, stored in await uow.keys.stored_content(model, case_id):
        values = {}
        for name, blob in stored.items():
            if blob is None or blob[:1] != VERSION:
                continue  # empty, or already under a case key
            context = model.__table__.c[name].type.context
            values[name] = key.encrypt(cipher().decrypt(blob, context), context)
        if values:
            await uow.keys.store_content(model, row_id, values)
            moved += len(values)
    return moved


async def _store_facts(uow: UnitOfWork, case_id: uuid.UUID) -> None:
    """The facts the server acts on, apart from the content (from the master-key details, before they moved)."""
    for report in await uow.cases.reports(case_id):
        if report.facts is None:
            report.facts = facts_to_store(report.details or {}, report.identity)


async def _move_files(uow: UnitOfWork, case: Case, key: keys.CaseKey, batch: MigrationBatch) -> None:
    old_store = FileStore(uow.settings.evidence_dir, cipher())
    new_store = FileStore(uow.settings.evidence_dir, CaseFileCipher(case.id, key.public))
    for row in await uow.evidence.for_case(case.id):
        old_name = row.stored_name
        if not old_store.exists(old_name) or old_store.raw(old_name)[:1] != VERSION:
            continue
        name = new_store.new_name()
        uow.evidence.on_rollback(lambda name=name: new_store.remove(name))
        new_store.put(name, old_store.get(old_name))
        row.stored_name = name
        batch.old_files.append(old_name)
        batch.files += 1


async def _keep_for_reporters(uow: UnitOfWork, case_id: uuid.UUID, key: keys.CaseKey) -> None:
    """The key for each reporter of the case, under the master key until their next visit, and for the readers
    whose accounts have no key pair yet, until every reader holds a wrap (see the module)."""
    holder = case_keys.STAFF_PENDING
    sealed = cipher().encrypt(key.secret, case_keys.pending_context(case_id, holder))
    uow.keys.add(CaseKeyWrap(case_id=case_id, holder=holder, sealed=sealed))
    for report in await uow.cases.reports(case_id):
        through = (report.facts or {}).get(THROUGH_INBOX)
        holder = case_keys.pending_holder(uuid.UUID(through) if through else report.id)
        sealed = cipher().encrypt(key.secret, case_keys.pending_context(case_id, holder))
        uow.keys.add(CaseKeyWrap(case_id=case_id, holder=holder, sealed=sealed))


def remove_old_files(uow: UnitOfWork, names: list[str]) -> None:
    """After the batch committed: the master-key files it replaced."""
    store = FileStore(uow.settings.evidence_dir, cipher())
    for name in names:
        store.remove(name)


async def drop_pending(uow: UnitOfWork) -> int:
    """`withu migrate --drop-pending`: every copy of a moved case's key under the master key goes. Readers and
    reporters who have not come back since wait for a colleague or the recovery officers."""
    return await uow.keys.drop_pending(case_keys.STAFF_PENDING, case_keys.REPORTER_PENDING)


async def remaining(uow: UnitOfWork) -> int:
    """Cases still under the master key."""
    return await uow.keys.unmoved_count()
