"""A case's decision or withdrawal with four eyes (CASE-1, SAN-2's shape; security review F5): an assigned handler
proposes, a team lead or the division head who did not propose it confirms or declines. Only a confirmation moves
the case, and only then do the finding's consequences run (SAN-4, SAN-5, AMB-1: app/services/case_handling.py
`apply_transition`). Every step is audited; so is every read.

A case's category is corrected here too (SD-3, CASE-3): at once, or — when it lowers a floor (out of secondary
damage) — as a proposal of the same kind, confirmed by a second person."""

from __future__ import annotations

import uuid
from typing import Any

from app.db.models import Case, CaseMessage, DecisionProposal
from app.db.uow import UnitOfWork
from app.domain.case_decisions import (
    DecisionPending,
    ProposalKind,
    ProposalStatus,
    check_category_correction,
    check_confirmer,
    check_open,
    check_proposal,
    correction_needs_second_person,
)
from app.domain.enums import Category, MessageAuthor
from app.domain.errors import NotFound
from app.domain.lifecycle import check_transition
from app.domain.routing import route_team
from app.schemas.decisions import (
    CategoryCorrectionCreate,
    CategoryCorrectionRead,
    DecisionProposalCreate,
    DecisionProposalRead,
    ProposalDecision,
)
from app.services import audit, case_keys, clock
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
    return await _open_proposal(
        uow,
        actor,
        case,
        "case.decision_proposed",
        kind=ProposalKind.status,
        to_status=command.to,
        finding=command.finding,
        reason=command.reason,
    )


async def decide(
    uow: UnitOfWork, actor: StaffActor, case_id: uuid.UUID, proposal_id: uuid.UUID, command: ProposalDecision
) -> DecisionProposalRead:
    """F5, SAN-2's four eyes: a team lead or the division head who sees the case, not the proposer, confirms (the
    case moves now, with the proposal's reason, and the finding's consequences run; or, for a category correction,
    the category changes and the case is routed anew) or declines (nothing changes)."""
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
    if command.approve and proposal.kind == ProposalKind.category:
        assert proposal.category is not None
        await _apply_category(uow, actor, case, proposal.category, proposal.reason)
    elif command.approve:
        assert proposal.to_status is not None
        await apply_transition(uow, actor, case, proposal.to_status, proposal.finding, proposal.reason)
    return (await _reads(uow, [proposal]))[0]


async def correct_category(
    uow: UnitOfWork, actor: StaffActor, case_id: uuid.UUID, command: CategoryCorrectionCreate, if_match: str | None
) -> CategoryCorrectionRead:
    """SD-3, CASE-3, AUD-1: whoever works the case corrects its category, against the version read. It is made at
    once and the case routed anew by the routing table — unless it lowers a floor (out of secondary damage), which
    is proposed instead and waits, like a decision, for a team lead or the division head who did not propose it.
    Nothing is corrected while another proposal of the case waits."""
    case = await load_visible_case(uow, actor, case_id)
    require_version(case, if_match)
    check_category_correction(case.category, command.category)
    if await uow.decisions.has_pending(case.id):
        raise DecisionPending()
    if not correction_needs_second_person(case.category, command.category):
        await _apply_category(uow, actor, case, command.category, command.reason)
        return CategoryCorrectionRead(category=case.category, team=case.team, applied=True, proposal=None)
    read = await _open_proposal(
        uow,
        actor,
        case,
        "case.category_correction_proposed",
        kind=ProposalKind.category,
        category=command.category,
        reason=command.reason,
    )
    return CategoryCorrectionRead(category=case.category, team=case.team, applied=False, proposal=read)


async def _open_proposal(
    uow: UnitOfWork, actor: StaffActor, case: Case, action: str, **change: Any
) -> DecisionProposalRead:
    """A proposal of `change` that waits for a second person (F5, SD-3); audited as `action`."""
    proposal = DecisionProposal(
        case_id=case.id, status=ProposalStatus.proposed, proposed_by=actor.user_id, proposed_at=clock.now(), **change
    )
    uow.decisions.add(proposal)
    await uow.decisions.flush()
    await audit.record(uow, actor, action, case_id=case.id, target=str(proposal.id))
    return (await _reads(uow, [proposal]))[0]


async def _apply_category(uow: UnitOfWork, actor: StaffActor, case: Case, category: Category, reason: str) -> None:
    """The category changes and the case goes to the team the routing table names for it (CASE-3); an internal
    note keeps the reason on the case (the audit entry holds none)."""
    check_category_correction(case.category, category)
    note = f"{case.category} → {category}: {reason}"
    case.category = category
    case.team = route_team(category, case.org_kind, uow.settings.routing)
    now = clock.now()
    uow.cases.add(
        CaseMessage(
            case_id=case.id,
            seq=await uow.cases.next_message_seq(case.id),
            author=MessageAuthor.staff,
            author_user_id=actor.user_id,
            internal=True,
            body=note,
            sent_on=now.date(),
            sent_at=now,
        )
    )
    await uow.cases.flush()
    await case_keys.share(uow, case)  # issue 18: the new team's readers get the key, the old team's wraps go
    await audit.record(uow, actor, "case.category_corrected", case_id=case.id, target=str(category))


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
            kind=r.kind,
            to_status=r.to_status,
            category=r.category,
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
