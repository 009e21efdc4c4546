"""CASE-7: interim protective measures — offered by the case team, answered by the victim (through the inbox
or recorded by the team), applied only when accepted; a timeline on the case and in the inbox."""

from __future__ import annotations

import uuid

from app.db.models import ProtectiveMeasure
from app.db.uow import UnitOfWork
from app.domain.enums import MeasureKind, MeasureStatus
from app.domain.errors import NotFound
from app.domain.lifecycle import check_reporter_may_write
from app.domain.measures import check_answer, check_apply, check_reporter_may_answer
from app.schemas.protection import InboxMeasureRead, MeasureRead
from app.services import audit, clock
from app.services.actors import ReporterActor, StaffActor
from app.services.cases import load_visible_case


def _read(m: ProtectiveMeasure) -> MeasureRead:
    return MeasureRead(
        id=m.id,
        kind=m.kind,
        status=m.status,
        note=m.note,
        offered_on=m.offered_on,
        answered_on=m.answered_on,
        answered_by=m.answered_by,
        applied_on=m.applied_on,
    )


async def offer(
    uow: UnitOfWork, actor: StaffActor, case_id: uuid.UUID, kind: MeasureKind, note: str | None
) -> MeasureRead:
    """Offer a measure; it waits for the victim's answer."""
    case = await load_visible_case(uow, actor, case_id)
    measure = ProtectiveMeasure(
        case_id=case.id, kind=kind, status=MeasureStatus.offered, note=note, offered_on=clock.now().date()
    )
    uow.protection.add(measure)
    await uow.session.flush()
    await audit.record(uow, actor, "measure.offered", case_id=case.id, target=str(measure.id))
    return _read(measure)


async def list_for_case(uow: UnitOfWork, actor: StaffActor, case_id: uuid.UUID) -> list[MeasureRead]:
    """The measures of a case, as a timeline. The read is audited (AUD-1)."""
    case = await load_visible_case(uow, actor, case_id)
    await audit.record(uow, actor, "measure.listed", case_id=case.id)
    return [_read(m) for m in await uow.protection.measures(case.id)]


async def _measure_of(uow: UnitOfWork, case_id: uuid.UUID, measure_id: uuid.UUID) -> ProtectiveMeasure:
    measure = await uow.protection.measure(measure_id)
    if measure is None or measure.case_id != case_id:
        raise NotFound()
    return measure


async def record_answer(
    uow: UnitOfWork, actor: StaffActor, case_id: uuid.UUID, measure_id: uuid.UUID, accept: bool
) -> MeasureRead:
    """The team records the victim's answer (given in person or by phone)."""
    case = await load_visible_case(uow, actor, case_id)
    measure = await _measure_of(uow, case.id, measure_id)
    check_answer(measure.status)
    _answer(measure, accept, "team")
    await audit.record(uow, actor, "measure.answer_recorded", case_id=case.id, target=str(measure.id))
    return _read(measure)


async def answer_from_inbox(
    uow: UnitOfWork, actor: ReporterActor, measure_id: uuid.UUID, accept: bool
) -> InboxMeasureRead:
    """The victim answers an offered measure in the inbox, while the case is open (CASE-4)."""
    report = await uow.cases.report(actor.report_id)
    case = await uow.cases.case(actor.case_id)
    assert report is not None and case is not None
    check_reporter_may_answer(report.reporter_kind)
    check_reporter_may_write(case.status)  # CASE-4: read-only after closing
    measure = await _measure_of(uow, actor.case_id, measure_id)
    check_answer(measure.status)
    _answer(measure, accept, "victim")
    await audit.record(uow, actor, "measure.answered_by_victim", case_id=actor.case_id, target=str(measure.id))
    return inbox_read(measure)


def _answer(measure: ProtectiveMeasure, accept: bool, by: str) -> None:
    measure.status = MeasureStatus.accepted if accept else MeasureStatus.declined
    measure.answered_on = clock.now().date()
    measure.answered_by = by


async def apply(uow: UnitOfWork, actor: StaffActor, case_id: uuid.UUID, measure_id: uuid.UUID) -> MeasureRead:
    """Apply an accepted measure — never one the victim has not accepted (CASE-7)."""
    case = await load_visible_case(uow, actor, case_id)
    measure = await _measure_of(uow, case.id, measure_id)
    check_apply(measure.status)
    measure.status = MeasureStatus.applied
    measure.applied_on = clock.now().date()
    await audit.record(uow, actor, "measure.applied", case_id=case.id, target=str(measure.id))
    return _read(measure)


def inbox_read(m: ProtectiveMeasure) -> InboxMeasureRead:
    return InboxMeasureRead(id=m.id, kind=m.kind, status=m.status, offered_on=m.offered_on)
