"""Staff accounts, sign-in sessions, refresh tokens and machine clients."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import func, select, update

from app.db.models import MachineClient, RefreshToken, StaffSession, StaffUser, TeamRow
from app.db.repositories.base import Repository
from app.domain.enums import Role, Team


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

    async def case_team_members(self, team: Team, roles: frozenset[Role]) -> list[StaffUser]:
        """Active staff of the given roles in `team`, and division heads (who work every team's cases)."""
        query = select(StaffUser).where(
            StaffUser.active.is_(True),
            StaffUser.role.in_(roles),
            (StaffUser.team == team) | (StaffUser.role == Role.division_head),
        )
        return list((await self.session.scalars(query.order_by(StaffUser.display_name, StaffUser.id))).all())

    async def staff_session(self, session_id: uuid.UUID) -> StaffSession | None:
        return await self.session.get(StaffSession, session_id)

    async def refresh_token(self, token_hash: str) -> RefreshToken | None:
        """Locked for update: a refresh token is used once, even by two racing requests."""
        return await self.session.scalar(
            select(RefreshToken).where(RefreshToken.token_hash == token_hash).with_for_update()
        )

    async def client(self, client_id: str) -> MachineClient | None:
        return await self.session.scalar(select(MachineClient).where(MachineClient.client_id == client_id))

    # --- the sysadmin's accounts and clients ---

    async def users_page(
        self, *, role: Role | None, team: Team | None, active: bool | None, offset: int, limit: int
    ) -> tuple[list[StaffUser], int]:
        query = select(StaffUser)
        if role is not None:
            query = query.where(StaffUser.role == role)
        if team is not None:
            query = query.where(StaffUser.team == team)
        if active is not None:
            query = query.where(StaffUser.active.is_(active))
        total = await self.session.scalar(select(func.count()).select_from(query.subquery()))
        rows = await self.session.scalars(query.order_by(StaffUser.email).offset(offset).limit(limit))
        return list(rows.all()), int(total or 0)

    async def user_for_update(self, user_id: uuid.UUID) -> StaffUser | None:
        """Locked for update: account changes and sign-ins of the same person are serialised."""
        return await self.session.scalar(select(StaffUser).where(StaffUser.id == user_id).with_for_update())

    async def active_admins_besides(self, user_id: uuid.UUID) -> int:
        query = select(func.count()).where(
            StaffUser.role == Role.sysadmin, StaffUser.active.is_(True), StaffUser.id != user_id
        )
        return int(await self.session.scalar(query) or 0)

    async def revoke_sessions(self, user_id: uuid.UUID, at: datetime) -> int:
        """End every open sign-in of the user (their refresh tokens die with them); the number ended."""
        result = await self.session.execute(
            update(StaffSession)
            .where(StaffSession.user_id == user_id, StaffSession.revoked_at.is_(None))
            .values(revoked_at=at)
            .execution_options(synchronize_session="fetch")
        )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]

    async def clients_page(self, *, offset: int, limit: int) -> tuple[list[MachineClient], int]:
        total = await self.session.scalar(select(func.count()).select_from(MachineClient))
        rows = await self.session.scalars(
            select(MachineClient)
            .order_by(MachineClient.created_at.desc(), MachineClient.client_id)
            .offset(offset)
            .limit(limit)
        )
        return list(rows.all()), int(total or 0)

    async def client_by_pk(self, pk: uuid.UUID, *, for_update: bool = False) -> MachineClient | None:
        query = select(MachineClient).where(MachineClient.id == pk)
        return await self.session.scalar(query.with_for_update() if for_update else query)
