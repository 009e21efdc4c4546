"""AUD-1: the audit log's storage. Appends are serialised so the chain never forks."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import datetime

from sqlalchemy import func, select, text

from app.db.models import AuditEntry
from app.db.repositories.base import Repository

# Any constant: the PostgreSQL advisory lock that serialises appends to the chain.
_AUDIT_LOCK = 7_423_001
# Only what the next entry chains to: no entity is loaded into the session.
_TAIL = select(AuditEntry.seq, AuditEntry.hash).order_by(AuditEntry.seq.desc()).limit(1)


class AuditRepository(Repository):
    async def lock_tail(self) -> tuple[int, str] | None:
        """The last entry's (seq, hash), with appends serialised until the transaction ends (SQLite writers are
        already). On PostgreSQL the lock and the read stay two statements: under READ COMMITTED a statement reads
        the snapshot taken when it started, so a read in the locking statement could miss the entry appended by
        the transaction it waited for, and fork the chain."""
        if self.session.bind.dialect.name == "postgresql":
            await self.session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _AUDIT_LOCK})
        row = (await self.session.execute(_TAIL)).first()
        return (int(row[0]), str(row[1])) if row is not None else None

    async def for_case(self, case_id: object) -> list[AuditEntry]:
        rows = await self.session.scalars(
            select(AuditEntry).where(AuditEntry.case_id == case_id).order_by(AuditEntry.seq)
        )
        return list(rows.all())

    async def search(
        self,
        *,
        action: str | None,
        actor_id: str | None,
        case_id: uuid.UUID | None,
        at_from: datetime | None,
        at_before: datetime | None,
        offset: int,
        limit: int,
    ) -> tuple[list[AuditEntry], int]:
        """Entries matching every filter given, newest first, with the number of matches."""
        query = select(AuditEntry)
        if action is not None:
            query = query.where(AuditEntry.action == action)
        if actor_id is not None:
            query = query.where(AuditEntry.actor_id == actor_id)
        if case_id is not None:
            query = query.where(AuditEntry.case_id == case_id)
        if at_from is not None:
            query = query.where(AuditEntry.at >= at_from)
        if at_before is not None:
            query = query.where(AuditEntry.at < at_before)
        total = await self.session.scalar(select(func.count()).select_from(query.subquery()))
        rows = await self.session.scalars(query.order_by(AuditEntry.seq.desc()).offset(offset).limit(limit))
        return list(rows.all()), int(total or 0)

    async def case_page(self, case_id: uuid.UUID, *, offset: int, limit: int) -> tuple[list[AuditEntry], int]:
        """A case's entries, oldest first."""
        total = await self.session.scalar(select(func.count()).where(AuditEntry.case_id == case_id))
        rows = await self.session.scalars(
            select(AuditEntry).where(AuditEntry.case_id == case_id).order_by(AuditEntry.seq).offset(offset).limit(limit)
        )
        return list(rows.all()), int(total or 0)

    async def latest(self, action: str) -> AuditEntry | None:
        return await self.session.scalar(
            select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.seq.desc()).limit(1)
        )

    async def stream(self, batch: int = 1000) -> AsyncIterator[AuditEntry]:
        last = 0
        while True:
            rows = list(
                (
                    await self.session.scalars(
                        select(AuditEntry).where(AuditEntry.seq > last).order_by(AuditEntry.seq).limit(batch)
                    )
                ).all()
            )
            if not rows:
                return
            for row in rows:
                yield row
            last = rows[-1].seq
