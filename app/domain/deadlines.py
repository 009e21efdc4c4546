"""CASE-2: deadlines from the receipt, in calendar days and calendar months."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

from app.domain.enums import DeadlineKind, OrgKind

PUBLIC_BODIES = frozenset({OrgKind.smg, OrgKind.affiliated})


@dataclass(frozen=True)
class DeadlinePolicy:
    acknowledgement_days: int = 7
    triage_days: int = 3
    feedback_months: int = 3
    investigation_days: int = 30


@dataclass(frozen=True)
class Deadline:
    kind: DeadlineKind
    due_on: date


def add_months(day: date, months: int) -> date:
    """Calendar months: the same day number `months` later, or the month's last day where it has none."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def deadlines_at_receipt(
    received_on: date, org_kind: OrgKind | None, victim_objects_to_ministry: bool, policy: DeadlinePolicy
) -> list[Deadline]:
    """CASE-2: the deadlines that start with the receipt of a report.

    Feedback counts from the acknowledgement, which INT-7 sends at once, so from the day of receipt.
    Public bodies notify the gender-equality ministry at once (the same day) unless the victim objects.
    """
    due = [
        Deadline(DeadlineKind.acknowledgement, received_on + timedelta(days=policy.acknowledgement_days)),
        Deadline(DeadlineKind.triage, received_on + timedelta(days=policy.triage_days)),
        Deadline(DeadlineKind.feedback, add_months(received_on, policy.feedback_months)),
        Deadline(DeadlineKind.investigation, received_on + timedelta(days=policy.investigation_days)),
    ]
    if org_kind in PUBLIC_BODIES and not victim_objects_to_ministry:
        due.append(Deadline(DeadlineKind.ministry_notification, received_on))
    return due


def deadlines_for_review(opened_on: date, policy: DeadlinePolicy) -> list[Deadline]:
    """CASE-2 for a review the retaliation watch opened (RET-2): there is no reporter to acknowledge or to give
    feedback to, so only triage and investigation run."""
    return [
        Deadline(DeadlineKind.triage, opened_on + timedelta(days=policy.triage_days)),
        Deadline(DeadlineKind.investigation, opened_on + timedelta(days=policy.investigation_days)),
    ]


def prevention_plan_due(substantiated_on: date) -> Deadline:
    """CASE-2: a recurrence-prevention plan within 3 calendar months of a substantiated finding."""
    return Deadline(DeadlineKind.prevention_plan, add_months(substantiated_on, 3))


def is_breached(due_on: date, met_on: date | None, today: date) -> bool:
    """CASE-2: met late, or not met and the due day has passed. Overdue is flagged, never hidden."""
    if met_on is not None:
        return met_on > due_on
    return today > due_on


# CASE-2: the status changes that meet deadlines.
MET_BY_STATUS = {"triaged": frozenset({DeadlineKind.triage}), "decided": frozenset({DeadlineKind.investigation})}

# What meets which deadline. Feedback (EU 2019/1937 art. 9) is met by the case team's first answer in the inbox.
MET_BY_STAFF_MESSAGE = frozenset({DeadlineKind.feedback})

# Deadlines that concern the reporter (shown in the inbox).
REPORTER_FACING = frozenset({DeadlineKind.acknowledgement, DeadlineKind.feedback})
