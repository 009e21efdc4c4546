"""Disclosure requests (CASE-5), protective measures (CASE-7), linking cases (CASE-8; the linked cases are read
through CaseRepository.linked_cases)."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from app.db.models import CaseLink, DisclosureRequest, ProtectiveMeasure
from app.db.repositories.base import Repository
from app.domain.enums import DisclosureStatus


class ProtectionRepository(Repository):
    async def disclosure(self, request_id: uuid.UUID) -> DisclosureRequest | None:
        return await self.session.get(DisclosureRequest, request_id, with_for_update=True)

    async def disclosures(self, case_id: uuid.UUID) -> list[DisclosureRequest]:
        rows = await self.session.scalars(
            select(DisclosureRequest)
            .where(DisclosureRequest.case_id == case_id)
            .order_by(DisclosureRequest.requested_at)
        )
        return list(rows.all())

    async def has_approved_disclosure(self, case_id: uuid.UUID, user_id: uuid.UUID) -> bool:
        found = await self.session.scalar(
            select(DisclosureRequest.id).where(
                DisclosureRequest.case_id == case_id,
                DisclosureRequest.requester_id == user_id,
                DisclosureRequest.status == DisclosureStatus.approved,
            )
        )
        return found is not None

    async def pending_disclosures(self, case_ids_query: object) -> list[DisclosureRequest]:
        rows = await self.session.scalars(
            select(DisclosureRequest)
            .where(DisclosureRequest.status == DisclosureStatus.pending, DisclosureRequest.case_id.in_(case_ids_query))
            .order_by(DisclosureRequest.requested_at)
        )
        return list(rows.all())

    async def measure(self, measure_id: uuid.UUID) -> ProtectiveMeasure | None:
        return await self.session.get(ProtectiveMeasure, measure_id, with_for_update=True)

    async def measures(self, case_id: uuid.UUID) -> list[ProtectiveMeasure]:
        rows = await self.session.scalars(
            select(ProtectiveMeasure).where(ProtectiveMeasure.case_id == case_id).order_by(ProtectiveMeasure.offered_on)
        )
        return list(rows.all())

    async def link(self, a: uuid.UUID, b: uuid.UUID, reason: str, on: object) -> None:
        first, second = sorted([a, b], key=str)
        exists = await self.session.scalar(
            select(CaseLink.id).where(CaseLink.case_a == first, CaseLink.case_b == second)
        )
        if exists is None:
            self.session.add(CaseLink(case_a=first, case_b=second, reason=reason, linked_on=on))
