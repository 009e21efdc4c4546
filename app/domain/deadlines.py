"""CASE-2: deadlines from the receipt, in calendar days and calendar months."""

from __future__ import annotations

import calendar
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, timedelta
from uuid import UUID

from app.domain.enums import DeadlineKind, OrgKind, ReporterKind, Role, Team
from app.domain.errors import Conflict, RuleViolation
from app.domain.identity import in_assigned_team

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
    return due + _ministry_notification(received_on, org_kind, victim_objects_to_ministry)


def _ministry_notification(on: date, org_kind: OrgKind | None, victim_objects_to_ministry: bool) -> list[Deadline]:
    """A public body notifies the ministry at once (the same day) unless the victim objects."""
    if org_kind in PUBLIC_BODIES and not victim_objects_to_ministry:
        return [Deadline(DeadlineKind.ministry_notification, on)]
    return []


def deadlines_when_workplace_known(
    known_on: date, org_kind: OrgKind, victim_objects_to_ministry: bool, substantiated_on: date | None
) -> list[Deadline]:
    """CASE-2: the public body's duties a workplace learnt after the receipt implies: the ministry notification
    at once (from the day it is known, unless the victim objected) and, after a substantiated finding, the
    prevention plan — 3 calendar months from the finding, as the rule counts (overdue is flagged, never hidden)."""
    due = _ministry_notification(known_on, org_kind, victim_objects_to_ministry)
    if org_kind in PUBLIC_BODIES and substantiated_on is not None:
        due.append(prevention_plan_due(substantiated_on))
    return due


class WorkplaceAlreadyKnown(Conflict):
    code = "workplace-already-known"
    title = "The case's workplace kind is known already; it is set only where the report named none."


def check_workplace_unknown(current: OrgKind | None, new: OrgKind) -> bool:
    """CASE-2: a workplace learnt after the receipt is set once. True: it is new; False: the same kind again
    (nothing changes); another kind once one is known is refused (the deadlines it opened stay what they are)."""
    if current is None:
        return True
    if current != new:
        raise WorkplaceAlreadyKnown()
    return False


class ObjectionVictimOnly(RuleViolation):
    code = "objection-victim-only"
    title = "Only the victim objects to the ministry being notified; a third party's report cannot."


def check_objection(reporter_kind: ReporterKind, objects_to_ministry: bool) -> None:
    """CASE-2: "unless the victim objects" — a third party's objection is refused, never silently dropped."""
    if objects_to_ministry and reporter_kind != ReporterKind.victim:
        raise ObjectionVictimOnly()


def victim_objects(reporter_kind: ReporterKind, objects_to_ministry: bool) -> bool:
    """CASE-2: whether a stored report carries the victim's objection (one a third party stored before the check
    above existed does not count)."""
    return objects_to_ministry and reporter_kind == ReporterKind.victim


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


def is_overdue(earliest_unmet: date | None, met_late: bool, today: date) -> bool:
    """CASE-2: is_breached for any of a case's deadlines, from the two facts the case keeps (migration 0029): a
    deadline was met late, or the earliest unmet one has passed its due day (then some unmet one has)."""
    return met_late or (earliest_unmet is not None and is_breached(earliest_unmet, None, today))


# CASE-2: the status changes that meet deadlines.
MET_BY_STATUS = {"triaged": frozenset({DeadlineKind.triage}), "decided": frozenset({DeadlineKind.investigation})}

# --- feedback: met by the message that gives it ---


class FeedbackToReporterOnly(RuleViolation):
    code = "feedback-to-reporter-only"
    title = "Only a message to the reporter can be feedback on the outcome; an internal note cannot."


def check_feedback_flag(internal: bool, feedback: bool) -> None:
    """CASE-2: feedback is given to the reporter, so an internal note is never marked as feedback."""
    if internal and feedback:
        raise FeedbackToReporterOnly()


def meets_feedback(internal: bool, feedback: bool) -> bool:
    """CASE-2 (EU 2019/1937 art. 9): the feedback deadline is met by a message to the reporter that the handler
    marks as feedback on the outcome — not by any reply."""
    return feedback and not internal


# --- the public body's duties, recorded as done by staff ---

# Done outside WithU (a notice to the ministry, a plan adopted): the case team records each as done, with who,
# the day and the document's reference. Nothing else meets them, so they outlive the case until recorded
# (app/domain/escalation.py: OUTLIVE_THE_CASE).
RECORDED_BY_STAFF = frozenset({DeadlineKind.ministry_notification, DeadlineKind.prevention_plan})
REFERENCE_MAX = 100


class DeadlineNotRecorded(RuleViolation):
    code = "deadline-not-recorded-by-hand"
    title = "Only the ministry notification and the prevention plan are recorded as done; WithU meets the others."


class DeadlineAlreadyMet(Conflict):
    code = "deadline-already-met"
    title = "This deadline was recorded as met already."


class DoneOnOutOfRange(RuleViolation):
    code = "done-on-out-of-range"
    title = "The day it was done is neither in the future nor before the case opened."


def check_recordable(kind: DeadlineKind, met_on: date | None, done_on: date, opened_on: date, today: date) -> None:
    """CASE-2: staff record a public body's duty once, on a day from the case's opening to today."""
    if kind not in RECORDED_BY_STAFF:
        raise DeadlineNotRecorded()
    if met_on is not None:
        raise DeadlineAlreadyMet()
    if not opened_on <= done_on <= today:
        raise DoneOnOutOfRange()


def may_record(user_id: UUID, role: Role, team: Team | None, case_team: Team, handler_ids: Collection[UUID]) -> bool:
    """CASE-2: who records a duty as done or sets a workplace learnt later: the assigned case team (the case's
    handlers and its team's lead) and the division head."""
    return role == Role.division_head or in_assigned_team(user_id, role, team, case_team, handler_ids)


# Deadlines that concern the reporter (shown in the inbox).
REPORTER_FACING = frozenset({DeadlineKind.acknowledgement, DeadlineKind.feedback})
