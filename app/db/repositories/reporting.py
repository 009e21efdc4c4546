"""Counts for the dashboard: case statistics and intake counts with the support asked for (STAT-1 is applied
above this layer; WU-1), and the personnel system's sync status. Aggregates only — no row here carries a
narrative, a name or an identity."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import func, select

from app.db.models import (
    Assignment,
    Case,
    CaseDeadline,
    CaseTransition,
    Employee,
    OrgUnit,
    OutboxMessage,
    PersonnelEvent,
    SupportRequest,
)
from app.db.repositories.base import Repository
from app.domain.enums import CaseOrigin, CaseStatus, DeadlineKind, EmployeeStatus, OrgKind, OutboxStatus

INTAKE_ORIGINS = (CaseOrigin.report, CaseOrigin.secondary_damage_report)


def _window(start: date, end: date):  # type: ignore[no-untyped-def]
    """Cases opened in the window; sealed ones (CASE-8) are invisible until released."""
    return (Case.opened_on >= start, Case.opened_on <= end, Case.sealed.is_(False))


def _intake(start: date, end: date):  # type: ignore[no-untyped-def]
    """The window's cases opened by an intake submission."""
    return (*_window(start, end), Case.origin.in_(INTAKE_ORIGINS))


class ReportingRepository(Repository):
    async def cases_by_day(self, start: date, end: date) -> list[tuple[date, str, str, int]]:
        """(opened_on, category, team, count) for the window."""
        query = (
            select(Case.opened_on, Case.category, Case.team, func.count())
            .where(*_window(start, end))
            .group_by(Case.opened_on, Case.category, Case.team)
        )
        return [(d, str(c), str(t), int(n)) for d, c, t, n in (await self.session.execute(query)).all()]

    async def case_times(self, start: date, end: date) -> list[tuple[date, date | None, datetime | None, date | None]]:
        """Per case of the window: opened_on, the acknowledgement met on, the first decision at, closed_on (only
        for cases that ended `closed`)."""
        ack = (
            select(CaseDeadline.case_id, CaseDeadline.met_on)
            .where(CaseDeadline.kind == DeadlineKind.acknowledgement)
            .subquery()
        )
        decided = (
            select(CaseTransition.case_id, func.min(CaseTransition.at).label("at"))
            .where(CaseTransition.to_status == CaseStatus.decided)
            .group_by(CaseTransition.case_id)
            .subquery()
        )
        query = (
            select(Case.opened_on, ack.c.met_on, decided.c.at, Case.closed_on, Case.status)
            .outerjoin(ack, ack.c.case_id == Case.id)
            .outerjoin(decided, decided.c.case_id == Case.id)
            .where(*_window(start, end))
        )
        rows = (await self.session.execute(query)).all()
        return [(o, m, a, c if s == CaseStatus.closed else None) for o, m, a, c, s in rows]

    async def deadlines_grouped(self, start: date, end: date) -> list[tuple[DeadlineKind, date, date | None, int]]:
        """(kind, due_on, met_on, count) of the deadlines of the window's cases."""
        query = (
            select(CaseDeadline.kind, CaseDeadline.due_on, CaseDeadline.met_on, func.count())
            .join(Case, Case.id == CaseDeadline.case_id)
            .where(*_window(start, end))
            .group_by(CaseDeadline.kind, CaseDeadline.due_on, CaseDeadline.met_on)
        )
        return [(DeadlineKind(k), d, m, int(n)) for k, d, m, n in (await self.session.execute(query)).all()]

    # --- intake and the support asked for (WU-1) ---

    async def intake_by_org_kind(self, start: date, end: date) -> dict[OrgKind | None, int]:
        query = select(Case.org_kind, func.count()).where(*_intake(start, end)).group_by(Case.org_kind)
        return {kind: int(n) for kind, n in (await self.session.execute(query)).all()}

    async def support_requests_by_kind(self, start: date, end: date, org_kind: OrgKind) -> dict[str, int]:
        query = (
            select(SupportRequest.kind, func.count())
            .join(Case, Case.id == SupportRequest.case_id)
            .where(*_intake(start, end), Case.org_kind == org_kind)
            .group_by(SupportRequest.kind)
        )
        return {str(kind): int(n) for kind, n in (await self.session.execute(query)).all()}

    # --- the personnel system ---

    async def directory_counts(self) -> dict[str, int]:
        employees = await self.session.scalar(select(func.count()).select_from(Employee))
        active = await self.session.scalar(select(func.count()).where(Employee.status == EmployeeStatus.active))
        units = await self.session.scalar(select(func.count()).select_from(OrgUnit))
        assignments = await self.session.scalar(select(func.count()).select_from(Assignment))
        return {
            "employees": int(employees or 0),
            "active_employees": int(active or 0),
            "units": int(units or 0),
            "assignments": int(assignments or 0),
        }

    async def event_counts(self, since: datetime) -> tuple[datetime | None, int]:
        """When the last change event arrived, and how many arrived since `since`."""
        last = await self.session.scalar(select(func.max(PersonnelEvent.received_at)))
        recent = await self.session.scalar(select(func.count()).where(PersonnelEvent.received_at >= since))
        return last, int(recent or 0)  # max() keeps the column's type: an aware UTC datetime

    async def outbox_counts(self) -> tuple[int, int]:
        """Webhook deliveries waiting: all of them, and those that failed at least once (retried with backoff)."""
        pending = await self.session.scalar(select(func.count()).where(OutboxMessage.status == OutboxStatus.pending))
        failing = await self.session.scalar(
            select(func.count()).where(OutboxMessage.status == OutboxStatus.pending, OutboxMessage.attempts > 0)
        )
        return int(pending or 0), int(failing or 0)
