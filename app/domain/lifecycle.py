"""CASE-1: the case lifecycle as one transition table."""

from __future__ import annotations

from app.domain.enums import CaseOrigin, CaseStatus, Finding
from app.domain.errors import CaseClosedForWriting, Conflict, IllegalTransition, RuleViolation

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


def check_reporter_may_write(status: CaseStatus) -> None:
    """CASE-4: the one check of every reporter write on a case — messages, answers to measures, opinions on
    discipline, files — refused after `closed` or `withdrawn` (409 case-closed). Reporting secondary damage is not
    a write on the closed case: it opens a case of its own (SD-2), so RET-1's watch after closing can be answered."""
    if not is_open_for_writing(status):
        raise CaseClosedForWriting()


class NoReporter(Conflict):
    code = "no-reporter"
    title = "A review the retaliation watch opened has no reporter to write to: save it as an internal note."


def check_reaches_a_reporter(origin: CaseOrigin) -> None:
    """CASE-4: a message to the reporter must reach one. A review opened by the retaliation watch (RET-2) has no
    reporter and no inbox; a secondary-damage case reported through an inbox answers in that inbox (SD-2)."""
    if origin == CaseOrigin.retaliation_watch:
        raise NoReporter()


class LastHandler(Conflict):
    code = "last-handler"
    title = "A case under investigation or decided keeps at least one assigned handler: assign another one first."


def check_unassign(status: CaseStatus, handlers_left: int) -> None:
    """CASE-3: a case has assigned handlers. Once investigated (and until it closes) its last handler is replaced,
    never removed — a decision needs a handler to propose it (F5), and the deadlines need someone to meet them."""
    if status in (S.investigating, S.decided) and handlers_left < 1:
        raise LastHandler()


def ends_case(target: CaseStatus) -> bool:
    """Closed and withdrawn cases carry a closing day (the retaliation watch counts from it, RET-1)."""
    return target in (S.closed, S.withdrawn)
