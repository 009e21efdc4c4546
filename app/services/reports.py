"""Report intake (INT-1 … INT-7): a report opens a case, acknowledged at once, with a receipt code."""

from __future__ import annotations

import secrets
from datetime import date
from typing import Any

from app.db.encryption import cipher
from app.db.models import Case, CaseDeadline, CaseMessage, Report
from app.db.uow import UnitOfWork
from app.domain import receipt
from app.domain.deadlines import DeadlinePolicy, deadlines_at_receipt
from app.domain.enums import CaseOrigin, DeadlineKind, MessageAuthor
from app.domain.intake import check_report_shape
from app.domain.lifecycle import INITIAL_STATUS
from app.domain.matching import SAME_RESPONDENT, check_escrow, stays_sealed
from app.domain.routing import route_team
from app.domain.secondary_damage import check_reference, links_to, normalize_reference
from app.schemas.report import ReportCreate, ReportReceipt
from app.services import ambassadors, audit, clock, separation
from app.services.actors import SystemActor
from app.services.idempotency import IdempotencyKey, remember, replay
from app.services.security import hash_secret

ACKNOWLEDGEMENT = (
    "신고가 접수되었습니다. 사건 담당팀이 내용을 확인하고 이 수신함으로 연락드립니다. "
    "접수 코드는 다시 표시되지 않으니 안전한 곳에 보관해 주세요.\n\n"
    "Your report has been received. The case team will review it and reach you in this inbox. "
    "Your receipt code is not shown again: keep it somewhere safe."
)
REFERENCE_CHARS = 10


async def submit_report(
    uow: UnitOfWork, command: ReportCreate, idempotency_key: str | None
) -> tuple[int, dict[str, Any]]:
    """Submit a report without an account; answer with the receipt code, once (INT-4, INT-5, INT-7)."""
    now = clock.now()
    body = command.model_dump(mode="json")
    check_report_shape(
        command.reporter_kind,
        command.identity_mode,
        has_identity=command.reporter is not None,
        names_victim=command.victim is not None,
    )
    check_escrow(command.escrow, bool(command.respondent and command.respondent.employee_number))
    # Hashed before the first statement, so the ~150 ms of Argon2id never holds the database's write lock.
    code = receipt.encode(secrets.token_bytes(receipt.ENTROPY_BYTES))
    receipt_hash = await hash_secret(uow.settings, code)
    key = IdempotencyKey("reports", idempotency_key) if idempotency_key else None
    if key is not None and (stored := await replay(uow, key, body, now)) is not None:
        return stored

    settings = uow.settings
    today = now.date()
    org_kind = command.workplace.kind if command.workplace else None
    original = await original_case(uow, command)  # SD-2: linked and handled by the original's team
    case = Case(
        reference=await new_case_reference(uow),
        status=INITIAL_STATUS,
        team=original.team if original else route_team(command.category, org_kind, settings.routing),
        category=command.category,
        org_kind=org_kind,
        opened_on=today,
        received_at=now.isoformat(),
        parent_case_id=original.id if original else None,
        origin=CaseOrigin.secondary_damage_report if original else CaseOrigin.report,
    )
    uow.cases.add(case)
    await uow.cases.flush()

    locator, _ = receipt.split(code)
    report = Report(
        case_id=case.id,
        reporter_kind=command.reporter_kind,
        identity_mode=command.identity_mode,
        locator=locator,
        receipt_hash=receipt_hash,
        narrative=command.narrative,
        identity=command.reporter.model_dump(mode="json", exclude_none=True) if command.reporter else None,
        details=_details(command),
        respondent_key=_respondent_key(command),
        received_on=today,
    )
    uow.cases.add(report)
    uow.cases.add(
        CaseMessage(
            case_id=case.id,
            seq=1,
            author=MessageAuthor.system,
            internal=False,
            body=ACKNOWLEDGEMENT,
            sent_on=today,
        )
    )
    await uow.cases.flush()
    await audit.record(uow, None, "report.submitted", case_id=case.id)
    others = await link_same_respondent(uow, case, report)
    if stays_sealed(command.escrow, len(others)):
        case.sealed = True  # CASE-8: nothing runs, nobody sees it, until a second report names the same person
        add_deadlines(uow, case, today, command, others=False)
    else:
        await open_for_handling(uow, case, command, today)

    response = ReportReceipt(
        receipt_code=receipt.display(code),
        case_reference=case.reference,
        status=str(case.status),
        message=ACKNOWLEDGEMENT,
    ).model_dump()
    if key is not None:
        await remember(uow, key, body, 201, response, now)
    return 201, response


async def original_case(uow: UnitOfWork, command: ReportCreate) -> Case | None:
    """SD-2: the case a report of secondary damage names by its reference. An unknown (or sealed, CASE-8)
    reference links nothing and the report is routed as usual; the reporter is told the same either way, so
    references cannot be probed. The reference entered stays in the report's encrypted details."""
    check_reference(command.category, command.original_case_reference is not None)
    if command.original_case_reference is None:
        return None
    found = await uow.sanctions.case_by_reference(normalize_reference(command.original_case_reference))
    return found if found is not None and links_to(True, found.sealed) else None


def settings_policy(uow: UnitOfWork) -> DeadlinePolicy:
    s = uow.settings
    return DeadlinePolicy(
        acknowledgement_days=s.acknowledgement_days,
        triage_days=s.triage_days,
        feedback_months=s.feedback_months,
        investigation_days=s.investigation_days,
    )


async def open_for_handling(
    uow: UnitOfWork, case: Case, command: ReportCreate, today: date, *, released: bool = False
) -> None:
    """The case starts running: deadlines from today, protected persons and separation (SEP-1)."""
    add_deadlines(uow, case, today, command, acknowledgement=not released)
    await separation.protect_and_separate(uow, case, command)
    await ambassadors.on_case_opened(uow, case, command)  # AMB-2, CON-1, WU-1


async def link_same_respondent(uow: UnitOfWork, case: Case, report: Report) -> list[Case]:
    """CASE-8: link every other case naming the same respondent; release the sealed ones (escrow)."""
    if report.respondent_key is None:
        return []
    today = clock.now().date()
    others = await uow.protection.reports_naming(report.respondent_key, case.id)
    for other_report, other_case in others:
        await uow.protection.link(case.id, other_case.id, SAME_RESPONDENT, today)
        if other_case.sealed:
            other_case.sealed = False
            await open_for_handling(uow, other_case, stored_command(other_report, other_case), today, released=True)
            await audit.record(uow, SystemActor("matching"), "case.released_from_escrow", case_id=other_case.id)
    if others:
        await audit.record(uow, SystemActor("matching"), "case.linked", case_id=case.id)
    return [c for _, c in others]


def stored_command(report: Report, case: Case) -> ReportCreate:
    """The report as it was submitted, rebuilt from what is stored (for a report released from escrow)."""
    return ReportCreate.model_validate(
        {
            **report.details,
            "reporter_kind": report.reporter_kind,
            "identity_mode": report.identity_mode,
            "narrative": report.narrative,
            "reporter": report.identity,
            "category": case.category,
        }
    )


def add_deadlines(
    uow: UnitOfWork,
    case: Case,
    today: date,
    command: ReportCreate,
    *,
    acknowledgement: bool = True,
    others: bool = True,
) -> None:
    """CASE-2 deadlines from `today`. A sealed report gets only its acknowledgement; the others start when it
    is released from escrow (CASE-8)."""
    policy = settings_policy(uow)
    for deadline in deadlines_at_receipt(today, case.org_kind, command.objects_to_ministry_notification, policy):
        is_acknowledgement = deadline.kind == DeadlineKind.acknowledgement
        if not (acknowledgement if is_acknowledgement else others):
            continue
        # INT-7: the acknowledgement goes out with the submission itself.
        met_on = today if deadline.kind == DeadlineKind.acknowledgement else None
        uow.cases.add(CaseDeadline(case_id=case.id, kind=deadline.kind, due_on=deadline.due_on, met_on=met_on))


def _details(command: ReportCreate) -> dict[str, Any]:
    return command.model_dump(
        mode="json",
        exclude_none=True,
        exclude={"reporter_kind", "identity_mode", "narrative", "reporter", "category"},
    )


def _respondent_key(command: ReportCreate) -> str | None:
    number = command.respondent.employee_number if command.respondent else None
    return cipher().lookup_mac("employee", number.upper()) if number else None


async def new_case_reference(uow: UnitOfWork) -> str:
    """An unguessable case reference (it may be handed to others for SD-2), never a sequence number."""
    while True:
        raw = receipt.encode(secrets.token_bytes(receipt.ENTROPY_BYTES))[:REFERENCE_CHARS]
        reference = f"WU-{raw[:5]}-{raw[5:]}"
        if not await uow.cases.reference_taken(reference):
            return reference
