"""Secondary damage (SD-1, SD-2): what it is, and how a report of it finds the original case."""

from __future__ import annotations

from enum import StrEnum

from app.domain.enums import Category
from app.domain.errors import Conflict, RuleViolation

# A case opened through the inbox of another names that inbox's report (in its report's encrypted details), so
# the inbox can show it to the same reporter and to nobody else.
THROUGH_INBOX = "through_inbox_of"


class SecondaryDamageKind(StrEnum):
    """SD-1: harm to a victim or protected person in the course of the case or because of it."""

    ridicule = "ridicule"
    victim_blaming = "victim_blaming"
    ostracism = "ostracism"  # also exclusion, online too
    disclosure = "disclosure"  # of identity or of the case
    pressure_to_withdraw = "pressure_to_withdraw"
    rumours = "rumours"
    unfair_personnel_treatment = "unfair_personnel_treatment"  # RET-1's list
    other = "other"


class ReferenceOnlyForSecondaryDamage(RuleViolation):
    code = "reference-only-for-secondary-damage"
    title = "An original case reference is given only with a report of secondary damage."


class OriginalSealed(Conflict):
    code = "original-sealed"
    title = (
        "Your report is held in escrow, so nothing can be linked to it yet. To report secondary damage now, "
        "submit a new report (category secondary_damage): it is handled at once."
    )


def check_reference(category: Category, has_reference: bool) -> None:
    """SD-2: a case reference links a report to an original case only when it reports secondary damage."""
    if has_reference and category != Category.secondary_damage:
        raise ReferenceOnlyForSecondaryDamage()


def normalize_reference(entered: str) -> str:
    """Case references are entered by hand: case and surrounding spaces do not matter."""
    return entered.strip().upper()


def links_to(original_exists: bool, original_sealed: bool) -> bool:
    """SD-2: a report naming a case reference is linked to that case only if it exists and is not held in
    escrow (CASE-8: a sealed case is seen by nobody, so nothing may point at it). Otherwise it is routed like
    any other report — and the reporter is told the same either way, so references cannot be probed."""
    return original_exists and not original_sealed


def check_inbox_original(original_held: bool) -> None:
    """SD-2 through the inbox: a case held in escrow takes no linked report; the reporter can report anew. Held as
    the inbox shows it (CASE-8, security review F4: until the team acts, whether or not it was released), so this
    answer cannot tell a reporter that another report named the same person."""
    if original_held:
        raise OriginalSealed()
