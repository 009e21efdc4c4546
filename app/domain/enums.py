"""The closed vocabularies of the rulebook."""

from enum import StrEnum


class ReporterKind(StrEnum):
    """INT-2: who submits."""

    victim = "victim"
    third_party = "third_party"


class IdentityMode(StrEnum):
    """INT-2: how much of the reporter's identity is kept."""

    anonymous = "anonymous"
    confidential = "confidential"
    named = "named"


class Category(StrEnum):
    """INT-3: what the report is about."""

    sexual_harassment = "sexual_harassment"
    sexual_assault = "sexual_assault"
    stalking = "stalking"
    online = "online"
    secondary_damage = "secondary_damage"
    other = "other"


class OrgKind(StrEnum):
    """Where it happened: the city government, an affiliated institution, a contractor, a citizen's workplace."""

    smg = "smg"
    affiliated = "affiliated"
    contractor = "contractor"
    citizen_workplace = "citizen_workplace"


class CaseStatus(StrEnum):
    """CASE-1."""

    received = "received"
    triaged = "triaged"
    investigating = "investigating"
    decided = "decided"
    closed = "closed"
    withdrawn = "withdrawn"


class Finding(StrEnum):
    """CASE-1: the finding a `decided` case carries."""

    substantiated = "substantiated"
    not_substantiated = "not_substantiated"
    insufficient_evidence = "insufficient_evidence"


class Team(StrEnum):
    """CASE-3: the four teams of the gender-violence division."""

    intake_counselling = "intake_counselling"
    investigation = "investigation"
    victim_support_legal = "victim_support_legal"
    prevention_education = "prevention_education"


class Role(StrEnum):
    """Staff roles."""

    intake = "intake"
    investigator = "investigator"
    team_lead = "team_lead"
    division_head = "division_head"
    hr_officer = "hr_officer"
    auditor = "auditor"
    sysadmin = "sysadmin"


class ClientKind(StrEnum):
    """Machine clients."""

    hr_system = "hr_system"
    contractor_portal = "contractor_portal"


class DeadlineKind(StrEnum):
    """CASE-2."""

    acknowledgement = "acknowledgement"
    triage = "triage"
    feedback = "feedback"
    investigation = "investigation"
    ministry_notification = "ministry_notification"
    prevention_plan = "prevention_plan"
    contract_link = "contract_link"  # CON-1: link a contractor case to its contract


class MessageAuthor(StrEnum):
    """CASE-4: who wrote a message in a case's conversation."""

    reporter = "reporter"
    staff = "staff"
    system = "system"


class EmployeeStatus(StrEnum):
    active = "active"
    on_leave = "on_leave"
    retired = "retired"


class AssignmentKind(StrEnum):
    """SEP-2: shared work that connects people."""

    project = "project"
    duty = "duty"
    shift = "shift"
    committee = "committee"


class PersonnelEventKind(StrEnum):
    """Incremental change events from the personnel system."""

    transfer = "transfer"
    new_supervisor = "new_supervisor"
    joined_assignment = "joined_assignment"
    left_assignment = "left_assignment"
    leave = "leave"
    returned = "returned"
    retirement = "retirement"
    evaluation = "evaluation"
    discipline = "discipline"
    promotion_decision = "promotion_decision"
    training_decision = "training_decision"
    duties_removed = "duties_removed"
    dismissal = "dismissal"
    objection = "objection"
    # RET-1's list outside discipline (e.g. removal from post, an allowance cut, a lower grade, no budget or tools).
    loss_of_status = "loss_of_status"
    pay_cut = "pay_cut"
    demotion = "demotion"
    resources_withheld = "resources_withheld"


class OrderStatus(StrEnum):
    """SEP-6: active until lifted by a team lead, or ended when one of the two leaves the organisation."""

    active = "active"
    lifted = "lifted"
    ended = "ended"


class ConnectionKind(StrEnum):
    """SEP-2: ways two people are connected through work."""

    same_unit = "same_unit"
    chain_of_command = "chain_of_command"
    shared_assignment = "shared_assignment"


class ProtectedRole(StrEnum):
    """Protected persons of a case (RET-1)."""

    victim = "victim"
    reporter = "reporter"
    witness = "witness"
    helper = "helper"


class CaseOrigin(StrEnum):
    report = "report"
    retaliation_watch = "retaliation_watch"
    secondary_damage_report = "secondary_damage_report"


class OutboxStatus(StrEnum):
    pending = "pending"
    delivered = "delivered"


class DisclosureStatus(StrEnum):
    """CASE-5: a request to see the victim's identity, decided by a second person."""

    pending = "pending"
    approved = "approved"
    denied = "denied"


class VictimConsent(StrEnum):
    """CASE-5: the victim's consent to a disclosure, recorded where the law requires it."""

    given = "given"
    refused = "refused"
    not_required = "not_required"


class MeasureKind(StrEnum):
    """CASE-7: interim protective measures."""

    workplace_change = "workplace_change"
    paid_leave = "paid_leave"
    further_separation = "further_separation"
    counselling = "counselling"
    legal_support = "legal_support"
    other = "other"


class MeasureStatus(StrEnum):
    """CASE-7: offered → the victim accepts or declines → applied (only if accepted)."""

    offered = "offered"
    accepted = "accepted"
    declined = "declined"
    applied = "applied"


class QueueSort(StrEnum):
    """The case queue's order: newest first, or the nearest open deadline first (none: last)."""

    newest = "newest"
    next_deadline = "next_deadline"


class AccountChangeKind(StrEnum):
    """ACC-1 (security review F1): what a waiting change to a case-role account does."""

    creation = "creation"
    change = "change"
    reactivation = "reactivation"


class AccountChangeStatus(StrEnum):
    """ACC-1: a change to a case-role account waits for a division head; deactivation withdraws it."""

    pending = "pending"
    approved = "approved"
    declined = "declined"
    withdrawn = "withdrawn"


class EscrowMatchStatus(StrEnum):
    """CASE-8 (security review F4): a possible escrow match waits for the case team, who confirm (both reports
    are released) or decline (both stay sealed)."""

    pending = "pending"
    confirmed = "confirmed"
    declined = "declined"


class AlertKind(StrEnum):
    """Content-free alerts to the case team (security review F4, F11): what looks like probing or a flood."""

    escrow_limit = "escrow_limit"  # CASE-8: more escrow reports naming one person than the limit allows
    anonymous_orders = "anonymous_orders"  # SEP-1: several anonymous orders naming one employee in a day
