"""CASE-1: the case lifecycle as one transition table."""

from __future__ import annotations

from app.domain.enums import CaseStatus, Finding
from app.domain.errors import IllegalTransition, RuleViolation

S = CaseStatus

TRANSITIONS: dict[CaseStatus, frozenset[CaseStatus]] = {
    S.received: frozenset({S.triaged, S.withdrawn}),
    S.triaged: frozenset({S.investigating, S.withdrawn}),
    S.investigating: frozenset({S.decided, S.withdrawn}),
    S.decided: frozenset({S.closed}),
    S.closed: frozenset(),
    S.withdrawn: frozenset(),
}

INITIAL_STATUS = S.received


class FindingRequired(RuleViolation):
    code = "finding-required"
    title = "A decided case carries a finding; other statuses carry none."


def allowed_next(current: CaseStatus) -> list[CaseStatus]:
    """CASE-1: the statuses a case may move to from `current`, in lifecycle order."""
    return [s for s in CaseStatus if s in TRANSITIONS[current]]


def check_transition(current: CaseStatus, target: CaseStatus, finding: Finding | None) -> None:
    """CASE-1: refuse any transition that is not in the table; `decided` needs a finding."""
    if target not in TRANSITIONS[current]:
        raise IllegalTransition(
            f"A case in status '{current}' cannot move to '{target}'.",
            allowed=[str(s) for s in allowed_next(current)],
        )
    if (target == S.decided) != (finding is not None):
        raise FindingRequired()


def is_open_for_writing(status: CaseStatus) -> bool:
    """CASE-4: after `closed` (or `withdrawn`) the reporter can read but not write."""
    return status not in (S.closed, S.withdrawn)


def ends_case(target: CaseStatus) -> bool:
    """Closed and withdrawn cases carry a closing day (the retaliation watch counts from it, RET-1)."""
    return target in (S.closed, S.withdrawn)
