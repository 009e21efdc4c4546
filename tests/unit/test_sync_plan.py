"""The full sync's plan, written for speed (issue 17), decides exactly as the row-by-row rules it replaced.

`_row_by_row` below is the plan's employee and membership part as it was before: every row merged and compared
through Changes.add. Random stored directories and snapshots (times before, at and after the snapshot's, members and
former members, changed and unchanged values) must give the same created, updated and confirmed rows and counts."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

import pytest

from app.domain.directory import (
    AssignmentFacts,
    Changes,
    Directory,
    EmployeeFacts,
    Membership,
    OrganisationFacts,
    Snapshot,
    SyncPlan,
    UnitFacts,
    merge_employee,
    plan_sync,
    takes_effect,
)
from app.domain.enums import AssignmentKind, EmployeeStatus, OrgKind

AS_OF = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
TIMES = (AS_OF - timedelta(days=2), AS_OF - timedelta(seconds=1), AS_OF, AS_OF + timedelta(hours=3))
UNITS = ("U1", "U2", "U3")
STATUSES = (EmployeeStatus.active, EmployeeStatus.on_leave, EmployeeStatus.retired)


def _row_by_row(stored: Directory, snapshot: Snapshot) -> SyncPlan:
    """The employees' and memberships' plan as every row was decided before issue 17."""
    as_of = snapshot.as_of
    plan = SyncPlan(as_of)
    for number, listed in snapshot.employees:
        before = stored.employees.get(number)
        after = merge_employee(before, listed, as_of)
        plan.employees.add(
            number,
            before,
            after,
            same_values=before is not None and after.values() == before.values(),
            confirms=after.unit_at == after.supervisor_at == after.status_at == as_of,
        )
    for key, assignment, members in snapshot.assignments:
        plan.assignments.add(key, stored.assignments.get(key), assignment)
        stored_members = stored.members.get(key, {})
        wanted = {n: False for n, m in stored_members.items() if m.member} | dict.fromkeys(members, True)
        for number, member in wanted.items():
            was = stored_members.get(number)
            if was is not None and not takes_effect(was.effective_at, as_of):
                plan.members.unchanged += 1
                continue
            now = Membership(member, as_of)
            plan.members.add(
                (key, number), was, now, same_values=was is not None and was.member == member, confirms=True
            )
    return plan


def _person(rng: random.Random, supervisor: str | None, times: tuple[datetime, ...]) -> EmployeeFacts:
    status = rng.choice(STATUSES)
    retired_on = date(2025, 12, 31) if status == EmployeeStatus.retired else None
    return EmployeeFacts("ORG", rng.choice(UNITS), supervisor, status, retired_on, *rng.sample(times, 3))


def _world(seed: int) -> tuple[Directory, Snapshot]:
    rng = random.Random(seed)
    numbers = [f"E{i:03d}" for i in range(60)]
    stored = Directory(
        organisations={"ORG": OrganisationFacts("Org", OrgKind.smg)},
        units={u: UnitFacts("ORG", None, u) for u in UNITS},
    )
    for i, number in enumerate(numbers[:45]):  # supervisors are earlier people: no cycles
        supervisor = numbers[rng.randrange(i)] if i and rng.random() < 0.8 else None
        stored.employees[number] = _person(rng, supervisor, TIMES)
    listed: list[tuple[str, EmployeeFacts]] = []
    for i, number in enumerate(numbers[15:], start=15):
        before = stored.employees.get(number)
        if before is not None and rng.random() < 0.5:
            # the same values; the times as stored (often all at AS_OF) or the snapshot's
            same = before if before.unit_at == before.supervisor_at == before.status_at == AS_OF else None
            facts = same or EmployeeFacts(*before.values(), AS_OF, AS_OF, AS_OF)
        else:
            supervisor = numbers[rng.randrange(i)] if rng.random() < 0.8 else None
            facts = _person(rng, supervisor, (AS_OF,) * 3)
        listed.append((number, facts))
    assignments = []
    for a in range(12):
        key = f"A{a}"
        if a < 9:
            stored.assignments[key] = AssignmentFacts("ORG", AssignmentKind.project, key)
            stored.members[key] = {
                n: Membership(rng.random() < 0.7, rng.choice(TIMES))
                for n in rng.sample(numbers[:45], rng.randint(0, 6))
            }
        kind = rng.choice(list(AssignmentKind))
        members = [rng.choice(numbers) for _ in range(rng.randint(0, 7))]  # repeats on purpose
        assignments.append((key, AssignmentFacts("ORG", kind, key), members))
    snapshot = Snapshot(
        as_of=AS_OF,
        organisations=[("ORG", OrganisationFacts("Org", OrgKind.smg))],
        units=[(u, UnitFacts("ORG", None, u)) for u in UNITS],
        employees=listed,
        assignments=assignments,
    )
    return stored, snapshot


def _state(changes: Changes) -> tuple[object, ...]:  # type: ignore[type-arg]
    return (
        list(changes.created.items()),
        list(changes.updated.items()),
        list(changes.confirmed),
        changes.changed,
        changes.unchanged,
    )


@pytest.mark.parametrize("seed", range(40))
def test_sep_4_sync_plan_decides_as_the_row_by_row_rules(seed: int) -> None:
    """SEP-4's directory: the faster plan creates, overwrites and confirms exactly the rows (in the same order) and
    counts exactly what the row-by-row rules did, whatever the stored times, values and memberships."""
    stored, snapshot = _world(seed)
    fast, reference = plan_sync(stored, snapshot), _row_by_row(stored, snapshot)
    for kind in ("employees", "assignments", "members"):
        assert _state(getattr(fast, kind)) == _state(getattr(reference, kind)), kind


def test_sep_4_sync_plan_the_common_cases_are_covered() -> None:
    """The random worlds above reach every branch: rows created, unchanged, overwritten and confirmed, and stored
    changes later than the snapshot left alone."""
    totals = {"created": 0, "updated": 0, "confirmed": 0, "unchanged": 0}
    for seed in range(40):
        stored, snapshot = _world(seed)
        plan = plan_sync(stored, snapshot)
        for changes in (plan.employees, plan.members):
            totals["created"] += len(changes.created)
            totals["updated"] += len(changes.updated)
            totals["confirmed"] += len(changes.confirmed)
            totals["unchanged"] += changes.unchanged
    assert all(count > 20 for count in totals.values()), totals
