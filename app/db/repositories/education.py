"""MAN-3: education sessions, attendance, and what completion reads from the personnel directory."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import date

from sqlalchemy import func, select, union

from app.db.models import EducationAttendance, EducationSession, Employee, Organisation, OrgUnit
from app.db.repositories.base import Repository
from app.domain.education import Audience, SessionKind
from app.domain.enums import EmployeeStatus


class EducationRepository(Repository):
    async def session_row(self, session_id: uuid.UUID) -> EducationSession | None:
        return await self.session.get(EducationSession, session_id)

    async def sessions(self, start: date, end: date) -> list[EducationSession]:
        """The sessions held between the two days, newest first."""
        rows = await self.session.scalars(
            select(EducationSession)
            .where(EducationSession.day.between(start, end))
            .order_by(EducationSession.day.desc(), EducationSession.created_at.desc())
        )
        return list(rows)

    async def attendee_counts(self, session_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, int]:
        wanted = list(set(session_ids))
        if not wanted:
            return {}
        rows = await self.session.execute(
            select(EducationAttendance.session_id, func.count())
            .where(EducationAttendance.session_id.in_(wanted))
            .group_by(EducationAttendance.session_id)
        )
        return {session_id: n for session_id, n in rows}

    async def attending(self, session_id: uuid.UUID, employee_ids: Iterable[uuid.UUID]) -> set[uuid.UUID]:
        """Those of `employee_ids` already recorded for the session."""
        wanted = list(set(employee_ids))
        if not wanted:
            return set()
        rows = await self.session.scalars(
            select(EducationAttendance.employee_id).where(
                EducationAttendance.session_id == session_id, EducationAttendance.employee_id.in_(wanted)
            )
        )
        return set(rows)

    async def active_employees(self) -> list[tuple[uuid.UUID, str, str, str | None]]:
        """Every active employee: id, number, organisation and unit (external ids)."""
        rows = await self.session.execute(
            select(Employee.id, Employee.employee_number, Organisation.external_id, OrgUnit.external_id)
            .join(Organisation, Organisation.id == Employee.organisation_id)
            .outerjoin(OrgUnit, OrgUnit.id == Employee.unit_id)
            .where(Employee.status == EmployeeStatus.active)
        )
        return [tuple(row) for row in rows]  # type: ignore[misc]

    async def manager_ids(self) -> set[uuid.UUID]:
        """Employees who head a unit or supervise someone."""
        heads = select(OrgUnit.head_employee_id.label("id")).where(OrgUnit.head_employee_id.is_not(None))
        supervisors = select(Employee.supervisor_id.label("id")).where(Employee.supervisor_id.is_not(None))
        return set(await self.session.scalars(select(union(heads, supervisors).subquery().c.id)))

    async def attended_in(self, start: date, end: date) -> list[tuple[uuid.UUID, SessionKind, Audience]]:
        """Who attended which kind of session (for which audience) between the two days."""
        rows = await self.session.execute(
            select(EducationAttendance.employee_id, EducationSession.kind, EducationSession.audience)
            .join(EducationSession, EducationSession.id == EducationAttendance.session_id)
            .where(EducationSession.day.between(start, end))
            .distinct()
        )
        return [tuple(row) for row in rows]  # type: ignore[misc]

    async def names(self) -> tuple[dict[str, str], dict[str, str]]:
        """Organisation and unit names by external id (the completion table's labels)."""
        orgs = await self.session.execute(select(Organisation.external_id, Organisation.name))
        units = await self.session.execute(select(OrgUnit.external_id, OrgUnit.name))
        return dict(orgs.all()), dict(units.all())  # type: ignore[arg-type]

    async def withu_by_kind(self, start: date, end: date) -> dict[SessionKind, tuple[int, int]]:
        """WU-1: #WithU sessions held between the two days and their headcounts, per kind."""
        rows = await self.session.execute(
            select(EducationSession.kind, func.count(), func.coalesce(func.sum(EducationSession.headcount), 0))
            .where(
                EducationSession.day.between(start, end),
                EducationSession.kind.in_([SessionKind.workplace_education, SessionKind.expert_training]),
            )
            .group_by(EducationSession.kind)
        )
        return {kind: (int(n), int(people)) for kind, n, people in rows}

    async def unit_by_external_id(self, external_id: str) -> OrgUnit | None:
        return await self.session.scalar(select(OrgUnit).where(OrgUnit.external_id == external_id))

    async def scope_keys(self, sessions: Iterable[EducationSession]) -> dict[uuid.UUID, str]:
        """The external ids of the organisations and units the sessions are scoped to, by database id."""
        rows = list(sessions)
        org_ids = {s.organisation_id for s in rows if s.organisation_id}
        unit_ids = {s.unit_id for s in rows if s.unit_id}
        keys: dict[uuid.UUID, str] = {}
        if org_ids:
            found = await self.session.execute(
                select(Organisation.id, Organisation.external_id).where(Organisation.id.in_(org_ids))
            )
            keys |= dict(found.all())  # type: ignore[arg-type]
        if unit_ids:
            found = await self.session.execute(select(OrgUnit.id, OrgUnit.external_id).where(OrgUnit.id.in_(unit_ids)))
            keys |= dict(found.all())  # type: ignore[arg-type]
        return keys
