"""INT-5: stored answers to retried requests."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete

from app.db.models import IdempotencyRecord
from app.db.repositories.base import Repository


class IdempotencyRepository(Repository):
    async def get(self, key_hash: str) -> IdempotencyRecord | None:
        return await self.session.get(IdempotencyRecord, key_hash)

    async def purge_expired(self, now: datetime) -> None:
        await self.session.execute(delete(IdempotencyRecord).where(IdempotencyRecord.expires_at < now))
