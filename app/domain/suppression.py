"""STAT-1: complementary suppression over everything one answer publishes.

A table is a set of named counts and the relations between them that anyone may know: `total = part + part …`
(each case in exactly one part). Some counts are published, others never are but still take part in relations
(the cases not acknowledged, the retaliation-watch reviews …). `suppress` returns the published counts to
withhold so that, whatever the reader adds and subtracts along the relations:

- no published count below the threshold is shown (primary suppression; zero is below it too);
- no withheld count can be worked out exactly (a relation never has exactly one unknown member, except an
  unpublished count of 0 or of at least the threshold, which is harmless to know);
- no sum that can be worked out is small: subtracting the known parts from a known total leaves the unknown
  parts, and the reader may go on replacing an unknown part by the parts of another relation it is the total of
  and subtracting the known ones there too; no sum reached that way is 1 to 4, nor 0 where it holds a withheld
  count (that would show it to be 0).

The method is the usual one: withhold the smallest shown count of a relation that breaks a rule (or of the
relations the reader went through), and repeat until none does. Withholding only ever grows, so it ends. The
relations must be given as a hierarchy a reader can walk down (a total, its parts, their parts); a count that two
different hierarchies split (a month's secondary damage: in its month and in the window's secondary damage) is
best withheld outright (`withheld`), else the two ways through the table can be played against each other.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

THRESHOLD = 5


@dataclass(frozen=True)
class Relation:
    """`total` counts exactly what its `parts` count together. One part states that two counts are equal."""

    total: str
    parts: tuple[str, ...]

    @property
    def members(self) -> tuple[str, ...]:
        return (self.total, *self.parts)


def suppress(
    counts: Mapping[str, int],
    relations: Sequence[Relation],
    *,
    unpublished: Collection[str] = (),
    withheld: Collection[str] = (),
    threshold: int = THRESHOLD,
) -> frozenset[str]:
    """The published counts to withhold (STAT-1): below `threshold`, `withheld` whatever their size, or
    complementary (see the module)."""
    hidden = {name for name, n in counts.items() if name not in unpublished and (n < threshold or name in withheld)}
    while (more := _breach(counts, relations, frozenset(unpublished), hidden, threshold)) is not None:
        hidden.add(more)
    return frozenset(hidden)


def _breach(
    counts: Mapping[str, int],
    relations: Sequence[Relation],
    unpublished: frozenset[str],
    hidden: set[str],
    threshold: int,
) -> str | None:
    """The next count to withhold, or None when every rule holds."""
    shown = {name for name in counts if name not in unpublished and name not in hidden}
    # An unpublished count that a relation pins down (all its other members known) is known to the reader too:
    # remember through which relation, to undo it if it must not be known.
    derived: dict[str, Relation] = {}

    def known(name: str) -> bool:
        return name in shown or name in derived

    def breaker(name: str) -> str:
        """The shown count to withhold so that `name` is no longer known: itself if shown, else the smallest
        such count among the members of the relation it was worked out from."""
        if name in shown:
            return name
        relation = derived[name]
        candidates = [breaker(m) for m in relation.members if m != name]
        return min(candidates, key=lambda m: (counts[m], m))

    def smallest_known(names: Sequence[str]) -> str:
        return min((breaker(m) for m in names if known(m)), key=lambda m: (counts[m], m))

    def small(n: int) -> bool:
        return 0 < n < threshold

    progress = True
    while progress:
        progress = False
        for relation in relations:
            unknown = [m for m in relation.members if not known(m)]
            if len(unknown) != 1:
                continue
            (only,) = unknown
            if only in unpublished and not small(counts[only]):
                derived[only] = relation
                progress = True
            else:  # a withheld count, or an unpublished one below the threshold, would be worked out exactly
                return smallest_known([m for m in relation.members if m != only])

    # What an unknown count can be narrowed to: the reader may replace it by the parts of any relation it is the
    # total of, and subtract the parts they know, again and again. Only the sums below the threshold matter: for
    # each (sum, holds a withheld published count) a reader can reach, the known counts subtracted on the way
    # (withholding one of them takes that sum away again).
    small_sums = {name: _unit(counts[name], name not in unpublished, threshold) for name in counts if not known(name)}
    grown = True
    while grown:
        grown = False
        for relation in relations:
            if known(relation.total):
                continue
            subtracted = frozenset(p for p in relation.parts if known(p))
            found = _add([small_sums[p] for p in relation.parts if not known(p)], threshold)
            for key, via in found.items():
                if key not in small_sums[relation.total]:
                    small_sums[relation.total][key] = via | subtracted
                    grown = True

    for relation in relations:
        if not known(relation.total):
            continue
        isolated = _add([small_sums[p] for p in relation.parts if not known(p)], threshold)
        for (n, published), via in sorted(isolated.items()):
            if n > 0 or published:  # 1 to 4 cases, or a withheld count shown to be 0
                return smallest_known([p for p in relation.parts if known(p)] + sorted(via) or [relation.total])
    return None


Sums = dict[tuple[int, bool], frozenset[str]]


def _unit(n: int, published: bool, threshold: int) -> Sums:
    """An unknown count on its own: a small sum if it is small."""
    return {(n, published): frozenset()} if n < threshold else {}


def _add(parts: Sequence[Sums], threshold: int) -> Sums:
    """The small sums reachable by adding one reachable sum of each part."""
    total: Sums = {(0, False): frozenset()}
    for part in parts:
        total = {
            (n + m, p or q): via | more
            for (n, p), via in total.items()
            for (m, q), more in part.items()
            if n + m < threshold
        }
    return total
