"""Commissioned organisations (CON-1, CON-2): contracts, follow-up obligations, the contractor's own view."""

import uuid
from typing import Annotated

from fastapi import Query

from app.api.deps import CurrentStaff, Uow, client_with_scope
from app.api.router import make_router
from app.domain.contracts import ObligationStatus
from app.schemas.contracts import (
    CancellationCreate,
    CaseContractCreate,
    ContractCreate,
    ContractorMeasuresCreate,
    ContractorObligation,
    ContractorOverview,
    ContractRead,
    ObligationRead,
    ObligationReview,
    StaffObligationPage,
)
from app.services import contracts
from app.services.actors import ClientActor

router = make_router("contracts")
Reader = Annotated[ClientActor, client_with_scope("obligations:read")]
Writer = Annotated[ClientActor, client_with_scope("obligations:write")]


@router.post("/contracts", status_code=201, response_model=ContractRead)
async def register_contract(command: ContractCreate, uow: Uow, staff: CurrentStaff) -> ContractRead:
    """Put a contract with a commissioned organisation on record (team lead or division head)."""
    return await contracts.register_contract(uow, staff, command)


@router.get("/contracts", response_model=list[ContractRead])
async def list_contracts(uow: Uow, staff: CurrentStaff) -> list[ContractRead]:
    """Every contract on record, by number."""
    return await contracts.list_contracts(uow, staff)


@router.get("/contracts/{contract_id}", response_model=ContractRead)
async def read_contract(contract_id: uuid.UUID, uow: Uow, staff: CurrentStaff) -> ContractRead:
    """One contract."""
    return await contracts.read_contract(uow, staff, contract_id)


@router.get("/obligations", response_model=StaffObligationPage)
async def list_obligations(
    uow: Uow,
    staff: CurrentStaff,
    contract_id: uuid.UUID | None = None,
    status: ObligationStatus | None = None,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> StaffObligationPage:
    """Every contract's follow-up obligations (CON-1, CON-2), newest first: contract, days and state. A case is
    named only if you may see it (ACC-1); the measures and the review's reason stay with the case. Audited."""
    return await contracts.list_obligations(
        uow, staff, contract_id=contract_id, status=status, offset=offset, limit=limit
    )


@router.post("/contracts/{contract_id}/cancellation", response_model=ContractRead)
async def initiate_cancellation(
    contract_id: uuid.UUID, command: CancellationCreate, uow: Uow, staff: CurrentStaff
) -> ContractRead:
    """Initiate cancellation with a reason (team lead or division head); a second person confirms (CON-2)."""
    return await contracts.initiate_cancellation(uow, staff, contract_id, command.reason)


@router.post("/contracts/{contract_id}/cancellation/confirm", response_model=ContractRead)
async def confirm_cancellation(contract_id: uuid.UUID, uow: Uow, staff: CurrentStaff) -> ContractRead:
    """Confirm an initiated cancellation — never your own initiation; the organisation is told (CON-2)."""
    return await contracts.confirm_cancellation(uow, staff, contract_id)


@router.get("/approvals/contracts", response_model=list[ContractRead])
async def pending_confirmations(uow: Uow, staff: CurrentStaff) -> list[ContractRead]:
    """Contract cancellations waiting for a second person's confirmation."""
    return await contracts.pending_confirmations(uow, staff)


@router.post("/cases/{case_id}/contract", status_code=201, response_model=ObligationRead)
async def link_case(case_id: uuid.UUID, command: CaseContractCreate, uow: Uow, staff: CurrentStaff) -> ObligationRead:
    """Name the contract of a case at a commissioned organisation: its follow-up obligation opens (CON-1)."""
    return await contracts.link_case(uow, staff, case_id, command.contract_id)


@router.get("/cases/{case_id}/obligations", response_model=list[ObligationRead])
async def case_obligations(case_id: uuid.UUID, uow: Uow, staff: CurrentStaff) -> list[ObligationRead]:
    """The case's follow-up obligations and the measures recorded. The read is audited."""
    return await contracts.case_obligations(uow, staff, case_id)


@router.post("/cases/{case_id}/obligations/{obligation_id}/review", response_model=ObligationRead)
async def review_obligation(
    case_id: uuid.UUID, obligation_id: uuid.UUID, command: ObligationReview, uow: Uow, staff: CurrentStaff
) -> ObligationRead:
    """Accept the recorded measures, or reject them as inadequate with a reason: cancellation is initiated."""
    return await contracts.review_obligation(uow, staff, case_id, obligation_id, command)


@router.get("/contractor/obligations", response_model=ContractorOverview)
async def contractor_obligations(uow: Uow, client: Reader) -> ContractorOverview:
    """For the contractor's portal client: its own contracts and obligations — never anything of the cases."""
    return await contracts.contractor_overview(uow, client)


@router.post("/contractor/obligations/{obligation_id}/measures", response_model=ContractorObligation)
async def record_measures(
    obligation_id: uuid.UUID, command: ContractorMeasuresCreate, uow: Uow, client: Writer
) -> ContractorObligation:
    """Record the measures taken (investigation, protection of the victim, discipline) by the due day."""
    return await contracts.record_measures(uow, client, obligation_id, command)
