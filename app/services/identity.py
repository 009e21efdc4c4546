"""CASE-5: asking to see the victim's identity, and the second person's decision. Every step is audited."""

from __future__ import annotations

import uuid

from app.db.models import DisclosureRequest
from app.db.uow import UnitOfWork
from app.domain.enums import DisclosureStatus
from app.domain.errors import Conflict, NotFound
from app.domain.identity import AlreadyAssigned, check_approval, check_decider
from app.schemas.protection import DisclosureDecision, DisclosureRead
from app.services import audit, clock
from app.services.actors import StaffActor
from app.services.cases import load_visible_case, require_case_role, victim_identity_visible


class AlreadyDecided(Conflict):
    code = "already-decided"
    title = "That request has been decided already."


async def request_disclosure(uow: UnitOfWork, actor: StaffActor, case_id: uuid.UUID, reason: str) -> DisclosureRead:
    """Ask, with a reason, to see the victim's identity of a case you work on but are not assigned to."""
    case = await load_visible_case(uow, actor, case_id)
    if await victim_identity_visible(uow, actor, case):
        raise AlreadyAssigned()
    request = DisclosureRequest(
        case_id=case.id,
        requester_id=actor.user_id,
        reason=reason,
        status=DisclosureStatus.pending,
        requested_at=clock.now(),
    )
    uow.protection.add(request)
    await uow.session.flush()
    await audit.record(uow, actor, "identity.disclosure_requested", case_id=case.id, target=str(request.id))
    return await _read(uow, request)


async def decide_disclosure(
    uow: UnitOfWork, actor: StaffActor, case_id: uuid.UUID, request_id: uuid.UUID, decision: DisclosureDecision
) -> DisclosureRead:
    """A team lead or the division head — never the requester — approves (with the victim's consent recorded
    where required) or denies."""
    case = await load_visible_case(uow, actor, case_id)
    request = await uow.protection.disclosure(request_id)
    if request is None or request.case_id != case.id:
        raise NotFound()
    check_decider(actor.user_id, actor.role, request.requester_id)
    if request.status != DisclosureStatus.pending:
        raise AlreadyDecided()
    if decision.approve:
        check_approval(decision.victim_consent)
    request.status = DisclosureStatus.approved if decision.approve else DisclosureStatus.denied
    request.victim_consent = decision.victim_consent
    request.decided_by = actor.user_id
    request.decided_at = clock.now()
    action = "identity.disclosure_approved" if decision.approve else "identity.disclosure_denied"
    await audit.record(uow, actor, action, case_id=case.id, target=str(request.id))
    return await _read(uow, request)


async def list_disclosures(uow: UnitOfWork, actor: StaffActor, case_id: uuid.UUID) -> list[DisclosureRead]:
    """The case's disclosure requests. The read is audited (AUD-1)."""
    case = await load_visible_case(uow, actor, case_id)
    await audit.record(uow, actor, "identity.disclosures_read", case_id=case.id)
    return [await _read(uow, r) for r in await uow.protection.disclosures(case.id)]


async def pending_disclosures(uow: UnitOfWork, actor: StaffActor) -> list[DisclosureRead]:
    """The approvals inbox: disclosure requests waiting for a second person, on cases whose content the actor
    reads (F13)."""
    require_case_role(actor)
    pending = await uow.protection.pending_disclosures(await uow.cases.readable_ids(actor.facts))
    await audit.record_reads(uow, actor, "identity.disclosures_read", [r.case_id for r in pending])  # AUD-1
    return [await _read(uow, r) for r in pending]


async def _read(uow: UnitOfWork, request: DisclosureRequest) -> DisclosureRead:
    users = {
        u.id: u.display_name
        for u in await uow.staff.users_by_ids(
            [request.requester_id, request.decided_by] if request.decided_by else [request.requester_id]
        )
    }
    case = await uow.cases.case(request.case_id)
    assert case is not None
    return DisclosureRead(
        id=request.id,
        case_id=request.case_id,
        case_reference=case.reference,
        requester=users.get(request.requester_id, "?"),
        requester_id=request.requester_id,
        reason=request.reason,
        status=request.status,
        victim_consent=request.victim_consent,
        requested_at=request.requested_at,
        decided_by=users.get(request.decided_by) if request.decided_by else None,
        decided_at=request.decided_at,
    )
