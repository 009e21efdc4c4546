"""The reporter's inbox, reached with the receipt code only (INT-4, INT-6, CASE-4)."""

from __future__ import annotations

import uuid
from datetime import timedelta

from app.db.models import Case, CaseDeadline, CaseMessage, Report
from app.db.uow import UnitOfWork
from app.domain import receipt
from app.domain.deadlines import REPORTER_FACING, is_breached
from app.domain.enums import DeadlineKind, MessageAuthor, ReporterKind
from app.domain.errors import CaseClosedForWriting, InvalidToken, ReceiptNotAccepted
from app.domain.lifecycle import is_open_for_writing
from app.domain.lockout import LockoutPolicy, is_locked, locked_until
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
from app.services import audit, clock
from app.services.actors import ReporterActor
from app.services.reporter_request import act_for_reporter
from app.services.security import issue_jwt, read_jwt, verify_secret

AUDIENCE = "inbox"


def receipt_lockout(uow: UnitOfWork) -> LockoutPolicy:
    s = uow.settings
    return LockoutPolicy(s.receipt_failures_before_lock, s.lock_base_seconds, s.lock_max_seconds)


async def open_session(uow: UnitOfWork, entered_code: str) -> TokenRead:
    """Exchange a receipt code for a short-lived inbox token. Unknown, wrong and locked codes answer alike."""
    act_for_reporter(uow)  # INT-1
    now = clock.now()
    code = receipt.normalize(entered_code)
    report = await uow.cases.report_by_locator(receipt.split(code)[0]) if code else None
    locked = report is not None and is_locked(report.receipt_locked_until, now)
    # The hash is checked even when there is nothing to check it against, so timing tells nothing.
    matches = await verify_secret(uow.settings, report.receipt_hash if report else None, code or entered_code)
    if report is None or locked or not matches:
        if report is not None and not locked:
            report.receipt_failures += 1
            report.receipt_locked_until = locked_until(report.receipt_failures, now, receipt_lockout(uow))
        raise ReceiptNotAccepted()
    report.receipt_failures = 0
    report.receipt_locked_until = None
    ttl = timedelta(minutes=uow.settings.inbox_token_minutes)
    token = issue_jwt(uow.settings, AUDIENCE, str(report.id), now, ttl, case=str(report.case_id))
    await audit.record(uow, ReporterActor(report.id, report.case_id), "inbox.opened", case_id=report.case_id)
    return TokenRead(access_token=token, expires_in=int(ttl.total_seconds()))


def reporter_from_token(uow: UnitOfWork, token: str) -> ReporterActor:
    """The reporter an inbox token stands for; the request then acts for a reporter (INT-1)."""
    claims = read_jwt(uow.settings, token, AUDIENCE)
    act_for_reporter(uow)
    try:
        return ReporterActor(report_id=uuid.UUID(claims["sub"]), case_id=uuid.UUID(claims["case"]))
    except (KeyError, ValueError) as exc:
        raise InvalidToken() from exc


async def _own_case(uow: UnitOfWork, actor: ReporterActor) -> tuple[Report, Case]:
    report = await uow.cases.report(actor.report_id)
    case = await uow.cases.case(actor.case_id)
    if report is None or case is None or report.case_id != case.id:
        raise InvalidToken()
    return report, case


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
    if not report.details.get("escrow"):
        return False
    messages = await uow.cases.messages(case.id, include_internal=False)
    return shown_as_held(
        True,
        case.status,
        team_wrote=any(m.author == MessageAuthor.staff for m in messages),
        measures_offered=bool(await uow.protection.measures(case.id)),
    )


async def read_inbox(uow: UnitOfWork, actor: ReporterActor) -> InboxRead:
    """The reporter's view: status, the deadlines that concern them, the conversation (never internal notes). A
    report held in escrow shows `sealed` and its acknowledgement only, until the case team acts (F4)."""
    report, case = await _own_case(uow, actor)
    held = await shown_held(uow, report, case)
    deadlines = [
        d
        for d in await uow.cases.deadlines(case.id)
        if d.kind in REPORTER_FACING and not (held and d.kind != DeadlineKind.acknowledgement)
    ]
    messages = await uow.cases.messages(case.id, include_internal=False)
    await audit.record(uow, actor, "inbox.read", case_id=case.id)
    return InboxRead(
        case_reference=case.reference,
        status=case.status,
        received_on=report.received_on,
        can_write=is_open_for_writing(case.status),
        sealed=held,
        deadlines=[deadline_read(d) for d in deadlines],
        messages=[InboxMessageRead(seq=m.seq, author=m.author, body=m.body, sent_on=m.sent_on) for m in messages],
        measures=[
            InboxMeasureRead(id=m.id, kind=m.kind, status=m.status, offered_on=m.offered_on)
            for m in await uow.protection.measures(case.id)
        ],
        can_answer_measures=report.reporter_kind == ReporterKind.victim and is_open_for_writing(case.status),
        secondary_damage_cases=[
            SecondaryDamageCaseRead(reference=c.reference, status=c.status)
            for c in await uow.cases.reported_through(case.id, report.id)
        ],
    )


async def send_message(uow: UnitOfWork, actor: ReporterActor, command: MessageCreate) -> MessageCreated:
    """CASE-4: the reporter writes to the case team; after `closed` the inbox is read-only."""
    _, case = await _own_case(uow, actor)
    if not is_open_for_writing(case.status):
        raise CaseClosedForWriting()
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
    return MessageCreated(seq=message.seq, sent_on=today)
