"""A case's decision or withdrawal with four eyes (CASE-1, SAN-2's shape; security review F5): an assigned handler
proposes, a team lead or the division head who did not propose it confirms or declines. Only a confirmation moves
the case, and only then do the finding's consequences run (SAN-4, SAN-5, AMB-1: app/services/case_handling.py
`apply_transition`). Every step is audited; so is every read."""

from __future__ import annotations

import uuid

from app.db.models import DecisionProposal
from app.db.uow import UnitOfWork
from app.domain.case_decisions import ProposalStatus, check_confirmer, check_open, check_proposal
from app.domain.errors import NotFound
from app.domain.lifecycle import check_transition
from app.schemas.decisions import DecisionProposalCreate, DecisionProposalRead, ProposalDecision
from app.services import audit, clock
from app.services.actors import StaffActor
from app.services.case_handling import apply_transition, require_version
from app.services.cases import load_visible_case, require_case_role


async def propose(
    uow: UnitOfWork, actor: StaffActor, case_id: uuid.UUID, command: DecisionProposalCreate, if_match: str | None
) -> DecisionProposalRead:
    """F5: an assigned handler proposes `decided` (with a finding) or `withdrawn`, against the version read; one
    proposal waits per case. The case does not change."""
    case = await load_visible_case(uow, actor, case_id)
    check_proposal(
        command.to, actor.user_id, await uow.cases.handler_ids(case.id), await uow.decisions.has_pending(case.id)
    )
    require_version(case, if_match)
    check_transition(case.status, command.to, command.finding)
    proposal = DecisionProposal(
        case_id=case.id,
        to_status=command.to,
        finding=command.finding,
        reason=command.reason,
        status=ProposalStatus.proposed,
        proposed_by=actor.user_id,
        proposed_at=clock.now(),
    )
    uow.decisions.add(proposal)
    await uow.decisions.flush()
    await audit.record(uow, actor, "case.decision_proposed", case_id=case.id, target=str(proposal.id))
    return (await _reads(uow, [proposal]))[0]


async def decide(
    uow: UnitOfWork, actor: StaffActor, case_id: uuid.UUID, proposal_id: uuid.UUID, command: ProposalDecision
) -> DecisionProposalRead:
    """F5, SAN-2's four eyes: a team lead or the division head who sees the case, not the proposer, confirms (the
    case moves now, with the proposal's reason, and the finding's consequences run) or declines (nothing moves)."""
    case = await load_visible_case(uow, actor, case_id)
    proposal = await uow.decisions.proposal(proposal_id)
    if proposal is None or proposal.case_id != case.id:
        raise NotFound()
    check_confirmer(actor.user_id, actor.role, proposal.proposed_by)
    check_open(proposal.status)
    proposal.status = ProposalStatus.confirmed if command.approve else ProposalStatus.declined
    proposal.decided_by = actor.user_id
    proposal.decided_at = clock.now()
    proposal.decision_reason = command.reason
    await uow.decisions.flush()
    action = "case.decision_confirmed" if command.approve else "case.decision_declined"
    await audit.record(uow, actor, action, case_id=case.id, target=str(proposal.id))
    if command.approve:
        await apply_transition(uow, actor, case, proposal.to_status, proposal.finding, proposal.reason)
    return (await _reads(uow, [proposal]))[0]


async def case_proposals(uow: UnitOfWork, actor: StaffActor, case_id: uuid.UUID) -> list[DecisionProposalRead]:
    """The case's proposals, oldest first, with their outcome. The read is audited (AUD-1)."""
    case = await load_visible_case(uow, actor, case_id)
    await audit.record(uow, actor, "case.decision_proposals_read", case_id=case.id)
    return await _reads(uow, await uow.decisions.of_case(case.id))


async def pending(uow: UnitOfWork, actor: StaffActor) -> list[DecisionProposalRead]:
    """The approvals inbox: proposals waiting for a second person on the cases whose content you read, not your
    own. Each case listed is an audited read (AUD-1: the reasons are case content)."""
    require_case_role(actor)
    rows = await uow.decisions.pending(await uow.cases.readable_ids(actor.facts), actor.user_id)
    await audit.record_reads(uow, actor, "case.decision_proposals_read", [p.case_id for p in rows])
    return await _reads(uow, rows)


async def _reads(uow: UnitOfWork, rows: list[DecisionProposal]) -> list[DecisionProposalRead]:
    people = {p for r in rows for p in (r.proposed_by, r.decided_by) if p is not None}
    names = {u.id: u.display_name for u in await uow.staff.users_by_ids(list(people))}
    references = await uow.cases.references([r.case_id for r in rows])
    return [
        DecisionProposalRead(
            id=r.id,
            case_id=r.case_id,
            case_reference=references[r.case_id],
            to_status=r.to_status,
            finding=r.finding,
            reason=r.reason,
            status=r.status,
            proposed_by=names.get(r.proposed_by, "?"),
            proposed_by_id=r.proposed_by,
            proposed_at=r.proposed_at,
            decided_by=names.get(r.decided_by) if r.decided_by else None,
            decided_by_id=r.decided_by,
            decided_at=r.decided_at,
            decision_reason=r.decision_reason,
        )
        for r in rows
    ]
