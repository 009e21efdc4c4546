"""AUD-1: the audit log's storage. Appends are serialised so the chain never forks."""

from __future__ import annotations

from collections.abc import AsyncIterator

from sqlalchemy import select, text

from app.db.models import AuditEntry
from app.db.repositories.base import Repository

# Any constant: the PostgreSQL advisory lock that serialises appends to the chain.
_AUDIT_LOCK = 7_423_001


class AuditRepository(Repository):
    async def lock_tail(self) -> AuditEntry | None:
        """The last entry, with appends serialised until the transaction ends (SQLite writers are already)."""
        if self.session.bind.dialect.name == "postgresql":
            await self.session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _AUDIT_LOCK})
        return await self.session.scalar(select(AuditEntry).order_by(AuditEntry.seq.desc()).limit(1))

    async def for_case(self, case_id: object) -> list[AuditEntry]:
        rows = await self.session.scalars(
            select(AuditEntry).where(AuditEntry.case_id == case_id).order_by(AuditEntry.seq)
        )
        return list(rows.all())

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
