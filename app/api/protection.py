"""Identity disclosures (CASE-5) and interim protective measures (CASE-7)."""

import uuid

from app.api.deps import CurrentReporter, CurrentStaff, Uow
from app.api.router import make_router
from app.schemas.protection import (
    DisclosureCreate,
    DisclosureDecision,
    DisclosureRead,
    InboxMeasureRead,
    MeasureAnswer,
    MeasureCreate,
    MeasureRead,
)
from app.services import identity, measures

router = make_router("protection")


@router.post("/cases/{case_id}/disclosures", status_code=201, response_model=DisclosureRead)
async def request_disclosure(
    case_id: uuid.UUID, command: DisclosureCreate, uow: Uow, staff: CurrentStaff
) -> DisclosureRead:
    """Ask, with a reason, to see the victim's identity (CASE-5); a second person decides."""
    return await identity.request_disclosure(uow, staff, case_id, command.reason)


@router.get("/cases/{case_id}/disclosures", response_model=list[DisclosureRead])
async def list_disclosures(case_id: uuid.UUID, uow: Uow, staff: CurrentStaff) -> list[DisclosureRead]:
    """The case's disclosure requests and their decisions."""
    return await identity.list_disclosures(uow, staff, case_id)


@router.post("/cases/{case_id}/disclosures/{request_id}/decision", response_model=DisclosureRead)
async def decide_disclosure(
    case_id: uuid.UUID, request_id: uuid.UUID, command: DisclosureDecision, uow: Uow, staff: CurrentStaff
) -> DisclosureRead:
    """Approve (with the victim's consent recorded where required) or deny — never your own request."""
    return await identity.decide_disclosure(uow, staff, case_id, request_id, command)


@router.get("/approvals/disclosures", response_model=list[DisclosureRead])
async def pending_disclosures(uow: Uow, staff: CurrentStaff) -> list[DisclosureRead]:
    """Disclosure requests waiting for a second person, on the cases you see."""
    return await identity.pending_disclosures(uow, staff)


@router.post("/cases/{case_id}/measures", status_code=201, response_model=MeasureRead)
async def offer_measure(case_id: uuid.UUID, command: MeasureCreate, uow: Uow, staff: CurrentStaff) -> MeasureRead:
    """Offer an interim protective measure; it is applied only once the victim accepts (CASE-7)."""
    return await measures.offer(uow, staff, case_id, command.kind, command.note)


@router.get("/cases/{case_id}/measures", response_model=list[MeasureRead])
async def list_measures(case_id: uuid.UUID, uow: Uow, staff: CurrentStaff) -> list[MeasureRead]:
    """The case's measures as a timeline."""
    return await measures.list_for_case(uow, staff, case_id)


@router.post("/cases/{case_id}/measures/{measure_id}/answer", response_model=MeasureRead)
async def record_measure_answer(
    case_id: uuid.UUID, measure_id: uuid.UUID, command: MeasureAnswer, uow: Uow, staff: CurrentStaff
) -> MeasureRead:
    """Record the victim's answer given to the team in person."""
    return await measures.record_answer(uow, staff, case_id, measure_id, command.accept)


@router.post("/cases/{case_id}/measures/{measure_id}/apply", response_model=MeasureRead)
async def apply_measure(case_id: uuid.UUID, measure_id: uuid.UUID, uow: Uow, staff: CurrentStaff) -> MeasureRead:
    """Apply an accepted measure (422 victim-wish-required otherwise)."""
    return await measures.apply(uow, staff, case_id, measure_id)


@router.post("/inbox/measures/{measure_id}/answer", response_model=InboxMeasureRead)
async def answer_measure(
    measure_id: uuid.UUID, command: MeasureAnswer, uow: Uow, reporter: CurrentReporter
) -> InboxMeasureRead:
    """The victim accepts or declines an offered measure in the inbox."""
    return await measures.answer_from_inbox(uow, reporter, measure_id, command.accept)
