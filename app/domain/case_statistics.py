"""STAT-1 for the statistics of one window: cases by category (and team) per month, times to acknowledge / decide /
close, deadline breaches, the share of secondary damage, and intake by workplace with #WithU apart (WU-1).

Both statistics answers (`/statistics/cases` and `/statistics/intake`) are cut from one table per window, so what
one shows and the other hides can never be combined. Outside the case team the table goes through `suppress`
with every relation a reader can know between its counts: a month is the sum of its categories, the window the
sum of its months, the secondary-damage count the sum of the months' secondary-damage cells; every case is opened
by intake (by workplace, #WithU apart) or by the retaliation watch, whose reviews are all secondary damage;
every case has one triage and one investigation deadline and every intake case one acknowledgement and one
feedback deadline (so a breach count's complement is a count too); only public bodies' cases notify the ministry.
Four things are never published outside the case team, because with the relations above they would give small
counts away: cases by team (teams follow from categories by the routing table), the months' secondary-damage
cells (see `table`), how many cases the times describe (with the window's total they would count the cases still
open) and the total of breaches over all kinds (with the per-kind counts and the total of cases it would count
deadlines met on time). Which windows may be asked for: `statistics.window`; the scheme: docs/registry.md."""

from __future__ import annotations

import math
import statistics as pystats
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from app.domain.deadlines import PUBLIC_BODIES, is_breached
from app.domain.enums import Category, DeadlineKind, OrgKind
from app.domain.statistics import EMPLOYEE_KINDS, UNSPECIFIED, Cell, SupportKind
from app.domain.suppression import THRESHOLD, Relation, suppress

SECONDARY_DAMAGE = str(Category.secondary_damage)
CITIZEN = str(OrgKind.citizen_workplace)
WORKPLACES = (*(str(k) for k in EMPLOYEE_KINDS), UNSPECIFIED)
STAGES = ("acknowledge", "decide", "close")
# Deadlines only cases opened by intake have (CASE-2: `deadlines_at_receipt`, `deadlines_for_review`).
FROM_INTAKE = (DeadlineKind.acknowledgement, DeadlineKind.feedback)


def month_of(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def months(start: date, end: date) -> list[str]:
    """Every calendar month the window touches, in order."""
    found, year, month = [], start.year, start.month
    while (year, month) <= (end.year, end.month):
        found.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return found


def by_month(
    rows: Iterable[tuple[date, str, int]], keys: Iterable[str], window: list[str]
) -> dict[str, dict[str, int]]:
    """(day, key, count) rows folded into month → key → count, with zeros where nothing happened."""
    table = {m: dict.fromkeys(keys, 0) for m in window}
    for day, key, count in rows:
        table[month_of(day)][key] += count
    return table


def nearest_rank(values: Sequence[int], q: float) -> float:
    """The q-quantile by nearest rank (q=0.9: the value 90 % of the cases do not exceed)."""
    ordered = sorted(values)
    return float(ordered[max(0, math.ceil(q * len(ordered)) - 1)])


def deadlines_by_kind(
    rows: Iterable[tuple[DeadlineKind, date, date | None, int]], today: date
) -> tuple[dict[str, int], dict[str, int]]:
    """Over (kind, due, met, n): the deadlines per kind, and of them the breached ones by CASE-2's `is_breached`
    (met late, or unmet past the due day)."""
    counts = {str(k): 0 for k in DeadlineKind}
    breached = dict(counts)
    for kind, due_on, met_on, n in rows:
        counts[str(kind)] += n
        if is_breached(due_on, met_on, today):
            breached[str(kind)] += n
    return counts, breached


@dataclass(frozen=True)
class WindowCounts:
    """The exact counts of one window, as the repositories give them."""

    months: Sequence[str]
    by_category: Mapping[str, Mapping[str, int]]  # month → category → cases opened
    by_team: Mapping[str, Mapping[str, int]]  # month → team → cases opened
    intake: Mapping[str, int]  # smg, affiliated, contractor, unspecified, citizen_workplace → cases opened by intake
    support: Mapping[str, int]  # support kind → #WithU cases that asked for it
    deadlines: Mapping[str, int]  # deadline kind → deadlines of the window's cases
    breaches: Mapping[str, int]  # deadline kind → of them breached
    days: Mapping[str, Sequence[int]] = field(default_factory=dict)  # stage → whole days, one per case


@dataclass(frozen=True)
class Duration:
    cases: Cell
    median_days: float | None
    p90_days: float | None
    suppressed: bool


@dataclass(frozen=True)
class Share:
    cases: Cell
    all_cases: Cell
    share: float | None
    suppressed: bool


@dataclass(frozen=True)
class MonthCells:
    month: str
    cells: dict[str, Cell]
    total: Cell


@dataclass(frozen=True)
class WindowStatistics:
    """What one reader may see of a window; both statistics answers are cut from it."""

    exact: bool
    by_category: list[MonthCells]
    by_team: list[MonthCells]  # empty outside the case team
    durations: dict[str, Duration]
    breaches: dict[str, Cell]
    breach_total: Cell
    secondary_damage: Share
    employees: dict[str, Cell]  # the workplaces and `total`
    withu: dict[str, Cell]  # `cases` and the support kinds


@dataclass(frozen=True)
class Table:
    """The window's counts under stable names, the relations between them, and which are never published."""

    counts: dict[str, int]
    relations: list[Relation]
    unpublished: frozenset[str]
    withheld: frozenset[str]  # published, but never shown outside the case team


def table(window: WindowCounts) -> Table:
    """Every count the window's answers publish outside the case team, with the counts they are related to."""
    counts: dict[str, int] = {}
    relations: list[Relation] = []
    unpublished: set[str] = set()

    def add(name: str, n: int, *, published: bool = True) -> str:
        counts[name] = n
        if not published:
            unpublished.add(name)
        return name

    def relate(total: str, *parts: str) -> None:
        relations.append(Relation(total, parts))

    categories = [str(c) for c in Category]
    month_totals = []
    for month in window.months:
        cells = [add(f"month:{month}:{c}", window.by_category[month][c]) for c in categories]
        month_totals.append(add(f"month:{month}", sum(window.by_category[month].values())))
        relate(month_totals[-1], *cells)
    everything = add("all", sum(counts[m] for m in month_totals))
    relate(everything, *month_totals)
    sd = add(f"category:{SECONDARY_DAMAGE}", sum(window.by_category[m][SECONDARY_DAMAGE] for m in window.months))
    relate(sd, *(f"month:{m}:{SECONDARY_DAMAGE}" for m in window.months))
    other = add("category:other_than_secondary_damage", counts[everything] - counts[sd], published=False)
    relate(everything, sd, other)
    relate(other, *(f"month:{m}:{c}" for m in window.months for c in categories if c != SECONDARY_DAMAGE))

    workplaces = [add(f"employees:{k}", window.intake.get(k, 0)) for k in WORKPLACES]
    employees = add("employees", sum(counts[w] for w in workplaces))
    relate(employees, *workplaces)
    withu = add("withu", window.intake.get(CITIZEN, 0))
    for kind in (str(k) for k in SupportKind):
        asked = add(f"withu:{kind}", window.support.get(kind, 0))
        relate(withu, asked, add(f"withu:{kind}:not_asked", counts[withu] - counts[asked], published=False))
    intake = add("intake", counts[employees] + counts[withu], published=False)
    relate(intake, employees, withu)
    reviews = add("reviews", counts[everything] - counts[intake], published=False)
    relate(everything, intake, reviews)
    if 0 <= counts[reviews] <= counts[sd]:  # the retaliation watch's reviews are secondary damage (RET-2, SD-2)
        intake_sd = add("intake:secondary_damage", counts[sd] - counts[reviews], published=False)
        relate(sd, reviews, intake_sd)
        relate(intake, intake_sd, other)
    public_kinds = [f"employees:{k}" for k in map(str, PUBLIC_BODIES)]
    public = add("employees:public_bodies", sum(counts[k] for k in public_kinds), published=False)
    relate(public, *public_kinds)
    relate(employees, public, *(w for w in workplaces if w not in public_kinds))
    contractor = f"employees:{OrgKind.contractor}"

    for kind in DeadlineKind:
        deadlines = add(f"deadlines:{kind}", window.deadlines.get(str(kind), 0), published=False)
        breached = add(f"breaches:{kind}", window.breaches.get(str(kind), 0))
        relate(deadlines, breached, add(f"breaches:{kind}:not", counts[deadlines] - counts[breached], published=False))
        # The cases that may have such a deadline: the ministry is notified for public bodies' cases, a contract
        # linked for commissioned organisations' (CON-1), the reporter acknowledged and answered in cases opened by
        # intake, the rest may be in any case.
        whole = {DeadlineKind.ministry_notification: public, DeadlineKind.contract_link: contractor}.get(
            kind, intake if kind in FROM_INTAKE else everything
        )
        if counts[deadlines] == counts[whole]:
            relate(whole, deadlines)  # every one of them has one (CASE-2)
        elif counts[deadlines] < counts[whole]:
            relate(whole, deadlines, add(f"deadlines:{kind}:none", counts[whole] - counts[deadlines], published=False))

    # The months' secondary-damage cells are withheld: with the months' totals and the window's secondary-damage
    # count they would form a second way through the table (months × secondary damage or not), and two ways
    # through a table can be played against each other (the window's count minus one month's cell against the
    # other months' totals). Withheld, every way through the table runs over all the window's months.
    withheld = frozenset(f"month:{m}:{SECONDARY_DAMAGE}" for m in window.months)
    return Table(counts, relations, frozenset(unpublished), withheld)


def publish(window: WindowCounts, *, exact: bool) -> WindowStatistics:
    """STAT-1: exact for the case team; for everyone else every count of `table` through `suppress`, and cases by
    team, the number of cases behind each time and the breach total never."""
    t = table(window)
    hidden = frozenset() if exact else suppress(t.counts, t.relations, unpublished=t.unpublished, withheld=t.withheld)

    def cell(name: str) -> Cell:
        return Cell(None, True) if name in hidden else Cell(t.counts[name], False)

    withheld = Cell(None, True)
    by_category = [
        MonthCells(m, {c: cell(f"month:{m}:{c}") for c in map(str, Category)}, cell(f"month:{m}"))
        for m in window.months
    ]
    by_team = (
        [
            MonthCells(m, {k: Cell(n, False) for k, n in window.by_team[m].items()}, cell(f"month:{m}"))
            for m in window.months
        ]
        if exact
        else []
    )
    durations = {stage: duration(window.days.get(stage, ()), exact=exact) for stage in STAGES}
    breaches = {k: cell(f"breaches:{k}") for k in map(str, DeadlineKind)}
    breach_total = Cell(sum(window.breaches.values()), False) if exact else withheld
    sd, everything = cell(f"category:{SECONDARY_DAMAGE}"), cell("all")
    share = (
        Share(sd, everything, round(sd.count / everything.count, 4) if everything.count else None, False)
        if sd.count is not None and everything.count is not None
        else Share(sd, everything, None, True)
    )
    employees = {k: cell(f"employees:{k}") for k in WORKPLACES} | {"total": cell("employees")}
    withu = {"cases": cell("withu")} | {k: cell(f"withu:{k}") for k in map(str, SupportKind)}
    return WindowStatistics(exact, by_category, by_team, durations, breaches, breach_total, share, employees, withu)


def duration(days: Sequence[int], *, exact: bool) -> Duration:
    """Median and 90th percentile of whole days. Outside the case team: never how many cases (see the module),
    and nothing about fewer than 5 cases."""
    if exact:
        if not days:
            return Duration(Cell(0, False), None, None, False)
        return Duration(Cell(len(days), False), float(pystats.median(days)), nearest_rank(days, 0.9), False)
    if len(days) < THRESHOLD:
        return Duration(Cell(None, True), None, None, True)
    return Duration(Cell(None, True), float(pystats.median(days)), nearest_rank(days, 0.9), False)
