"""MAN-3: the manual is taught. Sessions per role of the manual and the yearly prevention training the law requires
of every workplace, who may schedule them, who must attend what, and completion per organisation and unit with
STAT-1 outside the case team. WU-1: #WithU education and expert training for citizens' workplaces are sessions
too, counted by headcount (their people are not in the personnel directory).

Completion (decisions, docs/manual.md "MAN-3"): in a calendar year every active employee of the directory must
attend a `yearly_prevention` session held that year, and every manager (an employee who heads a unit or
supervises someone) a `role_training` session for the `manager` role (or for `all`) held that year. A person
counts in the unit they belong to directly (no sub-units) and in their organisation."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from app.domain.access import works_cases
from app.domain.enums import Role, Team
from app.domain.errors import RuleViolation
from app.domain.statistics import Cell
from app.domain.suppression import Relation, suppress

EDUCATION_TEAM = Team.prevention_education
# Besides the case team, these read sessions and completion, with STAT-1 suppression.
OUTSIDE_READERS = frozenset({Role.hr_officer, Role.auditor})
NO_UNIT = ""


class SessionKind(StrEnum):
    yearly_prevention = "yearly_prevention"  # the prevention training the law requires of every workplace, yearly
    role_training = "role_training"  # what a role of the manual does (MAN-1)
    workplace_education = "workplace_education"  # WU-1: #WithU education for a citizen's workplace
    expert_training = "expert_training"  # WU-1: training of the experts who help citizens' workplaces


class Audience(StrEnum):
    """Whom a session is for: a role of the manual (MAN-1), or everyone."""

    all = "all"
    victim = "victim"
    witness = "witness"
    manager = "manager"
    hr = "hr"
    contractor = "contractor"
    case_team = "case_team"


WITHU_KINDS = (SessionKind.workplace_education, SessionKind.expert_training)


@dataclass(frozen=True)
class Requirement:
    """What someone must attend each calendar year: a session of `kind` for `audience` (or for all)."""

    kind: SessionKind
    audience: Audience

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.audience}"


YEARLY = Requirement(SessionKind.yearly_prevention, Audience.all)
MANAGERS = Requirement(SessionKind.role_training, Audience.manager)
REQUIREMENTS = (YEARLY, MANAGERS)


class SessionInvalid(RuleViolation):
    code = "session-invalid"
    title = "That session cannot be scheduled that way."


class SessionFull(RuleViolation):
    code = "session-full"
    title = "More attendees than the session's capacity."


class UnknownEmployees(RuleViolation):
    code = "unknown-employee"
    title = "Employee numbers not in the personnel directory; nothing was recorded."


class AttendanceInvalid(RuleViolation):
    code = "attendance-invalid"
    title = "Directory sessions take employee numbers; #WithU sessions take a headcount."


# --- who ---------------------------------------------------------------------------------------------------------


def may_manage(role: Role, team: Team | None) -> bool:
    """MAN-3: the prevention & education team (its team lead and members) and the division head schedule
    sessions, record attendance and send reminders."""
    return role == Role.division_head or (works_cases(role) and team == EDUCATION_TEAM)


def may_read(role: Role) -> bool:
    """The case team reads sessions and completion exactly; HR officers and auditors with STAT-1."""
    return works_cases(role) or role in OUTSIDE_READERS


# --- sessions ----------------------------------------------------------------------------------------------------


def is_withu(kind: SessionKind) -> bool:
    return kind in WITHU_KINDS


def check_session(kind: SessionKind, audience: Audience, *, workplace: str | None, in_directory_scope: bool) -> None:
    """A directory session may be scoped to an organisation (and a unit of it); a #WithU session names the
    citizen's workplace instead. The yearly training is for everyone; a role training for one role."""
    if is_withu(kind) and (workplace is None or in_directory_scope):
        raise SessionInvalid("A #WithU session names the citizen's workplace (`workplace`), not a directory scope.")
    if not is_withu(kind) and workplace is not None:
        raise SessionInvalid("Only #WithU sessions name a citizen's workplace.")
    if kind == SessionKind.yearly_prevention and audience != Audience.all:
        raise SessionInvalid("The yearly prevention training is for everyone (`role: all`).")


def check_capacity(capacity: int | None, attendees: int) -> None:
    if capacity is not None and attendees > capacity:
        raise SessionFull(f"{attendees} attendees, capacity {capacity}.")


def satisfies(kind: SessionKind, audience: Audience, requirement: Requirement) -> bool:
    return kind == requirement.kind and audience in (requirement.audience, Audience.all)


def requirements_for(is_manager: bool) -> tuple[Requirement, ...]:
    return REQUIREMENTS if is_manager else (YEARLY,)


# --- completion --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    """An active employee as completion sees them: where they count, whether they manage, what they attended
    this year (pairs of session kind and audience)."""

    number: str
    organisation: str
    unit: str  # NO_UNIT: directly under the organisation
    is_manager: bool
    attended: frozenset[tuple[SessionKind, Audience]]

    def completed(self, requirement: Requirement) -> bool:
        return any(satisfies(kind, audience, requirement) for kind, audience in self.attended)


@dataclass(frozen=True)
class Completion:
    required: Cell
    completed: Cell

    @property
    def percent(self) -> float | None:
        if self.required.count is None or self.completed.count is None or self.required.count == 0:
            return None
        return round(100 * self.completed.count / self.required.count, 1)


@dataclass(frozen=True)
class OrgCompletion:
    organisation: str
    total: Completion
    units: dict[str, Completion]  # by unit key (NO_UNIT included when someone has no unit)


def missing(people: Iterable[Person], requirement: Requirement) -> list[str]:
    """The employee numbers that must still attend (reminders)."""
    return sorted(
        p.number for p in people if requirement in requirements_for(p.is_manager) and not p.completed(requirement)
    )


def completion(people: Iterable[Person], requirement: Requirement, *, exact: bool) -> list[OrgCompletion]:
    """Required and completed per organisation and unit. Outside the case team every count goes through STAT-1's
    `suppress`, one organisation at a time: its total is the sum of its units, and what is required is what is
    completed plus what is missing (never published, but a small difference would show it)."""
    tallies: dict[str, dict[str, list[int]]] = {}
    for p in people:
        if requirement not in requirements_for(p.is_manager):
            continue
        tally = tallies.setdefault(p.organisation, {}).setdefault(p.unit, [0, 0])
        tally[0] += 1
        tally[1] += p.completed(requirement)
    return [_publish(org, units, exact) for org, units in sorted(tallies.items())]


def _publish(org: str, units: Mapping[str, list[int]], exact: bool) -> OrgCompletion:
    counts: dict[str, int] = {}
    relations: list[Relation] = []
    scopes = {"": [sum(v[0] for v in units.values()), sum(v[1] for v in units.values())]}
    scopes |= {f":u:{u}": v for u, v in units.items()}
    for scope, (required, done) in scopes.items():
        counts |= {f"req{scope}": required, f"done{scope}": done, f"miss{scope}": required - done}
        relations.append(Relation(f"req{scope}", (f"done{scope}", f"miss{scope}")))
    relations.append(Relation("req", tuple(f"req:u:{u}" for u in units)))
    relations.append(Relation("done", tuple(f"done:u:{u}" for u in units)))
    relations.append(Relation("miss", tuple(f"miss:u:{u}" for u in units)))
    unpublished = [name for name in counts if name.startswith("miss")]
    hidden = frozenset() if exact else suppress(counts, relations, unpublished=unpublished)

    def cell(name: str) -> Cell:
        return Cell(None, True) if name in hidden else Cell(counts[name], False)

    def pair(scope: str) -> Completion:
        return Completion(cell(f"req{scope}"), cell(f"done{scope}"))

    return OrgCompletion(org, pair(""), {u: pair(f":u:{u}") for u in sorted(units)})


# --- #WithU (WU-1) -----------------------------------------------------------------------------------------------


def withu_counts(sessions: Mapping[SessionKind, tuple[int, int]], *, exact: bool) -> dict[str, Cell]:
    """Sessions held and people who attended, per #WithU kind and in all, from (sessions, attendees) per kind.
    Outside the case team through STAT-1's `suppress` (a total is the sum of its kinds)."""
    counts: dict[str, int] = {}
    for kind in WITHU_KINDS:
        held, attendees = sessions.get(kind, (0, 0))
        counts[f"{kind}_sessions"], counts[f"{kind}_attendees"] = held, attendees
    for what in ("sessions", "attendees"):
        counts[what] = sum(counts[f"{kind}_{what}"] for kind in WITHU_KINDS)
    relations = [Relation(what, tuple(f"{kind}_{what}" for kind in WITHU_KINDS)) for what in ("sessions", "attendees")]
    hidden = frozenset() if exact else suppress(counts, relations)
    return {name: Cell(None, True) if name in hidden else Cell(n, False) for name, n in counts.items()}


def attendee_cell(attendees: int, *, exact: bool) -> Cell:
    """One session's attendance as the reader may see it (STAT-1 outside the case team)."""
    hidden = frozenset() if exact else suppress({"n": attendees}, [])
    return Cell(None, True) if hidden else Cell(attendees, False)
