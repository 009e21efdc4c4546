"""The reporter's inbox, reached with the receipt code only (INT-4, INT-6, CASE-4)."""

from __future__ import annotations

import uuid
from datetime import timedelta

from app.db.case_keys import reporter_key
from app.db.models import Case, CaseDeadline, CaseMessage, Report
from app.db.uow import UnitOfWork
from app.domain import receipt
from app.domain.deadlines import REPORTER_FACING, is_breached
from app.domain.enums import DeadlineKind, MessageAuthor, ReporterKind
from app.domain.errors import CaseContentDestroyed, InvalidToken, NotFound, ReceiptNotAccepted
from app.domain.lifecycle import check_reporter_may_write, is_open_for_writing
from app.domain.lockout import LockoutPolicy
from app.domain.matching import shown_as_held
from app.schemas.inbox import (
    DeadlineRead,
    InboxMessageRead,
    InboxRead,
    MessageCreate,
    MessageCreated,
    SecondaryDamageCaseRead,
    TokenRead,
)
from app.schemas.protection import InboxMeasureRead
from app.services import acknowledgements, audit, case_keys, clock
from app.services.actors import ReporterActor
from app.services.receipt_guesses import Guesser
from app.services.report_facts import stored_facts
from app.services.reporter_request import act_for_reporter
from app.services.security import issue_jwt, read_jwt, verify_secret

AUDIENCE = "inbox"


def receipt_lockout(uow: UnitOfWork) -> LockoutPolicy:
    s = uow.settings
    return LockoutPolicy(s.receipt_failures_before_lock, s.lock_base_seconds, s.lock_max_seconds)


async def open_session(uow: UnitOfWork, entered_code: str, guesser: Guesser) -> TokenRead:
    """Exchange a receipt code for a short-lived inbox token. Unknown, wrong and slowed codes answer alike, each
    after one Argon2 check; wrong ones slow only the client that makes them (INT-6, `receipt_guesses`)."""
    act_for_reporter(uow)  # INT-1
    now = clock.now()
    code = receipt.normalize(entered_code)
    locator = receipt.split(code)[0] if code else ""
    slowed = await guesser.is_slowed(locator)
    report = await uow.cases.report_by_locator(locator) if code else None
    stored_hash, found = (report.receipt_hash, (report.id, report.case_id)) if report else (None, None)
    await uow.rollback()  # SQLite: the read ends before the hash, so no writer waits on it (finding 1)
    # The hash is checked even when there is nothing to check it against, or the client is slowed: same cost.
    matches = await verify_secret(uow.settings, stored_hash, code or entered_code)
    if found is None or slowed or not matches:
        if not slowed:
            await guesser.failed(locator, receipt_lockout(uow))
        raise ReceiptNotAccepted()
    await guesser.succeeded(locator)
    report_id, case_id = found
    await _not_destroyed(uow, case_id)
    ttl = timedelta(minutes=uow.settings.inbox_token_minutes)
    # Issue 18: the token carries the key of the receipt code (never the code): it opens the reporter's cases.
    opens = case_keys.encode_secret(reporter_key(code))
    token = issue_jwt(uow.settings, AUDIENCE, str(report_id), now, ttl, case=str(case_id), rk=opens)
    await audit.record(uow, ReporterActor(report_id, case_id), "inbox.opened", case_id=case_id)
    return TokenRead(access_token=token, expires_in=int(ttl.total_seconds()))


def reporter_from_token(uow: UnitOfWork, token: str) -> ReporterActor:
    """The reporter an inbox token stands for; the request then acts for a reporter (INT-1)."""
    claims = read_jwt(uow.settings, token, AUDIENCE)
    act_for_reporter(uow)
    try:
        return ReporterActor(
            report_id=uuid.UUID(claims["sub"]),
            case_id=uuid.UUID(claims["case"]),
            reporter_key=case_keys.decode_secret(claims.get("rk")),
        )
    except (KeyError, ValueError) as exc:
        raise InvalidToken() from exc


async def _own_case(uow: UnitOfWork, actor: ReporterActor) -> tuple[Report, Case]:
    report = await uow.cases.report(actor.report_id)
    case = await uow.cases.case(actor.case_id)
    if report is None or case is None or report.case_id != case.id:
        raise InvalidToken()
    if case.content_destroyed_on is not None:
        raise CaseContentDestroyed()
    await case_keys.open_for_reporter(uow, actor)  # issue 18: their case's key, from their receipt code's
    return report, case


async def _not_destroyed(uow: UnitOfWork, case_id: uuid.UUID) -> None:
    """DATA-1: the right receipt code of a destroyed case answers as destroyed (410), not as unknown; the locator
    and the code's hash are kept for that. Only the right code gets this far, so it tells a guesser nothing."""
    case = await uow.cases.case(case_id)
    if case is not None and case.content_destroyed_on is not None:
        raise CaseContentDestroyed()


def deadline_read(row: CaseDeadline) -> DeadlineRead:
    return DeadlineRead(
        kind=row.kind,
        due_on=row.due_on,
        met_on=row.met_on,
        breached=is_breached(row.due_on, row.met_on, clock.now().date()),
    )


async def shown_held(uow: UnitOfWork, report: Report, case: Case) -> bool:
    """CASE-8 (security review F4): whether the reporter sees their report held in escrow — from filing until the
    case team acts on it, whether or not it has been matched or released meanwhile (`matching.shown_as_held`)."""
    if not stored_facts(report).get("escrow"):
        return False
    messages = await uow.cases.messages(case.id, include_internal=False)
    return shown_as_held(
        True,
        case.status,
        team_wrote=any(m.author == MessageAuthor.staff for m in messages),
        measures_offered=bool(await uow.protection.measures(case.id)),
    )


async def addressed_case(uow: UnitOfWork, report: Report, case: Case, reference: str | None) -> Case:
    """SD-2, CASE-4: the case a reporter's inbox request is about — the inbox's own (no reference, or its own), or a
    secondary-damage case reported through this inbox; any other reference is not found."""
    if reference is None or reference == case.reference:
        return case
    for reported in await uow.cases.reported_through(case.id, report.id):
        if reported.reference == reference:
            return reported
    raise NotFound()


async def read_inbox(uow: UnitOfWork, actor: ReporterActor) -> InboxRead:
    """The reporter's view: status, the deadlines that concern them, the conversation (never internal notes) — of
    the case and of the secondary-damage cases reported through this inbox, each message marked with its case
    (SD-2). A report held in escrow shows `sealed` and its acknowledgement only, until the case team acts (F4)."""
    report, case = await _own_case(uow, actor)
    held = await shown_held(uow, report, case)
    deadlines = [
        d
        for d in await uow.cases.deadlines(case.id)
        if d.kind in REPORTER_FACING and not (held and d.kind != DeadlineKind.acknowledgement)
    ]
    reported = await uow.cases.reported_through(case.id, report.id)
    messages = []
    for order, shown in enumerate([case, *reported]):
        for m in await uow.cases.messages(shown.id, include_internal=False):
            messages.append((m.sent_on, order, m.seq, _message_read(m, shown)))
        await audit.record(uow, actor, "inbox.read", case_id=shown.id)
    return InboxRead(
        case_reference=case.reference,
        status=case.status,
        received_on=report.received_on,
        can_write=is_open_for_writing(case.status),
        sealed=held,
        deadlines=[deadline_read(d) for d in deadlines],
        messages=[read for *_, read in sorted(messages, key=lambda row: row[:3])],
        measures=[
            InboxMeasureRead(id=m.id, kind=m.kind, status=m.status, offered_on=m.offered_on)
            for m in await uow.protection.measures(case.id)
        ],
        can_answer_measures=report.reporter_kind == ReporterKind.victim and is_open_for_writing(case.status),
        secondary_damage_cases=[
            SecondaryDamageCaseRead(
                reference=c.reference,
                status=c.status,
                can_write=is_open_for_writing(c.status),
                deadlines=[deadline_read(d) for d in await uow.cases.deadlines(c.id) if d.kind in REPORTER_FACING],
            )
            for c in reported
        ],
    )


def _message_read(m: CaseMessage, case: Case) -> InboxMessageRead:
    code = acknowledgements.code_of(m.body) if m.author == MessageAuthor.system else None
    return InboxMessageRead(
        seq=m.seq, author=m.author, body=m.body, sent_on=m.sent_on, case_reference=case.reference, code=code
    )


async def send_message(uow: UnitOfWork, actor: ReporterActor, command: MessageCreate) -> MessageCreated:
    """CASE-4: the reporter writes to the case team — of the inbox's case, or of a secondary-damage case reported
    through it (SD-2); a closed case is read-only."""
    report, own = await _own_case(uow, actor)
    case = await addressed_case(uow, report, own, command.case_reference)
    check_reporter_may_write(case.status)
    today = clock.now().date()
    message = CaseMessage(
        case_id=case.id,
        seq=await uow.cases.next_message_seq(case.id),
        author=MessageAuthor.reporter,
        internal=False,
        body=command.body,
        sent_on=today,
    )
    uow.cases.add(message)
    await uow.cases.flush()
    await audit.record(uow, actor, "message.from_reporter", case_id=case.id)
    return MessageCreated(seq=message.seq, sent_on=today, case_reference=case.reference)
