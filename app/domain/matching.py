"""CASE-8: reports naming the same respondent are linked; escrow keeps a report sealed until a second,
independent report names the same person.

Security review F4: matching must not be an oracle. A report in escrow is released only by an *independent*
second reporter — not the same receipt, not the same reporter identity — and when independence cannot be told
(an anonymous reporter has no identity to compare) the case team confirms the match first. Escrow reports per
respondent are limited; one over the limit is kept sealed and never counts toward a release. And the reporter of
a report in escrow sees it held, whatever happened, until the case team acts on it."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from enum import StrEnum

from app.domain.enums import CaseStatus, Role
from app.domain.errors import Conflict, RuleViolation
from app.domain.lifecycle import INITIAL_STATUS

SAME_RESPONDENT = "same_respondent"


class EscrowNeedsRespondent(RuleViolation):
    code = "escrow-needs-respondent-number"
    title = "Escrow matches reports by the respondent's employee number: give it, or report without escrow."


# F4: who confirms or declines a possible escrow match (among those who would see both cases once released).
DECIDERS = frozenset({Role.team_lead, Role.division_head})


class EscrowMatchDecided(Conflict):
    code = "escrow-match-decided"
    title = "This possible escrow match has been decided already."


def check_undecided(pending: bool) -> None:
    """F4: a possible escrow match is decided once."""
    if not pending:
        raise EscrowMatchDecided()


def check_escrow(escrow: bool, has_respondent_number: bool) -> None:
    """CASE-8: escrow can only be released by a match on the respondent's employee number."""
    if escrow and not has_respondent_number:
        raise EscrowNeedsRespondent()


@dataclass(frozen=True)
class Filing:
    """One report as matching sees it (never its content)."""

    # The receipt it came with: its own, or that of the inbox it was reported through (SD-2).
    receipt: str
    # Keyed hashes of the reporter's employee number and e-mail; none for an anonymous reporter.
    identity_keys: frozenset[str] = field(default_factory=frozenset)
    # In escrow: its case is sealed (or, for the report being filed, it asks for escrow).
    sealed: bool = False
    # Over the escrow limit for its respondent: kept sealed, never counts toward a release.
    held_out: bool = False


def join_identities(filings: list[Filing]) -> list[Filing]:
    """The same filings, each with every identity key its reporter is known by among them: keys that appear
    together in one report (an employee number and an e-mail) name one reporter, so a report with only the number
    and another with only the e-mail are the same reporter too."""
    parent: dict[str, str] = {}

    def root(key: str) -> str:
        while parent.setdefault(key, key) != key:
            key = parent[key]
        return key

    for filing in filings:
        keys = sorted(filing.identity_keys)
        for key in keys:
            parent[root(key)] = root(keys[0])
    groups: dict[str, set[str]] = {}
    for key in list(parent):
        groups.setdefault(root(key), set()).add(key)
    return [
        replace(f, identity_keys=frozenset().union(*(groups[root(k)] for k in f.identity_keys)))
        if f.identity_keys
        else f
        for f in filings
    ]


class Independence(StrEnum):
    independent = "independent"  # two identified reporters, different
    same_reporter = "same_reporter"  # the same receipt, or a shared employee number or e-mail
    unknown = "unknown"  # an anonymous reporter on either side: nothing to compare


def independence(a: Filing, b: Filing) -> Independence:
    """CASE-8: whether two reports come from independent reporters, as far as the reports can tell."""
    if a.receipt == b.receipt or a.identity_keys & b.identity_keys:
        return Independence.same_reporter
    if a.identity_keys and b.identity_keys:
        return Independence.independent
    return Independence.unknown


class MatchStep(StrEnum):
    link = "link"  # linked now; whichever of the two is sealed is released (CASE-8)
    confirm = "confirm"  # the case team confirms first; nothing is linked or released until then (F4)
    none = "none"  # neither linked nor released


def match_step(new: Filing, other: Filing) -> MatchStep:
    """CASE-8, F4: what a new report naming the same respondent as `other` does. Two reports outside escrow are
    simply linked for the case team. With escrow on either side: a report over the escrow limit never counts, the
    same reporter twice never releases, two identified independent reporters release at once, and otherwise (an
    anonymous reporter) the case team confirms."""
    if not (new.sealed or other.sealed):
        return MatchStep.link
    if new.held_out or other.held_out:
        return MatchStep.none
    return {
        Independence.independent: MatchStep.link,
        Independence.same_reporter: MatchStep.none,
        Independence.unknown: MatchStep.confirm,
    }[independence(new, other)]


def stays_sealed(escrow: bool, steps: list[MatchStep]) -> bool:
    """CASE-8: a report in escrow stays sealed unless it is linked at once to another report (a confirmation
    releases it later)."""
    return escrow and MatchStep.link not in steps


def window_start(today: date, days: int) -> date:
    """The first day of the escrow limit's window of `days` days ending today."""
    return today - timedelta(days=days - 1)


def over_escrow_limit(escrow: bool, earlier_in_window: int, limit: int) -> bool:
    """F4: a report in escrow is held out of matching when `limit` escrow reports naming the same respondent came
    in the window before it. It is accepted and kept sealed like any other — refusing it would tell the reporter
    that others named the same person — but it never counts toward a release, and the team is alerted."""
    return escrow and earlier_in_window >= limit


def shown_as_held(escrow: bool, status: CaseStatus, team_wrote: bool, measures_offered: bool) -> bool:
    """F4: the reporter of a report in escrow sees it held ("sealed": only the acknowledgement, status received)
    until the case team acts on it — a status change, a message to the reporter, a measure offered — whether it
    is still sealed, waits for a confirmation, or was released. Nothing in the inbox tells whether another
    report named the same person."""
    team_acted = status != INITIAL_STATUS or team_wrote or measures_offered
    return escrow and not team_acted
