"""AUD-1: the audit log's storage. Appends are serialised so the chain never forks."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import datetime

from sqlalchemy import Select, func, select, text

from app.db.models import AuditEntry
from app.db.repositories.base import Repository

# Any constant: the PostgreSQL advisory lock that serialises appends to the chains (one lock for both: a
# transaction never waits for one chain while holding the other).
_AUDIT_LOCK = 7_423_001
# The auditor's order, newest first: by time, and within one time by chain and number. What a reporter's request
# wrote says midnight, so it comes after every exactly timed entry of its day (INT-1).
_NEWEST_FIRST = (AuditEntry.at.desc(), AuditEntry.chain, AuditEntry.seq.desc())
# Everyone else's order, oldest first, without the numbers: by time, then by action and hash — so the entries a
# reporter's requests wrote on one day (all at midnight) keep no order that the chains' numbers would give them.
_OLDEST_FIRST_UNNUMBERED = (AuditEntry.at, AuditEntry.action, AuditEntry.hash)


def _tail(chain: str) -> Select[tuple[int, str]]:
    """Only what the next entry of `chain` chains to: no entity is loaded into the session."""
    return (
        select(AuditEntry.seq, AuditEntry.hash)
        .where(AuditEntry.chain == chain)
        .order_by(AuditEntry.seq.desc())
        .limit(1)
    )


class AuditRepository(Repository):
    async def lock_tail(self, chain: str) -> tuple[int, str] | None:
        """The last entry of `chain` as (seq, hash), with appends serialised until the transaction ends (SQLite
        writers are already). On PostgreSQL the lock and the read stay two statements: under READ COMMITTED a
        statement reads the snapshot taken when it started, so a read in the locking statement could miss the
        entry appended by the transaction it waited for, and fork the chain."""
        if self.session.bind.dialect.name == "postgresql":
            await self.session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _AUDIT_LOCK})
        row = (await self.session.execute(_tail(chain))).first()
        return (int(row[0]), str(row[1])) if row is not None else None

    async def for_case(self, case_id: object) -> list[AuditEntry]:
        """A case's entries of both chains, oldest first (as the case timeline orders them)."""
        rows = await self.session.scalars(
            select(AuditEntry).where(AuditEntry.case_id == case_id).order_by(*_OLDEST_FIRST_UNNUMBERED)
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
        """Entries of both chains matching every filter given, newest first (`_NEWEST_FIRST`), with the number of
        matches."""
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
        rows = await self.session.scalars(query.order_by(*_NEWEST_FIRST).offset(offset).limit(limit))
        return list(rows.all()), int(total or 0)

    async def case_page(self, case_id: uuid.UUID, *, offset: int, limit: int) -> tuple[list[AuditEntry], int]:
        """A case's entries of both chains, oldest first, in an order that shows no chain's numbers."""
        total = await self.session.scalar(select(func.count()).where(AuditEntry.case_id == case_id))
        rows = await self.session.scalars(
            select(AuditEntry)
            .where(AuditEntry.case_id == case_id)
            .order_by(*_OLDEST_FIRST_UNNUMBERED)
            .offset(offset)
            .limit(limit)
        )
        return list(rows.all()), int(total or 0)

    async def latest(self, action: str) -> AuditEntry | None:
        return await self.session.scalar(
            select(AuditEntry).where(AuditEntry.action == action).order_by(*_NEWEST_FIRST).limit(1)
        )

    async def stream(self, chain: str, batch: int = 1000) -> AsyncIterator[AuditEntry]:
        """The entries of `chain` in their order, a batch at a time."""
        last = 0
        while True:
            query = select(AuditEntry).where(AuditEntry.chain == chain, AuditEntry.seq > last)
            rows = list((await self.session.scalars(query.order_by(AuditEntry.seq).limit(batch))).all())
            if not rows:
                return
            for row in rows:
                yield row
            last = rows[-1].seq
