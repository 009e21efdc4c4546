"""Sanctions with four eyes and penalty equivalence (SAN-1 … SAN-3, SD-3), the victim's opinion (CASE-6), the
unit head's measures (SAN-4), and secondary damage reported through the inbox (SD-2)."""

import uuid

from app.api.deps import CurrentReporter, CurrentStaff, Uow
from app.api.router import make_router
from app.schemas.sanctions import (
    CaseSanctionsRead,
    HeadMeasureDone,
    HeadMeasureRead,
    InboxVictimOpinionCreate,
    SanctionCreate,
    SanctionDecision,
    SanctionRead,
    SecondaryDamageCreate,
    SecondaryDamageReceipt,
    VictimOpinionCreate,
    VictimOpinionRead,
    VictimOpinionRecorded,
)
from app.services import sanctions, secondary_damage

router = make_router("sanctions")


@router.post("/cases/{case_id}/sanctions", status_code=201, response_model=SanctionRead)
async def propose_sanction(case_id: uuid.UUID, command: SanctionCreate, uow: Uow, staff: CurrentStaff) -> SanctionRead:
    """Propose a disciplinary level for the respondent of a substantiated case (SAN-1, SAN-2); for secondary
    damage, never below the floor (SD-3: 422 below-penalty-floor, naming it)."""
    return await sanctions.propose_sanction(uow, staff, case_id, command)


@router.get("/cases/{case_id}/sanctions", response_model=CaseSanctionsRead)
async def list_sanctions(case_id: uuid.UUID, uow: Uow, staff: CurrentStaff) -> CaseSanctionsRead:
    """The case's proposals and decisions, whether the victim's opinion is on record, and the floor (SD-3)."""
    return await sanctions.case_sanctions(uow, staff, case_id)


@router.post("/cases/{case_id}/sanctions/{sanction_id}/decision", response_model=SanctionRead)
async def decide_sanction(
    case_id: uuid.UUID, sanction_id: uuid.UUID, command: SanctionDecision, uow: Uow, staff: CurrentStaff
) -> SanctionRead:
    """A second person (team lead or division head, never the proposer) approves or rejects. Approval needs the
    victim's opinion (CASE-6) and, for secondary damage, the original sanction decided (SD-3, 409 otherwise)."""
    return await sanctions.decide_sanction(uow, staff, case_id, sanction_id, command)


@router.get("/approvals/sanctions", response_model=list[SanctionRead])
async def pending_sanctions(uow: Uow, staff: CurrentStaff) -> list[SanctionRead]:
    """Proposals waiting for a second person, on the cases you see (your own proposals are not listed)."""
    return await sanctions.pending_sanctions(uow, staff)


@router.post("/cases/{case_id}/victim-opinion", status_code=201, response_model=VictimOpinionRead)
async def record_victim_opinion(
    case_id: uuid.UUID, command: VictimOpinionCreate, uow: Uow, staff: CurrentStaff
) -> VictimOpinionRead:
    """Record the victim's opinion on discipline, as the victim gave it to the team (CASE-6, SAN-3)."""
    return await sanctions.record_victim_opinion(uow, staff, case_id, command.text)


@router.get("/cases/{case_id}/victim-opinion", response_model=list[VictimOpinionRead])
async def list_victim_opinions(case_id: uuid.UUID, uow: Uow, staff: CurrentStaff) -> list[VictimOpinionRead]:
    """The victim's opinions on record for the case, oldest first."""
    return await sanctions.victim_opinions(uow, staff, case_id)


@router.get("/cases/{case_id}/head-measures", response_model=list[HeadMeasureRead])
async def list_head_measures(case_id: uuid.UUID, uow: Uow, staff: CurrentStaff) -> list[HeadMeasureRead]:
    """The measures for the head of the respondent's unit (SAN-4) and whether they are done."""
    return await sanctions.head_measures(uow, staff, case_id)


@router.post("/cases/{case_id}/head-measures/{measure_id}/done", response_model=HeadMeasureRead)
async def complete_head_measure(
    case_id: uuid.UUID, measure_id: uuid.UUID, command: HeadMeasureDone, uow: Uow, staff: CurrentStaff
) -> HeadMeasureRead:
    """Mark a head's measure done with evidence; training needs its minimum of days (SAN-4)."""
    return await sanctions.complete_head_measure(uow, staff, case_id, measure_id, command)


@router.post("/inbox/victim-opinion", status_code=201, response_model=VictimOpinionRecorded, tags=["inbox"])
async def give_victim_opinion(
    command: InboxVictimOpinionCreate, uow: Uow, reporter: CurrentReporter
) -> VictimOpinionRecorded:
    """The victim gives their opinion on discipline in the inbox (CASE-6); a third-party reporter cannot."""
    return await sanctions.record_opinion_from_inbox(uow, reporter, command)


@router.post("/inbox/secondary-damage", status_code=201, response_model=SecondaryDamageReceipt, tags=["inbox"])
async def report_secondary_damage(
    command: SecondaryDamageCreate, uow: Uow, reporter: CurrentReporter
) -> SecondaryDamageReceipt:
    """Report secondary damage linked to this inbox's case (SD-1, SD-2): a new case for the same team, followed
    in this inbox (no new receipt code)."""
    return await secondary_damage.report_through_inbox(uow, reporter, command)
