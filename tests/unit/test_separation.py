"""SEP-2 … SEP-6 as executable examples: connection finding over org-chart shapes, the plan, the check."""

from __future__ import annotations

import uuid

import pytest

from app.domain.enums import ConnectionKind, EmployeeStatus
from app.domain.errors import RuleViolation
from app.domain.separation import (
    REASON_CODES,
    ActiveOrder,
    Connection,
    EmployeeNotActive,
    Placement,
    PlacementCycle,
    Refusal,
    Staffing,
    chain_of,
    check_pairs,
    connections,
    ends_order,
    order_needed,
    placement_refusals,
    propose_plan,
    require_placeable,
)

U1, U2 = uuid.uuid4(), uuid.uuid4()
A1, A2 = uuid.uuid4(), uuid.uuid4()
PEOPLE = [uuid.uuid4() for _ in range(8)]
V, R, M1, M2, M3, M4, X, Y = PEOPLE


def line(length: int) -> dict[uuid.UUID, uuid.UUID | None]:
    """A supervisor chain V → M1 → … → M_length (each reports to the next)."""
    managers = [M1, M2, M3, M4][:length]
    chain = [V, *managers]
    return {chain[i]: (chain[i + 1] if i + 1 < len(chain) else None) for i in range(len(chain))}


@pytest.mark.parametrize("length", [1, 2, 3, 4])
def test_sep_2_chain_of_command_of_any_length_in_both_directions(length: int) -> None:
    """SEP-2: neither may be in the other's chain of command — transitively, at any distance, either way."""
    supervisor_of = line(length)
    top = [M1, M2, M3, M4][length - 1]
    below = Placement(V, U1, chain_of(V, supervisor_of))
    above = Placement(top, U2, chain_of(top, supervisor_of))
    assert connections(below, above) == [Connection(ConnectionKind.chain_of_command, top)]
    assert connections(above, below) == [Connection(ConnectionKind.chain_of_command, top)]


def test_sep_2_same_unit() -> None:
    """SEP-2: not in the same org unit."""
    assert connections(Placement(V, U1), Placement(R, U1)) == [Connection(ConnectionKind.same_unit, U1)]


def test_sep_2_no_unit_is_not_a_shared_unit() -> None:
    """SEP-2: two people without a unit do not share one."""
    assert connections(Placement(V, None), Placement(R, None)) == []


@pytest.mark.parametrize(
    ("victim", "respondent", "shared"),
    [
        (frozenset({A1}), frozenset({A1}), [A1]),
        (frozenset({A1, A2}), frozenset({A2, A1}), sorted([A1, A2])),
        (frozenset({A1}), frozenset({A2}), []),
        (frozenset(), frozenset({A1}), []),
    ],
)
def test_sep_2_shared_assignment(victim: frozenset, respondent: frozenset, shared: list) -> None:
    """SEP-2: no shared work assignment (project, duty, shift, committee)."""
    found = connections(Placement(V, U1, (), victim), Placement(R, U2, (), respondent))
    assert found == [Connection(ConnectionKind.shared_assignment, a) for a in shared]


def test_sep_2_siblings_under_one_manager_are_not_in_each_others_chain() -> None:
    """SEP-2: two people with the same supervisor are not in each other's chain (but may share a unit)."""
    supervisor_of = {V: M1, R: M1, M1: None}
    found = connections(Placement(V, U1, chain_of(V, supervisor_of)), Placement(R, U2, chain_of(R, supervisor_of)))
    assert found == []


def test_sep_2_after_a_transfer_the_connection_is_gone() -> None:
    """SEP-2: after the respondent transfers out of the unit and the chain, nothing connects them."""
    before = connections(Placement(V, U1, (R,)), Placement(R, U1, ()))
    after = connections(Placement(V, U1, (M1,)), Placement(R, U2, ()))
    assert {c.kind for c in before} == {ConnectionKind.same_unit, ConnectionKind.chain_of_command}
    assert after == []


def test_sep_2_chain_crosses_organisations() -> None:
    """SEP-2: a chain of command is followed across organisations (e.g. a contractor's manager)."""
    supervisor_of = {V: M1, M1: M2, M2: R, R: None}  # M2 sits in another organisation
    assert connections(Placement(V, U1, chain_of(V, supervisor_of)), Placement(R, U2)) == [
        Connection(ConnectionKind.chain_of_command, R)
    ]


def test_chain_of_stops_at_a_cycle() -> None:
    """A stored cycle never makes the chain endless."""
    assert chain_of(V, {V: M1, M1: M2, M2: V}) == (M1, M2)


def test_sep_4_check_names_only_order_and_reason() -> None:
    """SEP-4: refusals carry the order reference and a reason code, once per reason."""
    refusals = check_pairs([("SO-1", Placement(V, U1, (R,), frozenset({A1})), Placement(R, U1, (), frozenset({A1})))])
    assert [(r.order_reference, r.reason) for r in refusals] == [
        ("SO-1", REASON_CODES[ConnectionKind.same_unit]),
        ("SO-1", REASON_CODES[ConnectionKind.chain_of_command]),
        ("SO-1", REASON_CODES[ConnectionKind.shared_assignment]),
    ]
    assert check_pairs([("SO-2", Placement(V, U1), Placement(R, U2))]) == []


def test_sep_4_a_retired_employee_cannot_be_placed() -> None:
    """SEP-4: a check for someone who has left is refused as a rule violation."""
    with pytest.raises(RuleViolation):
        require_placeable(EmployeeStatus.retired)
    require_placeable(EmployeeStatus.active)
    require_placeable(EmployeeStatus.on_leave)


def test_sep_3_plan_moves_the_respondent() -> None:
    """SEP-3: the proposed plan moves the respondent, one step per connection."""
    found = [Connection(ConnectionKind.same_unit, U1), Connection(ConnectionKind.shared_assignment, A1)]
    plan = propose_plan(found, victim_wants_to_move=False)
    assert [(s.who, s.action, s.at_victims_request) for s in plan] == [
        ("respondent", "transfer_to_another_unit", False),
        ("respondent", "remove_from_assignment", False),
    ]


def test_case_7_the_victim_moves_only_at_their_own_request() -> None:
    """CASE-7, SEP-3: only with the victim's recorded wish does the plan move the victim."""
    plan = propose_plan([Connection(ConnectionKind.same_unit, U1)], victim_wants_to_move=True)
    assert [(s.who, s.at_victims_request) for s in plan] == [("victim", True)]


@pytest.mark.parametrize(
    ("victim", "respondent", "needed"),
    [(V, R, True), (V, None, False), (None, R, False), (V, V, False), (None, None, False)],
)
def test_sep_1_an_order_needs_both_as_different_employees(victim, respondent, needed: bool) -> None:  # type: ignore[no-untyped-def]
    """SEP-1: an order opens as soon as both victim and respondent are named as employees."""
    assert order_needed(victim, respondent) is needed


@pytest.mark.parametrize(
    ("status", "ends"), [(EmployeeStatus.retired, True), (EmployeeStatus.on_leave, False), (EmployeeStatus.active, False)]
)
def test_sep_6_an_order_lasts_until_one_leaves(status: EmployeeStatus, ends: bool) -> None:
    """SEP-6: leaving the organisation ends an order; leave does not."""
    assert ends_order(status) is ends


# --- placement_refusals: the specification the one-statement check is tested against -----------------------------


def _staffing(
    supervisor_of: dict[uuid.UUID, uuid.UUID | None],
    unit_of: dict[uuid.UUID, uuid.UUID | None] | None = None,
    assignments_of: dict[uuid.UUID, frozenset[uuid.UUID]] | None = None,
    retired: frozenset[uuid.UUID] = frozenset(),
) -> Staffing:
    people = set(supervisor_of) | {s for s in supervisor_of.values() if s}
    return Staffing(
        unit_of=unit_of or {},
        supervisor_of=supervisor_of,
        assignments_of=assignments_of or {},
        status_of={p: EmployeeStatus.retired if p in retired else EmployeeStatus.active for p in people},
    )


def test_sep_4_new_supervisor_rechecks_everyone_below_the_mover() -> None:
    """SEP-2, SEP-4: putting the respondent's manager M1 under the victim puts the respondent in the victim's
    chain; an order of someone else, already connected, is not the mover's business and is not answered."""
    staffing = _staffing({R: M1, M1: None, V: None, X: None, Y: None}, unit_of={X: U2, Y: U2})
    orders = [ActiveOrder("SO-1", V, R), ActiveOrder("SO-2", X, Y)]
    assert placement_refusals(staffing, orders, M1, supervisor=V) == [
        Refusal("SO-1", REASON_CODES[ConnectionKind.chain_of_command])
    ]
    assert placement_refusals(staffing, orders, M1, unit=U1) == []  # no new supervisor: R's chain is unchanged


def test_sep_4_refusals_per_order_and_reason_in_a_stable_order() -> None:
    """SEP-4: one refusal per order and reason, by reference, then same unit, chain of command, assignment."""
    staffing = _staffing({V: None, R: None}, unit_of={V: U1, R: U2}, assignments_of={R: frozenset({A1})})
    orders = [ActiveOrder("SO-B", V, R), ActiveOrder("SO-A", R, V)]
    found = placement_refusals(staffing, orders, V, unit=U2, supervisor=R, assignment=A1)
    reasons = [REASON_CODES[k] for k in ConnectionKind]
    assert found == [Refusal(ref, reason) for ref in ("SO-A", "SO-B") for reason in reasons]


def test_sep_4_retired_mover_and_cycles_are_refused() -> None:
    """SEP-4, SEP-6: a retired employee cannot be placed; a supervisor who is the mover or below them is a cycle."""
    staffing = _staffing({V: M1, M1: M2, M2: None, X: None}, retired=frozenset({X}))
    with pytest.raises(EmployeeNotActive):
        placement_refusals(staffing, [], X, unit=U1)
    for mover, supervisor in ((M2, V), (V, V)):  # M2 under V, who is below M2; V under themselves
        with pytest.raises(PlacementCycle):
            placement_refusals(staffing, [], mover, supervisor=supervisor)
