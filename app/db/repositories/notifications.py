"""Deadlines that need attention (CASE-2) and the queue of content-free notifications the worker sends."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.dialects import postgresql, sqlite

from app.db.models import Case, CaseAssignment, CaseDeadline, Notification, SeparationViolation, StaffUser
from app.db.repositories.base import Repository
from app.domain.enums import Role, Team
from app.domain.escalation import ENDED_CASE_STATUSES, OUTLIVE_THE_CASE, NotificationKind, NotificationStatus

NoticeKey = tuple[uuid.UUID, NotificationKind, uuid.UUID]  # deadline, kind, recipient


def _live() -> Select[tuple[CaseDeadline, Case]]:
    """The domain's is_live as SQL: unmet, and the case still runs or the duty outlives it."""
    return (
        select(CaseDeadline, Case)
        .join(Case, CaseDeadline.case_id == Case.id)
        .where(
            CaseDeadline.met_on.is_(None),
            or_(Case.status.not_in(ENDED_CASE_STATUSES), CaseDeadline.kind.in_(OUTLIVE_THE_CASE)),
        )
    )


class NotificationRepository(Repository):
    # --- the queues of deadlines ---

    async def attention_page(
        self,
        visible_ids: Select[Any],
        *,
        due_from: date | None,
        due_until: date,
        team: Team | None,
        offset: int,
        limit: int,
    ) -> tuple[list[tuple[CaseDeadline, Case]], int]:
        """Live deadlines due from `due_from` (None: however long ago) up to `due_until` (excluded), of the cases
        in `visible_ids`; most overdue first."""
        query = _live().where(Case.id.in_(visible_ids), CaseDeadline.due_on < due_until)
        if due_from is not None:
            query = query.where(CaseDeadline.due_on >= due_from)
        if team is not None:
            query = query.where(Case.team == team)
        total = await self.session.scalar(select(func.count()).select_from(query.subquery()))
        rows = await self.session.execute(
            query.order_by(CaseDeadline.due_on, Case.reference, CaseDeadline.kind).offset(offset).limit(limit)
        )
        return [(d, c) for d, c in rows.all()], int(total or 0)

    async def live_deadlines_due_by(self, last_day: date) -> list[tuple[CaseDeadline, Case]]:
        """Every live deadline due on or before `last_day`, of cases staff may see at all (not sealed, CASE-8)."""
        rows = await self.session.execute(
            _live().where(CaseDeadline.due_on <= last_day, Case.sealed.is_(False)).order_by(CaseDeadline.due_on)
        )
        return [(d, c) for d, c in rows.all()]

    # --- who could be told ---

    async def handlers_by_case(self, case_ids: Collection[uuid.UUID]) -> dict[uuid.UUID, list[uuid.UUID]]:
        if not case_ids:
            return {}
        rows = await self.session.execute(
            select(CaseAssignment.case_id, CaseAssignment.user_id).where(CaseAssignment.case_id.in_(set(case_ids)))
        )
        handlers: dict[uuid.UUID, list[uuid.UUID]] = {}
        for case_id, user_id in rows.all():
            handlers.setdefault(case_id, []).append(user_id)
        return handlers

    async def active_staff(self, roles: Collection[Role]) -> list[StaffUser]:
        rows = await self.session.scalars(
            select(StaffUser).where(StaffUser.role.in_(set(roles)), StaffUser.active.is_(True))
        )
        return list(rows.all())

    async def staff(self, user_ids: Collection[uuid.UUID]) -> dict[uuid.UUID, StaffUser]:
        if not user_ids:
            return {}
        rows = await self.session.scalars(select(StaffUser).where(StaffUser.id.in_(set(user_ids))))
        return {u.id: u for u in rows.all()}

    # --- the queue of notices ---

    async def existing_keys(self, deadline_ids: Collection[uuid.UUID]) -> set[NoticeKey]:
        if not deadline_ids:
            return set()
        rows = await self.session.execute(
            select(Notification.deadline_id, Notification.kind, Notification.recipient_user_id).where(
                Notification.deadline_id.in_(set(deadline_ids))
            )
        )
        return {(d, k, u) for d, k, u in rows.all()}

    async def queue(self, rows: Sequence[dict[str, Any]]) -> None:
        """Insert notices; one that another scan queued meanwhile is left as it is (the unique key)."""
        if not rows:
            return
        dialect = postgresql if self.session.bind.dialect.name == "postgresql" else sqlite
        statement = dialect.insert(Notification).on_conflict_do_nothing(
            index_elements=["deadline_id", "kind", "recipient_user_id"]
        )
        await self.session.execute(statement, list(rows))

    async def lock_due(self, now: datetime, limit: int) -> Sequence[Notification]:
        """Pending notices whose time has come and whose lease (if any) has run out, oldest due first. PostgreSQL
        skips rows another worker is claiming (FOR UPDATE SKIP LOCKED); SQLite serialises write transactions."""
        query = (
            select(Notification)
            .where(
                Notification.status == NotificationStatus.pending,
                Notification.next_attempt_at <= now,
                or_(Notification.lease_until.is_(None), Notification.lease_until < now),
            )
            .order_by(Notification.next_attempt_at, Notification.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        return (await self.session.scalars(query)).all()

    async def deadlines_by_id(self, ids: Collection[uuid.UUID]) -> dict[uuid.UUID, CaseDeadline]:
        if not ids:
            return {}
        rows = await self.session.scalars(select(CaseDeadline).where(CaseDeadline.id.in_(set(ids))))
        return {d.id: d for d in rows.all()}

    async def violations_by_id(self, ids: Collection[uuid.UUID]) -> dict[uuid.UUID, SeparationViolation]:
        """SEP-5: the separation violations notices are about."""
        if not ids:
            return {}
        rows = await self.session.scalars(select(SeparationViolation).where(SeparationViolation.id.in_(set(ids))))
        return {v.id: v for v in rows.all()}

    async def notice_for_update(self, notice_id: uuid.UUID) -> Notification | None:
        """One notice, locked until the end of the transaction (two recorders never interleave)."""
        return await self.session.scalar(select(Notification).where(Notification.id == notice_id).with_for_update())

    async def notices_of_case(self, case_id: uuid.UUID) -> list[Notification]:
        rows = await self.session.scalars(
            select(Notification).where(Notification.case_id == case_id).order_by(Notification.created_at)
        )
        return list(rows.all())
