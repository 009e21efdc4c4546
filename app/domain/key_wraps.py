"""ACC-1 and ACC-2 in keys (issue 18): who holds a wrap of a case's content key.

A case's content key is wrapped for exactly the staff who read its content under ACC-1 (`can_read_content`: the
routed team while it triages, then the handlers, the team's lead and the division head — never someone recused,
without a directory match, or content-blind), for the reporters of its reports, and for the recovery key. Who
becomes a reader gets a wrap from the next request of someone who holds the key; who stops being one loses theirs
at once. The server itself holds none: without a signed-in reader it cannot open a case.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from uuid import UUID

from app.domain.access import CaseFacts, StaffFacts, can_read_content


def content_readers(staff: Iterable[StaffFacts], case: CaseFacts) -> frozenset[UUID]:
    """The staff among `staff` who read the case's content now (ACC-1, CASE-3, F2, F13)."""
    return frozenset(s.user_id for s in staff if can_read_content(s, case))


@dataclass(frozen=True)
class WrapChanges:
    add: frozenset[UUID]  # readers without a wrap: wrapped by whoever holds the key
    drop: frozenset[UUID]  # wraps of staff who no longer read the case: dropped at once


def staff_wrap_changes(readers: Collection[UUID], holders: Collection[UUID]) -> WrapChanges:
    """What makes the staff wraps of a case equal its readers."""
    return WrapChanges(add=frozenset(readers) - frozenset(holders), drop=frozenset(holders) - frozenset(readers))
