"""AUD-1 for readers of the log: what an entry shows the auditor and the case team, and the page bounds.
An entry is who, what, when, which case — never content; this module decides the little that is left."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from app.domain.errors import RuleViolation

MAX_PAGE = 200
# SD-2: this entry's target is the reference of another case, which is what a person hands over to report
# secondary damage linked to it. A reference works like a key, so the log reader sees the case id only.
REFERENCE_TARGETS = frozenset({"secondary_damage.linked"})
# Reads of case content (AUD-1 logs them as well); everything else changes something.
READ_ACTIONS = frozenset(
    {
        "ambassador.case_read",
        "case.assignable_read",
        "case.decision_proposals_read",
        "case.legal_hold_read",
        "case.next_steps_read",
        "case.read",
        "case.timeline_read",
        "evidence.listed",
        "evidence.downloaded",
        "inbox.read",
        "identity.disclosures_read",
        "inbox.evidence_listed",
        "joint_liability.read",
        "measure.listed",
        "obligation.listed",
        "obligation.read",
        "sanctions.read",
        "separation.read",
        "victim.opinions_read",
    }
)
# The area of an action (its first word), grouped into a short summary code the dashboard translates.
AREAS = {
    "case": "case",
    "message": "message",
    "report": "report",
    "inbox": "reporter",
    "evidence": "evidence",
    "identity": "identity",
    "measure": "measure",
    "victim": "victim",
    "separation": "separation",
    "sanction": "sanction",
    "sanctions": "sanction",
    "respondent": "sanction",
    "joint_liability": "sanction",
    "secondary_damage": "secondary_damage",
    "matching": "matching",
    "ambassador": "registry",
    "memorial_place": "registry",
    "contract": "registry",
    "obligation": "registry",
}


class DateRangeInvalid(RuleViolation):
    code = "date-range-invalid"
    title = "The date range must start on or before its end."


def shown_target(action: str, target: str | None) -> str | None:
    """SD-2: a case reference in a target is withheld from log readers (the case id says which case)."""
    return None if action in REFERENCE_TARGETS else target


def summary_code(action: str) -> str:
    """`<area>.read` or `<area>.change`, e.g. `evidence.read`, `case.change`; unknown areas are `other`."""
    area = AREAS.get(action.split(".", 1)[0], "other")
    return f"{area}.{'read' if action in READ_ACTIONS else 'change'}"


def day_bounds(start: date | None, end: date | None) -> tuple[datetime | None, datetime | None]:
    """Whole UTC days: from the start of `start` to the end of `end` (as an exclusive bound)."""
    if start is not None and end is not None and start > end:
        raise DateRangeInvalid()
    low = datetime.combine(start, time.min, tzinfo=UTC) if start else None
    high = datetime.combine(end + timedelta(days=1), time.min, tzinfo=UTC) if end else None
    return low, high
