"""MAN-3: the prevention & education team schedules sessions per role of the manual and the yearly prevention
training, records attendance against the personnel directory (staff, or the personnel system as a machine
client), reads completion per organisation and unit (STAT-1 outside the case team) and reminds, without content,
those who have not completed. WU-1: #WithU education and expert training are sessions with a headcount, counted in
the intake statistics."""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import date

from app.db.models import EducationAttendance, EducationSession
from app.db.uow import UnitOfWork
from app.domain import education as rules
from app.domain.errors import AccessDenied, NotFound
from app.domain.statistics import Cell, sees_exact_counts
from app.schemas.education import (
    AttendanceCreate,
    AttendanceResult,
    CompletionRead,
    CompletionRow,
    OrgCompletionRead,
    ReminderCreate,
    ReminderResult,
    RequirementCompletion,
    SessionCreate,
    SessionRead,
)
from app.schemas.statistics import CountCell, WithUEducationCounts
from app.services import audit, clock, outbox
from app.services.actors import ClientActor, StaffActor

REMINDER_TOPIC = "education.reminder"
REMINDER_BATCH = 1_000  # employee numbers per reminder event


def _require_manager(actor: StaffActor) -> None:
    if not rules.may_manage(actor.role, actor.team):
        raise AccessDenied("Only the prevention & education team or the division head does this.")


def _require_reader(actor: StaffActor) -> bool:
    """Whether the reader sees exact counts (the case team) or STAT-1's (HR officers, auditors)."""
    if not rules.may_read(actor.role):
        raise AccessDenied()
    return sees_exact_counts(actor.role)


def _year(year: int) -> tuple[date, date]:
    return date(year, 1, 1), date(year, 12, 31)


def _cell(cell: Cell) -> CountCell:
    return CountCell(count=cell.count, suppressed=cell.suppressed)


# --- sessions ----------------------------------------------------------------------------------------------------


async def create_session(uow: UnitOfWork, actor: StaffActor, command: SessionCreate) -> SessionRead:
    """Schedule a session (MAN-3), or record a #WithU one held for a citizen's workplace (WU-1)."""
    _require_manager(actor)
    rules.check_session(
        command.kind,
        command.role,
        workplace=command.workplace,
        in_directory_scope=command.organisation is not None or command.unit is not None,
    )
    organisation_id, unit_id = await _scope(uow, command.organisation, command.unit)
    row = EducationSession(
        kind=command.kind,
        audience=command.role,
        title=command.title,
        day=command.day,
        organisation_id=organisation_id,
        unit_id=unit_id,
        workplace=command.workplace,
        capacity=command.capacity,
        headcount=0 if rules.is_withu(command.kind) else None,
        created_by=actor.user_id,
        created_at=clock.now(),
    )
    uow.education.add(row)
    await uow.education.flush()
    await audit.record(uow, actor, "education.session_created", target=str(row.id))
    return (await _reads(uow, [row], exact=True))[0]


async def _scope(uow: UnitOfWork, organisation: str | None, unit: str | None) -> tuple[uuid.UUID | None, ...]:
    """The directory ids of a session's scope; a unit alone implies its organisation."""
    org = await uow.personnel.organisation_by_external_id(organisation) if organisation else None
    if organisation and org is None:
        raise rules.SessionInvalid("That organisation is not in the personnel directory.")
    if unit is None:
        return (org.id if org else None), None
    found = await uow.education.unit_by_external_id(unit)
    if found is None or (org is not None and found.organisation_id != org.id):
        raise rules.SessionInvalid("That unit is not in the personnel directory (under that organisation).")
    return found.organisation_id, found.id


async def list_sessions(uow: UnitOfWork, actor: StaffActor, year: int) -> list[SessionRead]:
    """The sessions held in a calendar year, newest first, with their attendance (STAT-1 outside the case team)."""
    exact = _require_reader(actor)
    start, end = _year(year)
    return await _reads(uow, await uow.education.sessions(start, end), exact=exact)


async def _reads(uow: UnitOfWork, rows: list[EducationSession], *, exact: bool) -> list[SessionRead]:
    counts = await uow.education.attendee_counts(r.id for r in rows)
    keys = await uow.education.scope_keys(rows)

    def attendees(row: EducationSession) -> int:
        return row.headcount if row.headcount is not None else counts.get(row.id, 0)

    return [
        SessionRead(
            id=r.id,
            kind=r.kind,
            role=r.audience,
            title=r.title,
            day=r.day,
            organisation=keys.get(r.organisation_id) if r.organisation_id else None,
            unit=keys.get(r.unit_id) if r.unit_id else None,
            workplace=r.workplace,
            capacity=r.capacity,
            attendees=_cell(rules.attendee_cell(attendees(r), exact=exact)),
        )
        for r in rows
    ]


# --- attendance --------------------------------------------------------------------------------------------------


async def record_attendance(
    uow: UnitOfWork, actor: StaffActor | ClientActor, session_id: uuid.UUID, command: AttendanceCreate
) -> AttendanceResult:
    """Record who attended, by employee number (all or nothing: an unknown number records nothing). Sending the
    same numbers again changes nothing. A #WithU session takes its headcount instead."""
    if isinstance(actor, StaffActor):
        _require_manager(actor)
    row = await uow.education.session_row(session_id)
    if row is None:
        raise NotFound()
    if rules.is_withu(row.kind):
        if command.headcount is None or command.employee_numbers:
            raise rules.AttendanceInvalid()
        rules.check_capacity(row.capacity, command.headcount)
        row.headcount = command.headcount
        await audit.record(uow, actor, "education.headcount_recorded", target=str(row.id))
        return AttendanceResult(recorded=command.headcount, already_recorded=0, attendees=command.headcount)
    if command.headcount is not None or not command.employee_numbers:
        raise rules.AttendanceInvalid()
    numbers = sorted(set(command.employee_numbers))
    employees = await uow.personnel.employees_by_numbers(numbers)
    unknown = [n for n in numbers if n not in employees]
    if unknown:
        raise rules.UnknownEmployees(f"{len(unknown)} unknown employee number(s).", unknown=unknown)
    ids = [employees[n].id for n in numbers]
    already = await uow.education.attending(row.id, ids)
    new = [i for i in ids if i not in already]
    total = (await uow.education.attendee_counts([row.id])).get(row.id, 0) + len(new)
    rules.check_capacity(row.capacity, total)
    now = clock.now()
    for employee_id in new:
        uow.education.add(EducationAttendance(session_id=row.id, employee_id=employee_id, recorded_at=now))
    await uow.education.flush()
    await audit.record(uow, actor, "education.attendance_recorded", target=str(row.id))
    return AttendanceResult(recorded=len(new), already_recorded=len(already), attendees=total)


# --- completion and reminders ------------------------------------------------------------------------------------


async def _people(uow: UnitOfWork, year: int) -> list[rules.Person]:
    start, end = _year(year)
    managers = await uow.education.manager_ids()
    attended: dict[uuid.UUID, set[tuple[rules.SessionKind, rules.Audience]]] = defaultdict(set)
    for employee_id, kind, audience in await uow.education.attended_in(start, end):
        attended[employee_id].add((kind, audience))
    return [
        rules.Person(number, org, unit or rules.NO_UNIT, employee_id in managers, frozenset(attended[employee_id]))
        for employee_id, number, org, unit in await uow.education.active_employees()
    ]


async def completion(uow: UnitOfWork, actor: StaffActor, year: int) -> CompletionRead:
    """Per requirement (the yearly training; managers' role training), required and completed per organisation
    and unit in the calendar year. Outside the case team through STAT-1."""
    exact = _require_reader(actor)
    people = await _people(uow, year)
    org_names, unit_names = await uow.education.names()
    await audit.record(uow, actor, "education.completion_read", target=str(year))

    def row(key: str, name: str, c: rules.Completion) -> CompletionRow:
        return CompletionRow(
            key=key, name=name, required=_cell(c.required), completed=_cell(c.completed), percent=c.percent
        )

    requirements = []
    for requirement in rules.REQUIREMENTS:
        orgs = [
            OrgCompletionRead(
                **row(o.organisation, org_names.get(o.organisation, o.organisation), o.total).model_dump(),
                units=[row(u, unit_names.get(u, ""), c) for u, c in o.units.items()],
            )
            for o in rules.completion(people, requirement, exact=exact)
        ]
        requirements.append(RequirementCompletion(kind=requirement.kind, role=requirement.audience, organisations=orgs))
    return CompletionRead(year=year, exact=exact, requirements=requirements)


async def send_reminders(uow: UnitOfWork, actor: StaffActor, command: ReminderCreate) -> ReminderResult:
    """Remind, through the personnel system (webhook `education.reminder`), everyone who has not completed a
    requirement of the year: employee numbers, the session kind and role, the year — nothing else."""
    _require_manager(actor)
    people = await _people(uow, command.year)
    reminded: dict[str, int] = {}
    events = 0
    receivers = len(await uow.outbox.subscriptions_for(REMINDER_TOPIC))
    for requirement in rules.REQUIREMENTS:
        numbers = rules.missing(people, requirement)
        reminded[requirement.key] = len(numbers)
        for start in range(0, len(numbers), REMINDER_BATCH):
            data = {
                "year": command.year,
                "session_kind": str(requirement.kind),
                "role": str(requirement.audience),
                "employee_numbers": numbers[start : start + REMINDER_BATCH],
            }
            await outbox.publish(uow, REMINDER_TOPIC, data)
            events += receivers
    await audit.record(uow, actor, "education.reminders_sent", target=str(command.year))
    return ReminderResult(year=command.year, reminded=reminded, events=events)


# --- #WithU (WU-1) -----------------------------------------------------------------------------------------------


async def withu_statistics(uow: UnitOfWork, start: date, end: date, *, exact: bool) -> WithUEducationCounts:
    """#WithU education and expert training held in the window, for the intake statistics (STAT-1 applied)."""
    cells = rules.withu_counts(await uow.education.withu_by_kind(start, end), exact=exact)
    return WithUEducationCounts(**{name: _cell(cell) for name, cell in cells.items()})
