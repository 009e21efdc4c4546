"""Sanctions (SAN-1 … SAN-3, SD-3), the victim's opinion (CASE-6), joint liability of the unit head (SAN-4)
and the respondent's ineligibility sent to the personnel system (SAN-5)."""

from __future__ import annotations

import uuid

from app.db.links import employee_mac
from app.db.models import Case, HeadMeasure, RespondentIneligibility, Sanction, VictimOpinion
from app.db.uow import UnitOfWork
from app.domain.enums import CaseStatus, Category, Finding, OrgKind
from app.domain.errors import NotFound
from app.domain.joint_liability import (
    HEAD_MEASURES,
    HeadMeasureStatus,
    check_completion,
    check_head_measure_open,
    choose_head,
)
from app.domain.lifecycle import check_reporter_may_write
from app.domain.measures import check_reporter_may_answer
from app.domain.sanctions import (
    OriginalFacts,
    Penalty,
    SanctionStatus,
    UnknownRespondent,
    check_case_substantiated,
    check_decider,
    check_duration,
    check_finalisable,
    check_mitigation,
    check_open,
    check_penalty_equivalence,
    check_respondent,
    check_victim_opinion,
    for_secondary_damage,
    is_heavy,
    names_case_respondent,
    original_settled,
    penalty_floor,
)
from app.schemas.sanctions import (
    CaseSanctionsRead,
    HeadMeasureDone,
    HeadMeasureRead,
    InboxVictimOpinionCreate,
    PenaltyRead,
    SanctionCreate,
    SanctionDecision,
    SanctionRead,
    VictimOpinionRead,
    VictimOpinionRecorded,
)
from app.services import audit, clock, outbox
from app.services.actors import ReporterActor, StaffActor, SystemActor
from app.services.cases import load_visible_case, require_case_role
from app.services.inbox import addressed_case
from app.services.secondary_damage import own_case

# SAN-4 concerns the city's own units; contractors answer for their staff under CON-1, citizens' workplaces are
# not the city's.
OUTSIDE_CITY_UNITS = frozenset({OrgKind.contractor, OrgKind.citizen_workplace})
SYSTEM = SystemActor("sanctions")


# --- proposals and decisions (SAN-1 … SAN-3, SD-3) ------------------------------------------------------------


async def propose_sanction(
    uow: UnitOfWork, actor: StaffActor, case_id: uuid.UUID, command: SanctionCreate
) -> SanctionRead:
    """SAN-2: a member of the case team proposes a level for the respondent of a substantiated case."""
    case = await load_visible_case(uow, actor, case_id)
    check_case_substantiated(case.status, case.finding)
    check_duration(command.level, command.months)
    check_mitigation(command.mitigation_for_merit, case.category)
    check_respondent(
        command.respondent_employee_number is not None,
        command.respondent_label is not None,
        case.respondent_employee_id is not None,
    )
    employee_id = case.respondent_employee_id if command.respondent_label is None else None
    if command.respondent_employee_number is not None:
        employee = await uow.personnel.employee_by_number(command.respondent_employee_number)
        if employee is None:
            raise UnknownRespondent()
        employee_id = employee.id
    if _for_secondary_damage(case, employee_id):  # SD-3: refused below the floor already when proposed
        original = await _original(uow, case)
        check_penalty_equivalence(Penalty(command.level, command.months), original.decided if original else ())
    sanction = Sanction(
        case_id=case.id,
        respondent_employee_id=employee_id,
        respondent_label=command.respondent_label,
        level=command.level,
        months=command.months,
        mitigation_for_merit=command.mitigation_for_merit,
        status=SanctionStatus.proposed,
        reason=command.reason,
        proposed_by=actor.user_id,
        proposed_at=clock.now(),
    )
    uow.sanctions.add(sanction)
    await uow.sanctions.flush()
    await audit.record(uow, actor, "sanction.proposed", case_id=case.id, target=str(sanction.id))
    return (await _reads(uow, [sanction]))[0]


async def decide_sanction(
    uow: UnitOfWork, actor: StaffActor, case_id: uuid.UUID, sanction_id: uuid.UUID, command: SanctionDecision
) -> SanctionRead:
    """SAN-2: a second person (team lead or division head, never the proposer) approves or rejects. Approval
    needs the victim's opinion on record (CASE-6) and, for secondary damage, the original respondent's sanction
    decided and the floor met (SD-3). A decided sanction goes to the personnel system (SAN-5)."""
    case = await load_visible_case(uow, actor, case_id)
    sanction = await uow.sanctions.sanction(sanction_id)
    if sanction is None or sanction.case_id != case.id:
        raise NotFound()
    check_decider(actor.user_id, actor.role, sanction.proposed_by)
    check_open(sanction.status)
    now = clock.now()
    if command.approve:
        check_case_substantiated(case.status, case.finding)
        check_victim_opinion(await uow.sanctions.has_opinion(case.id))
        if _for_secondary_damage(case, sanction.respondent_employee_id):
            original = await _original(uow, case)
            check_finalisable(original)
            check_penalty_equivalence(Penalty(sanction.level, sanction.months), original.decided if original else ())
    sanction.status = SanctionStatus.decided if command.approve else SanctionStatus.rejected
    sanction.decided_by = actor.user_id
    sanction.decided_at = now
    sanction.decision_reason = command.reason
    await uow.sanctions.flush()
    action = "sanction.decided" if command.approve else "sanction.rejected"
    await audit.record(uow, actor, action, case_id=case.id, target=str(sanction.id))
    if command.approve and sanction.respondent_employee_id is not None:
        employee = await uow.personnel.employee(sanction.respondent_employee_id)
        assert employee is not None
        await _record_ineligible(uow, case, employee.id, employee.employee_number)
        # SAN-5: what the personnel system needs to apply it — no case, no victim, no reasons.
        await outbox.publish(
            uow,
            "sanction.decided",
            {
                "sanction_id": str(sanction.id),
                "employee_number": employee.employee_number,
                "level": str(sanction.level),
                "months": sanction.months,
                "decided_on": now.date().isoformat(),
                "ineligible_for_performance_bonus": True,
                "ineligible_for_key_posts": True,
            },
        )
    return (await _reads(uow, [sanction]))[0]


async def case_sanctions(uow: UnitOfWork, actor: StaffActor, case_id: uuid.UUID) -> CaseSanctionsRead:
    """The case's proposals and decisions, and the SD-3 floor with whether the original respondent's sanction is
    decided: on a secondary-damage case for every sanction, on another case for anyone but its respondent (a case
    naming no respondent in the directory has none to tell apart: no floor)."""
    case = await load_visible_case(uow, actor, case_id)
    floor, settled = None, None
    if _for_secondary_damage(case, None):
        original = await _original(uow, case)
        least = penalty_floor(original.decided if original else ())
        floor = PenaltyRead(level=least.level, months=least.months)
        settled = original_settled(original) if original else None
    await audit.record(uow, actor, "sanctions.read", case_id=case.id)
    return CaseSanctionsRead(
        sanctions=await _reads(uow, await uow.sanctions.sanctions(case.id)),
        victim_opinion_recorded=await uow.sanctions.has_opinion(case.id),
        penalty_floor=floor,
        original_sanction_decided=settled,
    )


async def pending_sanctions(uow: UnitOfWork, actor: StaffActor) -> list[SanctionRead]:
    """The approvals inbox: proposals waiting for a second person on the cases whose content you read (not your
    own)."""
    require_case_role(actor)
    pending = await uow.sanctions.pending(await uow.cases.readable_ids(actor.facts), actor.user_id)
    await audit.record_reads(uow, actor, "sanctions.read", [s.case_id for s in pending])  # AUD-1: reasons are content
    return await _reads(uow, pending)


def _for_secondary_damage(case: Case, employee_id: uuid.UUID | None) -> bool:
    """SD-3 by person: a sanction naming `employee_id` (None: a label) on `case`."""
    return for_secondary_damage(case.category, names_case_respondent(case.respondent_employee_id, employee_id))


async def _original(uow: UnitOfWork, case: Case) -> OriginalFacts | None:
    """SD-3: the original case and its respondent's sanctions (decided ones, and open proposals). For a sanction on
    a secondary-damage case the original is its parent (none: reported without a known reference, or corrected
    to secondary damage); for a sanction on any other case (naming someone other than its respondent), the case
    itself."""
    original_id = case.parent_case_id if case.category == Category.secondary_damage else case.id
    if original_id is None:
        return None
    original = case if original_id == case.id else await uow.cases.case(original_id)
    assert original is not None
    own = [
        s
        for s in await uow.sanctions.sanctions(original.id)
        if names_case_respondent(original.respondent_employee_id, s.respondent_employee_id)
    ]
    return OriginalFacts(
        status=original.status,
        finding=original.finding,
        decided=tuple(Penalty(s.level, s.months) for s in own if s.status == SanctionStatus.decided),
        pending=sum(1 for s in own if s.status == SanctionStatus.proposed),
    )


async def _reads(uow: UnitOfWork, rows: list[Sanction]) -> list[SanctionRead]:
    people = {p for s in rows for p in (s.proposed_by, s.decided_by) if p is not None}
    names = {u.id: u.display_name for u in await uow.staff.users_by_ids(list(people))}
    employees = await uow.separation.employees(s.respondent_employee_id for s in rows if s.respondent_employee_id)
    references = await uow.cases.references([s.case_id for s in rows])
    cases = await uow.cases.cases_by_id(list({s.case_id for s in rows}))
    return [
        SanctionRead(
            id=s.id,
            case_id=s.case_id,
            case_reference=references[s.case_id],
            respondent_employee_number=(
                employees[s.respondent_employee_id].employee_number if s.respondent_employee_id else None
            ),
            respondent_label=s.respondent_label,
            level=s.level,
            months=s.months,
            heavy=is_heavy(s.level),
            for_secondary_damage=_for_secondary_damage(cases[s.case_id], s.respondent_employee_id),
            mitigation_for_merit=s.mitigation_for_merit,
            status=s.status,
            reason=s.reason,
            proposed_by=names.get(s.proposed_by, "?"),
            proposed_by_id=s.proposed_by,
            proposed_at=s.proposed_at,
            decided_by=names.get(s.decided_by) if s.decided_by else None,
            decided_at=s.decided_at,
            decision_reason=s.decision_reason,
        )
        for s in rows
    ]


# --- the victim's opinion (CASE-6, SAN-3) ---------------------------------------------------------------------


async def record_victim_opinion(uow: UnitOfWork, actor: StaffActor, case_id: uuid.UUID, text: str) -> VictimOpinionRead:
    """CASE-6: the case team records the victim's opinion on discipline (given in person or by phone)."""
    case = await load_visible_case(uow, actor, case_id)
    opinion = VictimOpinion(case_id=case.id, text=text, recorded_on=clock.now().date(), recorded_by=str(actor.user_id))
    uow.sanctions.add(opinion)
    await uow.sanctions.flush()
    await audit.record(uow, actor, "victim.opinion_recorded", case_id=case.id, target=str(opinion.id))
    return (await _opinion_reads(uow, [opinion]))[0]


async def victim_opinions(uow: UnitOfWork, actor: StaffActor, case_id: uuid.UUID) -> list[VictimOpinionRead]:
    """The victim's opinions on record for the case, oldest first."""
    case = await load_visible_case(uow, actor, case_id)
    await audit.record(uow, actor, "victim.opinions_read", case_id=case.id)
    return await _opinion_reads(uow, await uow.sanctions.opinions(case.id))


async def record_opinion_from_inbox(
    uow: UnitOfWork, actor: ReporterActor, command: InboxVictimOpinionCreate
) -> VictimOpinionRecorded:
    """CASE-6: the victim gives their opinion on discipline in the inbox — for the inbox's case, or for a
    secondary-damage case they reported through it. Only a victim reporter does (a witness cannot)."""
    report, own = await own_case(uow, actor)
    check_reporter_may_answer(report.reporter_kind)
    case = await addressed_case(uow, report, own, command.case_reference)
    check_reporter_may_write(case.status)  # CASE-4
    today = clock.now().date()
    uow.sanctions.add(VictimOpinion(case_id=case.id, text=command.text, recorded_on=today, recorded_by="victim"))
    await uow.sanctions.flush()
    await audit.record(uow, actor, "victim.opinion_given", case_id=case.id)
    return VictimOpinionRecorded(case_reference=case.reference, recorded_on=today)


async def _opinion_reads(uow: UnitOfWork, rows: list[VictimOpinion]) -> list[VictimOpinionRead]:
    ids = [uuid.UUID(o.recorded_by) for o in rows if o.recorded_by != "victim"]
    names = {str(u.id): u.display_name for u in await uow.staff.users_by_ids(ids)}
    return [
        VictimOpinionRead(
            id=o.id, text=o.text, recorded_on=o.recorded_on, recorded_by=names.get(o.recorded_by, o.recorded_by)
        )
        for o in rows
    ]


# --- a substantiated finding: joint liability (SAN-4) and ineligibility (SAN-5) -------------------------------


async def on_finding(uow: UnitOfWork, case: Case) -> None:
    """SAN-4, SAN-5: when a case is decided substantiated, the head of the respondent's unit gets the recorded
    measures, and the respondent (an employee) is recorded as ineligible and the personnel system told."""
    if case.status != CaseStatus.decided or case.finding != Finding.substantiated:
        return
    await _open_head_measures(uow, case)
    if case.respondent_employee_id is not None:
        employee = await uow.personnel.employee(case.respondent_employee_id)
        if employee is not None:
            await _record_ineligible(uow, case, employee.id, employee.employee_number)


async def _open_head_measures(uow: UnitOfWork, case: Case) -> None:
    if await uow.sanctions.head_measures(case.id):
        return
    respondent = await uow.personnel.employee(case.respondent_employee_id) if case.respondent_employee_id else None
    if respondent is None and case.org_kind in OUTSIDE_CITY_UNITS:
        return
    unit_head = await uow.sanctions.unit_head_id(respondent.unit_id) if respondent and respondent.unit_id else None
    victims = await uow.sanctions.victim_ids(case.id)
    if case.parent_case_id is not None:  # secondary damage harms the original case's victim
        victims |= await uow.sanctions.victim_ids(case.parent_case_id)
    choice = choose_head(
        unit_head, respondent.supervisor_id if respondent else None, respondent.id if respondent else None, victims
    )
    if not choice.measured:
        await audit.record(uow, SYSTEM, "joint_liability.head_is_victim", case_id=case.id)
        return
    today = clock.now().date()
    for kind, min_days in HEAD_MEASURES:
        uow.sanctions.add(
            HeadMeasure(
                case_id=case.id,
                head_employee_id=choice.head_id,
                head_source=choice.source,
                kind=kind,
                min_days=min_days,
                status=HeadMeasureStatus.open,
                opened_on=today,
            )
        )
    await uow.sanctions.flush()
    await audit.record(uow, SYSTEM, "joint_liability.opened", case_id=case.id, target=choice.source)


async def _record_ineligible(uow: UnitOfWork, case: Case, employee_id: uuid.UUID, employee_number: str) -> None:
    """SAN-5: recorded once per person; the personnel system learns it through the webhook channel."""
    if await uow.sanctions.ineligibility(employee_number) is not None:
        return
    today = clock.now().date()
    uow.sanctions.add(
        RespondentIneligibility(
            employee_mac=employee_mac(employee_number), employee_id=employee_id, case_id=case.id, recorded_on=today
        )
    )
    await uow.sanctions.flush()
    await audit.record(uow, SYSTEM, "respondent.ineligible", case_id=case.id)
    await outbox.publish(
        uow,
        "respondent.ineligible",
        {
            "employee_number": employee_number,
            "ineligible_for_performance_bonus": True,
            "ineligible_for_key_posts": True,
            "recorded_on": today.isoformat(),
        },
    )


async def head_measures(uow: UnitOfWork, actor: StaffActor, case_id: uuid.UUID) -> list[HeadMeasureRead]:
    """SAN-4: the unit head's measures for the case and how far they are. The read is audited (AUD-1)."""
    case = await load_visible_case(uow, actor, case_id)
    await audit.record(uow, actor, "joint_liability.read", case_id=case.id)
    return await _measure_reads(uow, await uow.sanctions.head_measures(case.id))


async def complete_head_measure(
    uow: UnitOfWork, actor: StaffActor, case_id: uuid.UUID, measure_id: uuid.UUID, command: HeadMeasureDone
) -> HeadMeasureRead:
    """SAN-4: the case team marks a measure done, with evidence (training: at least its minimum of days)."""
    case = await load_visible_case(uow, actor, case_id)
    measure = await uow.sanctions.head_measure(measure_id)
    if measure is None or measure.case_id != case.id:
        raise NotFound()
    check_head_measure_open(measure.status)
    check_completion(measure.min_days, command.days)
    measure.status = HeadMeasureStatus.done
    measure.evidence_note = command.evidence_note
    measure.done_on = clock.now().date()
    measure.done_by = actor.user_id
    await uow.sanctions.flush()
    await audit.record(uow, actor, "joint_liability.measure_done", case_id=case.id, target=str(measure.id))
    return (await _measure_reads(uow, [measure]))[0]


async def _measure_reads(uow: UnitOfWork, rows: list[HeadMeasure]) -> list[HeadMeasureRead]:
    heads = await uow.separation.employees(m.head_employee_id for m in rows if m.head_employee_id)
    names = {u.id: u.display_name for u in await uow.staff.users_by_ids([m.done_by for m in rows if m.done_by])}
    return [
        HeadMeasureRead(
            id=m.id,
            kind=m.kind,
            min_days=m.min_days,
            status=m.status,
            head_employee_number=heads[m.head_employee_id].employee_number if m.head_employee_id else None,
            head_source=m.head_source,
            flagged=m.head_employee_id is None,
            opened_on=m.opened_on,
            evidence_note=m.evidence_note,
            done_on=m.done_on,
            done_by=names.get(m.done_by) if m.done_by else None,
        )
        for m in rows
    ]
