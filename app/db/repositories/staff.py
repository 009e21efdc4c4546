"""Staff accounts, sign-in sessions, refresh tokens and machine clients."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from app.db.models import MachineClient, RefreshToken, StaffSession, StaffUser, TeamRow
from app.db.repositories.base import Repository


class StaffRepository(Repository):
    async def teams(self) -> list[TeamRow]:
        return list((await self.session.scalars(select(TeamRow).order_by(TeamRow.code))).all())

    async def user_by_email(self, email: str) -> StaffUser | None:
        """Locked for update: concurrent failed sign-ins must all count."""
        return await self.session.scalar(select(StaffUser).where(StaffUser.email == email.lower()).with_for_update())

    async def user(self, user_id: uuid.UUID) -> StaffUser | None:
        return await self.session.get(StaffUser, user_id)

    async def users_by_ids(self, ids: list[uuid.UUID]) -> list[StaffUser]:
        if not ids:
            return []
        return list((await self.session.scalars(select(StaffUser).where(StaffUser.id.in_(ids)))).all())

    async def staff_session(self, session_id: uuid.UUID) -> StaffSession | None:
        return await self.session.get(StaffSession, session_id)

    async def refresh_token(self, token_hash: str) -> RefreshToken | None:
        """Locked for update: a refresh token is used once, even by two racing requests."""
        return await self.session.scalar(
            select(RefreshToken).where(RefreshToken.token_hash == token_hash).with_for_update()
        )

    async def client(self, client_id: str) -> MachineClient | None:
        return await self.session.scalar(select(MachineClient).where(MachineClient.client_id == client_id))
