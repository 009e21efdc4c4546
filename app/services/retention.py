"""DATA-1 retention: the division head's legal hold, the worker's destruction of closed cases' content, and the
purge of what has no reason to stay (docs/operations.md "Retention").

Destruction, one case per transaction step but all in the job's one transaction: the rule (app/domain/retention.py)
is asked for each candidate; content rows are deleted or overwritten (app/db/repositories/retention.py), the case
gets `content_destroyed_on`, and `case.content_destroyed` is audited. Evidence files are removed from the file
store only after the commit; if the process dies in between, the files have no row any more and the evidence
sweep (`sweep_orphans`, hourly) removes them — never a file kept for ever, never a row without its file.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from app.db.models import Case, LegalHold
from app.db.uow import UnitOfWork
from app.domain.deadlines import add_months
from app.domain.enums import Role
from app.domain.errors import AccessDenied, LegalHoldAlreadySet, NoLegalHold
from app.domain.retention import RetentionFacts, kept_because
from app.integrations.file_store import FileStore
from app.schemas.retention import LegalHoldCreate, LegalHoldLift, LegalHoldRead
from app.services import audit, clock
from app.services.actors import StaffActor, SystemActor
from app.services.cases import load_visible_case
from app.services.evidence import file_store

RETENTION = SystemActor("retention")
# Cases looked at per run; a backlog is worked off run after run.
BATCH = 200


@dataclass(frozen=True)
class RetentionRunResult:
    """Counts only (the worker logs them)."""

    destroyed: int = 0
    kept: int = 0
    idempotency_records: int = 0
    enrolment_links: int = 0
    staff_sessions: int = 0
    payloads: int = 0


# --- legal hold (division head) ---


def _require_division_head(actor: StaffActor) -> None:
    if actor.role != Role.division_head:
        raise AccessDenied("Only the division head sets or lifts a legal hold.")


async def set_hold(uow: UnitOfWork, actor: StaffActor, case_id: uuid.UUID, command: LegalHoldCreate) -> LegalHoldRead:
    """DATA-1: keep a case's content past its retention period (e.g. a lawsuit). Audited; the reason is encrypted."""
    case = await load_visible_case(uow, actor, case_id)  # first: a case one may not see answers 404 (ACC-1)
    _require_division_head(actor)
    if await uow.retention.hold(case.id) is not None:
        raise LegalHoldAlreadySet()
    hold = LegalHold(case_id=case.id, reason=command.reason, set_on=clock.now().date(), set_by=actor.user_id)
    uow.retention.add(hold)
    await uow.retention.flush()
    await audit.record(uow, actor, "case.legal_hold_set", case_id=case.id, target=str(hold.id))
    return _read(hold)


async def lift_hold(uow: UnitOfWork, actor: StaffActor, case_id: uuid.UUID, command: LegalHoldLift) -> LegalHoldRead:
    """DATA-1: the hold ends; the case's content goes at the next run if the period has ended. Audited."""
    case = await load_visible_case(uow, actor, case_id)  # first: a case one may not see answers 404 (ACC-1)
    _require_division_head(actor)
    hold = await uow.retention.hold(case.id)
    if hold is None:
        raise NoLegalHold()
    hold.lifted_on, hold.lifted_by, hold.lift_reason = clock.now().date(), actor.user_id, command.reason
    await uow.retention.flush()
    await audit.record(uow, actor, "case.legal_hold_lifted", case_id=case.id, target=str(hold.id))
    return _read(hold)


async def get_hold(uow: UnitOfWork, actor: StaffActor, case_id: uuid.UUID) -> LegalHoldRead | None:
    """The hold set on a case, or None (whoever may read the case sees it). Audited either way (AUD-1)."""
    case = await load_visible_case(uow, actor, case_id)
    hold = await uow.retention.hold(case.id)
    await audit.record(uow, actor, "case.legal_hold_read", case_id=case.id, target=str(hold.id) if hold else None)
    return _read(hold) if hold else None


def _read(hold: LegalHold) -> LegalHoldRead:
    return LegalHoldRead(
        id=hold.id,
        case_id=hold.case_id,
        reason=hold.reason,
        set_on=hold.set_on,
        set_by=hold.set_by,
        lifted_on=hold.lifted_on,
        lifted_by=hold.lifted_by,
        lift_reason=hold.lift_reason,
    )


# --- the worker's job ---


async def run_retention(uow: UnitOfWork, today: date) -> RetentionRunResult:
    """The periodic job: destroy what DATA-1 allows today, then purge what has no reason to stay."""
    destroyed, kept = await destroy_due(uow, today)
    purged = await purge(uow, clock.now())
    return RetentionRunResult(destroyed, kept, *purged)


async def destroy_due(uow: UnitOfWork, today: date) -> tuple[int, int]:
    """DATA-1: destroy the content of every case the rule allows today; (destroyed, kept by an exception)."""
    s = uow.settings
    years = max(s.retention_years, s.watch_years_after_closing)
    # Candidates: closed at least `years` ago (the rule decides the exact day and the exceptions).
    candidates = await uow.retention.closed_before(add_months(today, -12 * years), BATCH)
    destroyed = kept = 0
    store = file_store(uow)
    for case in candidates:
        if kept_because(await _facts(uow, case), today, s.retention_years, s.watch_years_after_closing) is not None:
            kept += 1
            continue
        names = await uow.retention.destroy_content(case.id)
        case.received_at = f"{case.opened_on.isoformat()}T00:00:00+00:00"  # the exact time of receipt goes (INT-1)
        case.respondent_mac = case.respondent_employee_id = None
        case.content_destroyed_on = today
        await uow.retention.flush()
        await audit.record(uow, RETENTION, "case.content_destroyed", case_id=case.id)
        if names:
            uow.retention.after_commit(lambda names=names: _remove_files(store, names))
        destroyed += 1
    return destroyed, kept


def _remove_files(store: FileStore, names: list[str]) -> None:
    for name in names:
        store.remove(name)


async def _facts(uow: UnitOfWork, case: Case) -> RetentionFacts:
    return RetentionFacts(
        closed_on=case.closed_on,
        content_destroyed_on=case.content_destroyed_on,
        active_orders=await uow.retention.active_orders(case.id),
        pending_sanctions=await uow.retention.pending_sanctions(case.id),
        legal_hold=await uow.retention.hold(case.id) is not None,
    )


async def purge(uow: UnitOfWork, now: datetime) -> tuple[int, int, int, int]:
    """Expired idempotency records (INT-5's day is over), used or expired enrolment links, ended staff sign-ins
    with their refresh tokens, and webhook payloads delivered more than `delivered_payload_days` ago. Inbox
    sessions are signed tokens that are never stored, so none are left to purge."""
    s = uow.settings
    return (
        await uow.retention.purge_idempotency(now),
        await uow.retention.purge_enrolment_links(now),
        await uow.retention.purge_ended_sessions(
            now - timedelta(hours=s.session_absolute_hours), now - timedelta(minutes=s.session_idle_minutes)
        ),
        await uow.retention.drop_delivered_payloads(now - timedelta(days=s.delivered_payload_days)),
    )
