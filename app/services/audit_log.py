"""AUD-1 for its readers: the auditor searches and verifies the log; the case team sees a case's timeline.
Entries say who, what, when and which case, never content; a case reference in a target is withheld (SD-2)."""

from __future__ import annotations

import uuid
from datetime import date

from app.db.models import AuditEntry
from app.db.uow import UnitOfWork
from app.domain.accounts import AUDIT_ROLES, require_role
from app.domain.audit_view import day_bounds, shown_target, summary_code
from app.schemas.audit import (
    AuditEntryRead,
    AuditPage,
    TimelineActor,
    TimelineItem,
    TimelineRead,
    VerificationCreate,
    VerificationRead,
)
from app.services import audit
from app.services.actors import StaffActor
from app.services.cases import load_visible_case


def _entry_read(entry: AuditEntry) -> AuditEntryRead:
    return AuditEntryRead(
        chain=entry.chain,
        seq=entry.seq,
        at=entry.at,
        actor_kind=entry.actor_kind,
        actor_id=entry.actor_id,
        action=entry.action,
        case_id=entry.case_id,
        target=shown_target(entry.action, entry.target),
        hash=entry.hash,
    )


async def search_entries(
    uow: UnitOfWork,
    actor: StaffActor,
    *,
    action: str | None,
    actor_id: str | None,
    case_id: uuid.UUID | None,
    start: date | None,
    end: date | None,
    offset: int,
    limit: int,
) -> AuditPage:
    """AUD-1: the auditor searches the log (newest first, each entry with its chain and number, INT-1); the search
    itself is logged."""
    require_role(actor.role, AUDIT_ROLES)
    at_from, at_before = day_bounds(start, end)
    rows, total = await uow.audit.search(
        action=action,
        actor_id=actor_id,
        case_id=case_id,
        at_from=at_from,
        at_before=at_before,
        offset=offset,
        limit=limit,
    )
    await audit.record(uow, actor, "audit.searched")
    return AuditPage(items=[_entry_read(e) for e in rows], total=total, offset=offset, limit=limit)


async def verify_for_auditor(uow: UnitOfWork, actor: StaffActor, command: VerificationCreate) -> VerificationRead:
    """AUD-1: walk both chains as `withu audit verify` does (the same `audit.verify`), each optionally against
    an anchor recorded earlier. The verification is logged after the walk."""
    require_role(actor.role, AUDIT_ROLES)
    anchor = reporter_anchor = None
    if command.anchor_seq is not None and command.anchor_hash is not None:
        anchor = (command.anchor_seq, command.anchor_hash)
    if command.reporter_anchor_seq is not None and command.reporter_anchor_hash is not None:
        reporter_anchor = (command.reporter_anchor_seq, command.reporter_anchor_hash)
    report = await audit.verify(uow, anchor, reporter_anchor)
    broken = report.broken
    await audit.record(uow, actor, "audit.verified", target="intact" if broken is None else "broken")
    main_head, reporter_head = report.main.head, report.reporter.head
    return VerificationRead(
        valid=broken is None,
        entries_checked=report.entries,
        first_broken_chain=broken.chain if broken else None,
        first_broken_seq=broken.broken.seq if broken and broken.broken else None,
        reason=broken.broken.reason if broken and broken.broken else None,
        head_seq=main_head[0] if main_head else None,
        head_hash=main_head[1] if main_head else None,
        reporter_head_seq=reporter_head[0] if reporter_head else None,
        reporter_head_hash=reporter_head[1] if reporter_head else None,
    )


async def case_timeline(
    uow: UnitOfWork, actor: StaffActor, case_id: uuid.UUID, *, offset: int, limit: int
) -> TimelineRead:
    """A case's audit entries, oldest first, for exactly those who may read the case (ACC-1, CASE-3: 404 for
    the recused). Staff appear by name and role as elsewhere in the case; reporters never by any id (INT-1).
    INT-1 (F6): no chain's numbers; what reporters' requests wrote says its day only and comes first in its day,
    by action — never between the exactly timed entries of staff."""
    case = await load_visible_case(uow, actor, case_id)
    await audit.record(uow, actor, "case.timeline_read", case_id=case.id)
    rows, total = await uow.audit.case_page(case.id, offset=offset, limit=limit)
    staff_ids = {uuid.UUID(e.actor_id) for e in rows if e.actor_kind == "staff" and e.actor_id}
    staff = {u.id: u for u in await uow.staff.users_by_ids(list(staff_ids))}
    items = []
    for entry in rows:
        person = staff.get(uuid.UUID(entry.actor_id)) if entry.actor_kind == "staff" and entry.actor_id else None
        items.append(
            TimelineItem(
                at=entry.at,
                action=entry.action,
                summary=summary_code(entry.action),
                actor=TimelineActor(
                    kind=entry.actor_kind,
                    user_id=person.id if person else None,
                    display_name=person.display_name if person else _machine_name(entry),
                    role=str(person.role) if person else None,
                ),
            )
        )
    return TimelineRead(items=items, total=total, offset=offset, limit=limit)


def _machine_name(entry: AuditEntry) -> str | None:
    """A machine client or the system is named by its id; a reporter or an anonymous submitter never."""
    return entry.actor_id if entry.actor_kind in ("client", "system") else None
