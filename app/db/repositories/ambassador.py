"""Publicity ambassadors and the memorial places under their names (AMB-1), and the cases that name an ambassador
(AMB-2)."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select

from app.db.links import ambassador_mac
from app.db.models import Ambassador, Case, CaseAmbassador, MemorialPlace
from app.db.repositories.base import Repository
from app.domain.ambassadors import DesignationStatus, PlaceStatus
from app.domain.enums import CaseStatus

ENDED = (CaseStatus.closed, CaseStatus.withdrawn)


class AmbassadorRepository(Repository):
    async def ambassador(self, ambassador_id: uuid.UUID, *, for_update: bool = False) -> Ambassador | None:
        return await self.session.get(Ambassador, ambassador_id, with_for_update=for_update or None)

    async def ambassadors(self, status: DesignationStatus | None = None) -> list[Ambassador]:
        query = select(Ambassador).order_by(Ambassador.public_name, Ambassador.id)
        if status is not None:
            query = query.where(Ambassador.status == status)
        return list((await self.session.scalars(query)).all())

    async def places(self, ambassador_ids: list[uuid.UUID], *, open_only: bool = False) -> list[MemorialPlace]:
        if not ambassador_ids:
            return []
        query = select(MemorialPlace).where(MemorialPlace.ambassador_id.in_(ambassador_ids))
        if open_only:
            query = query.where(MemorialPlace.status == PlaceStatus.open)
        return list((await self.session.scalars(query.order_by(MemorialPlace.name, MemorialPlace.id))).all())

    async def places_for_update(self, ambassador_id: uuid.UUID) -> list[MemorialPlace]:
        query = select(MemorialPlace).where(MemorialPlace.ambassador_id == ambassador_id).with_for_update()
        return list((await self.session.scalars(query)).all())

    # --- the cases that name an ambassador (AMB-2) ---

    # A case names an ambassador by MAC and encrypted id (app.db.links, security review F3): looked up by MAC.

    async def case_link(self, case_id: uuid.UUID, ambassador_id: uuid.UUID) -> CaseAmbassador | None:
        return await self.session.scalar(
            select(CaseAmbassador).where(
                CaseAmbassador.case_id == case_id, CaseAmbassador.ambassador_mac == ambassador_mac(ambassador_id)
            )
        )

    async def ambassadors_of_case(self, case_id: uuid.UUID) -> list[Ambassador]:
        """The ambassadors a case names, locked: a finding and a closing never interleave on one designation."""
        named = select(CaseAmbassador.ambassador_id).where(CaseAmbassador.case_id == case_id)
        ids = set((await self.session.scalars(named)).all())
        if not ids:
            return []
        query = select(Ambassador).where(Ambassador.id.in_(ids)).order_by(Ambassador.id).with_for_update()
        return list((await self.session.scalars(query)).all())

    async def open_reports_naming(self, ambassador_id: uuid.UUID) -> int:
        """AMB-2: cases naming the ambassador that are neither closed nor withdrawn."""
        query = (
            select(func.count())
            .select_from(CaseAmbassador)
            .join(Case, Case.id == CaseAmbassador.case_id)
            .where(CaseAmbassador.ambassador_mac == ambassador_mac(ambassador_id), Case.status.not_in(ENDED))
        )
        return int(await self.session.scalar(query) or 0)
