"""INT-5: stored answers to retried requests."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models import IdempotencyRecord


class IdempotencyRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, key_hash: str) -> IdempotencyRecord | None:
        return await self.session.get(IdempotencyRecord, key_hash)

    def add(self, record: IdempotencyRecord) -> None:
        self.session.add(record)

    async def purge_expired(self, now: datetime) -> None:
        await self.session.execute(delete(IdempotencyRecord).where(IdempotencyRecord.expires_at < now))
