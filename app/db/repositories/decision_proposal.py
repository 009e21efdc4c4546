"""Proposals to decide or withdraw a case and their confirmation (CASE-1, security review F5). The cases they
belong to are read through CaseRepository (scoped to the actor); here only a subquery of those ids narrows."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from app.db.models import DecisionProposal
from app.db.repositories.base import Repository
from app.domain.case_decisions import ProposalStatus


class DecisionProposalRepository(Repository):
    async def proposal(self, proposal_id: uuid.UUID) -> DecisionProposal | None:
        """Locked for update: two people never both confirm (or one confirm, one decline) the same proposal."""
        return await self.session.get(DecisionProposal, proposal_id, with_for_update=True)

    async def of_case(self, case_id: uuid.UUID) -> list[DecisionProposal]:
        """The case's proposals, oldest first."""
        rows = await self.session.scalars(
            select(DecisionProposal)
            .where(DecisionProposal.case_id == case_id)
            .order_by(DecisionProposal.proposed_at, DecisionProposal.id)
        )
        return list(rows.all())

    async def has_pending(self, case_id: uuid.UUID) -> bool:
        found = await self.session.scalar(
            select(DecisionProposal.id).where(
                DecisionProposal.case_id == case_id, DecisionProposal.status == ProposalStatus.proposed
            )
        )
        return found is not None

    async def pending(self, case_ids_query: object, except_proposer: uuid.UUID) -> list[DecisionProposal]:
        """Proposals waiting for a second person, on the given cases, not proposed by `except_proposer`."""
        rows = await self.session.scalars(
            select(DecisionProposal)
            .where(
                DecisionProposal.status == ProposalStatus.proposed,
                DecisionProposal.case_id.in_(case_ids_query),
                DecisionProposal.proposed_by != except_proposer,
            )
            .order_by(DecisionProposal.proposed_at, DecisionProposal.id)
        )
        return list(rows.all())
