"""AMB-1, AMB-2: the registry of publicity ambassadors and memorial places, what cases do to a designation, and
the public listing, and AMB-2 for a case opened (called by `app/services/case_opened.py`)."""

from __future__ import annotations

import uuid
from typing import NoReturn

from app.db.links import ambassador_mac
from app.db.models import Ambassador, Case, CaseAmbassador, MemorialPlace
from app.db.uow import UnitOfWork
from app.domain.ambassadors import (
    CancelBasis,
    DesignationStatus,
    PlaceStatus,
    cancel,
    check_new_place,
    check_reinstatement,
    finding_cancels,
    promotional_use_allowed,
    review_status,
)
from app.domain.contracts import DECIDERS
from app.domain.errors import AccessDenied, DuplicateEntry, NotFound
from app.domain.intake import ReportFacts
from app.schemas.ambassadors import (
    AmbassadorCreate,
    AmbassadorRead,
    ConvictionCreate,
    PlaceCreate,
    PlaceRead,
    PublicAmbassador,
    PublicPlace,
)
from app.services import audit, clock
from app.services.actors import StaffActor, SystemActor
from app.services.cases import load_visible_case, require_case_role

INTAKE = SystemActor("intake")


def _require_manager(actor: StaffActor) -> None:
    """Team leads and the division head manage the registry; the case team reads it."""
    if actor.role not in DECIDERS:
        raise AccessDenied("Only a team lead or the division head manages the ambassador registry.")


async def _ambassador(uow: UnitOfWork, ambassador_id: uuid.UUID, *, for_update: bool = False) -> Ambassador:
    ambassador = await uow.ambassadors.ambassador(ambassador_id, for_update=for_update)
    if ambassador is None:
        raise NotFound()
    return ambassador


# --- the registry (staff) ---


async def create_ambassador(uow: UnitOfWork, actor: StaffActor, command: AmbassadorCreate) -> AmbassadorRead:
    """Designate a publicity ambassador."""
    _require_manager(actor)
    now = clock.now()
    ambassador = Ambassador(
        public_name=command.public_name,
        status=DesignationStatus.active,
        designated_on=command.designated_on or now.date(),
        created_at=now,
    )
    uow.ambassadors.add(ambassador)
    await uow.ambassadors.flush()
    await audit.record(uow, actor, "ambassador.designated", target=str(ambassador.id))
    return (await _reads(uow, [ambassador]))[0]


async def list_ambassadors(uow: UnitOfWork, actor: StaffActor) -> list[AmbassadorRead]:
    """Every designation, active, under review or cancelled, with its places."""
    require_case_role(actor)
    return await _reads(uow, await uow.ambassadors.ambassadors())


async def read_ambassador(uow: UnitOfWork, actor: StaffActor, ambassador_id: uuid.UUID) -> AmbassadorRead:
    """One designation with its places."""
    require_case_role(actor)
    return (await _reads(uow, [await _ambassador(uow, ambassador_id)]))[0]


async def add_place(uow: UnitOfWork, actor: StaffActor, ambassador_id: uuid.UUID, command: PlaceCreate) -> PlaceRead:
    """A memorial place under an active designation (AMB-2: none while under review; none once cancelled)."""
    _require_manager(actor)
    ambassador = await _ambassador(uow, ambassador_id, for_update=True)
    check_new_place(ambassador.status)
    place = MemorialPlace(
        ambassador_id=ambassador.id,
        name=command.name,
        location=command.location,
        status=PlaceStatus.open,
        opened_on=clock.now().date(),
    )
    uow.ambassadors.add(place)
    await uow.ambassadors.flush()
    await audit.record(uow, actor, "memorial_place.opened", target=str(place.id))
    return _place_read(place)


async def record_conviction(
    uow: UnitOfWork, actor: StaffActor, ambassador_id: uuid.UUID, command: ConvictionCreate
) -> AmbassadorRead:
    """AMB-1: a recorded conviction cancels the designation and shuts every place, at once; twice is refused."""
    _require_manager(actor)
    ambassador = await _ambassador(uow, ambassador_id, for_update=True)
    reason = {"court": command.court, "convicted_on": command.convicted_on.isoformat()}
    if command.note:
        reason["note"] = command.note
    await _cancel(uow, actor, ambassador, CancelBasis.conviction, reason=reason)
    return (await _reads(uow, [ambassador]))[0]


async def request_reinstatement(uow: UnitOfWork, actor: StaffActor, ambassador_id: uuid.UUID) -> NoReturn:
    """AMB-1: refused. A cancellation is not undone; after a new decision, a new designation is a new record."""
    _require_manager(actor)
    ambassador = await _ambassador(uow, ambassador_id)
    check_reinstatement(ambassador.status)


# --- cases ---


async def link_case(uow: UnitOfWork, actor: StaffActor, case_id: uuid.UUID, ambassador_id: uuid.UUID) -> AmbassadorRead:
    """AMB-2: the case team records that the respondent is an ambassador: under review while the case is open;
    AMB-1: cancelled at once if the case is substantiated already."""
    case = await load_visible_case(uow, actor, case_id)
    ambassador = await _ambassador(uow, ambassador_id, for_update=True)
    if await uow.ambassadors.case_link(case.id, ambassador.id) is not None:
        raise DuplicateEntry("The case is linked to this ambassador already.")
    await _link(uow, actor, case, ambassador)
    return (await _reads(uow, [ambassador]))[0]


async def case_ambassadors(uow: UnitOfWork, actor: StaffActor, case_id: uuid.UUID) -> list[AmbassadorRead]:
    """The ambassadors a case names. The read is audited (AUD-1)."""
    case = await load_visible_case(uow, actor, case_id)
    await audit.record(uow, actor, "ambassador.case_read", case_id=case.id)
    return await _reads(uow, await uow.ambassadors.ambassadors_of_case(case.id))


async def on_case_opened(uow: UnitOfWork, case: Case, report: ReportFacts) -> None:
    """AMB-2 when a case starts running (at submission, or on release from escrow): a respondent named as an
    ambassador is linked, and the designation goes under review. An unknown ambassador id is ignored: the
    report is never refused for it, and nothing tells whether it exists."""
    ambassador_id = report.ambassador_id
    if ambassador_id is not None:
        ambassador = await uow.ambassadors.ambassador(ambassador_id, for_update=True)
        if ambassador is not None and await uow.ambassadors.case_link(case.id, ambassador.id) is None:
            await _link(uow, INTAKE, case, ambassador)


async def on_status_changed(uow: UnitOfWork, actor: StaffActor, case: Case) -> None:
    """AMB-1: a substantiated finding cancels the designation of every ambassador the case names and shuts
    their places, in the finding's own transaction. AMB-2: closing or withdrawing the last open report naming
    an ambassador ends the review."""
    ambassadors = await uow.ambassadors.ambassadors_of_case(case.id)
    if ambassadors:
        await uow.ambassadors.flush()
    for ambassador in ambassadors:
        await _apply(uow, actor, case, ambassador)


async def _link(uow: UnitOfWork, actor: StaffActor | SystemActor, case: Case, ambassador: Ambassador) -> None:
    uow.ambassadors.add(
        CaseAmbassador(
            case_id=case.id,
            ambassador_mac=ambassador_mac(ambassador.id),
            ambassador_id=ambassador.id,
            linked_on=clock.now().date(),
        )
    )
    await uow.ambassadors.flush()
    await audit.record(uow, actor, "ambassador.case_linked", case_id=case.id, target=str(ambassador.id))
    await _apply(uow, actor, case, ambassador)


async def _apply(uow: UnitOfWork, actor: StaffActor | SystemActor, case: Case, ambassador: Ambassador) -> None:
    if finding_cancels(case.status, case.finding):
        if ambassador.status != DesignationStatus.cancelled:  # a conviction may have cancelled it already
            await _cancel(uow, actor, ambassador, CancelBasis.finding, case_id=case.id)
        return
    new = review_status(ambassador.status, await uow.ambassadors.open_reports_naming(ambassador.id))
    if new != ambassador.status:
        ambassador.status = new
        await uow.ambassadors.flush()
        action = "ambassador.review_started" if new == DesignationStatus.under_review else "ambassador.review_ended"
        await audit.record(uow, actor, action, case_id=case.id, target=str(ambassador.id))


async def _cancel(
    uow: UnitOfWork,
    actor: StaffActor | SystemActor,
    ambassador: Ambassador,
    basis: CancelBasis,
    *,
    case_id: uuid.UUID | None = None,
    reason: dict[str, str] | None = None,
) -> None:
    """AMB-1: the designation and every open place together; both audited."""
    places = await uow.ambassadors.places_for_update(ambassador.id)
    decision = cancel(ambassador.status, basis, [(p.id, p.status) for p in places])
    today = clock.now().date()
    ambassador.status = DesignationStatus.cancelled
    ambassador.cancelled_on = today
    ambassador.cancel_basis = decision.basis
    ambassador.cancel_reason = reason
    ambassador.cancelled_by = actor.user_id if isinstance(actor, StaffActor) else None
    for place in places:
        if place.id in decision.places_to_shut:
            place.status = PlaceStatus.shut
            place.shut_on = today
    await uow.ambassadors.flush()
    await audit.record(uow, actor, f"ambassador.cancelled_by_{basis}", case_id=case_id, target=str(ambassador.id))
    for place_id in decision.places_to_shut:
        await audit.record(uow, actor, "memorial_place.shut", case_id=case_id, target=str(place_id))


# --- the public listing ---


async def public_listing(uow: UnitOfWork) -> list[PublicAmbassador]:
    """Active designations and their open places, for the city's website: nothing of any case."""
    ambassadors = await uow.ambassadors.ambassadors(DesignationStatus.active)
    places = await uow.ambassadors.places([a.id for a in ambassadors], open_only=True)
    return [
        PublicAmbassador(
            id=a.id,
            public_name=a.public_name,
            designated_on=a.designated_on,
            places=[PublicPlace(name=p.name, location=p.location) for p in places if p.ambassador_id == a.id],
        )
        for a in ambassadors
    ]


# --- reads ---


def _place_read(p: MemorialPlace) -> PlaceRead:
    return PlaceRead(
        id=p.id, name=p.name, location=p.location, status=p.status, opened_on=p.opened_on, shut_on=p.shut_on
    )


async def _reads(uow: UnitOfWork, ambassadors: list[Ambassador]) -> list[AmbassadorRead]:
    places = await uow.ambassadors.places([a.id for a in ambassadors])
    return [
        AmbassadorRead(
            id=a.id,
            public_name=a.public_name,
            status=a.status,
            promotional_use_allowed=promotional_use_allowed(a.status),
            designated_on=a.designated_on,
            cancelled_on=a.cancelled_on,
            cancel_basis=a.cancel_basis,
            conviction=a.cancel_reason,
            places=[_place_read(p) for p in places if p.ambassador_id == a.id],
        )
        for a in ambassadors
    ]
