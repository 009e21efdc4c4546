"""Issue 18: a report's facts — what the server itself acts on — kept apart from its content, which only the case's
readers open. Every consequence of a report (separation, protection, recusal, matching, deadlines, statistics) reads
these, never the content."""

from __future__ import annotations

import uuid
from typing import Any

from app.db.encryption import cipher
from app.db.models import Report
from app.domain.enums import OrgKind
from app.domain.intake import ReportFacts
from app.domain.secondary_damage import THROUGH_INBOX
from app.domain.statistics import SupportKind


def facts_to_store(details: dict[str, Any], identity: dict[str, Any] | None) -> dict[str, Any]:
    """Issue 18: what the server itself must read of a report, kept apart from its content (which only the case's
    readers open): the employee numbers that separation, protection and recusal act on (the directory's own
    keys: SEP-1, RET-1, CASE-3), the ambassador and contract named (AMB-2, CON-1), the support asked for (WU-1),
    escrow and the ministry objection (CASE-8, CASE-2), the inbox it came through (SD-2), and keyed hashes of the
    reporter's employee number and e-mail for matching (CASE-8). Never a name, a description or free text."""
    respondent = details.get("respondent") or {}
    victim = details.get("victim") or {}
    workplace = details.get("workplace") or {}
    reporter = identity or {}  # INT-2: an anonymous report has none
    keys = set()
    if number := reporter.get("employee_number"):
        keys.add(cipher().lookup_mac("employee", str(number).upper()))
    if email := reporter.get("email"):
        keys.add(cipher().lookup_mac("reporter-email", str(email).strip().lower()))
    return {
        "reporter_number": reporter.get("employee_number"),
        "victim_number": victim.get("employee_number"),
        "respondent_number": respondent.get("employee_number"),
        "witness_numbers": _numbers(details.get("witnesses", ())),
        "helper_numbers": _numbers(details.get("helpers", ())),
        "ambassador_id": respondent.get("ambassador_id"),
        "workplace_kind": workplace.get("kind"),
        "contract_number": workplace.get("contract_number"),
        "support_requested": list(details.get("support_requested", ())),
        "escrow": bool(details.get("escrow", False)),
        "objects_to_ministry_notification": bool(details.get("objects_to_ministry_notification", False)),
        THROUGH_INBOX: details.get(THROUGH_INBOX),
        "identity_keys": sorted(keys),
    }


def stored_facts(report: Report) -> dict[str, Any]:
    """The report's stored facts; for a report from before they were kept apart, taken from its details and
    identity, which are then still under the master key (`withu migrate` stores them apart)."""
    if report.facts is not None:
        return report.facts
    return facts_to_store(report.details, report.identity)


def report_facts(report: Report) -> ReportFacts:
    """What the consequences read, from the report's stored facts (`facts_to_store`), never its content."""
    facts = stored_facts(report)
    ambassador_id = facts.get("ambassador_id")
    workplace_kind = facts.get("workplace_kind")
    return ReportFacts(
        reporter_kind=report.reporter_kind,
        identity_mode=report.identity_mode,
        reporter_number=facts.get("reporter_number"),
        victim_number=facts.get("victim_number"),
        respondent_number=facts.get("respondent_number"),
        witness_numbers=tuple(facts.get("witness_numbers", ())),
        helper_numbers=tuple(facts.get("helper_numbers", ())),
        ambassador_id=uuid.UUID(ambassador_id) if ambassador_id else None,
        workplace_kind=OrgKind(workplace_kind) if workplace_kind else None,
        contract_number=facts.get("contract_number"),
        support_requested=tuple(SupportKind(k) for k in facts.get("support_requested", ())),
        escrow=bool(facts.get("escrow", False)),
        objects_to_ministry_notification=bool(facts.get("objects_to_ministry_notification", False)),
    )


def _numbers(people: list[dict[str, str]]) -> list[str]:
    """The employee numbers of the people a report names (RET-1: witnesses, helpers)."""
    return [p["employee_number"] for p in people if p.get("employee_number")]
