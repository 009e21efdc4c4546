"""Counts an operator watches (docs/operations.md "Metrics"): never a row's content, never an identifier."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import func, select

from app.db.models import CaseDeadline, OutboxMessage
from app.db.repositories.base import Repository
from app.domain.enums import OutboxStatus


class OperationsRepository(Repository):
    async def outbox_pending(self) -> tuple[int, int, datetime | None]:
        """Events waiting for delivery, those of them that failed at least once, and the oldest one's creation."""
        pending = OutboxMessage.status == OutboxStatus.pending
        row = (
            await self.session.execute(
                select(
                    func.count(),
                    func.count().filter(OutboxMessage.attempts > 0),
                    func.min(OutboxMessage.created_at),
                ).where(pending)
            )
        ).one()
        oldest = row[2]
        if isinstance(oldest, str):  # SQLite's MIN() of the stored text
            oldest = datetime.fromisoformat(oldest)
        return int(row[0]), int(row[1]), oldest

    async def deadlines_overdue(self, today: date) -> int:
        """Open deadlines (not met) whose day has passed."""
        query = select(func.count()).where(CaseDeadline.met_on.is_(None), CaseDeadline.due_on < today)
        return int(await self.session.scalar(query) or 0)
