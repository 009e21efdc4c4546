"""Secondary damage reported through the inbox of the original case (SD-1, SD-2): a case of its own, linked to
the original and handled by the original's team; the reporter follows it in the same inbox.

(Anyone else reports it with the case reference through the public intake, `app/services/reports.py`; the
retaliation watch opens it by itself, `app/services/retaliation.py`.)"""

from __future__ import annotations

import secrets
import uuid

from app.db.encryption import cipher
from app.db.links import employee_mac
from app.db.models import Case, CaseMessage, Report
from app.db.uow import UnitOfWork
from app.domain import receipt
from app.domain.enums import CaseOrigin, Category, MessageAuthor
from app.domain.errors import InvalidToken
from app.domain.lifecycle import INITIAL_STATUS
from app.domain.secondary_damage import THROUGH_INBOX, check_inbox_original
from app.schemas.sanctions import SecondaryDamageCreate, SecondaryDamageReceipt
from app.services import audit, case_keys, case_opened, clock, inbox
from app.services.acknowledgements import SECONDARY_DAMAGE_ACKNOWLEDGEMENT as ACKNOWLEDGEMENT
from app.services.actors import ReporterActor
from app.services.report_facts import facts_to_store
from app.services.security import hash_secret


async def own_case(uow: UnitOfWork, actor: ReporterActor) -> tuple[Report, Case]:
    report = await uow.cases.report(actor.report_id)
    case = await uow.cases.case(actor.case_id)
    if report is None or case is None or report.case_id != case.id:
        raise InvalidToken()
    await case_keys.open_for_reporter(uow, actor)  # issue 18: their case's key, from their receipt code's
    return report, case


async def report_through_inbox(
    uow: UnitOfWork, actor: ReporterActor, command: SecondaryDamageCreate
) -> SecondaryDamageReceipt:
    """SD-2: the victim or reporter reports secondary damage in the inbox of the original case: a new case,
    linked to it, for the original's team (also after the original is closed — harm can come later)."""
    report, original = await own_case(uow, actor)
    check_inbox_original(await inbox.shown_held(uow, report, original))  # CASE-8, F4: as the inbox shows it
    now = clock.now()
    today = now.date()
    number = command.respondent.employee_number if command.respondent else None
    respondent = await uow.personnel.employee_by_number(number) if number else None
    case = Case(
        id=uuid.uuid4(),
        reference=await case_opened.new_case_reference(uow),
        status=INITIAL_STATUS,
        team=original.team,
        category=Category.secondary_damage,
        org_kind=original.org_kind,
        opened_on=today,
        received_at=now.isoformat(),
        arrival=await uow.cases.next_arrival(today),  # INT-1: an order, never a time
        parent_case_id=original.id,
        origin=CaseOrigin.secondary_damage_report,
        # CASE-3 recusal, SAN-2: by MAC and encrypted id (app.db.links).
        respondent_mac=employee_mac(respondent.employee_number) if respondent else None,
        respondent_employee_id=respondent.id if respondent else None,
    )
    case_keys.new_case(uow, case)  # issue 18: its own key, opened in the inbox it was reported through
    uow.cases.add(case)
    await uow.cases.flush()
    if actor.reporter_key is not None:
        case_keys.share_with_reporter(uow, case, actor.report_id, actor.reporter_key)
    # Its own report row (the narrative, the reporter as in the original); its receipt code is never issued:
    # the reporter follows the case in the inbox they are in.
    unused_code = receipt.encode(secrets.token_bytes(receipt.ENTROPY_BYTES))
    details = {
        "kinds": [str(k) for k in command.kinds],
        THROUGH_INBOX: str(report.id),
        **({"respondent": command.respondent.model_dump(exclude_none=True)} if command.respondent else {}),
    }
    sd_report = Report(
        case_id=case.id,
        reporter_kind=report.reporter_kind,
        identity_mode=report.identity_mode,
        locator=receipt.split(unused_code)[0],
        receipt_hash=await hash_secret(uow.settings, unused_code),
        narrative=command.narrative,
        identity=report.identity,
        details=details,
        facts=facts_to_store(details, report.identity),
        respondent_key=cipher().lookup_mac("employee", number.upper()) if number else None,
        received_on=today,
    )
    uow.cases.add(sd_report)
    uow.cases.add(
        CaseMessage(
            case_id=case.id, seq=1, author=MessageAuthor.system, internal=False, body=ACKNOWLEDGEMENT, sent_on=today
        )
    )
    await uow.cases.flush()
    await audit.record(uow, actor, "secondary_damage.reported", case_id=case.id)
    await audit.record(uow, actor, "secondary_damage.linked", case_id=original.id, target=case.reference)
    await case_opened.through_inbox(uow, case, sd_report)  # deadlines (CASE-2, INT-7), matching (CASE-8)
    await case_keys.share(uow, case)  # its readers (ACC-1)
    return SecondaryDamageReceipt(case_reference=case.reference, status=case.status, message=ACKNOWLEDGEMENT)
