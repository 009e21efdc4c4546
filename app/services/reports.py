"""Report intake (INT-1 … INT-7): a report opens a case, acknowledged at once, with a receipt code. What follows
from the case opening is listed in `app/services/case_opened.py`."""

from __future__ import annotations

import secrets
import uuid
from datetime import datetime
from typing import Any

from app.db.case_keys import reporter_key
from app.db.encryption import cipher
from app.db.models import Case, CaseMessage, Report
from app.db.uow import UnitOfWork
from app.domain import receipt
from app.domain.deadlines import check_objection
from app.domain.enums import CaseOrigin, MessageAuthor
from app.domain.intake import check_report_shape
from app.domain.lifecycle import INITIAL_STATUS
from app.domain.matching import check_escrow
from app.domain.routing import route_team
from app.domain.secondary_damage import check_reference, links_to, normalize_reference
from app.schemas.report import ReportCreate, ReportReceipt
from app.services import audit, case_keys, case_opened, clock
from app.services.acknowledgements import ACKNOWLEDGEMENT, ESCROW_ACKNOWLEDGEMENT
from app.services.idempotency import IdempotencyKey, remember, replay
from app.services.report_facts import facts_to_store
from app.services.reporter_request import act_for_reporter
from app.services.security import hash_secret


async def submit_report(
    uow: UnitOfWork, command: ReportCreate, idempotency_key: str | None
) -> tuple[int, dict[str, Any]]:
    """Submit a report without an account; answer with the receipt code, once (INT-4, INT-5, INT-7)."""
    act_for_reporter(uow)  # INT-1: everything this request writes is dated by its day only
    now = clock.now()
    _check(command)
    code, receipt_hash = await _new_receipt(uow)  # INT-4: before the first statement, never under the write lock
    key = IdempotencyKey("reports", idempotency_key) if idempotency_key else None
    body = command.model_dump(mode="json")
    if key is not None and (stored := await replay(uow, key, body, now)) is not None:
        return stored  # INT-5: a retry gets the first answer
    case = await _open_case(uow, command, now)
    report = _file_report(uow, case, command, code, receipt_hash)
    case_keys.share_with_reporter(uow, case, report.id, reporter_key(code))
    message = ESCROW_ACKNOWLEDGEMENT if command.escrow else ACKNOWLEDGEMENT
    _acknowledge(uow, case, message)
    await uow.cases.flush()
    await audit.record(uow, None, "report.submitted", case_id=case.id)
    await case_opened.by_report(uow, case, report)
    await case_keys.share(uow, case)  # its readers, once its parties are known (CASE-3)
    response = _answer(code, case, message)
    if key is not None:
        await remember(uow, key, body, 201, response, now)
    return 201, response


def _check(command: ReportCreate) -> None:
    """INT-2: who reports and how; CASE-8: escrow needs the respondent's employee number; CASE-2: only the victim
    objects to the ministry notification."""
    check_report_shape(
        command.reporter_kind,
        command.identity_mode,
        has_identity=command.reporter is not None,
        names_victim=command.victim is not None,
    )
    check_escrow(command.escrow, bool(command.respondent and command.respondent.employee_number))
    check_objection(command.reporter_kind, command.objects_to_ministry_notification)


async def _new_receipt(uow: UnitOfWork) -> tuple[str, str]:
    """INT-4: a new receipt code and its Argon2id hash. Called before the first statement, so the ~150 ms of
    hashing never holds the database's write lock."""
    code = receipt.encode(secrets.token_bytes(receipt.ENTROPY_BYTES))
    return code, await hash_secret(uow.settings, code)


async def _open_case(uow: UnitOfWork, command: ReportCreate, now: datetime) -> Case:
    """A new case, routed to its team (CASE-3), or to the original's team for secondary damage (SD-2)."""
    org_kind = command.workplace.kind if command.workplace else None
    original = await original_case(uow, command)  # SD-2: linked and handled by the original's team
    case = Case(
        id=uuid.uuid4(),
        reference=await case_opened.new_case_reference(uow),
        status=INITIAL_STATUS,
        team=original.team if original else route_team(command.category, org_kind, uow.settings.routing),
        category=command.category,
        org_kind=org_kind,
        opened_on=now.date(),
        received_at=now.isoformat(),
        arrival=await uow.cases.next_arrival(now.date()),  # INT-1: an order, never a time
        parent_case_id=original.id if original else None,
        origin=CaseOrigin.secondary_damage_report if original else CaseOrigin.report,
    )
    case_keys.new_case(uow, case)  # issue 18: its key, before the case or any of its content is written
    uow.cases.add(case)
    await uow.cases.flush()
    return case


def _file_report(uow: UnitOfWork, case: Case, command: ReportCreate, code: str, receipt_hash: str) -> Report:
    """The report row: found by the receipt code's locator, opened by its hash (INT-4)."""
    locator, _ = receipt.split(code)
    details = _details(command)
    identity = command.reporter.model_dump(mode="json", exclude_none=True) if command.reporter else None
    report = Report(
        id=uuid.uuid4(),
        case_id=case.id,
        reporter_kind=command.reporter_kind,
        identity_mode=command.identity_mode,
        locator=locator,
        receipt_hash=receipt_hash,
        narrative=command.narrative,
        identity=identity,
        details=details,
        facts=facts_to_store(details, identity),
        respondent_key=_respondent_key(command),
        received_on=case.opened_on,
    )
    uow.cases.add(report)
    return report


def _acknowledge(uow: UnitOfWork, case: Case, message: str) -> None:
    """INT-7: the acknowledgement, the first message in the reporter's inbox, sent with the submission."""
    uow.cases.add(
        CaseMessage(
            case_id=case.id,
            seq=1,
            author=MessageAuthor.system,
            internal=False,
            body=message,
            sent_on=case.opened_on,
        )
    )


def _answer(code: str, case: Case, message: str) -> dict[str, Any]:
    """The receipt code, shown this once (INT-4), with the case reference and the acknowledgement."""
    return ReportReceipt(
        receipt_code=receipt.display(code),
        case_reference=case.reference,
        status=str(case.status),
        message=message,
    ).model_dump()


async def original_case(uow: UnitOfWork, command: ReportCreate) -> Case | None:
    """SD-2: the case a report of secondary damage names by its reference. An unknown (or sealed, CASE-8)
    reference links nothing and the report is routed as usual; the reporter is told the same either way, so
    references cannot be probed. The reference entered stays in the report's encrypted details."""
    check_reference(command.category, command.original_case_reference is not None)
    if command.original_case_reference is None:
        return None
    found = await uow.cases.case_by_reference(normalize_reference(command.original_case_reference))
    return found if found is not None and links_to(True, found.sealed) else None


def _details(command: ReportCreate) -> dict[str, Any]:
    """The body less the columns of its own (content: only the case's readers open it); what the server acts on is
    stored apart (`report_facts.facts_to_store`)."""
    return command.model_dump(
        mode="json",
        exclude_none=True,
        exclude={"reporter_kind", "identity_mode", "narrative", "reporter", "category"},
    )


def _respondent_key(command: ReportCreate) -> str | None:
    number = command.respondent.employee_number if command.respondent else None
    return cipher().lookup_mac("employee", number.upper()) if number else None
