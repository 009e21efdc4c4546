"""The personnel system keeps the directory current: full snapshots and incremental change events.

Both are all or nothing and idempotent (a snapshot by its content, an event by its id), and both respect
effective times: a change older than what is stored never overwrites it, whatever order things arrive in."""

from __future__ import annotations

import hashlib
import uuid
from datetime import UTC, date, datetime, timedelta

from app.db.models import AssignmentMember, Employee, PersonnelEvent
from app.db.uow import UnitOfWork
from app.domain import directory
from app.domain.accounts import PERSONNEL_STATUS_ROLES, require_role
from app.domain.directory import DirectoryCycle, EmployeeFacts, Snapshot, SyncMode, UnknownReference
from app.domain.enums import EmployeeStatus, OrgKind, PersonnelEventKind
from app.schemas.personnel import (
    AssignmentEvent,
    Counts,
    DirectorySnapshot,
    EventBatchResult,
    EventOutcome,
    NewSupervisorEvent,
    PersonnelEventIn,
    RetirementEvent,
    SyncResult,
    TransferEvent,
)
from app.schemas.statistics import PersonnelStatus
from app.services import audit, case_opened, clock, collector, retaliation, separation
from app.services.actors import ClientActor, StaffActor, SystemActor


def _snapshot(command: DirectorySnapshot) -> Snapshot:
    # The same instant, with the tzinfo the stored times carry: comparing times with different tzinfo objects asks
    # both for their offsets, and a sync compares some 250,000 pairs (issue 17).
    at = command.as_of.astimezone(UTC)
    retired = EmployeeStatus.retired
    return Snapshot(
        as_of=at,
        organisations=[(o.id, directory.OrganisationFacts(o.name, OrgKind(o.kind))) for o in command.organisations],
        units=[(u.id, directory.UnitFacts(u.organisation, u.parent, u.name, u.head)) for u in command.units],
        employees=[
            (
                e.employee_number,
                # organisation, unit, supervisor, status, retired_on, and the times of unit, supervisor, status
                EmployeeFacts(
                    e.organisation,
                    e.unit,
                    e.supervisor,
                    e.status,
                    e.retired_on if e.status == retired else None,
                    at,
                    at,
                    at,
                ),
            )
            for e in command.employees
        ],
        assignments=[
            (a.id, directory.AssignmentFacts(a.organisation, a.kind, a.name), a.members) for a in command.assignments
        ],
    )


async def sync_directory(
    uow: UnitOfWork,
    actor: ClientActor | SystemActor,
    command: DirectorySnapshot,
    *,
    mode: SyncMode,
    confirm_removals: int | None = None,
    action: str = "personnel.synced",
) -> SyncResult:
    """Upsert a directory snapshot, all or nothing; sending the same snapshot again changes nothing.
    `mode`: `full` also marks the employed people of the listed organisations whom the snapshot leaves out as
    left — each as a `retirement` event, so SEP-6 and RET-1 see it as they see that event — behind the guard of
    `directory.check_leavers`; `upsert` leaves them untouched (SCIM's one-person snapshots, the demo seed).
    `action`: what the audit log calls it (SCIM's upserts of a few rows are `personnel.scim_upserted`, so they never
    count as the last full sync)."""
    await uow.personnel.lock_directory()
    with collector.paused():
        stored, ids = await uow.personnel.load_directory()
        snapshot = _snapshot(command)
        plan = directory.plan_sync(stored, snapshot)
        leaving: list[str] = []
        if mode == SyncMode.full:
            leaving, employed = directory.left_out(stored, snapshot)
            directory.check_leavers(len(leaving), employed, confirm_removals)
        await uow.personnel.write_sync(plan, ids)
        await audit.record(uow, actor, action, target=command.as_of.isoformat())
        await _record_left(uow, actor, command.as_of, leaving)
        # SEP-5, SEP-6: every active order against the new directory; SEP-1: then the orders of cases that waited
        # for one of the employees the directory did not know. (Change events never add employees.)
        await separation.evaluate_all_orders(uow)
        await case_opened.directory_learned(uow, plan.employees.created.keys())
    return SyncResult(
        as_of=command.as_of,
        mode=mode,
        organisations=Counts(**plan.organisations.counts()),
        units=Counts(**plan.units.counts()),
        employees=Counts(**plan.employees.counts()),
        assignments=Counts(**plan.assignments.counts()),
        memberships=Counts(**plan.members.counts()),
        marked_left=len(leaving),
    )


async def _record_left(uow: UnitOfWork, actor: ClientActor | SystemActor, as_of: datetime, numbers: list[str]) -> None:
    """The people a full snapshot left out leave the organisation as of its time: a `retirement` event each,
    through the same path as the personnel system's own events (an event id made from the snapshot's time and the
    employee number, so the same snapshot twice records nothing new)."""
    if not numbers:
        return
    events: list[PersonnelEventIn] = [
        RetirementEvent(
            event_id="sync-left:" + hashlib.sha256(f"{as_of.isoformat()}|{n}".encode()).hexdigest()[:40],
            employee_number=n,
            effective_at=as_of,
            kind="retirement",
        )
        for n in numbers
    ]
    await _apply_all(uow, actor, events)


def _supervisor_of(event: PersonnelEventIn) -> tuple[bool, str | None]:
    """Whether the event sets the supervisor, and to whom (None: no supervisor)."""
    if isinstance(event, NewSupervisorEvent):
        return True, event.data.supervisor
    if isinstance(event, TransferEvent) and event.data.supervisor is not None:
        return True, event.data.supervisor
    return False, None


async def record_events(uow: UnitOfWork, actor: ClientActor, events: list[PersonnelEventIn]) -> EventBatchResult:
    """Apply change events in order, all or nothing: idempotent by event id, and an event older than the
    stored state is recorded as superseded instead of overwriting it."""
    await uow.personnel.lock_directory()
    return EventBatchResult(results=await _apply_all(uow, actor, events))


async def _apply_all(
    uow: UnitOfWork, actor: ClientActor | SystemActor, events: list[PersonnelEventIn]
) -> list[EventOutcome]:
    numbers = {e.employee_number for e in events} | {s for e in events if (s := _supervisor_of(e)[1])}
    unit_keys = {e.data.unit for e in events if isinstance(e, TransferEvent)}
    assignment_keys = {e.data.assignment for e in events if isinstance(e, AssignmentEvent)}
    employees = await uow.personnel.employees_by_numbers(numbers)
    units = await uow.personnel.unit_ids(unit_keys)
    assignments = await uow.personnel.assignment_ids(assignment_keys)
    directory.refuse(
        UnknownReference,
        [f"employee {n}" for n in sorted(numbers - employees.keys())]
        + [f"unit {u}" for u in sorted(unit_keys - units.keys())]
        + [f"assignment {a}" for a in sorted(assignment_keys - assignments.keys())],
    )

    seen = await uow.personnel.known_event_ids(e.event_id for e in events)
    results: list[EventOutcome] = []
    for event in events:
        if event.event_id in seen:
            results.append(EventOutcome(event_id=event.event_id, outcome="duplicate"))
            continue
        seen.add(event.event_id)
        row = await _apply(uow, event, employees, units, assignments)
        await audit.record(uow, actor, "personnel.event", target=event.event_id)
        await separation.on_personnel_change(uow, row)  # SEP-5, SEP-6
        await retaliation.on_personnel_event(uow, row)  # RET-1
        results.append(EventOutcome(event_id=event.event_id, outcome=row.outcome))  # type: ignore[arg-type]
    return results


async def _apply(
    uow: UnitOfWork,
    event: PersonnelEventIn,
    employees: dict[str, Employee],
    units: dict[str, uuid.UUID],
    assignments: dict[str, uuid.UUID],
) -> PersonnelEvent:
    kind = PersonnelEventKind(event.kind)
    at = event.effective_at
    employee = employees[event.employee_number]
    membership: AssignmentMember | None = None
    if isinstance(event, AssignmentEvent):
        membership = await uow.personnel.membership(assignments[event.data.assignment], employee.id)
    sets_supervisor, supervisor_number = _supervisor_of(event)
    decision = directory.decide_event(
        kind,
        at,
        {
            "unit": employee.unit_effective_at,
            "supervisor": employee.supervisor_effective_at,
            "status": employee.status_effective_at,
            "membership": membership.effective_at if membership else None,
        },
        sets_supervisor=sets_supervisor and isinstance(event, TransferEvent),
    )
    if "supervisor" in decision.fields:
        supervisor = employees[supervisor_number] if supervisor_number else None
        chain = await uow.personnel.chain_above(supervisor.id) if supervisor else []
        if directory.closes_cycle(employee.id, supervisor.id if supervisor else None, chain):
            directory.refuse(DirectoryCycle, [f"event {event.event_id}: supervisor {supervisor_number}"])
        employee.supervisor_id = supervisor.id if supervisor else None
        employee.supervisor_effective_at = at
    if "unit" in decision.fields and isinstance(event, TransferEvent):
        employee.unit_id = units[event.data.unit]
        employee.unit_effective_at = at
    if "status" in decision.fields:
        employee.status = directory.STATUS_AFTER[kind]
        employee.retired_on = _retired_on(event) if employee.status == EmployeeStatus.retired else None
        employee.status_effective_at = at
    if "membership" in decision.fields and isinstance(event, AssignmentEvent):
        member = kind == PersonnelEventKind.joined_assignment
        if membership is None:
            membership = AssignmentMember(
                assignment_id=assignments[event.data.assignment],
                employee_id=employee.id,
                member=member,
                effective_at=at,
            )
            uow.personnel.add(membership)
        else:
            membership.member, membership.effective_at = member, at
    row = PersonnelEvent(
        event_id=event.event_id,
        employee_id=employee.id,
        kind=kind,
        effective_at=at,
        received_at=clock.now(),
        data=event.data.model_dump(mode="json", exclude_none=True),
        outcome=decision.outcome,
    )
    uow.personnel.add(row)
    await uow.personnel.flush()
    return row


def _retired_on(event: PersonnelEventIn) -> date:
    if isinstance(event, RetirementEvent) and event.data.retired_on is not None:
        return event.data.retired_on
    return event.effective_at.date()


async def sync_status(uow: UnitOfWork, actor: StaffActor) -> PersonnelStatus:
    """The personnel system's integration at a glance: the last full sync (from the audit log), the directory's
    size, change events, and webhook deliveries waiting. Counts and times only."""
    require_role(actor.role, PERSONNEL_STATUS_ROLES)
    last_sync = await uow.audit.latest("personnel.synced")
    counts = await uow.reporting.directory_counts()
    last_event_at, recent = await uow.reporting.event_counts(clock.now() - timedelta(hours=24))
    pending, failing = await uow.reporting.outbox_counts()
    await audit.record(uow, actor, "personnel.status_read")
    return PersonnelStatus(
        last_full_sync_at=last_sync.at if last_sync else None,
        last_full_sync_as_of=last_sync.target if last_sync else None,
        **counts,
        last_event_at=last_event_at,
        events_last_24h=recent,
        webhook_deliveries_pending=pending,
        webhook_deliveries_failing=failing,
    )
