"""The registries beside the cases: ambassadors and memorial places (AMB), contracts and obligations (CON),
support requests and intake counts (WU-1, STAT-1)."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from datetime import date
from typing import Any

from sqlalchemy import Select, func, select

from app.db.models import (
    Ambassador,
    Case,
    CaseAmbassador,
    Contract,
    MachineClient,
    MemorialPlace,
    Obligation,
    Organisation,
    SupportRequest,
)
from app.db.repositories.base import Repository
from app.domain.ambassadors import DesignationStatus, PlaceStatus
from app.domain.contracts import ContractStatus, ObligationStatus
from app.domain.enums import CaseOrigin, CaseStatus, OrgKind

INTAKE_ORIGINS = (CaseOrigin.report, CaseOrigin.secondary_damage_report)
ENDED = (CaseStatus.closed, CaseStatus.withdrawn)


class RegistryRepository(Repository):
    # --- ambassadors (AMB) ---

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

    async def case_link(self, case_id: uuid.UUID, ambassador_id: uuid.UUID) -> CaseAmbassador | None:
        return await self.session.scalar(
            select(CaseAmbassador).where(
                CaseAmbassador.case_id == case_id, CaseAmbassador.ambassador_id == ambassador_id
            )
        )

    async def ambassadors_of_case(self, case_id: uuid.UUID) -> list[Ambassador]:
        """The ambassadors a case names, locked: a finding and a closing never interleave on one designation."""
        query = (
            select(Ambassador)
            .join(CaseAmbassador, CaseAmbassador.ambassador_id == Ambassador.id)
            .where(CaseAmbassador.case_id == case_id)
            .order_by(Ambassador.id)
            .with_for_update(of=Ambassador)
        )
        return list((await self.session.scalars(query)).all())

    async def open_reports_naming(self, ambassador_id: uuid.UUID) -> int:
        """AMB-2: cases naming the ambassador that are neither closed nor withdrawn."""
        query = (
            select(func.count())
            .select_from(CaseAmbassador)
            .join(Case, Case.id == CaseAmbassador.case_id)
            .where(CaseAmbassador.ambassador_id == ambassador_id, Case.status.not_in(ENDED))
        )
        return int(await self.session.scalar(query) or 0)

    # --- contracts and obligations (CON) ---

    async def organisation_by_external_id(self, external_id: str) -> Organisation | None:
        return await self.session.scalar(select(Organisation).where(Organisation.external_id == external_id))

    async def machine_client(self, client_id: str) -> MachineClient | None:
        return await self.session.scalar(select(MachineClient).where(MachineClient.client_id == client_id))

    async def machine_clients(self, ids: list[uuid.UUID]) -> dict[uuid.UUID, MachineClient]:
        if not ids:
            return {}
        rows = await self.session.scalars(select(MachineClient).where(MachineClient.id.in_(set(ids))))
        return {c.id: c for c in rows.all()}

    async def organisations(self, ids: list[uuid.UUID]) -> dict[uuid.UUID, Organisation]:
        if not ids:
            return {}
        rows = await self.session.scalars(select(Organisation).where(Organisation.id.in_(set(ids))))
        return {o.id: o for o in rows.all()}

    async def contract(self, contract_id: uuid.UUID, *, for_update: bool = False) -> Contract | None:
        return await self.session.get(Contract, contract_id, with_for_update=for_update or None)

    async def contract_by_number(self, number: str) -> Contract | None:
        return await self.session.scalar(select(Contract).where(Contract.number == number))

    async def contracts(self, status: ContractStatus | None = None) -> list[Contract]:
        query = select(Contract).order_by(Contract.number)
        if status is not None:
            query = query.where(Contract.status == status)
        return list((await self.session.scalars(query)).all())

    async def contracts_of_client(self, client_pk: uuid.UUID) -> list[Contract]:
        query = select(Contract).where(Contract.machine_client_id == client_pk).order_by(Contract.number)
        return list((await self.session.scalars(query)).all())

    async def obligation(self, obligation_id: uuid.UUID) -> Obligation | None:
        return await self.session.get(Obligation, obligation_id, with_for_update=True)

    async def obligation_of(self, case_id: uuid.UUID, contract_id: uuid.UUID) -> Obligation | None:
        return await self.session.scalar(
            select(Obligation).where(Obligation.case_id == case_id, Obligation.contract_id == contract_id)
        )

    async def obligations_of_case(self, case_id: uuid.UUID) -> list[Obligation]:
        query = select(Obligation).where(Obligation.case_id == case_id).order_by(Obligation.opened_on, Obligation.id)
        return list((await self.session.scalars(query)).all())

    async def obligations_of_client(self, client_pk: uuid.UUID) -> list[tuple[Obligation, Contract]]:
        """A contractor's own obligations: those of the contracts held through its client, and nothing else."""
        query = (
            select(Obligation, Contract)
            .join(Contract, Contract.id == Obligation.contract_id)
            .where(Contract.machine_client_id == client_pk)
            .order_by(Obligation.due_on, Obligation.id)
        )
        return [(o, c) for o, c in (await self.session.execute(query)).all()]

    async def obligation_of_client(self, client_pk: uuid.UUID, obligation_id: uuid.UUID) -> Obligation | None:
        """Another contractor's obligation is not found (404), exactly like a missing one."""
        query = (
            select(Obligation)
            .join(Contract, Contract.id == Obligation.contract_id)
            .where(Obligation.id == obligation_id, Contract.machine_client_id == client_pk)
            .with_for_update(of=Obligation)
        )
        return await self.session.scalar(query)

    async def obligations_page(
        self, *, contract_id: uuid.UUID | None, status: ObligationStatus | None, offset: int, limit: int
    ) -> tuple[list[tuple[Obligation, Contract, str]], int]:
        """Every obligation (or one contract's), newest first, with its contract and the organisation's name."""
        conditions = []
        if contract_id is not None:
            conditions.append(Obligation.contract_id == contract_id)
        if status is not None:
            conditions.append(Obligation.status == status)
        total = await self.session.scalar(select(func.count()).select_from(Obligation).where(*conditions)) or 0
        query = (
            select(Obligation, Contract, Organisation.name)
            .join(Contract, Contract.id == Obligation.contract_id)
            .join(Organisation, Organisation.id == Contract.organisation_id)
            .where(*conditions)
            .order_by(Obligation.opened_on.desc(), Contract.number, Obligation.id)
            .offset(offset)
            .limit(limit)
        )
        return [(o, c, name) for o, c, name in (await self.session.execute(query)).all()], int(total)

    async def visible_references(
        self, visible_ids: Select[Any], case_ids: Collection[uuid.UUID]
    ) -> dict[uuid.UUID, str]:
        """The references of those of `case_ids` that are in `visible_ids` (CaseRepository.visible_ids): ACC-1."""
        if not case_ids:
            return {}
        rows = await self.session.execute(
            select(Case.id, Case.reference).where(Case.id.in_(set(case_ids)), Case.id.in_(visible_ids))
        )
        return {case_id: reference for case_id, reference in rows.all()}

    async def open_obligations_due_before(self, today: date) -> list[Obligation]:
        """CON-2: candidates for the deadline scan (the domain decides), locked; a concurrent scan skips them."""
        query = (
            select(Obligation)
            .where(Obligation.status == ObligationStatus.open, Obligation.due_on < today)
            .order_by(Obligation.due_on, Obligation.id)
            .with_for_update(skip_locked=True)
        )
        return list((await self.session.scalars(query)).all())

    # --- support requests and intake counts (WU-1, STAT-1) ---

    async def support_kinds(self, case_id: uuid.UUID) -> set[str]:
        rows = await self.session.scalars(select(SupportRequest.kind).where(SupportRequest.case_id == case_id))
        return {str(k) for k in rows.all()}

    def _intake(self, start: date, end: date):  # type: ignore[no-untyped-def]
        """Cases opened by an intake submission in the window; sealed ones (CASE-8) are invisible until released."""
        return (
            Case.opened_on >= start,
            Case.opened_on <= end,
            Case.sealed.is_(False),
            Case.origin.in_(INTAKE_ORIGINS),
        )

    async def intake_by_org_kind(self, start: date, end: date) -> dict[OrgKind | None, int]:
        query = select(Case.org_kind, func.count()).where(*self._intake(start, end)).group_by(Case.org_kind)
        return {kind: int(n) for kind, n in (await self.session.execute(query)).all()}

    async def support_requests_by_kind(self, start: date, end: date, org_kind: OrgKind) -> dict[str, int]:
        query = (
            select(SupportRequest.kind, func.count())
            .join(Case, Case.id == SupportRequest.case_id)
            .where(*self._intake(start, end), Case.org_kind == org_kind)
            .group_by(SupportRequest.kind)
        )
        return {str(kind): int(n) for kind, n in (await self.session.execute(query)).all()}
