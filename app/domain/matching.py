"""CASE-8: reports naming the same respondent are linked; escrow keeps a report sealed until a second,
independent report names the same person."""

from __future__ import annotations

from app.domain.errors import RuleViolation

SAME_RESPONDENT = "same_respondent"


class EscrowNeedsRespondent(RuleViolation):
    code = "escrow-needs-respondent-number"
    title = "Escrow matches reports by the respondent's employee number: give it, or report without escrow."


def check_escrow(escrow: bool, has_respondent_number: bool) -> None:
    """CASE-8: escrow can only be released by a match on the respondent's employee number."""
    if escrow and not has_respondent_number:
        raise EscrowNeedsRespondent()


def stays_sealed(escrow: bool, other_reports: int) -> bool:
    """CASE-8: an escrowed report stays sealed until another report names the same respondent."""
    return escrow and other_reports == 0
