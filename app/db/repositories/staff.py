"""Staff accounts, sign-in sessions, refresh tokens, failed sign-ins per client and machine clients."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from datetime import datetime

from sqlalchemy import delete, false, func, or_, select, update

from app.db.models import (
    Employee,
    MachineClient,
    RefreshToken,
    RevokedMachineToken,
    SignInDelay,
    StaffSession,
    StaffUser,
    TeamRow,
)
from app.db.repositories.base import Repository
from app.domain.enums import Role, Team


class StaffRepository(Repository):
    _signed_in: object = None  # the account and session `signed_in` read, held for the unit of work

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

    async def display_names(self, ids: set[uuid.UUID]) -> dict[uuid.UUID, str]:
        """Names only: no other column of the accounts is loaded (nor decrypted)."""
        if not ids:
            return {}
        rows = await self.session.execute(select(StaffUser.id, StaffUser.display_name).where(StaffUser.id.in_(ids)))
        return {user_id: name for user_id, name in rows.all()}

    async def case_team_members(self, team: Team, roles: frozenset[Role]) -> list[StaffUser]:
        """Active staff of the given roles in `team`, and division heads (who work every team's cases)."""
        query = select(StaffUser).where(
            StaffUser.active.is_(True),
            StaffUser.role.in_(roles),
            (StaffUser.team == team) | (StaffUser.role == Role.division_head),
        )
        return list((await self.session.scalars(query.order_by(StaffUser.display_name, StaffUser.id))).all())

    async def accounts_of_employees(
        self, employee_ids: Collection[uuid.UUID], unit_id: uuid.UUID | None
    ) -> list[tuple[uuid.UUID, uuid.UUID, uuid.UUID | None]]:
        """(account id, employee id, unit id) of the staff accounts whose employee number names one of
        `employee_ids` or someone in `unit_id`: the link from the directory back to staff accounts (CASE-3)."""
        named = Employee.id.in_(set(employee_ids)) if employee_ids else false()
        rows = await self.session.execute(
            select(StaffUser.id, Employee.id, Employee.unit_id)
            .join(Employee, Employee.employee_number == StaffUser.employee_number)
            .where(or_(named, Employee.unit_id == unit_id) if unit_id is not None else named)
        )
        return [(user_id, employee_id, unit) for user_id, employee_id, unit in rows.all()]

    async def staff_session(self, session_id: uuid.UUID) -> StaffSession | None:
        return await self.session.get(StaffSession, session_id)

    async def signed_in(
        self, user_id: uuid.UUID, session_id: uuid.UUID
    ) -> tuple[StaffUser | None, StaffSession | None]:
        """The account and the sign-in session a staff token names, in one statement (every staff request reads
        both: one round trip instead of two). (None, None) without the account, a None session without that
        session; whether they belong together is the caller's to judge (app.services.auth.staff_from_token)."""
        rows = (
            await self.session.execute(
                select(StaffUser, StaffSession)
                .select_from(StaffUser)
                .outerjoin(StaffSession, StaffSession.id == session_id)
                .where(StaffUser.id == user_id)
            )
        ).all()
        if not rows:
            return None, None
        # Held for the unit of work: the session's identity map holds objects weakly, and the request's service
        # reads the same account again (`user`), which the map then answers without a statement.
        self._signed_in = rows[0]
        return rows[0][0], rows[0][1]

    async def sign_in_delay(self, user_id: uuid.UUID, client_key: str) -> SignInDelay | None:
        """The failed sign-ins of one account from one client (read after `user_by_email` has locked its row)."""
        return await self.session.get(SignInDelay, (user_id, client_key))

    async def end_sign_in_delay(self, row: SignInDelay) -> None:
        await self.session.delete(row)

    async def forget_sign_in_delays(self, user_id: uuid.UUID, last_failed_before: datetime) -> None:
        """Drop the account's pairs that no client can meet again (their client keys were of an earlier day)."""
        await self.session.execute(
            delete(SignInDelay)
            .where(SignInDelay.user_id == user_id, SignInDelay.last_failed_at < last_failed_before)
            .execution_options(synchronize_session=False)
        )

    async def refresh_token(self, token_hash: str) -> RefreshToken | None:
        """Locked for update: a refresh token is used once, even by two racing requests."""
        return await self.session.scalar(
            select(RefreshToken).where(RefreshToken.token_hash == token_hash).with_for_update()
        )

    async def client(self, client_id: str) -> MachineClient | None:
        return await self.session.scalar(select(MachineClient).where(MachineClient.client_id == client_id))

    async def client_of_token(self, client_id: str, jti: str) -> MachineClient | None:
        """The client a token names, in one statement; None if the token (`jti`) was revoked (RFC 7009)."""
        revoked = select(RevokedMachineToken.jti).where(RevokedMachineToken.jti == jti).exists()
        return await self.session.scalar(select(MachineClient).where(MachineClient.client_id == client_id, ~revoked))

    async def revoke_machine_token(self, jti: str, client_id: str, expires_at: datetime, now: datetime) -> None:
        """Record a revoked token (once), and forget the revoked tokens that have expired since."""
        await self.session.execute(
            delete(RevokedMachineToken)
            .where(RevokedMachineToken.expires_at <= now)
            .execution_options(synchronize_session=False)
        )
        if await self.session.get(RevokedMachineToken, jti) is None:
            self.session.add(RevokedMachineToken(jti=jti, client_id=client_id, expires_at=expires_at))

    async def clients_by_pk(self, pks: list[uuid.UUID]) -> dict[uuid.UUID, MachineClient]:
        if not pks:
            return {}
        rows = await self.session.scalars(select(MachineClient).where(MachineClient.id.in_(set(pks))))
        return {c.id: c for c in rows.all()}

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
        """End every open sign-in of the user (their refresh tokens die with them, and the private key each held,
        issue 18); the number ended."""
        result = await self.session.execute(
            update(StaffSession)
            .where(StaffSession.user_id == user_id, StaffSession.revoked_at.is_(None))
            .values(revoked_at=at, sealed_private_key=None)
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
