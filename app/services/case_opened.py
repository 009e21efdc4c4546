"""A case opened: everything that follows, in order, in this one place.

Three things open a case, each in its own use case, which writes the case, its report and its acknowledgement
and then calls one function here:

- `by_report`: a report through the public intake (`reports.submit_report`, also secondary damage reported with
  the original's reference);
- `through_inbox`: secondary damage reported in the original case's inbox (`secondary_damage.report_through_inbox`);
- `by_watch`: a review the retaliation watch opens (`retaliation.on_personnel_event`).

Each consequence lives in the service of its own noun and is called from here directly, fed by `ReportFacts` read
from the stored report, so a case released from escrow runs exactly what a case opened at once runs.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import date

from app.db.models import Case, CaseDeadline, EscrowMatch, Report
from app.db.uow import UnitOfWork
from app.domain import receipt
from app.domain.deadlines import deadlines_at_receipt, deadlines_for_review, victim_objects
from app.domain.enums import AlertKind, DeadlineKind, EscrowMatchStatus
from app.domain.intake import ReportFacts
from app.domain.matching import (
    SAME_RESPONDENT,
    Filing,
    MatchStep,
    join_identities,
    match_step,
    over_escrow_limit,
    stays_sealed,
    window_start,
)
from app.domain.secondary_damage import THROUGH_INBOX
from app.services import alerts, ambassadors, audit, clock, contracts, separation, statistics
from app.services.actors import SystemActor
from app.services.deadlines import deadline_policy
from app.services.report_facts import report_facts, stored_facts

MATCHING = SystemActor("matching")
REFERENCE_CHARS = 10


async def new_case_reference(uow: UnitOfWork) -> str:
    """An unguessable case reference (it may be handed to others for SD-2), never a sequence number."""
    while True:
        raw = receipt.encode(secrets.token_bytes(receipt.ENTROPY_BYTES))[:REFERENCE_CHARS]
        reference = f"WU-{raw[:5]}-{raw[5:]}"
        if not await uow.cases.reference_taken(reference):
            return reference


# --- the three openings ---


async def by_report(uow: UnitOfWork, case: Case, report: Report) -> None:
    """A case opened by a report through the public intake. CASE-8 first: the report is matched with every other
    naming the same respondent (`_match_same_respondent`). A report in escrow that is not linked at once stays
    sealed with only its acknowledgement deadline; any other starts running at once."""
    facts = report_facts(report)
    steps = await _match_same_respondent(uow, case, report, escrow=facts.escrow)
    if stays_sealed(facts.escrow, steps):
        case.sealed = True  # CASE-8: nothing runs, nobody sees it, until a second report names the same person
        _add_deadlines(uow, case, facts, case.opened_on, others=False)
        await separation.record_respondent(uow, case, facts.respondent_number)  # CASE-3 for its matches (F4)
    else:
        await _start_running(uow, case, facts, case.opened_on)


async def through_inbox(uow: UnitOfWork, case: Case, report: Report) -> None:
    """SD-2: secondary damage reported in the original case's inbox. Acknowledged at once (INT-7) with the
    review's deadlines and feedback (CASE-2: the team's replies reach the reporter in that inbox), then CASE-8
    matching as for any report naming an employee. The rest ran when the original case opened."""
    _add_review_deadlines(uow, case, acknowledged=True)
    await _match_same_respondent(uow, case, report, escrow=False)


def by_watch(uow: UnitOfWork, review: Case) -> None:
    """RET-2: a review the retaliation watch opens gets the review's deadlines, and nothing else (no reporter)."""
    _add_review_deadlines(uow, review, acknowledged=False)


# --- what they run ---


async def _start_running(
    uow: UnitOfWork, case: Case, facts: ReportFacts, from_day: date, *, released: bool = False
) -> None:
    """The case runs, from `from_day`: its deadlines; the protected persons and the separation order; an
    ambassador named goes under review; a contract named opens its follow-up; the support asked for is kept."""
    _add_deadlines(uow, case, facts, from_day, acknowledgement=not released)  # CASE-2, INT-7
    await separation.protect_and_separate(uow, case, facts)  # RET-1, SEP-1
    await ambassadors.on_case_opened(uow, case, facts)  # AMB-2
    await contracts.on_case_opened(uow, case, facts)  # CON-1
    await statistics.on_case_opened(uow, case, facts)  # WU-1


async def _match_same_respondent(uow: UnitOfWork, case: Case, report: Report, *, escrow: bool) -> list[MatchStep]:
    """CASE-8 and security review F4: the new report against every other naming the same respondent, as the
    domain's `match_step` says — linked at once (a sealed one released), a possible escrow match left for the
    case team to confirm (nothing linked or released, nothing said to anyone), or nothing. A report in escrow
    over the limit for its respondent is held out of matching and the team alerted. The answer and the inbox are
    the same whichever happened (`inbox.read_inbox`)."""
    if report.respondent_key is None:
        return []
    today = clock.now().date()
    others = await uow.cases.reports_naming(report.respondent_key, case.id)
    if escrow:
        since = window_start(today, uow.settings.escrow_window_days)
        earlier = sum(1 for r, _ in others if stored_facts(r).get("escrow") and r.received_on >= since)
        if over_escrow_limit(escrow, earlier, uow.settings.escrow_reports_per_respondent):
            report.escrow_held_out = True
            await alerts.count(uow, AlertKind.escrow_limit, report.respondent_key, alert_at=1)
    new, *filed = join_identities([_filing(report, sealed=escrow)] + [_filing(r, sealed=c.sealed) for r, c in others])
    steps = []
    for (other_report, other_case), other in zip(others, filed, strict=True):
        step = match_step(new, other)
        if step == MatchStep.link:
            await _link(uow, case, other_case, other_report, today)
        elif step == MatchStep.confirm:
            await _ask_team(uow, case, other_case, today)
        steps.append(step)
    if MatchStep.link in steps:
        await audit.record(uow, MATCHING, "case.linked", case_id=case.id)
    return steps


def _filing(report: Report, *, sealed: bool) -> Filing:
    """A report as matching sees it: the receipt it came with, keyed hashes of its reporter's employee number
    and e-mail (none when anonymous), whether it is in escrow and whether it is held out of matching."""
    facts = stored_facts(report)
    return Filing(
        receipt=str(facts.get(THROUGH_INBOX) or report.id),
        identity_keys=frozenset(facts.get("identity_keys", ())),
        sealed=sealed,
        held_out=report.escrow_held_out,
    )


async def _link(uow: UnitOfWork, case: Case, other_case: Case, other_report: Report, today: date) -> None:
    """CASE-8: the two cases are linked for the case team; the other is released if it was sealed."""
    await uow.protection.link(case.id, other_case.id, SAME_RESPONDENT, today)
    if other_case.sealed:
        await _release_from_escrow(uow, other_case, other_report, today)


async def _ask_team(uow: UnitOfWork, case: Case, other_case: Case, today: date) -> None:
    """F4: a possible escrow match waits for a team lead or the division head (`escrow.decide`). Audited without
    a case, so no case's history shows it before it is confirmed."""
    match = EscrowMatch(
        new_case_id=case.id, other_case_id=other_case.id, status=EscrowMatchStatus.pending, raised_on=today
    )
    uow.escrow.add(match)
    await uow.escrow.flush()
    await audit.record(uow, MATCHING, "matching.escrow_match_raised", target=str(match.id))


async def release_confirmed_match(uow: UnitOfWork, match: EscrowMatch) -> None:
    """F4: the case team confirmed a possible escrow match: the two cases are linked and whichever is sealed is
    released — what a link at filing does (CASE-8)."""
    today = clock.now().date()
    cases = await uow.cases.cases_by_id([match.new_case_id, match.other_case_id])
    new, other = cases[match.new_case_id], cases[match.other_case_id]
    await uow.protection.link(new.id, other.id, SAME_RESPONDENT, today)
    for case in (new, other):
        if case.sealed:
            await _release_from_escrow(uow, case, (await uow.cases.reports(case.id))[0], today)
    await audit.record(uow, MATCHING, "case.linked", case_id=new.id)


async def _release_from_escrow(uow: UnitOfWork, case: Case, report: Report, today: date) -> None:
    """CASE-8: a second report names the respondent: the sealed case starts running from today (its
    acknowledgement went out when it came in)."""
    case.sealed = False
    await _start_running(uow, case, report_facts(report), today, released=True)
    await audit.record(uow, MATCHING, "case.released_from_escrow", case_id=case.id)


async def directory_learned(uow: UnitOfWork, numbers: Iterable[str]) -> None:
    """SEP-1, RET-1: the directory learned employee numbers (a full sync). A running case that named one of them
    while it was unknown runs its separation again, from its stored report: the order opens now if both are
    known, as it would have at intake (an anonymous third party's still awaits triage, F11)."""
    for case_id in await separation.waiting_for(uow, numbers):
        case = (await uow.cases.cases_by_id([case_id]))[case_id]
        await separation.protect_and_separate(uow, case, report_facts((await uow.cases.reports(case.id))[0]), late=True)


def _add_deadlines(
    uow: UnitOfWork,
    case: Case,
    facts: ReportFacts,
    from_day: date,
    *,
    acknowledgement: bool = True,
    others: bool = True,
) -> None:
    """CASE-2 deadlines from `from_day`. A sealed report gets only its acknowledgement; the others start when it
    is released from escrow (CASE-8)."""
    policy = deadline_policy(uow)
    objects = victim_objects(facts.reporter_kind, facts.objects_to_ministry_notification)
    for deadline in deadlines_at_receipt(from_day, case.org_kind, objects, policy):
        is_acknowledgement = deadline.kind == DeadlineKind.acknowledgement
        if not (acknowledgement if is_acknowledgement else others):
            continue
        # INT-7: the acknowledgement goes out with the submission itself.
        met_on = from_day if is_acknowledgement else None
        uow.cases.add(CaseDeadline(case_id=case.id, kind=deadline.kind, due_on=deadline.due_on, met_on=met_on))


def _add_review_deadlines(uow: UnitOfWork, case: Case, *, acknowledged: bool) -> None:
    """CASE-2 deadlines of a secondary-damage review, from the day it opened; with a reporter (SD-2, through the
    inbox), the acknowledgement too, met at once (INT-7), and the feedback owed to any reporter."""
    today, policy = case.opened_on, deadline_policy(uow)
    due = deadlines_for_review(today, policy)
    if acknowledged:
        uow.cases.add(CaseDeadline(case_id=case.id, kind=DeadlineKind.acknowledgement, due_on=today, met_on=today))
        due += [d for d in deadlines_at_receipt(today, None, False, policy) if d.kind == DeadlineKind.feedback]
    for deadline in due:
        uow.cases.add(CaseDeadline(case_id=case.id, kind=deadline.kind, due_on=deadline.due_on))
