"""CON-1, CON-2: contracts with commissioned organisations, the follow-up obligation a case at their workplace
opens, the contractor's own view through its machine client, and cancellation confirmed by a second person."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from app.db.models import Case, CaseDeadline, Contract, Obligation
from app.db.uow import UnitOfWork
from app.domain.contracts import (
    DECIDERS,
    WHAT_TO_RECORD,
    CancellationGround,
    ContractStatus,
    ObligationStatus,
    check_case_workplace,
    check_confirm,
    check_initiate,
    check_linkable,
    check_parties,
    check_record_measures,
    due_on,
    initiates_cancellation,
    is_overdue,
    link_step_due,
    needs_initiation,
    needs_link_step,
    review,
)
from app.domain.enums import ClientKind, DeadlineKind, OrgKind
from app.domain.errors import AccessDenied, DomainError, DuplicateEntry, InvalidToken, NotFound, RuleViolation
from app.domain.intake import ReportFacts
from app.schemas.contracts import (
    ContractCreate,
    ContractorContract,
    ContractorMeasuresCreate,
    ContractorObligation,
    ContractorOverview,
    ContractRead,
    ObligationRead,
    ObligationReview,
    ScanResult,
    StaffObligationPage,
    StaffObligationRead,
)
from app.services import audit, case_deadlines, clock, outbox
from app.services.actors import Actor, ClientActor, StaffActor, SystemActor
from app.services.cases import load_visible_case, require_case_role

SCANNER = SystemActor("obligation-scan")
INTAKE = SystemActor("intake")


class UnknownParty(RuleViolation):
    code = "unknown-party"
    title = "The organisation or the machine client is not known."


def _require_decider(actor: StaffActor) -> None:
    if actor.role not in DECIDERS:
        raise AccessDenied("Only a team lead or the division head does this.")


def _number(raw: str) -> str:
    return raw.strip().upper()


# --- the registry (staff) ---


async def register_contract(uow: UnitOfWork, actor: StaffActor, command: ContractCreate) -> ContractRead:
    """Put a contract with a commissioned organisation on record, with the contractor's portal client."""
    _require_decider(actor)
    organisation = await uow.personnel.organisation_by_external_id(command.organisation.strip())
    client = await uow.staff.client(command.client_id)
    if organisation is None or client is None:
        raise UnknownParty()
    check_parties(OrgKind(organisation.kind), ClientKind(client.kind))
    number = _number(command.number)
    if await uow.contracts.contract_by_number(number) is not None:
        raise DuplicateEntry("A contract with that number is on record already.")
    contract = Contract(
        organisation_id=organisation.id,
        number=number,
        title=command.title,
        status=ContractStatus.active,
        machine_client_id=client.id,
        created_at=clock.now(),
    )
    uow.contracts.add(contract)
    await uow.contracts.flush()
    await audit.record(uow, actor, "contract.registered", target=str(contract.id))
    return (await _reads(uow, actor, [contract]))[0]


async def list_contracts(uow: UnitOfWork, actor: StaffActor) -> list[ContractRead]:
    """Every contract on record, by number."""
    require_case_role(actor)
    return await _reads(uow, actor, await uow.contracts.contracts())


async def read_contract(uow: UnitOfWork, actor: StaffActor, contract_id: uuid.UUID) -> ContractRead:
    """One contract."""
    require_case_role(actor)
    return (await _reads(uow, actor, [await _contract(uow, contract_id)]))[0]


async def list_obligations(
    uow: UnitOfWork,
    actor: StaffActor,
    *,
    contract_id: uuid.UUID | None = None,
    status: ObligationStatus | None = None,
    offset: int = 0,
    limit: int = 50,
) -> StaffObligationPage:
    """CON-1, CON-2 for the registry: every contract's follow-up obligations, newest first — days and state only.
    A case is named (id, reference) only where the reader may see it (ACC-1); never the measures or the review's
    reason. Audited, with the contract when one is asked for."""
    require_case_role(actor)
    if contract_id is not None:
        await _contract(uow, contract_id)
    rows, total = await uow.contracts.obligations_page(
        contract_id=contract_id, status=status, offset=offset, limit=limit
    )
    visible = await uow.cases.visible_ids(actor.facts)
    references = await uow.cases.visible_references(visible, [o.case_id for o, _, _ in rows])
    items = [
        StaffObligationRead(
            id=o.id,
            contract_id=c.id,
            contract_number=c.number,
            organisation_name=organisation_name,
            case_id=o.case_id if o.case_id in references else None,
            case_reference=references.get(o.case_id),
            status=o.status,
            opened_on=o.opened_on,
            due_on=o.due_on,
            recorded_on=o.recorded_on,
            reviewed_on=o.reviewed_on,
        )
        for o, c, organisation_name in rows
    ]
    await audit.record(uow, actor, "obligation.listed", target=str(contract_id) if contract_id else None)
    return StaffObligationPage(items=items, total=total, offset=offset, limit=limit)


async def pending_confirmations(uow: UnitOfWork, actor: StaffActor) -> list[ContractRead]:
    """CON-2: contracts whose cancellation waits for a second person."""
    require_case_role(actor)
    return await _reads(uow, actor, await uow.contracts.contracts(ContractStatus.cancellation_initiated))


async def initiate_cancellation(
    uow: UnitOfWork, actor: StaffActor, contract_id: uuid.UUID, reason: str
) -> ContractRead:
    """CON-2: a team lead or the division head initiates cancellation; a second person confirms it."""
    _require_decider(actor)
    contract = await _contract(uow, contract_id, for_update=True)
    check_initiate(contract.status)
    await _initiate(uow, actor, contract, CancellationGround.staff_decision, reason=reason)
    return (await _reads(uow, actor, [contract]))[0]


async def confirm_cancellation(uow: UnitOfWork, actor: StaffActor, contract_id: uuid.UUID) -> ContractRead:
    """CON-2: a second person (not the initiator) confirms; the contract is cancelled and the organisation told."""
    require_case_role(actor)
    contract = await _contract(uow, contract_id, for_update=True)
    check_confirm(contract.status, actor.user_id, actor.role, contract.cancellation_initiated_by)
    today = clock.now().date()
    contract.status = ContractStatus.cancelled
    contract.cancelled_on = today
    contract.cancelled_by = actor.user_id
    await uow.contracts.flush()
    await audit.record(uow, actor, "contract.cancelled", target=str(contract.id))
    await _notify(uow, contract, "contract.cancelled", {"cancelled_on": today.isoformat()})
    return (await _reads(uow, actor, [contract]))[0]


# --- cases and obligations (the case team) ---


async def on_case_opened(uow: UnitOfWork, case: Case, report: ReportFacts) -> None:
    """CON-1: a report from a commissioned organisation that names a contract on record opens the obligation.
    One that names none on record gives the case team a deadline to link the contract (`link_case`) — in the
    deadline queue and escalated like any other. The reporter is told nothing either way."""
    if report.workplace_kind != OrgKind.contractor:
        return
    number = report.contract_number
    contract = await uow.contracts.contract_by_number(_number(number)) if number else None
    if needs_link_step(report.workplace_kind, contract.status if contract else None):
        due = link_step_due(clock.now().date(), uow.settings.contract_link_days)
        uow.cases.add(CaseDeadline(case_id=case.id, kind=DeadlineKind.contract_link, due_on=due))
    elif contract is not None and await uow.contracts.obligation_of(case.id, contract.id) is None:
        await _open_obligation(uow, INTAKE, case, contract)


async def link_case(uow: UnitOfWork, actor: StaffActor, case_id: uuid.UUID, contract_id: uuid.UUID) -> ObligationRead:
    """CON-1: the case team names the contract of a case at a commissioned organisation; the obligation opens
    (due counted from the day of the report) and the "link the contract" deadline is met."""
    case = await load_visible_case(uow, actor, case_id)
    contract = await _contract(uow, contract_id)
    check_linkable(contract.status)
    check_case_workplace(case.org_kind)
    if await uow.contracts.obligation_of(case.id, contract.id) is not None:
        raise DuplicateEntry("The case is linked to this contract already.")
    if case.org_kind is None:  # now known: a contractor case (WU-1 statistics), by CASE-2's one path
        await case_deadlines.workplace_known(uow, actor, case, OrgKind.contractor)
    obligation = await _open_obligation(uow, actor, case, contract)
    await _meet_link_step(uow, actor, case)
    return _obligation_read(obligation, contract)


async def _meet_link_step(uow: UnitOfWork, actor: StaffActor, case: Case) -> None:
    """CON-1: linking a contract meets the case's open "link the contract" deadline (late is kept: breached)."""
    steps = [d for d in await uow.cases.deadlines(case.id) if d.kind == DeadlineKind.contract_link and not d.met_on]
    for step in steps:
        step.met_on, step.met_by = clock.now().date(), actor.user_id
    if steps:
        await uow.cases.flush()
        await audit.record(uow, actor, "case.deadline_met", case_id=case.id, target=str(DeadlineKind.contract_link))


async def case_obligations(uow: UnitOfWork, actor: StaffActor, case_id: uuid.UUID) -> list[ObligationRead]:
    """The case's obligations with the measures recorded."""
    case = await load_visible_case(uow, actor, case_id)
    obligations = await uow.contracts.obligations_of_case(case.id)
    out = []
    for obligation in obligations:
        out.append(_obligation_read(obligation, await _contract(uow, obligation.contract_id)))
    await audit.record(uow, actor, "obligation.read", case_id=case.id)
    return out


async def review_obligation(
    uow: UnitOfWork, actor: StaffActor, case_id: uuid.UUID, obligation_id: uuid.UUID, command: ObligationReview
) -> ObligationRead:
    """CON-2: accept the recorded measures, or reject them as inadequate — which initiates cancellation."""
    case = await load_visible_case(uow, actor, case_id)
    obligation = await uow.contracts.obligation(obligation_id)
    if obligation is None or obligation.case_id != case.id:
        raise NotFound()
    obligation.status = review(obligation.status, command.accept, command.reason)
    obligation.reviewed_on = clock.now().date()
    obligation.reviewed_by = actor.user_id
    obligation.review_reason = command.reason
    await uow.contracts.flush()
    await audit.record(uow, actor, f"obligation.{obligation.status}", case_id=case.id, target=str(obligation.id))
    contract = await _contract(uow, obligation.contract_id, for_update=True)
    if initiates_cancellation(obligation.status) and needs_initiation(contract.status):
        await _initiate(uow, actor, contract, CancellationGround.measures_rejected, obligation=obligation)
    return _obligation_read(obligation, contract)


# --- the contractor's own view (machine client) ---


async def contractor_overview(uow: UnitOfWork, actor: ClientActor) -> ContractorOverview:
    """CON-1, CON-2: the contractor's own contracts and obligations — nothing of the cases."""
    client_pk = await _contractor_pk(uow, actor)
    contracts = await uow.contracts.contracts_of_client(client_pk)
    obligations = await uow.contracts.obligations_of_client(client_pk)
    return ContractorOverview(
        contracts=[
            ContractorContract(
                number=c.number,
                title=c.title,
                status=c.status,
                cancellation_ground=c.cancellation_ground,
                cancellation_initiated_on=c.cancellation_initiated_on,
                cancelled_on=c.cancelled_on,
            )
            for c in contracts
        ],
        obligations=[_contractor_read(o, c) for o, c in obligations],
    )


async def record_measures(
    uow: UnitOfWork, actor: ClientActor, obligation_id: uuid.UUID, command: ContractorMeasuresCreate
) -> ContractorObligation:
    """CON-1: the contractor records its measures by the due day; another contractor's obligation is not found."""
    client_pk = await _contractor_pk(uow, actor)
    obligation = await uow.contracts.obligation_of_client(client_pk, obligation_id)
    if obligation is None:
        raise NotFound()
    today = clock.now().date()
    check_record_measures(obligation.due_on, obligation.status, today)
    obligation.measures = command.model_dump()
    obligation.recorded_on = today
    obligation.status = ObligationStatus.measures_recorded
    await uow.contracts.flush()
    await audit.record(
        uow, actor, "obligation.measures_recorded", case_id=obligation.case_id, target=str(obligation.id)
    )
    return _contractor_read(obligation, await _contract(uow, obligation.contract_id))


# --- the deadline scan (the worker calls it) ---


async def scan_obligations(uow: UnitOfWork, today: date) -> ScanResult:
    """CON-2: obligations with nothing recorded by their due day become overdue and initiate cancellation of
    their contracts; a second person confirms. Idempotent: run it as often as you like."""
    overdue = initiated = 0
    for obligation in await uow.contracts.open_obligations_due_before(today):
        if not is_overdue(obligation.due_on, obligation.status, today):
            continue
        obligation.status = ObligationStatus.overdue
        overdue += 1
        await uow.contracts.flush()
        await audit.record(uow, SCANNER, "obligation.overdue", case_id=obligation.case_id, target=str(obligation.id))
        contract = await _contract(uow, obligation.contract_id, for_update=True)
        if needs_initiation(contract.status):
            await _initiate(
                uow, SCANNER, contract, CancellationGround.measures_overdue, obligation=obligation, on=today
            )
            initiated += 1
    return ScanResult(overdue=overdue, cancellations_initiated=initiated)


# --- helpers ---


async def _contract(uow: UnitOfWork, contract_id: uuid.UUID, *, for_update: bool = False) -> Contract:
    contract = await uow.contracts.contract(contract_id, for_update=for_update)
    if contract is None:
        raise NotFound()
    return contract


async def _contractor_pk(uow: UnitOfWork, actor: ClientActor) -> uuid.UUID:
    client = await uow.staff.client(actor.client_id)
    if client is None or not client.active:
        raise InvalidToken()
    if client.kind != ClientKind.contractor_portal:
        raise AccessDenied("Only a contractor's portal client reads obligations.")
    return client.id


async def _open_obligation(uow: UnitOfWork, actor: Actor, case: Case, contract: Contract) -> Obligation:
    """CON-1: the follow-up obligation, due `contractor_follow_up_days` after the day of the report."""
    obligation = Obligation(
        case_id=case.id,
        contract_id=contract.id,
        status=ObligationStatus.open,
        opened_on=clock.now().date(),
        due_on=due_on(case.opened_on, uow.settings.contractor_follow_up_days),
    )
    uow.contracts.add(obligation)
    await uow.contracts.flush()
    await audit.record(uow, actor, "obligation.opened", case_id=case.id, target=str(obligation.id))
    return obligation


async def _initiate(
    uow: UnitOfWork,
    actor: StaffActor | SystemActor,
    contract: Contract,
    ground: CancellationGround,
    *,
    reason: str | None = None,
    obligation: Obligation | None = None,
    on: date | None = None,
) -> None:
    today = on or clock.now().date()
    contract.status = ContractStatus.cancellation_initiated
    contract.cancellation_ground = ground
    contract.cancellation_reason = reason
    contract.cancellation_initiated_on = today
    contract.cancellation_initiated_by = actor.user_id if isinstance(actor, StaffActor) else None
    await uow.contracts.flush()
    await audit.record(uow, actor, "contract.cancellation_initiated", target=str(contract.id))
    data: dict[str, Any] = {"ground": str(ground), "initiated_on": today.isoformat()}
    if obligation is not None:
        data["obligation_id"] = str(obligation.id)
    await _notify(uow, contract, "contract.cancellation_initiated", data)


async def _notify(uow: UnitOfWork, contract: Contract, topic: str, data: dict[str, Any]) -> None:
    """CON-2: the organisation is told — through its own webhook subscriptions only (never anyone else's), and
    in its obligations listing. The same envelope as app.services.outbox.publish (`outbox.enqueue`)."""
    now = clock.now()
    due = outbox.not_before(uow, topic, now)
    payload = {"contract_number": contract.number, "status": str(contract.status), **data}
    for subscription in await uow.outbox.subscriptions_of(contract.machine_client_id):
        if subscription.active and topic in subscription.topics:
            outbox.enqueue(uow, subscription, topic, payload, now=now, due=due)


async def _reads(uow: UnitOfWork, actor: StaffActor, contracts: list[Contract]) -> list[ContractRead]:
    organisations = await uow.personnel.organisations([c.organisation_id for c in contracts])
    clients = await uow.staff.clients_by_pk([c.machine_client_id for c in contracts])
    return [
        ContractRead(
            id=c.id,
            organisation=organisations[c.organisation_id].external_id,
            organisation_name=organisations[c.organisation_id].name,
            number=c.number,
            title=c.title,
            client_id=clients[c.machine_client_id].client_id,
            status=c.status,
            cancellation_ground=c.cancellation_ground,
            cancellation_reason=c.cancellation_reason,
            cancellation_initiated_on=c.cancellation_initiated_on,
            initiated_automatically=c.status != ContractStatus.active and c.cancellation_initiated_by is None,
            cancelled_on=c.cancelled_on,
            you_may_confirm=_may_confirm(actor, c),
        )
        for c in contracts
    ]


def _may_confirm(actor: StaffActor, contract: Contract) -> bool:
    try:
        check_confirm(contract.status, actor.user_id, actor.role, contract.cancellation_initiated_by)
    except DomainError:
        return False
    return True


def _obligation_read(o: Obligation, contract: Contract) -> ObligationRead:
    return ObligationRead(
        id=o.id,
        case_id=o.case_id,
        contract_id=o.contract_id,
        contract_number=contract.number,
        status=o.status,
        opened_on=o.opened_on,
        due_on=o.due_on,
        recorded_on=o.recorded_on,
        measures=o.measures,
        reviewed_on=o.reviewed_on,
        review_reason=o.review_reason,
    )


def _contractor_read(o: Obligation, contract: Contract) -> ContractorObligation:
    return ContractorObligation(
        id=o.id,
        contract_number=contract.number,
        status=o.status,
        opened_on=o.opened_on,
        due_on=o.due_on,
        recorded_on=o.recorded_on,
        what_to_record=WHAT_TO_RECORD,
    )
