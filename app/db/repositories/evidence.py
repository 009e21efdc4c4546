"""Evidence files and their downloads. Callers reach a case's files only after its visibility was checked."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Iterable

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from app.db.models import EvidenceAccess, EvidenceFile
from app.db.repositories.base import Repository

log = logging.getLogger("withu.evidence")


class EvidenceRepository(Repository):
    def on_rollback(self, callback: Callable[[], None]) -> None:
        """Run `callback` if this transaction rolls back instead of committing — e.g. to remove a file written
        for a row that never became visible. Once the transaction committed, nothing runs."""
        session = self.session.sync_session
        committed = False

        def after_commit(_: Session) -> None:
            nonlocal committed
            committed = True

        def after_rollback(_: Session) -> None:
            if committed:
                return
            try:
                callback()
            except Exception as exc:  # the rollback itself must go on; the sweep removes what is left
                log.warning("rollback clean-up failed: %s", type(exc).__name__)

        event.listen(session, "after_commit", after_commit, once=True)
        event.listen(session, "after_rollback", after_rollback, once=True)

    async def for_case(self, case_id: uuid.UUID) -> list[EvidenceFile]:
        rows = await self.session.scalars(
            select(EvidenceFile)
            .where(EvidenceFile.case_id == case_id)
            .order_by(EvidenceFile.created_on, EvidenceFile.created_at, EvidenceFile.id)
        )
        return list(rows.all())

    async def for_report(self, report_id: uuid.UUID) -> list[EvidenceFile]:
        rows = await self.session.scalars(
            select(EvidenceFile)
            .where(EvidenceFile.report_id == report_id)
            .order_by(EvidenceFile.created_on, EvidenceFile.id)
        )
        return list(rows.all())

    async def in_case(self, case_id: uuid.UUID, evidence_id: uuid.UUID) -> EvidenceFile | None:
        return await self.session.scalar(
            select(EvidenceFile).where(EvidenceFile.id == evidence_id, EvidenceFile.case_id == case_id)
        )

    async def accesses(self, evidence_id: uuid.UUID) -> list[EvidenceAccess]:
        rows = await self.session.scalars(
            select(EvidenceAccess).where(EvidenceAccess.evidence_id == evidence_id).order_by(EvidenceAccess.accessed_at)
        )
        return list(rows.all())

    async def known_names(self, names: Iterable[str]) -> set[str]:
        """Which of these stored names belong to a row (the rest are orphans in the file store)."""
        wanted = list(names)
        known: set[str] = set()
        for start in range(0, len(wanted), 500):
            rows = await self.session.scalars(
                select(EvidenceFile.stored_name).where(EvidenceFile.stored_name.in_(wanted[start : start + 500]))
            )
            known.update(rows.all())
        return known
