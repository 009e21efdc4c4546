"""The personnel directory that SEP-2 and SEP-4 read: references, cycles, duplicates and effective times."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from app.domain.directory import (
    AssignmentFacts,
    Directory,
    DirectoryCycle,
    DuplicateInSnapshot,
    EmployeeFacts,
    Membership,
    OrganisationFacts,
    Snapshot,
    UnitFacts,
    UnknownReference,
    closes_cycle,
    decide_event,
    find_cycle,
    merge_employee,
    plan_sync,
    takes_effect,
)
from app.domain.enums import AssignmentKind, EmployeeStatus, OrgKind
from app.domain.enums import PersonnelEventKind as K

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
EARLIER, LATER = T0 - timedelta(days=1), T0 + timedelta(days=1)
ACTIVE = EmployeeStatus.active


def person(unit: str | None = "U1", supervisor: str | None = None, *, at: datetime = T0, **kw: object) -> EmployeeFacts:
    values: dict[str, object] = {
        "organisation": "SMG",
        "unit": unit,
        "supervisor": supervisor,
        "status": ACTIVE,
        "retired_on": None,
        "unit_at": at,
        "supervisor_at": at,
        "status_at": at,
    }
    values.update(kw)
    return EmployeeFacts(**values)  # type: ignore[arg-type]


def snapshot(
    *,
    units: list[tuple[str, str | None]] = (),  # type: ignore[assignment]
    employees: list[tuple[str, EmployeeFacts]] = (),  # type: ignore[assignment]
    assignments: list[tuple[str, list[str]]] = (),  # type: ignore[assignment]
    organisations: list[str] = ("SMG",),  # type: ignore[assignment]
    as_of: datetime = T0,
) -> Snapshot:
    return Snapshot(
        as_of=as_of,
        organisations=[(o, OrganisationFacts(f"Org {o}", OrgKind.smg)) for o in organisations],
        units=[(k, UnitFacts("SMG", parent, f"Unit {k}")) for k, parent in units],
        employees=list(employees),
        assignments=[(k, AssignmentFacts("SMG", AssignmentKind.project, f"Project {k}"), m) for k, m in assignments],
    )


def stored_directory(
    units: dict[str, str | None] | None = None, employees: dict[str, EmployeeFacts] | None = None
) -> Directory:
    return Directory(
        organisations={"SMG": OrganisationFacts("Org SMG", OrgKind.smg)},
        units={k: UnitFacts("SMG", p, f"Unit {k}") for k, p in (units or {}).items()},
        employees=dict(employees or {}),
    )


# --- cycles -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("parents", "cyclic"),
    [
        ({}, False),
        ({"a": None}, False),
        ({"a": "a"}, True),  # one's own parent
        ({"a": "b", "b": None}, False),
        ({"a": "b", "b": "a"}, True),
        ({"a": "b", "b": "c", "c": "d", "d": None}, False),
        ({"a": "b", "b": "c", "c": "d", "d": "b"}, True),  # a tail leading into a loop
        ({"x": "y", "y": None, "a": "b", "b": "c", "c": "a"}, True),
        ({"a": "outside"}, False),  # a parent that is not in the relation ends the chain
        ({f"n{i}": f"n{i + 1}" for i in range(20_000)}, False),  # long chains, no recursion
        ({f"n{i}": f"n{(i + 1) % 20_000}" for i in range(20_000)}, True),
    ],
)
def test_find_cycle_table(parents: dict[str, str | None], cyclic: bool) -> None:
    """A unit tree or chain of command with a loop is found, whatever its length; trees pass."""
    found = find_cycle(parents)
    assert (found is not None) is cyclic
    if found:
        # every member's parent is the next member: it really is a loop
        assert all(parents[found[i]] == found[(i + 1) % len(found)] for i in range(len(found)))


@pytest.mark.parametrize(
    ("employee", "new_supervisor", "chain_above", "closes"),
    [
        ("e", None, [], False),
        ("e", "e", [], True),
        ("e", "s", [], False),
        ("e", "s", ["t", "u"], False),
        ("e", "s", ["e"], True),  # s reports to e
        ("e", "s", ["t", "u", "e", "v"], True),  # e is further up above s
    ],
)
def test_sep_4_new_supervisor_closing_a_cycle(
    employee: str, new_supervisor: str | None, chain_above: list[str], closes: bool
) -> None:
    """SEP-4 reads chains of command transitively: a new supervisor who reports (indirectly) to the person
    would make a loop, so it is refused."""
    assert closes_cycle(employee, new_supervisor, chain_above) is closes


@pytest.mark.parametrize(
    ("stored_units", "snapshot_units"),
    [
        ({}, [("A", "A")]),
        ({}, [("A", "B"), ("B", "A")]),
        ({"A": None, "B": "A"}, [("A", "B")]),  # closes a loop with a stored unit
        ({"A": None, "B": "A", "C": "B"}, [("A", "C")]),
    ],
)
def test_unit_tree_cycles_are_refused(stored_units: dict[str, str | None], snapshot_units: list) -> None:
    """A snapshot that makes a loop in the unit tree, alone or together with stored units, is refused."""
    with pytest.raises(DirectoryCycle) as refused:
        plan_sync(stored_directory(stored_units), snapshot(units=snapshot_units))
    assert refused.value.code == "cycle"


@pytest.mark.parametrize(
    ("stored", "listed"),
    [
        ({}, [("E1", person(supervisor="E1"))]),
        ({}, [("E1", person(supervisor="E2")), ("E2", person(supervisor="E1"))]),
        ({"E1": person(), "E2": person(supervisor="E1")}, [("E1", person(supervisor="E2"))]),
        (
            {"E1": person(), "E2": person(supervisor="E1"), "E3": person(supervisor="E2")},
            [("E1", person(supervisor="E3"))],
        ),
    ],
)
def test_sep_4_supervisor_chain_cycles_are_refused(stored: dict[str, EmployeeFacts], listed: list) -> None:
    """SEP-4: a chain of command with a loop (alone or with stored employees) is refused whole."""
    with pytest.raises(DirectoryCycle) as refused:
        plan_sync(stored_directory({"U1": None}, stored), snapshot(employees=listed))
    assert refused.value.code == "cycle"


def test_a_snapshot_that_undoes_a_loop_with_stored_rows_is_fine() -> None:
    """Moving E1 under E2 is no loop when the same snapshot moves E2 away from under E1."""
    stored = {"E1": person(), "E2": person(supervisor="E1")}
    plan = plan_sync(
        stored_directory({"U1": None}, stored),
        snapshot(employees=[("E1", person(supervisor="E2")), ("E2", person())]),
    )
    assert plan.employees.counts() == {"created": 0, "updated": 2, "unchanged": 0}


# --- references and duplicates --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "problem"),
    [
        ({"units": [("A", "MISSING")]}, "unit A: parent MISSING"),
        ({"employees": [("E1", person(unit="NOPE"))]}, "employee E1: unit NOPE"),
        ({"employees": [("E1", person(supervisor="E404"))]}, "employee E1: supervisor E404"),
        ({"employees": [("E1", person(organisation="ORG404"))]}, "employee E1: organisation ORG404"),
        ({"assignments": [("P1", ["E404"])]}, "assignment P1: member E404"),
        ({"organisations": [], "units": [("A", None)]}, "unit A: organisation SMG"),
    ],
)
def test_unknown_references_are_refused(kwargs: dict, problem: str) -> None:
    """A reference to something neither stored nor in the snapshot refuses the whole snapshot."""
    stored = Directory(units={"U1": UnitFacts("SMG", None, "Unit U1")})  # the organisation comes in the snapshot
    with pytest.raises(UnknownReference) as refused:
        plan_sync(stored, snapshot(**kwargs))
    assert refused.value.code == "unknown-reference"
    assert problem in refused.value.extra["problems"]


@pytest.mark.parametrize(
    ("stored", "listed"),
    [
        ({"E2": person()}, [("E1", person(supervisor="E2"))]),  # a stored supervisor
        ({}, [("E1", person(supervisor="E2")), ("E2", person())]),  # one later in the same snapshot
    ],
)
def test_references_to_stored_rows_and_to_later_rows_are_known(stored: dict, listed: list) -> None:
    """References may point to rows already stored or anywhere in the same snapshot."""
    plan = plan_sync(stored_directory({"U1": None}, stored), snapshot(employees=listed))
    assert plan.employees.created["E1"].supervisor == "E2"


@pytest.mark.parametrize(
    "kwargs",
    [
        {"employees": [("E1", person()), ("E1", person(unit=None))]},  # one person in two units at once
        {"units": [("U1", None), ("U1", None)]},
        {"assignments": [("P1", []), ("P1", [])]},
        {"organisations": ["SMG", "SMG"]},
    ],
)
def test_duplicates_in_one_snapshot_are_refused(kwargs: dict) -> None:
    """The same employee (or unit, assignment, organisation) twice in one snapshot is refused."""
    with pytest.raises(DuplicateInSnapshot) as refused:
        plan_sync(stored_directory({"U1": None}), snapshot(**kwargs))
    assert refused.value.code == "duplicate-in-snapshot"


# --- effective times -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("stored_at", "effective_at", "applies"),
    [(None, T0, True), (EARLIER, T0, True), (T0, T0, True), (LATER, T0, False)],
)
def test_effective_time_rule(stored_at: datetime | None, effective_at: datetime, applies: bool) -> None:
    """A change applies unless a later change of the same field is stored (equal times: it applies)."""
    assert takes_effect(stored_at, effective_at) is applies


def test_snapshot_does_not_overwrite_a_later_event_field_by_field() -> None:
    """A transfer stored with a later effective time wins over the snapshot's unit; the other fields follow
    the snapshot, and their effective times move to as_of."""
    stored = person(unit="U2", supervisor="S1", unit_at=LATER, supervisor_at=EARLIER, status_at=EARLIER)
    listed = person(unit="U1", supervisor="S2", status=EmployeeStatus.on_leave)
    merged = merge_employee(stored, listed, T0)
    assert (merged.unit, merged.unit_at) == ("U2", LATER)
    assert (merged.supervisor, merged.supervisor_at) == ("S2", T0)
    assert (merged.status, merged.status_at) == (EmployeeStatus.on_leave, T0)


def test_same_snapshot_twice_changes_nothing() -> None:
    """Idempotent: the plan for a snapshot that is already stored writes no row."""
    listed = [("E1", person()), ("E2", person(supervisor="E1"))]
    first = plan_sync(stored_directory({"U1": None}), snapshot(employees=listed, assignments=[("P1", ["E1", "E2"])]))
    stored = stored_directory({"U1": None}, dict(first.employees.created))
    stored.assignments = {"P1": AssignmentFacts("SMG", AssignmentKind.project, "Project P1")}
    stored.members = {"P1": {n: m for (_, n), m in first.members.created.items()}}
    again = plan_sync(stored, snapshot(employees=listed, assignments=[("P1", ["E1", "E2"])]))
    assert again.employees.counts() == {"created": 0, "updated": 0, "unchanged": 2}
    assert again.members.counts() == {"created": 0, "updated": 0, "unchanged": 2}
    assert not again.employees.updated and not again.members.updated and not again.units.updated


def test_membership_from_snapshot_respects_later_changes() -> None:
    """Listed members join; stored members who are not listed leave — unless a later change is stored."""
    stored = stored_directory({"U1": None}, {n: person() for n in ("E1", "E2", "E3", "E4")})
    stored.assignments = {"P1": AssignmentFacts("SMG", AssignmentKind.committee, "Project P1")}
    stored.members = {
        "P1": {
            "E1": Membership(True, EARLIER),  # still listed
            "E2": Membership(True, EARLIER),  # not listed any more → leaves
            "E3": Membership(True, LATER),  # not listed, but joined after as_of → stays
            "E4": Membership(False, LATER),  # listed, but left after as_of → stays out
        }
    }
    plan = plan_sync(stored, snapshot(assignments=[("P1", ["E1", "E4", "E5"])], employees=[("E5", person())]))
    assert plan.members.created == {("P1", "E5"): Membership(True, T0)}
    assert plan.members.updated == {("P1", "E2"): Membership(False, T0)}
    assert plan.members.confirmed == [("P1", "E1")]  # still a member; as of T0 now
    assert plan.members.counts() == {"created": 1, "updated": 1, "unchanged": 3}


def test_a_later_snapshot_confirms_unchanged_rows() -> None:
    """The same directory a day later changes no value, but moves effective times forward: an event older than
    the new snapshot that arrives afterwards must not undo what the snapshot confirmed."""
    listed = [("E1", person()), ("E2", person(unit=None, supervisor="E1"))]
    latest = LATER + timedelta(days=1)
    stored = stored_directory({"U1": None}, {"E1": person(), "E2": person(unit=None, supervisor="E1", unit_at=latest)})
    plan = plan_sync(stored, snapshot(employees=listed, as_of=LATER))
    assert plan.employees.confirmed == ["E1"]  # all three fields move to LATER
    assert list(plan.employees.updated) == ["E2"]  # the unit changed after LATER: the other two move one by one
    assert plan.employees.updated["E2"].unit_at == latest and plan.employees.updated["E2"].status_at == LATER
    assert plan.employees.counts() == {"created": 0, "updated": 0, "unchanged": 2}
    assert decide_event(K.transfer, T0, {"unit": plan.as_of}).outcome == "superseded"


def test_retirement_from_a_snapshot_and_absent_employees_stay() -> None:
    """Employees absent from a snapshot are left as they are (leaving is a status, not an absence)."""
    stored = stored_directory({"U1": None}, {"E1": person(), "E2": person()})
    retired = person(status=EmployeeStatus.retired, retired_on=date(2026, 2, 28))
    plan = plan_sync(stored, snapshot(employees=[("E1", retired)], as_of=LATER))
    assert plan.employees.updated["E1"].status == EmployeeStatus.retired
    assert "E2" not in plan.employees.updated


@pytest.mark.parametrize(
    ("kind", "stored_at", "supervisor", "outcome", "fields"),
    [
        (K.transfer, {"unit": EARLIER}, False, "applied", {"unit"}),
        (K.transfer, {"unit": LATER}, False, "superseded", set()),
        (K.transfer, {"unit": LATER, "supervisor": EARLIER}, True, "applied", {"supervisor"}),
        (K.transfer, {"unit": T0}, False, "applied", {"unit"}),
        (K.new_supervisor, {"supervisor": LATER}, False, "superseded", set()),
        (K.joined_assignment, {"membership": None}, False, "applied", {"membership"}),
        (K.left_assignment, {"membership": LATER}, False, "superseded", set()),
        (K.retirement, {"status": EARLIER}, False, "applied", {"status"}),
        (K.leave, {"status": LATER}, False, "superseded", set()),
        (K.dismissal, {"status": EARLIER}, False, "recorded", {"status"}),
        (K.dismissal, {"status": LATER}, False, "recorded", set()),
        (K.evaluation, {}, False, "recorded", set()),
        (K.discipline, {}, False, "recorded", set()),
        (K.promotion_decision, {}, False, "recorded", set()),
        (K.training_decision, {}, False, "recorded", set()),
        (K.duties_removed, {}, False, "recorded", set()),
        (K.objection, {}, False, "recorded", set()),
        (K.loss_of_status, {}, False, "recorded", set()),
        (K.pay_cut, {}, False, "recorded", set()),
        (K.demotion, {}, False, "recorded", set()),
        (K.resources_withheld, {}, False, "recorded", set()),
    ],
)
def test_event_outcomes_by_kind_and_effective_time(
    kind: K, stored_at: dict, supervisor: bool, outcome: str, fields: set[str]
) -> None:
    """Out of order: an event older than the stored state is superseded; kinds that place no one are
    recorded (RET-1 still sees them); dismissal is recorded and also ends employment."""
    decision = decide_event(kind, T0, stored_at, sets_supervisor=supervisor)
    assert decision.outcome == outcome
    assert decision.fields == fields
