"""Sanctions (SAN-1 … SAN-3, CASE-6) and penalty equivalence for secondary damage (SD-3): pure policy."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from uuid import UUID

from app.domain.enums import CaseStatus, Category, Finding, Role
from app.domain.errors import AccessDenied, Conflict, RuleViolation


class SanctionLevel(StrEnum):
    """SAN-1: the disciplinary levels (Local Public Officials Act art. 70), most severe first."""

    dismissal = "dismissal"  # 파면
    discharge = "discharge"  # 해임
    demotion = "demotion"  # 강등
    suspension = "suspension"  # 정직
    salary_reduction = "salary_reduction"  # 감봉
    reprimand = "reprimand"  # 견책


class SanctionStatus(StrEnum):
    proposed = "proposed"
    decided = "decided"
    rejected = "rejected"


L = SanctionLevel
ORDER: tuple[SanctionLevel, ...] = tuple(SanctionLevel)  # SAN-1: most severe first
HEAVY = frozenset(ORDER[:4])  # SAN-1: dismissal, discharge, demotion, suspension
MONTHS: dict[SanctionLevel, tuple[int, int]] = {L.suspension: (1, 3), L.salary_reduction: (1, 3)}
SD_MINIMUM = L.suspension  # SD-3: never lighter than suspension
DECIDERS = frozenset({Role.team_lead, Role.division_head})
# SAN-3: every category this system handles is sexual misconduct; secondary damage is also its cover-up.
SEXUAL_MISCONDUCT = frozenset(Category) - {Category.secondary_damage}
COVER_UP = frozenset({Category.secondary_damage})
NO_MITIGATION = SEXUAL_MISCONDUCT | COVER_UP


@dataclass(frozen=True, order=False)
class Penalty:
    level: SanctionLevel
    months: int | None = None

    @property
    def weight(self) -> tuple[int, int]:
        """Severity: the level first, then (for the same level) the longer duration."""
        return len(ORDER) - ORDER.index(self.level), self.months or 0


def is_heavy(level: SanctionLevel) -> bool:
    """SAN-1: heavy discipline is the first four levels."""
    return level in HEAVY


def heaviest(penalties: Iterable[Penalty]) -> Penalty | None:
    return max(penalties, key=lambda p: p.weight, default=None)


# --- errors -------------------------------------------------------------------------------------------------


class CaseNotSubstantiated(RuleViolation):
    code = "case-not-substantiated"
    title = "A sanction needs a case decided with a substantiated finding."


class DurationRequired(RuleViolation):
    code = "duration-required"
    title = "Suspension and salary reduction need a duration of 1 to 3 months."


class DurationOutOfBounds(RuleViolation):
    code = "duration-out-of-bounds"
    title = "Suspension and salary reduction last 1 to 3 months."


class DurationNotApplicable(RuleViolation):
    code = "duration-not-applicable"
    title = "Only suspension and salary reduction carry a duration."


class MitigationNotAllowed(RuleViolation):
    code = "no-mitigation-for-merit"
    title = "Mitigation for merit is never applied to sexual misconduct or to covering it up."


class NotADecider(AccessDenied):
    code = "not-a-decider"
    title = "Only a team lead or the division head decides a sanction."


class OwnProposal(AccessDenied):
    code = "four-eyes"
    title = "A second person decides: you cannot decide your own proposal."


class SanctionDecided(Conflict):
    code = "already-decided"
    title = "That proposal has been decided already."


class VictimOpinionRequired(RuleViolation):
    code = "victim-opinion-required"
    title = "The victim's opinion must be recorded before discipline is decided."


class BelowPenaltyFloor(RuleViolation):
    code = "below-penalty-floor"
    title = "A sanction for secondary damage is at least as severe as the original respondent's heaviest sanction, and never lighter than suspension."


class OriginalSanctionPending(Conflict):
    code = "original-sanction-pending"
    title = "The original respondent's sanction is not decided yet: the sanction for secondary damage cannot be finalised before it."


class RespondentRequired(RuleViolation):
    code = "respondent-required"
    title = "The case names no respondent in the directory: give an employee number or a label."


class RespondentAmbiguous(RuleViolation):
    code = "respondent-ambiguous"
    title = "Name the respondent by employee number or by label, not both."


class UnknownRespondent(RuleViolation):
    code = "unknown-employee"
    title = "That employee number is not in the personnel directory."


# --- checks -------------------------------------------------------------------------------------------------


def check_case_substantiated(status: CaseStatus, finding: Finding | None) -> None:
    """SAN-2: only a case decided as substantiated (and later closed, keeping its finding) is sanctioned."""
    if status not in (CaseStatus.decided, CaseStatus.closed) or finding != Finding.substantiated:
        raise CaseNotSubstantiated()


def check_duration(level: SanctionLevel, months: int | None) -> None:
    """SAN-1: suspension and salary reduction last 1–3 months; the other levels carry no duration."""
    bounds = MONTHS.get(level)
    if bounds is None:
        if months is not None:
            raise DurationNotApplicable()
        return
    if months is None:
        raise DurationRequired()
    if not bounds[0] <= months <= bounds[1]:
        raise DurationOutOfBounds(f"{level} lasts {bounds[0]} to {bounds[1]} months.")


def check_mitigation(mitigation_for_merit: bool, category: Category) -> None:
    """SAN-3: no mitigation for merit for sexual misconduct or its cover-up (every category handled here)."""
    if mitigation_for_merit and category in NO_MITIGATION:
        raise MitigationNotAllowed()


def check_decider(decider_id: UUID, decider_role: Role, proposer_id: UUID) -> None:
    """SAN-2: a `team_lead` or `division_head` decides, never the proposer (four eyes)."""
    if decider_role not in DECIDERS:
        raise NotADecider()
    if decider_id == proposer_id:
        raise OwnProposal()


def check_respondent(by_number: bool, by_label: bool, case_names_employee: bool) -> None:
    """SAN-2: a sanction is for one person — the case's respondent unless another is named."""
    if by_number and by_label:
        raise RespondentAmbiguous()
    if not (by_number or by_label or case_names_employee):
        raise RespondentRequired()


def check_open(status: SanctionStatus) -> None:
    if status != SanctionStatus.proposed:
        raise SanctionDecided()


def check_victim_opinion(recorded: bool) -> None:
    """CASE-6, SAN-3: discipline is decided only after the victim's opinion is on record."""
    if not recorded:
        raise VictimOpinionRequired()


# --- penalty equivalence (SD-3) -----------------------------------------------------------------------------


@dataclass(frozen=True)
class OriginalFacts:
    """The original case of a secondary-damage case, as far as SD-3 needs it."""

    status: CaseStatus
    finding: Finding | None
    decided: tuple[Penalty, ...]  # the decided sanctions of the original respondent
    pending: int  # the original respondent's proposals not decided yet


def names_case_respondent(case_respondent_id: UUID | None, named_id: UUID | None) -> bool:
    """SD-3: whether a sanction is for the case's respondent — the employee the case names (`named_id` None: a
    label, someone outside the directory). A case naming nobody in the directory has nobody to tell apart: every
    sanction on it is taken as the respondent's (docs/sanctions.md)."""
    return case_respondent_id is None or named_id == case_respondent_id


def for_secondary_damage(category: Category, names_respondent: bool) -> bool:
    """SD-3 by person, not only by category: a sanction on a secondary-damage case, and a sanction on any other
    case for someone other than its respondent (who harmed the victim afterwards or covered it up), is for
    secondary damage and held to the floor."""
    return category == Category.secondary_damage or not names_respondent


def category_floor(category: Category) -> Penalty | None:
    """SD-3: the floor a case's category sets for its respondent's sanctions (secondary damage: suspension)."""
    return Penalty(SD_MINIMUM, MONTHS[SD_MINIMUM][0]) if category == Category.secondary_damage else None


def penalty_floor(original_decided: Iterable[Penalty]) -> Penalty:
    """SD-3: the least sanction for secondary damage — suspension (1 month), or the original respondent's
    heaviest decided sanction if that is heavier."""
    floor = Penalty(SD_MINIMUM, MONTHS[SD_MINIMUM][0])
    top = heaviest(original_decided)
    return top if top is not None and top.weight > floor.weight else floor


def check_penalty_equivalence(proposed: Penalty, original_decided: Iterable[Penalty]) -> None:
    """SD-3: a lighter sanction is refused, naming the floor."""
    floor = penalty_floor(original_decided)
    if proposed.weight < floor.weight:
        raise BelowPenaltyFloor(
            f"The floor is {floor.level}" + (f" of {floor.months} month(s)." if floor.months else "."),
            floor=str(floor.level),
            floor_months=floor.months,
        )


def original_settled(original: OriginalFacts) -> bool:
    """SD-3: whether the original respondent's sanction is decided. A proposal still open, or an original case
    not decided yet, keeps it pending; a substantiated original is settled once a sanction is decided; an
    original decided without a substantiated finding will never have one, so nothing is pending."""
    if original.pending:
        return False
    if original.status not in (CaseStatus.decided, CaseStatus.closed, CaseStatus.withdrawn):
        return False
    if original.finding == Finding.substantiated:
        return bool(original.decided)
    return True


def check_finalisable(original: OriginalFacts | None) -> None:
    """SD-3: a sanction for secondary damage is not finalised before the original respondent's."""
    if original is not None and not original_settled(original):
        raise OriginalSanctionPending()
