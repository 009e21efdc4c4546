"""CASE-8 (security review F4): the case team's side of escrow. A possible escrow match — two reports naming the
same person, one in escrow, whose reporters cannot be told apart — waits for a team lead or the division head who
would see both cases once released (same teams, same recusal, CASE-3). It names no case and shows no content until
confirmed: confirm releases both to the team and links them (`case_opened.release_confirmed_match`), decline keeps
both sealed. Both audited."""

from __future__ import annotations

import uuid

from app.db.models import EscrowMatch
from app.db.uow import UnitOfWork
from app.domain.accounts import require_role
from app.domain.enums import EscrowMatchStatus
from app.domain.errors import NotFound
from app.domain.matching import DECIDERS, check_undecided
from app.schemas.escrow import EscrowMatchRead
from app.services import audit, case_opened, clock
from app.services.actors import StaffActor


async def pending_matches(uow: UnitOfWork, actor: StaffActor) -> list[EscrowMatchRead]:
    """The possible escrow matches waiting for the actor, oldest first: those whose two cases the actor would see
    once released."""
    require_role(actor.role, DECIDERS)
    matches = await uow.escrow.pending_matches(await uow.cases.decidable_ids(actor.facts))
    return await _reads(uow, matches)


async def decide(uow: UnitOfWork, actor: StaffActor, match_id: uuid.UUID, confirm: bool) -> EscrowMatchRead:
    """Confirm (both released to the team, linked) or decline (both stay sealed). A match the actor would not
    see answers 404; one decided already 409."""
    require_role(actor.role, DECIDERS)
    match = await uow.escrow.match_for_update(match_id)
    cases = [match.new_case_id, match.other_case_id] if match else []
    if match is None or len(await uow.cases.visible_among(await uow.cases.decidable_ids(actor.facts), cases)) != 2:
        raise NotFound()
    check_undecided(match.status == EscrowMatchStatus.pending)
    if confirm:
        await case_opened.release_confirmed_match(uow, match)
    match.status = EscrowMatchStatus.confirmed if confirm else EscrowMatchStatus.declined
    match.decided_by = actor.user_id
    match.decided_at = clock.now()
    await uow.escrow.flush()
    action = "matching.escrow_match_confirmed" if confirm else "matching.escrow_match_declined"
    await audit.record(uow, actor, action, target=str(match.id))
    return (await _reads(uow, [match]))[0]


async def _reads(uow: UnitOfWork, matches: list[EscrowMatch]) -> list[EscrowMatchRead]:
    deciders = {m.decided_by for m in matches if m.decided_by}
    names = {u.id: u.display_name for u in await uow.staff.users_by_ids(sorted(deciders))} if deciders else {}
    return [
        EscrowMatchRead(
            id=m.id,
            status=m.status,
            raised_on=m.raised_on,
            decided_by=names.get(m.decided_by) if m.decided_by else None,
            decided_at=m.decided_at,
        )
        for m in matches
    ]
