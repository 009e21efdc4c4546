"""Case handling (CASE-1, CASE-3): status changes with optimistic concurrency, and assigning handlers with
recusal."""

from __future__ import annotations

import uuid

from app.db.models import Case, CaseDeadline, CaseTransition
from app.db.uow import UnitOfWork
from app.domain.access import CASE_TEAM_ROLES, check_assignment, may_assign
from app.domain.case_decisions import check_direct_transition
from app.domain.deadlines import MET_BY_STATUS, PUBLIC_BODIES, prevention_plan_due
from app.domain.enums import CaseStatus, Finding, Role
from app.domain.errors import AccessDenied, PreconditionRequired, RuleViolation, StaleVersion
from app.domain.lifecycle import check_transition, check_unassign, ends_case
from app.domain.recusal import RecusedStaff, is_recused
from app.schemas.case import CaseTransitionCreate, HandlerRead
from app.services import ambassadors, audit, case_keys, clock, sanctions
from app.services.actors import StaffActor
from app.services.case_access import recusal_facts
from app.services.cases import load_visible_case

ASSIGNERS = frozenset({Role.team_lead, Role.division_head})


def require_version(case: Case, if_match: str | None) -> None:
    """Changes name the version they were made against: missing → 428, older → 412."""
    if if_match is None:
        raise PreconditionRequired()
    digits = if_match.strip().removeprefix("W/").strip('"')
    if not digits.isdigit() or int(digits) != case.version:
        raise StaleVersion()


async def transition_case(
    uow: UnitOfWork, actor: StaffActor, case_id: uuid.UUID, command: CaseTransitionCreate, if_match: str | None
) -> Case:
    """CASE-1: move a case along the transition table with a reason. `decided` and `withdrawn` are never moved to
    here (F5): a handler proposes them and a second person confirms (app/services/case_decisions.py)."""
    case = await load_visible_case(uow, actor, case_id)
    require_version(case, if_match)
    check_transition(case.status, command.to, command.finding)
    check_direct_transition(command.to)
    await apply_transition(uow, actor, case, command.to, command.finding, command.reason)
    return case


async def apply_transition(
    uow: UnitOfWork, actor: StaffActor, case: Case, to: CaseStatus, finding: Finding | None, reason: str
) -> None:
    """CASE-1: record the transition by `actor` (its table checked again, against the case as it is now); the
    deadlines it meets (CASE-2); then its consequences in the same transaction: AMB-1/AMB-2 and, for a substantiated
    finding, SAN-4/SAN-5. Who may make it is the caller's check (transition_case; a confirmed proposal, F5)."""
    check_transition(case.status, to, finding)
    now = clock.now()
    today = now.date()
    uow.cases.add(
        CaseTransition(
            case_id=case.id,
            from_status=case.status,
            to_status=to,
            finding=finding,
            reason=reason,
            at=now,
            by_user_id=actor.user_id,
        )
    )
    case.status = to
    if finding is not None:  # only `decided` carries one; later statuses keep it
        case.finding = finding
    if ends_case(to):
        case.closed_on = today
    met = MET_BY_STATUS.get(str(to), frozenset())
    for deadline in await uow.cases.deadlines(case.id):
        if deadline.kind in met and deadline.met_on is None:
            deadline.met_on, deadline.met_by = today, actor.user_id
    if finding == Finding.substantiated and case.org_kind in PUBLIC_BODIES:
        plan = prevention_plan_due(today)
        uow.cases.add(CaseDeadline(case_id=case.id, kind=plan.kind, due_on=plan.due_on))
    await uow.cases.flush()
    await audit.record(uow, actor, f"case.status.{to}", case_id=case.id)
    await ambassadors.on_status_changed(uow, actor, case)  # AMB-1, AMB-2: in the finding's own transaction
    await sanctions.on_finding(uow, case)  # SAN-4, SAN-5: a substantiated finding's consequences


async def assign_handler(uow: UnitOfWork, actor: StaffActor, case_id: uuid.UUID, user_id: uuid.UUID) -> HandlerRead:
    """CASE-3: a team lead (or the division head) assigns a handler of the case's team; a recused person never,
    and the division head never themselves (F13)."""
    case = await load_visible_case(uow, actor, case_id)
    if actor.role not in ASSIGNERS:
        raise AccessDenied("Only a team lead or the division head assigns handlers.")
    check_assignment(actor.user_id, actor.role, user_id)
    user = await uow.staff.user(user_id)
    if user is None or not user.active or user.role not in CASE_TEAM_ROLES:
        raise RuleViolation("Handlers are active members of the case team.")
    if user.role != Role.division_head and user.team != case.team:
        raise RuleViolation("Handlers come from the case's team.")
    if is_recused(await recusal_facts(uow, case, user.employee_number)):
        raise RecusedStaff()
    if await uow.cases.assign(case.id, user.id, clock.now()):
        await uow.cases.flush()
        await audit.record(uow, actor, "case.handler_assigned", case_id=case.id, target=str(user.id))
        await case_keys.share(uow, case)  # issue 18: the handler's wrap; the other team members' go (F13)
    return HandlerRead(user_id=user.id, display_name=user.display_name, role=user.role)


async def assignable_handlers(uow: UnitOfWork, actor: StaffActor, case_id: uuid.UUID) -> list[HandlerRead]:
    """CASE-3: whom a team lead (or the division head) may assign: active case-team members of the case's team and
    division heads, without anyone recused from this case, nor the asking division head themselves (F13)."""
    case = await load_visible_case(uow, actor, case_id)
    if actor.role not in ASSIGNERS:
        raise AccessDenied("Only a team lead or the division head assigns handlers.")
    await audit.record(uow, actor, "case.assignable_read", case_id=case.id)  # AUD-1: it tells who is recused
    members = await uow.staff.case_team_members(case.team, CASE_TEAM_ROLES)
    return [
        HandlerRead(user_id=m.id, display_name=m.display_name, role=m.role)
        for m in members
        if may_assign(actor.user_id, actor.role, m.id)
        and not is_recused(await recusal_facts(uow, case, m.employee_number))
    ]


async def unassign_handler(uow: UnitOfWork, actor: StaffActor, case_id: uuid.UUID, user_id: uuid.UUID) -> None:
    """Remove a handler from the case (CASE-3: never the last one of a case under investigation or decided)."""
    case = await load_visible_case(uow, actor, case_id)
    if actor.role not in ASSIGNERS:
        raise AccessDenied("Only a team lead or the division head assigns handlers.")
    handlers = await uow.cases.handler_ids(case.id)
    if user_id in handlers:
        check_unassign(case.status, len(handlers) - 1)
    if await uow.cases.unassign(case.id, user_id):
        await uow.cases.flush()
        await audit.record(uow, actor, "case.handler_unassigned", case_id=case.id, target=str(user_id))
        await case_keys.share(uow, case)  # issue 18: the removed handler's wrap goes
