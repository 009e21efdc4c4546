"""Sanctions, victims' opinions, unit heads' measures and ineligibility (SAN-1 … SAN-5). A secondary-damage case
and its original (SD-2, SD-3) are read through CaseRepository."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select

from app.db.links import employee_mac
from app.db.models import (
    HeadMeasure,
    OrgUnit,
    ProtectedPerson,
    RespondentIneligibility,
    Sanction,
    VictimOpinion,
)
from app.db.repositories.base import Repository
from app.domain.enums import ProtectedRole
from app.domain.sanctions import SanctionStatus


class SanctionRepository(Repository):
    # --- sanctions -------------------------------------------------------------------------------------------

    async def sanction(self, sanction_id: uuid.UUID) -> Sanction | None:
        """Locked for update: two deciders never both decide the same proposal."""
        return await self.session.get(Sanction, sanction_id, with_for_update=True)

    async def sanctions(self, case_id: uuid.UUID) -> list[Sanction]:
        rows = await self.session.scalars(
            select(Sanction).where(Sanction.case_id == case_id).order_by(Sanction.proposed_at, Sanction.id)
        )
        return list(rows.all())

    async def pending(self, case_ids_query: object, except_proposer: uuid.UUID) -> list[Sanction]:
        """Proposals waiting for a second person, on the given cases, not proposed by `except_proposer`."""
        rows = await self.session.scalars(
            select(Sanction)
            .where(
                Sanction.status == SanctionStatus.proposed,
                Sanction.case_id.in_(case_ids_query),
                Sanction.proposed_by != except_proposer,
            )
            .order_by(Sanction.proposed_at, Sanction.id)
        )
        return list(rows.all())

    # --- the victim's opinion (CASE-6) -----------------------------------------------------------------------

    async def opinions(self, case_id: uuid.UUID) -> list[VictimOpinion]:
        rows = await self.session.scalars(
            select(VictimOpinion).where(VictimOpinion.case_id == case_id).order_by(VictimOpinion.recorded_on)
        )
        return list(rows.all())

    async def has_opinion(self, case_id: uuid.UUID) -> bool:
        count = await self.session.scalar(select(func.count()).where(VictimOpinion.case_id == case_id))
        return bool(count)

    # --- joint liability (SAN-4) and ineligibility (SAN-5) ----------------------------------------------------

    async def unit_head_id(self, unit_id: uuid.UUID) -> uuid.UUID | None:
        return await self.session.scalar(select(OrgUnit.head_employee_id).where(OrgUnit.id == unit_id))

    async def victim_ids(self, case_id: uuid.UUID) -> set[uuid.UUID]:
        rows = await self.session.scalars(
            select(ProtectedPerson.employee_id).where(
                ProtectedPerson.case_id == case_id, ProtectedPerson.role == ProtectedRole.victim
            )
        )
        return set(rows.all())

    async def head_measures(self, case_id: uuid.UUID) -> list[HeadMeasure]:
        rows = await self.session.scalars(
            select(HeadMeasure).where(HeadMeasure.case_id == case_id).order_by(HeadMeasure.kind)
        )
        return list(rows.all())

    async def head_measure(self, measure_id: uuid.UUID) -> HeadMeasure | None:
        return await self.session.get(HeadMeasure, measure_id, with_for_update=True)

    async def ineligibility(self, employee_number: str) -> RespondentIneligibility | None:
        """SAN-5: the employee's record of ineligibility, if any (by MAC, app.db.links)."""
        return await self.session.scalar(
            select(RespondentIneligibility).where(RespondentIneligibility.employee_mac == employee_mac(employee_number))
        )
