"""CASE-7: interim protective measures are applied only with the victim's recorded wish."""

from __future__ import annotations

from app.domain.enums import MeasureStatus, ReporterKind
from app.domain.errors import AccessDenied, Conflict, RuleViolation


class VictimWishRequired(RuleViolation):
    code = "victim-wish-required"
    title = "A protective measure is applied only after the victim has accepted it."


class MeasureAnswered(Conflict):
    code = "measure-answered"
    title = "This measure has been answered already."


class OnlyTheVictimAnswers(AccessDenied):
    code = "only-the-victim-answers"
    title = "Only the victim answers an offered measure."


def check_answer(status: MeasureStatus) -> None:
    """An offered measure is answered once (a new offer can follow a refusal)."""
    if status != MeasureStatus.offered:
        raise MeasureAnswered()


def check_reporter_may_answer(reporter_kind: ReporterKind) -> None:
    """CASE-7: through the inbox only a victim answers; a witness cannot decide for the victim."""
    if reporter_kind != ReporterKind.victim:
        raise OnlyTheVictimAnswers()


def check_apply(status: MeasureStatus) -> None:
    """CASE-7: the victim is never moved or put on leave against their will."""
    if status != MeasureStatus.accepted:
        raise VictimWishRequired()
