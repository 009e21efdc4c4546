"""Changes to case-role accounts that wait for a division head, enrolment links, and the recusals an
employee-number change would lift (counted, never listed: no case leaves this module)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import delete, func, select

from app.db.models import AccountChange, Case, EnrolmentLink
from app.db.repositories.base import Repository
from app.db.repositories.case import recused_case_ids
from app.domain.enums import AccountChangeStatus, CaseStatus

ENDED = (CaseStatus.closed, CaseStatus.withdrawn)


class AccountRepository(Repository):
    async def pending_change_of(self, user_id: uuid.UUID) -> AccountChange | None:
        return await self.session.scalar(
            select(AccountChange).where(
                AccountChange.user_id == user_id, AccountChange.status == AccountChangeStatus.pending
            )
        )

    async def pending_changes_of(self, user_ids: list[uuid.UUID]) -> dict[uuid.UUID, AccountChange]:
        if not user_ids:
            return {}
        rows = await self.session.scalars(
            select(AccountChange).where(
                AccountChange.user_id.in_(user_ids), AccountChange.status == AccountChangeStatus.pending
            )
        )
        return {c.user_id: c for c in rows.all()}

    async def pending_changes(self) -> list[AccountChange]:
        """Every waiting change, oldest first."""
        rows = await self.session.scalars(
            select(AccountChange)
            .where(AccountChange.status == AccountChangeStatus.pending)
            .order_by(AccountChange.requested_at, AccountChange.id)
        )
        return list(rows.all())

    async def change_for_update(self, change_id: uuid.UUID) -> AccountChange | None:
        return await self.session.scalar(select(AccountChange).where(AccountChange.id == change_id).with_for_update())

    async def link_for_update(self, token_hash: str) -> EnrolmentLink | None:
        """Locked: a link is used once, even by two racing requests."""
        return await self.session.scalar(
            select(EnrolmentLink).where(EnrolmentLink.token_hash == token_hash).with_for_update()
        )

    async def drop_unused_links(self, user_id: uuid.UUID) -> None:
        """A new link, a deactivation or a declined creation ends every unused link of the account."""
        await self.session.execute(
            delete(EnrolmentLink)
            .where(EnrolmentLink.user_id == user_id, EnrolmentLink.used_at.is_(None))
            .execution_options(synchronize_session=False)
        )

    async def link_expiry(self, user_ids: list[uuid.UUID], now: datetime) -> dict[uuid.UUID, datetime]:
        """When the account's unused, unexpired enrolment link expires (the latest, where there are several)."""
        if not user_ids:
            return {}
        rows = await self.session.execute(
            select(EnrolmentLink.user_id, func.max(EnrolmentLink.expires_at))
            .where(
                EnrolmentLink.user_id.in_(user_ids),
                EnrolmentLink.used_at.is_(None),
                EnrolmentLink.expires_at > now,
            )
            .group_by(EnrolmentLink.user_id)
        )
        return {user_id: expires for user_id, expires in rows.all()}

    async def recusals_lifted(self, old_number: str, new_number: str | None) -> int:
        """CASE-3 (F2): how many open cases recuse the holder of `old_number` but would not recuse the holder of
        `new_number` (none: every one of them). Two recusal queries (each reads the directory, then looks cases up
        by MAC)."""
        old_recused = await recused_case_ids(self.session, old_number)
        open_recused = select(Case.id).where(Case.id.in_(old_recused), Case.status.not_in(ENDED))
        lifted = set((await self.session.scalars(open_recused)).all())
        if lifted and new_number is not None:
            lifted -= set((await self.session.scalars(await recused_case_ids(self.session, new_number))).all())
        return len(lifted)
