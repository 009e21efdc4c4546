"""STAT-1: `suppress`, complementary suppression over the relations between the counts of one answer,
table-driven."""

from __future__ import annotations

import pytest

from app.domain.suppression import Relation, suppress


def row(total: str, **parts: int) -> tuple[dict[str, int], list[Relation]]:
    """One relation: a total and its parts."""
    return {total: sum(parts.values())} | parts, [Relation(total, tuple(parts))]


@pytest.mark.parametrize(
    ("counts", "relations", "unpublished", "hidden"),
    [
        # nothing small: everything shown
        (*row("t", a=12, b=7, c=5), (), set()),
        # one small cell: it and the next smallest go, so the total minus the rest reveals nothing below 5
        (*row("t", a=12, b=7, c=2), (), {"b", "c"}),
        # zero is a count below 5 as well
        (*row("t", a=9, b=6, c=0), (), {"b", "c"}),
        # two small cells that together reach 5: their sum may be worked out, it is not below 5
        (*row("t", a=20, b=3, c=4), (), {"b", "c"}),
        # two small cells summing below 5: a third goes too
        (*row("t", a=20, b=8, c=1, d=2), (), {"b", "c", "d"}),
        # hidden zeros alone would be shown to be zeros: the smallest other cell goes with them
        (*row("t", a=10, b=0, c=0), (), {"a", "b", "c"}),
        # a small total goes with every cell
        (*row("t", a=1, b=2, c=0), (), {"t", "a", "b", "c"}),
        # exactly 5 is shown
        (*row("t", a=5), (), set()),
        (*row("t", a=4, b=1), (), {"a", "b"}),
        # F10: November 2, December 19 — the quarter's total is shown, no month is
        (*row("quarter", october=0, november=2, december=19), (), {"october", "november", "december"}),
    ],
)
def test_stat_1_one_relation(counts, relations, unpublished, hidden) -> None:  # type: ignore[no-untyped-def]
    """STAT-1: counts below 5 are withheld, and so is the smallest other part where the total would reveal them."""
    assert suppress(counts, relations, unpublished=unpublished) == hidden


MONTHS = {"all": 21, "oct": 0, "nov": 2, "dec": 19, "dec:a": 14, "dec:b": 5, "nov:a": 2, "oct:a": 0}
MONTH_RELATIONS = [
    Relation("all", ("oct", "nov", "dec")),
    Relation("dec", ("dec:a", "dec:b")),
    Relation("nov", ("nov:a",)),
    Relation("oct", ("oct:a",)),
]

# The cases not acknowledged are never published; with the total they are still worked out.
ACK = [Relation("cases", ("acknowledged", "pending"))]


@pytest.mark.parametrize(
    ("counts", "relations", "unpublished", "hidden"),
    [
        # a month withheld to protect another must not be worked out from its own cells: one of them goes too,
        # and what the rest leaves (all − dec:a = 7) is not small
        (MONTHS, MONTH_RELATIONS, (), {"oct", "nov", "dec", "oct:a", "nov:a", "dec:b"}),
        # an unpublished count of 0 may be worked out (every case acknowledged) …
        ({"cases": 21, "acknowledged": 21, "pending": 0}, ACK, {"pending"}, set()),
        # … and one of 5 or more, but not one of 1 to 4
        ({"cases": 21, "acknowledged": 14, "pending": 7}, ACK, {"pending"}, set()),
        ({"cases": 21, "acknowledged": 19, "pending": 2}, ACK, {"pending"}, {"acknowledged"}),
        # a count known to equal another (one deadline per case) carries the relation over
        (
            {"cases": 21, "deadlines": 21, "breached": 19, "on_time": 2},
            [Relation("cases", ("deadlines",)), Relation("deadlines", ("breached", "on_time"))],
            {"deadlines", "on_time"},
            {"breached"},
        ),
        # where a total stays unknown, its known parts must not leave a small remainder for a total further up:
        # all(11) − a(8) would be q + b = 3
        (
            {"all": 11, "p": 10, "q": 1, "a": 8, "b": 2},
            [Relation("all", ("p", "q")), Relation("p", ("a", "b"))],
            {"p"},
            {"q", "b", "a"},
        ),
        # every way down counts: through the feedback deadlines nothing is left (0, all unpublished), but through
        # the acknowledgement deadlines one case is (6 − 5)
        (
            {
                "cases": 6,
                "intake": 6,
                "reviews": 0,
                "ack": 6,
                "ack:late": 5,
                "ack:not": 1,
                "fb": 6,
                "fb:late": 6,
                "fb:not": 0,
            },  # fmt: skip
            [
                Relation("cases", ("intake", "reviews")),
                Relation("intake", ("ack",)),
                Relation("ack", ("ack:late", "ack:not")),
                Relation("intake", ("fb",)),
                Relation("fb", ("fb:late", "fb:not")),
            ],
            {"intake", "reviews", "ack", "ack:not", "fb", "fb:not"},
            {"ack:late"},
        ),
        # a withheld total is not worked out through an unpublished count that is pinned down
        (
            {"all": 20, "intake": 20, "reviews": 0, "employees": 17, "withu": 3},
            [Relation("all", ("intake", "reviews")), Relation("intake", ("employees", "withu"))],
            {"intake", "reviews"},
            {"employees", "withu"},
        ),
    ],
)
def test_stat_1_relations_together(counts, relations, unpublished, hidden) -> None:  # type: ignore[no-untyped-def]
    """STAT-1: what the relations allow to work out together — through months, unpublished counts and equal
    counts — never isolates fewer than 5 cases nor a withheld count."""
    assert suppress(counts, relations, unpublished=unpublished) == hidden


def test_stat_1_withheld_whatever_its_size() -> None:
    """STAT-1: a count withheld outright (a month's secondary damage) is protected like a small one: its month
    hides another cell, so that the month's total minus the rest does not give it back."""
    counts, relations = row("month", harassment=9, stalking=7, secondary_damage=6)
    assert suppress(counts, relations, withheld={"secondary_damage"}) == {"secondary_damage", "stalking"}
