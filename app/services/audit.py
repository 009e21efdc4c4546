"""AUD-1: append entries to the hash-chained audit log, and verify the chain."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from app.db.models import AuditEntry
from app.db.uow import UnitOfWork
from app.domain.audit_chain import GENESIS, ChainBreak, entry_hash, verify_chain
from app.services import clock
from app.services.actors import Actor, ReporterActor


async def record(
    uow: UnitOfWork,
    actor: Actor | None,
    action: str,
    *,
    case_id: uuid.UUID | None = None,
    target: str | None = None,
) -> AuditEntry:
    """Append one entry (who, what, when, which case — never content) to the chain."""
    return (await record_many(uow, actor, action, [target], case_id=case_id))[0]


async def record_many(
    uow: UnitOfWork,
    actor: Actor | None,
    action: str,
    targets: Sequence[str | None],
    *,
    case_id: uuid.UUID | None = None,
) -> list[AuditEntry]:
    """Append one entry per target, in order, for one act (the same actor, action, case and time), e.g. each order
    a refused placement check names: the same entries as one `record` per target, chained one after another, with
    one tail lookup and one flush instead of one each."""
    if not targets:
        return []
    kind, actor_id = actor.audit_id if actor is not None else ("anonymous", None)
    at = _audit_time(clock.now(), actor)
    seq, prev_hash = await uow.audit.lock_tail() or (0, GENESIS)
    entries = []
    for target in targets:
        seq += 1
        entry = AuditEntry(
            seq=seq,
            at=at,
            actor_kind=kind,
            actor_id=actor_id,
            action=action,
            case_id=case_id,
            target=target,
            prev_hash=prev_hash,
            hash="",
        )
        entry.hash = prev_hash = entry_hash(entry.prev_hash, entry.chained_fields())
        uow.audit.add(entry)
        entries.append(entry)
    await uow.session.flush()  # the next entry in this transaction chains to these
    return entries


def _audit_time(now: datetime, actor: Actor | None) -> datetime:
    """INT-1: what a reporter (or an anonymous submitter) does is logged with its day only."""
    if actor is None or isinstance(actor, ReporterActor):
        return now.replace(hour=0, minute=0, second=0, microsecond=0)
    return now


@dataclass(frozen=True)
class ChainReport:
    entries: int
    head: tuple[int, str] | None
    broken: ChainBreak | None


async def verify(uow: UnitOfWork, anchor: tuple[int, str] | None = None) -> ChainReport:
    """AUD-1: walk the whole chain (optionally against an anchor recorded earlier); report its head."""
    rows: list[tuple[int, str, str, dict[str, object]]] = []
    async for entry in uow.audit.stream():
        rows.append((entry.seq, entry.prev_hash, entry.hash, entry.chained_fields()))
    head = (rows[-1][0], rows[-1][2]) if rows else None
    return ChainReport(len(rows), head, verify_chain(rows, anchor))
