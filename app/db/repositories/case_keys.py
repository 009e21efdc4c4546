"""Issue 18: the wraps of cases' content keys, the accounts that can hold one, and the recovery key."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import LargeBinary, bindparam, column, delete, func, or_, select, table, update
from sqlalchemy.sql.expression import TableClause

from app.db.models import Case, CaseKeyRequest, CaseKeyWrap, Employee, RecoveryKey, StaffUser
from app.db.repositories.base import Repository
from app.domain.access import CASE_TEAM_ROLES
from app.domain.enums import EmployeeStatus, Role, Team


@dataclass(frozen=True)
class KeyHolder:
    """An active case-team account as ACC-1 judges it (its directory status: F2), with its public key (None: an
    account from before per-case keys that has not signed in since)."""

    user_id: uuid.UUID
    role: Role
    team: Team | None
    employee_number: str | None
    status: EmployeeStatus | None
    public_key: bytes | None


# A case's content is opened on every read of it (issue 18): its three look-ups are built once, with their values
# bound, so that no request pays SQLAlchemy's statement building (docs/performance.md, "Issue 18").
_WRAPS = select(CaseKeyWrap.holder, CaseKeyWrap.sealed).where(CaseKeyWrap.case_id == bindparam("case_id"))
_KEY_HOLDERS = (
    select(
        StaffUser.id, StaffUser.role, StaffUser.team, StaffUser.employee_number, Employee.status, StaffUser.public_key
    )
    .outerjoin(Employee, Employee.employee_number == StaffUser.employee_number)
    .where(
        StaffUser.active.is_(True),
        StaffUser.enrolled_at.is_not(None),
        StaffUser.role.in_(sorted(CASE_TEAM_ROLES)),
    )
)
_ACTIVE_RECOVERY_KEYS = select(RecoveryKey).where(RecoveryKey.retired_at.is_(None))


def _raw_content(model: Any) -> TableClause:
    names = model.__case_content__
    return table(model.__tablename__, column("id"), column("case_id"), *(column(n, LargeBinary) for n in names))


def _bytes(value: bytes | None) -> bytes | None:
    return bytes(value) if value is not None else None


class KeyRepository(Repository):
    async def wraps(self, case_id: uuid.UUID) -> dict[str, bytes]:
        """Every wrap of the case's key, by holder."""
        rows = await self.session.execute(_WRAPS, {"case_id": case_id})
        return {holder: bytes(sealed) for holder, sealed in rows.all()}

    async def wrap(self, case_id: uuid.UUID, holder: str) -> bytes | None:
        sealed = await self.session.scalar(
            select(CaseKeyWrap.sealed).where(CaseKeyWrap.case_id == case_id, CaseKeyWrap.holder == holder)
        )
        return bytes(sealed) if sealed is not None else None

    async def wraps_of(self, holder: str) -> dict[uuid.UUID, bytes]:
        """Every case key wrapped for this holder, by case (a reporter's own case and those linked to it)."""
        rows = await self.session.execute(
            select(CaseKeyWrap.case_id, CaseKeyWrap.sealed).where(CaseKeyWrap.holder == holder)
        )
        return {case_id: bytes(sealed) for case_id, sealed in rows.all()}

    async def drop(self, case_id: uuid.UUID, holders: Iterable[str]) -> None:
        holders = list(holders)
        if holders:
            await self.session.execute(
                delete(CaseKeyWrap).where(CaseKeyWrap.case_id == case_id, CaseKeyWrap.holder.in_(holders))
            )

    async def drop_holder(self, holder: str) -> int:
        """Every wrap of one holder (a staff member whose key pair was replaced): the number dropped."""
        result = await self.session.execute(delete(CaseKeyWrap).where(CaseKeyWrap.holder == holder))
        return int(getattr(result, "rowcount", 0) or 0)

    async def shred(self, case_ids: Iterable[uuid.UUID]) -> int:
        """DATA-1: every wrap of these cases' keys; their content can never be decrypted again."""
        ids = list(case_ids)
        if not ids:
            return 0
        result = await self.session.execute(delete(CaseKeyWrap).where(CaseKeyWrap.case_id.in_(ids)))
        return int(getattr(result, "rowcount", 0) or 0)

    async def key_holders(self) -> list[KeyHolder]:
        """Every active, enrolled case-team account, with its directory status and public key."""
        rows = await self.session.execute(_KEY_HOLDERS)
        return [
            KeyHolder(user_id, Role(role), Team(team) if team else None, number, status, _bytes(public))
            for user_id, role, team, number, status, public in rows.all()
        ]

    async def request(self, case_id: uuid.UUID, user_id: uuid.UUID, day: date) -> None:
        """A reader waits for the case's key (once per case and reader)."""
        if await self.session.get(CaseKeyRequest, (case_id, user_id)) is None:
            self.session.add(CaseKeyRequest(case_id=case_id, user_id=user_id, requested_on=day))

    async def requests_for_holder(self, user_id: uuid.UUID, limit: int) -> list[tuple[uuid.UUID, bytes]]:
        """Cases others wait for whose key `user_id` holds: (case id, that holder's wrap), oldest request first."""
        rows = await self.session.execute(
            select(CaseKeyRequest.case_id, CaseKeyWrap.sealed)
            .join(CaseKeyWrap, CaseKeyWrap.case_id == CaseKeyRequest.case_id)
            .where(CaseKeyWrap.holder == f"staff:{user_id}")
            .group_by(CaseKeyRequest.case_id, CaseKeyWrap.sealed)
            .order_by(func.min(CaseKeyRequest.requested_on), CaseKeyRequest.case_id)
            .limit(limit)
        )
        return [(case_id, bytes(sealed)) for case_id, sealed in rows.all()]

    async def requests_answered(self, case_id: uuid.UUID) -> None:
        await self.session.execute(delete(CaseKeyRequest).where(CaseKeyRequest.case_id == case_id))

    async def cases_with_key_and_wrapped_for(self, holder: str | None) -> tuple[int, int]:
        """How many cases have a content key, and how many of them carry a wrap for `holder`."""
        with_key = Case.content_key.is_not(None)
        cases = await self.session.scalar(select(func.count()).select_from(Case).where(with_key))
        wrapped = 0
        if holder is not None:
            wrapped = await self.session.scalar(
                select(func.count())
                .select_from(CaseKeyWrap)
                .join(Case, Case.id == CaseKeyWrap.case_id)
                .where(with_key, CaseKeyWrap.holder == holder)
            )
        return int(cases or 0), int(wrapped or 0)

    # --- `withu migrate` (app.services.key_migration) ---

    async def unmoved_cases(self, limit: int) -> list[Case]:
        """Cases still under the master key, up to `limit`; on PostgreSQL locked, skipping those another migrator
        holds (two side by side take different cases)."""
        query = select(Case).where(Case.content_key.is_(None)).order_by(Case.id).limit(limit)
        if self.session.bind.dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        return list((await self.session.scalars(query)).all())

    async def unmoved_count(self) -> int:
        return int(
            await self.session.scalar(select(func.count()).select_from(Case).where(Case.content_key.is_(None))) or 0
        )

    async def stored_content(self, model: Any, case_id: uuid.UUID) -> list[tuple[uuid.UUID, dict[str, bytes | None]]]:
        """The model's case-content values of this case as stored (ciphertext), past the column types."""
        raw = _raw_content(model)
        rows = (await self.session.execute(select(raw).where(raw.c.case_id == case_id))).all()
        return [(row.id, {n: _bytes(getattr(row, n)) for n in model.__case_content__}) for row in rows]

    async def store_content(self, model: Any, row_id: uuid.UUID, values: dict[str, bytes]) -> None:
        """Ciphertext written as it is (the column types would encrypt it again)."""
        raw = _raw_content(model)
        await self.session.execute(update(raw).where(raw.c.id == row_id).values(**values))

    async def drop_pending(self, staff_pending: str, reporter_pending_prefix: str) -> int:
        """Every copy of a moved case's key kept under the master key."""
        result = await self.session.execute(
            delete(CaseKeyWrap).where(
                or_(
                    CaseKeyWrap.holder == staff_pending,
                    CaseKeyWrap.holder.startswith(reporter_pending_prefix, autoescape=True),
                )
            )
        )
        return int(getattr(result, "rowcount", 0) or 0)

    async def recovery_keys(self) -> list[RecoveryKey]:
        """The recovery keys in use (normally one): every case's key is wrapped for each."""
        return list(await self.session.scalars(_ACTIVE_RECOVERY_KEYS))

    async def recovery_key(self, key_id: str) -> RecoveryKey | None:
        return await self.session.get(RecoveryKey, key_id)
