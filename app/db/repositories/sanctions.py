"""Sanctions, victims' opinions, unit heads' measures, ineligibility (SAN-1 … SAN-5), and the links between a
secondary-damage case and its original (SD-2, SD-3)."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select

from app.db.models import (
    Case,
    HeadMeasure,
    OrgUnit,
    ProtectedPerson,
    Report,
    RespondentIneligibility,
    Sanction,
    VictimOpinion,
)
from app.db.repositories.base import Repository
from app.domain.enums import CaseOrigin, ProtectedRole
from app.domain.sanctions import SanctionStatus
from app.domain.secondary_damage import THROUGH_INBOX


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

    async def references(self, case_ids: list[uuid.UUID]) -> dict[uuid.UUID, str]:
        if not case_ids:
            return {}
        rows = await self.session.execute(select(Case.id, Case.reference).where(Case.id.in_(set(case_ids))))
        return {case_id: reference for case_id, reference in rows}

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

    async def ineligibility(self, employee_id: uuid.UUID) -> RespondentIneligibility | None:
        return await self.session.scalar(
            select(RespondentIneligibility).where(RespondentIneligibility.employee_id == employee_id)
        )

    # --- secondary damage (SD-2) -----------------------------------------------------------------------------

    async def case_by_reference(self, reference: str) -> Case | None:
        """Unscoped: only to link a report of secondary damage to its original case."""
        return await self.session.scalar(select(Case).where(Case.reference == reference))

    async def reported_through(self, original_id: uuid.UUID, report_id: uuid.UUID) -> list[Case]:
        """SD-2: the secondary-damage cases reported through the inbox of `report_id` (not those others
        reported with the reference, nor the retaliation watch's)."""
        rows = await self.session.execute(
            select(Case, Report)
            .join(Report, Report.case_id == Case.id)
            .where(Case.parent_case_id == original_id, Case.origin == CaseOrigin.secondary_damage_report)
            .order_by(Case.opened_on, Case.reference)
        )
        # The marker sits in the encrypted details: read in Python (a case has few such reports).
        return [c for c, r in rows.all() if r.details.get(THROUGH_INBOX) == str(report_id)]
