"""CASE-8 (security review F4): possible escrow matches waiting for the case team; content-free team alerts (F4's
escrow limit, F11's anonymous separation orders)."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.exc import IntegrityError

from app.db.models import EscrowMatch, TeamAlert
from app.db.repositories.base import Repository
from app.domain.enums import AlertKind, EscrowMatchStatus


class EscrowRepository(Repository):
    async def pending_matches(self, decidable_ids: Select[Any]) -> list[EscrowMatch]:
        """The possible matches waiting, both of whose cases are in `decidable_ids` (those the staff member would
        see once released: CaseRepository.decidable_ids), oldest first."""
        rows = await self.session.scalars(
            select(EscrowMatch)
            .where(
                EscrowMatch.status == EscrowMatchStatus.pending,
                EscrowMatch.new_case_id.in_(decidable_ids),
                EscrowMatch.other_case_id.in_(decidable_ids),
            )
            .order_by(EscrowMatch.raised_on, EscrowMatch.id)
        )
        return list(rows.all())

    async def match_for_update(self, match_id: uuid.UUID) -> EscrowMatch | None:
        return await self.session.get(EscrowMatch, match_id, with_for_update=True)

    async def todays_alert(self, kind: AlertKind, subject_key: str, day: date) -> TeamAlert:
        """The day's alert of this kind about this person, locked; a new one (count 0) if there is none yet. Two
        reports at once may both try to create it: the second, refused by the unique key inside its savepoint,
        then finds the first's."""
        query = (
            select(TeamAlert)
            .where(TeamAlert.kind == kind, TeamAlert.subject_key == subject_key, TeamAlert.day == day)
            .with_for_update()
        )
        found = await self.session.scalar(query)
        if found is not None:
            return found
        alert = TeamAlert(kind=kind, subject_key=subject_key, day=day, count=0, raised=False)
        try:
            async with self.session.begin_nested():
                self.session.add(alert)
        except IntegrityError:
            found = await self.session.scalar(query)
            assert found is not None
            return found
        return alert

    async def alert(self, alert_id: uuid.UUID) -> TeamAlert | None:
        return await self.session.get(TeamAlert, alert_id, with_for_update=True)

    async def open_alerts(self) -> list[TeamAlert]:
        """Raised alerts nobody has acknowledged yet, oldest first."""
        rows = await self.session.scalars(
            select(TeamAlert)
            .where(TeamAlert.raised.is_(True), TeamAlert.acknowledged_at.is_(None))
            .order_by(TeamAlert.day, TeamAlert.id)
        )
        return list(rows.all())
