"""Contracts with commissioned organisations and their follow-up obligations (CON-1, CON-2)."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import func, select

from app.db.models import Contract, Obligation, Organisation
from app.db.repositories.base import Repository
from app.domain.contracts import ContractStatus, ObligationStatus


class ContractRepository(Repository):
    # --- contracts ---

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

    # --- obligations ---

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

    async def open_obligations_due_before(self, today: date) -> list[Obligation]:
        """CON-2: candidates for the deadline scan (the domain decides), locked; a concurrent scan skips them."""
        query = (
            select(Obligation)
            .where(Obligation.status == ObligationStatus.open, Obligation.due_on < today)
            .order_by(Obligation.due_on, Obligation.id)
            .with_for_update(skip_locked=True)
        )
        return list((await self.session.scalars(query)).all())
