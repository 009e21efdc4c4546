"""SCIM's view of the personnel directory (RFC 7643): people, org units and assignments with what SCIM keeps
beside them (externalId, deleted). Reads only; the directory is written by the personnel service."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.orm import aliased

from app.db.models import Assignment, AssignmentMember, Employee, Organisation, OrgUnit, ScimRecord
from app.db.repositories.base import Repository
from app.domain.enums import AssignmentKind, EmployeeStatus

# No SCIM record beside the row, or one a SCIM client did not delete (RFC 7644 §3.6).
VISIBLE = or_(ScimRecord.deleted.is_(None), ScimRecord.deleted.is_(False))


@dataclass(frozen=True)
class ScimPerson:
    id: uuid.UUID
    employee_number: str
    organisation: str
    unit: str | None
    supervisor_id: uuid.UUID | None
    status: EmployeeStatus
    external_id: str | None


@dataclass(frozen=True)
class ScimGroupRow:
    id: uuid.UUID
    key: str
    name: str
    organisation: str
    kind: AssignmentKind | None  # None: an org unit
    parent: str | None
    head: str | None
    external_id: str | None


class ScimRepository(Repository):
    async def record(self, resource_id: uuid.UUID) -> ScimRecord | None:
        return await self.session.get(ScimRecord, resource_id)

    async def _record_for(self, resource_id: uuid.UUID) -> ScimRecord:
        row = await self.record(resource_id)
        if row is None:
            row = ScimRecord(resource_id=resource_id, deleted=False)
            self.add(row)
        return row

    async def set_external_id(self, resource_id: uuid.UUID, external_id: str | None) -> None:
        (await self._record_for(resource_id)).external_id = external_id

    async def mark_deleted(self, resource_id: uuid.UUID) -> None:
        (await self._record_for(resource_id)).deleted = True
        await self.flush()

    # --- people ------------------------------------------------------------------------------------------

    def _people(self):  # type: ignore[no-untyped-def]
        return (
            select(
                Employee.id,
                Employee.employee_number,
                Organisation.external_id,
                OrgUnit.external_id,
                Employee.supervisor_id,
                Employee.status,
                ScimRecord.external_id,
            )
            .join(Organisation, Organisation.id == Employee.organisation_id)
            .outerjoin(OrgUnit, OrgUnit.id == Employee.unit_id)
            .outerjoin(ScimRecord, ScimRecord.resource_id == Employee.id)
            .where(VISIBLE)
        )

    async def person(self, employee_id: uuid.UUID) -> ScimPerson | None:
        row = (await self.session.execute(self._people().where(Employee.id == employee_id))).first()
        return ScimPerson(*row) if row else None

    async def people(
        self,
        *,
        employee_number: str | None = None,
        external_id: str | None = None,
        active: bool | None = None,
        offset: int = 0,
        limit: int = 100,
    ) -> tuple[list[ScimPerson], int]:
        """A page of the people SCIM sees, by employee number; and how many match."""
        query = self._people()
        if employee_number is not None:
            query = query.where(Employee.employee_number == employee_number)
        if external_id is not None:
            query = query.where(ScimRecord.external_id == external_id)
        if active is not None:
            retired = Employee.status == EmployeeStatus.retired
            query = query.where(~retired if active else retired)
        total = await self.session.scalar(select(func.count()).select_from(query.subquery()))
        page = await self.session.execute(query.order_by(Employee.employee_number).offset(offset).limit(limit))
        return [ScimPerson(*row) for row in page], int(total or 0)

    async def hidden(self, resource_ids: Iterable[uuid.UUID]) -> set[uuid.UUID]:
        """Of these ids, those a SCIM client deleted."""
        wanted = set(resource_ids)
        if not wanted:
            return set()
        rows = await self.session.scalars(
            select(ScimRecord.resource_id).where(ScimRecord.resource_id.in_(wanted), ScimRecord.deleted.is_(True))
        )
        return set(rows)

    async def numbers(self, employee_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, str]:
        wanted = set(employee_ids)
        if not wanted:
            return {}
        rows = await self.session.execute(select(Employee.id, Employee.employee_number).where(Employee.id.in_(wanted)))
        return {row_id: number for row_id, number in rows}

    # --- groups: org units and assignments --------------------------------------------------------------------

    async def groups(self, group_id: uuid.UUID | None = None) -> list[ScimGroupRow]:
        """Every org unit and assignment SCIM sees (or the one with this id), by name then id."""
        parent, head = aliased(OrgUnit), aliased(Employee)
        units = (
            select(
                OrgUnit.id,
                OrgUnit.external_id,
                OrgUnit.name,
                Organisation.external_id,
                parent.external_id,
                head.employee_number,
                ScimRecord.external_id,
            )
            .join(Organisation, Organisation.id == OrgUnit.organisation_id)
            .outerjoin(parent, parent.id == OrgUnit.parent_id)
            .outerjoin(head, head.id == OrgUnit.head_employee_id)
            .outerjoin(ScimRecord, ScimRecord.resource_id == OrgUnit.id)
            .where(VISIBLE)
        )
        assignments = (
            select(
                Assignment.id,
                Assignment.external_id,
                Assignment.name,
                Organisation.external_id,
                Assignment.kind,
                ScimRecord.external_id,
            )
            .join(Organisation, Organisation.id == Assignment.organisation_id)
            .outerjoin(ScimRecord, ScimRecord.resource_id == Assignment.id)
            .where(VISIBLE)
        )
        if group_id is not None:
            units = units.where(OrgUnit.id == group_id)
            assignments = assignments.where(Assignment.id == group_id)
        found = [
            ScimGroupRow(i, key, name, org, None, par, hd, ext)
            for i, key, name, org, par, hd, ext in await self.session.execute(units)
        ]
        found += [
            ScimGroupRow(i, key, name, org, AssignmentKind(kind), None, None, ext)
            for i, key, name, org, kind, ext in await self.session.execute(assignments)
        ]
        return sorted(found, key=lambda g: (g.name, str(g.id)))

    async def members(self, group: ScimGroupRow) -> list[uuid.UUID]:
        """The people of a unit, or the members of an assignment, SCIM deletions left out."""
        if group.kind is None:
            query = select(Employee.id).where(Employee.unit_id == group.id)
        else:
            query = select(AssignmentMember.employee_id).where(
                AssignmentMember.assignment_id == group.id, AssignmentMember.member.is_(True)
            )
        ids = list(await self.session.scalars(query))
        hidden = await self.hidden(ids)
        return sorted((i for i in ids if i not in hidden), key=str)

    async def organisation_keys(self) -> list[str]:
        return list(await self.session.scalars(select(Organisation.external_id).order_by(Organisation.external_id)))

    async def unit_keys(self, limit: int) -> list[str]:
        query = (
            select(OrgUnit.external_id)
            .outerjoin(ScimRecord, ScimRecord.resource_id == OrgUnit.id)
            .where(VISIBLE)
            .order_by(OrgUnit.external_id)
            .limit(limit)
        )
        return list(await self.session.scalars(query))

    async def unit_has_children(self, unit_id: uuid.UUID) -> bool:
        return (await self.session.scalar(select(func.count()).where(OrgUnit.parent_id == unit_id))) > 0
