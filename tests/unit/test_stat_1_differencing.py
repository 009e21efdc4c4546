"""STAT-1 as a property: whatever a reader outside the case team adds and subtracts, no count below 5 comes out.

Cases are generated over two quarters (the only windows such a reader may ask for) and published the way both
statistics answers publish them. Each published count is described by *which cases it counts*, as a set of
"atoms": every combination of what a case can be (month, origin, category, workplace, support asked for, each
deadline breached or not) that the rules allow — reviews of the retaliation watch are secondary damage and have
no acknowledgement, only public bodies notify the ministry, and so on. This model is written here, apart from the
code under test. Then, over every answer of every quarter together:

- every number shown is at least 5 and is the true count of its set;
- for every union of up to three disjoint shown sets (one answer's total, a month and a category of another
  month, the employees' and #WithU's counts …) and every family of disjoint shown sets inside it, the difference
  — the number of cases the reader would isolate — is never 1 to 4; it is 0 only where no withheld count lies in
  what is left, and what is left is never exactly a withheld count.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.domain.case_statistics import WindowCounts, WindowStatistics, publish
from app.domain.enums import Category, Team

QUARTERS = (("2026-01", "2026-02", "2026-03"), ("2026-04", "2026-05", "2026-06"))
MONTHS = tuple(m for q in QUARTERS for m in q)
CATEGORIES = tuple(str(c) for c in Category)
SD = "secondary_damage"
WORKPLACES = ("smg", "affiliated", "contractor", None, "citizen_workplace")
PUBLIC = ("smg", "affiliated")
SUPPORT = ("legal_consultation", "counselling", "workplace_education", "expert_training")
OPTIONAL = ("absent", "met", "breached")  # the ministry notification, the prevention plan, the contract link


@dataclass(frozen=True)
class Case:
    """What a case is, as far as the statistics can tell."""

    month: str
    review: bool  # opened by the retaliation watch rather than by intake
    category: str
    workplace: str | None
    support: frozenset[str]
    triage: bool  # breached?
    investigation: bool
    acknowledgement: bool
    feedback: bool
    ministry: str
    prevention: str
    link: str = "absent"  # CON-1: only cases at commissioned organisations opened by intake have one


def atoms() -> list[Case]:
    """Every case the rules allow, once."""
    found = []
    flags = list(itertools.product((False, True), repeat=2))
    for month in MONTHS:
        for tri, inv in flags:
            for prevention in OPTIONAL:
                found.append(Case(month, True, SD, None, frozenset(), tri, inv, False, False, "absent", prevention))
                for category, workplace, (ack, fb) in itertools.product(CATEGORIES, WORKPLACES, flags):
                    supports = (
                        [frozenset(s) for n in range(len(SUPPORT) + 1) for s in itertools.combinations(SUPPORT, n)]
                        if workplace == "citizen_workplace"
                        else [frozenset()]
                    )
                    ministry = OPTIONAL if workplace in PUBLIC else ("absent",)
                    links = OPTIONAL if workplace == "contractor" else ("absent",)
                    for support, notice, link in itertools.product(supports, ministry, links):
                        found.append(
                            Case(
                                month, False, category, workplace, support, tri, inv, ack, fb, notice, prevention, link
                            )
                        )
    return found


ATOMS = atoms()
INDEX = {atom: i for i, atom in enumerate(ATOMS)}


def mask(test: Callable[[Case], bool]) -> int:
    """The atoms `test` holds for, as the bits of an int (bit i: ATOMS[i])."""
    return int("".join("1" if test(atom) else "0" for atom in reversed(ATOMS)), 2)


def described(quarter: tuple[str, ...]) -> dict[str, int]:
    """Which cases each published figure of a quarter counts, by the figure's place in the answers."""
    inq = mask(lambda a: a.month in quarter)
    intake = mask(lambda a: not a.review) & inq
    sets = {"all": inq, "category:secondary_damage": mask(lambda a: a.category == SD) & inq}
    for month in quarter:
        sets[f"month:{month}"] = mask(lambda a, m=month: a.month == m)
        for category in CATEGORIES:
            sets[f"month:{month}:{category}"] = mask(lambda a, m=month, c=category: (a.month, a.category) == (m, c))
    for workplace in WORKPLACES[:4]:
        sets[f"employees:{workplace or 'unspecified'}"] = intake & mask(lambda a, w=workplace: a.workplace == w)
    sets["employees"] = intake & mask(lambda a: a.workplace != "citizen_workplace")
    sets["withu"] = intake & mask(lambda a: a.workplace == "citizen_workplace")
    for kind in SUPPORT:
        sets[f"withu:{kind}"] = sets["withu"] & mask(lambda a, k=kind: k in a.support)
    sets["breaches:triage"] = inq & mask(lambda a: a.triage)
    sets["breaches:investigation"] = inq & mask(lambda a: a.investigation)
    sets["breaches:acknowledgement"] = intake & mask(lambda a: a.acknowledgement)
    sets["breaches:feedback"] = intake & mask(lambda a: a.feedback)
    sets["breaches:ministry_notification"] = inq & mask(lambda a: a.ministry == "breached")
    sets["breaches:prevention_plan"] = inq & mask(lambda a: a.prevention == "breached")
    sets["breaches:contract_link"] = inq & mask(lambda a: a.link == "breached")
    return sets


SETS = {quarter: described(quarter) for quarter in QUARTERS}


def counts_of(cases: list[Case], quarter: tuple[str, ...]) -> WindowCounts:
    """What the repositories would return for the quarter."""
    mine = [c for c in cases if c.month in quarter]
    by_category = {m: dict.fromkeys(CATEGORIES, 0) for m in quarter}
    by_team = {m: {str(t): 0 for t in Team} for m in quarter}
    intake: Counter[str] = Counter()
    support: Counter[str] = Counter()
    deadlines: Counter[str] = Counter()
    breaches: Counter[str] = Counter()
    for c in mine:
        by_category[c.month][c.category] += 1
        by_team[c.month][str(Team.investigation if c.category == SD else Team.intake_counselling)] += 1
        kinds = {"triage": c.triage, "investigation": c.investigation}
        if not c.review:
            intake[c.workplace or "unspecified"] += 1
            support.update(c.support)
            kinds |= {"acknowledgement": c.acknowledgement, "feedback": c.feedback}
        if c.ministry != "absent":
            kinds["ministry_notification"] = c.ministry == "breached"
        if c.prevention != "absent":
            kinds["prevention_plan"] = c.prevention == "breached"
        if c.link != "absent":
            kinds["contract_link"] = c.link == "breached"
        for kind, breached in kinds.items():
            deadlines[kind] += 1
            breaches[kind] += breached
    return WindowCounts(quarter, by_category, by_team, intake, support, deadlines, breaches, {})


def figures(answer: WindowStatistics) -> Iterator[tuple[str, int | None]]:
    """Every count the two answers publish, by the names `described` uses (None: withheld)."""
    for row in answer.by_category:
        yield f"month:{row.month}", row.total.count
        for category, cell in row.cells.items():
            yield f"month:{row.month}:{category}", cell.count
    assert answer.by_team == [] and answer.breach_total.suppressed
    assert all(d.cases.suppressed for d in answer.durations.values())
    yield "all", answer.secondary_damage.all_cases.count
    yield "category:secondary_damage", answer.secondary_damage.cases.count
    for kind, cell in answer.breaches.items():
        yield f"breaches:{kind}", cell.count
    for workplace, cell in answer.employees.items():
        yield ("employees" if workplace == "total" else f"employees:{workplace}"), cell.count
    for key, cell in answer.withu.items():
        yield ("withu" if key == "cases" else f"withu:{key}"), cell.count


def differences(shown: list[tuple[int, int]], withheld: list[int]) -> Iterator[str]:
    """Every way of isolating 1 to 4 cases, or a withheld count, from the shown (set, number) pairs."""
    ordered = sorted(set(shown), key=lambda s: -s[1])
    for size in (1, 2, 3):
        for outer in itertools.combinations(ordered, size):
            union = 0
            for part, _ in outer:
                if union & part:
                    break
                union |= part
            else:
                total = sum(n for _, n in outer)
                inside = [(s, n) for s, n in ordered if s & ~union == 0]
                reachable = {0: 0}
                for part, n in inside:
                    for covered, subtotal in list(reachable.items()):
                        if covered & part == 0:
                            reachable.setdefault(covered | part, subtotal + n)
                for covered, subtotal in reachable.items():
                    left, rest = union & ~covered, total - subtotal
                    if 0 < rest < 5:
                        yield f"{rest} case(s) isolated"
                    if left and rest == 0 and any(w & ~left == 0 for w in withheld):
                        yield "a withheld count shown to be 0"
                    if left and left in withheld:
                        yield "a withheld count worked out exactly"


PROFILE = st.builds(
    Case,
    month=st.sampled_from(MONTHS),
    review=st.booleans(),
    category=st.sampled_from(CATEGORIES),
    workplace=st.sampled_from(WORKPLACES),
    support=st.frozensets(st.sampled_from(SUPPORT)),
    triage=st.booleans(),
    investigation=st.booleans(),
    acknowledgement=st.booleans(),
    feedback=st.booleans(),
    ministry=st.sampled_from(OPTIONAL),
    prevention=st.sampled_from(OPTIONAL),
)


def lawful(case: Case) -> Case:
    """The generated case bent to the rules (the same the atoms follow)."""
    if case.review:
        return Case(case.month, True, SD, None, frozenset(), case.triage, case.investigation, False, False, "absent",
                    case.prevention)  # fmt: skip
    support = case.support if case.workplace == "citizen_workplace" else frozenset()
    ministry = case.ministry if case.workplace in PUBLIC else "absent"
    return Case(case.month, False, case.category, case.workplace, support, case.triage, case.investigation,
                case.acknowledgement, case.feedback, ministry, case.prevention)  # fmt: skip


# Several cases alike (so that counts of 5 and more are common), a few of each profile.
CASES = st.lists(st.tuples(PROFILE, st.integers(1, 9)), max_size=12).map(
    lambda groups: [lawful(case) for case, n in groups for _ in range(n)]
)


@settings(max_examples=150, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(CASES)
def test_stat_1_no_combination_of_answers_isolates_fewer_than_5_cases(cases: list[Case]) -> None:
    """STAT-1 (F10): over every answer a reader outside the case team can get — every quarter, both statistics
    answers — nothing shown, and nothing worked out by subtracting shown counts from shown counts, is 1 to 4."""
    present = Counter(INDEX[c] for c in cases)
    shown: list[tuple[int, int]] = []
    withheld: list[int] = []
    for quarter in QUARTERS:
        answer = publish(counts_of(cases, quarter), exact=False)
        for key, count in figures(answer):
            cases_in = SETS[quarter][key]
            if count is None:
                withheld.append(cases_in)
                continue
            assert count >= 5, key
            assert count == sum(n for i, n in present.items() if cases_in >> i & 1), key
            shown.append((cases_in, count))
    leaks = list(differences(shown, withheld))
    assert leaks == [], leaks[:5]


def test_stat_1_the_review_s_attack_finds_nothing() -> None:
    """STAT-1 (F10): 2 cases in the quarter's second month, 19 in its third (the review's November and December):
    neither month's total is shown, and nothing shown isolates the 2."""
    two = Case("2026-02", False, "stalking", "smg", frozenset(), False, False, False, False, "met", "absent")
    nineteen = Case("2026-03", False, "sexual_harassment", "smg", frozenset(), True, True, True, True, "met", "absent")
    answer = publish(counts_of([two] * 2 + [nineteen] * 19, QUARTERS[0]), exact=False)
    rows = {row.month: row.total.count for row in answer.by_category}
    assert rows["2026-02"] is None and rows["2026-03"] is None and answer.secondary_damage.all_cases.count == 21
    shown = [(SETS[QUARTERS[0]][k], n) for k, n in figures(answer) if n is not None]
    assert list(differences(shown, [])) == []
