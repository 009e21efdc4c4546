"""AUD-1: append entries to the hash-chained audit log, and verify its chains.

INT-1 (security review F6): an entry written in a reporter's request (`app.services.reporter_request`) — whoever
its actor — carries its day only and goes to the reporter chain; every other entry keeps its exact time in the
main chain. Each chain is numbered and hash-chained on its own, so the main chain's numbers and times cannot
bracket what a reporter did (docs/security.md, "Times")."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from app.db.models import AuditEntry
from app.db.uow import UnitOfWork
from app.domain.audit_chain import GENESIS, MAIN_CHAIN, REPORTER_CHAIN, ChainBreak, entry_hash, verify_chain
from app.services import clock
from app.services.actors import Actor, ReporterActor
from app.services.reporter_request import act_for_reporter, is_reporter_request, recorded_time


async def record(
    uow: UnitOfWork,
    actor: Actor | None,
    action: str,
    *,
    case_id: uuid.UUID | None = None,
    target: str | None = None,
    day_only: bool = False,
) -> AuditEntry:
    """Append one entry (who, what, when, which case — never content) to its chain. `day_only`: the entry
    carries its day only, as everything written in a reporter's request does (e.g. the separation order a report
    opens, F3)."""
    return (await record_many(uow, actor, action, [target], case_id=case_id, day_only=day_only))[0]


async def record_many(
    uow: UnitOfWork,
    actor: Actor | None,
    action: str,
    targets: Sequence[str | None],
    *,
    case_id: uuid.UUID | None = None,
    day_only: bool = False,
) -> list[AuditEntry]:
    """Append one entry per target, in order, for one act (the same actor, action, case and time), e.g. each order
    a refused placement check names: the same entries as one `record` per target, chained one after another, with
    one tail lookup and one flush instead of one each."""
    if not targets:
        return []
    kind, actor_id = actor.audit_id if actor is not None else ("anonymous", None)
    if isinstance(actor, ReporterActor):
        act_for_reporter(uow)  # a reporter acts: whatever marked the request, this one is a reporter's
    now = clock.now()
    at = clock.day_start(now) if day_only else recorded_time(uow, now)
    chain = REPORTER_CHAIN if is_reporter_request(uow) else MAIN_CHAIN
    seq, prev_hash = await uow.audit.lock_tail(chain) or (0, GENESIS)
    entries = []
    for target in targets:
        seq += 1
        entry = AuditEntry(
            chain=chain,
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


async def record_reads(uow: UnitOfWork, actor: Actor, action: str, case_ids: Sequence[uuid.UUID]) -> None:
    """AUD-1 for a list that shows something of several cases (e.g. an approvals inbox): one read entry per case
    shown, each naming its case, in the order listed."""
    for case_id in dict.fromkeys(case_ids):
        await record(uow, actor, action, case_id=case_id)


@dataclass(frozen=True)
class ChainReport:
    chain: str
    entries: int
    head: tuple[int, str] | None
    broken: ChainBreak | None


@dataclass(frozen=True)
class LogReport:
    """Both chains walked: the main chain and the reporter chain (INT-1), each with its head."""

    main: ChainReport
    reporter: ChainReport

    @property
    def entries(self) -> int:
        return self.main.entries + self.reporter.entries

    @property
    def broken(self) -> ChainReport | None:
        """The first chain found broken (the main chain first), or None when both are intact."""
        return next((c for c in (self.main, self.reporter) if c.broken is not None), None)


async def verify(
    uow: UnitOfWork, anchor: tuple[int, str] | None = None, reporter_anchor: tuple[int, str] | None = None
) -> LogReport:
    """AUD-1: walk both chains whole (each optionally against an anchor recorded earlier); report their heads."""
    return LogReport(
        await _verify_chain(uow, MAIN_CHAIN, anchor), await _verify_chain(uow, REPORTER_CHAIN, reporter_anchor)
    )


async def _verify_chain(uow: UnitOfWork, chain: str, anchor: tuple[int, str] | None) -> ChainReport:
    rows: list[tuple[int, str, str, dict[str, object]]] = []
    async for entry in uow.audit.stream(chain):
        rows.append((entry.seq, entry.prev_hash, entry.hash, entry.chained_fields()))
    head = (rows[-1][0], rows[-1][2]) if rows else None
    return ChainReport(chain, len(rows), head, verify_chain(rows, anchor))
