"""SEP-4 for a whole draft placement list (issue 17, "the reshuffle"): `POST /api/v1/separation/check-batch`.

The personnel system sends up to 10,000 proposed placements (employee → unit / supervisor / assignment, each
optional, as in the single check) that would be published **together**. Each placement is answered exactly as the
single check (`app.services.separation.check_placement`) would answer it *if every other placement of the batch
had already been applied*: so two moves that only connect a separated pair in combination (both into one unit; a
new supervisor who moves too; a chain of command through moved people) are refused.

Which placements count as "applied" for the others: every placement whose employee, unit, supervisor and assignment
exist and whose employee has not left (a placement the single check would answer with `unknown-reference` or
`employee-not-active` cannot be applied, so it changes nothing for the others). A placement answered `cycle` (its
new supervisor would be the employee or below them, once the others are applied) still counts as applied for the
others: the answer of the others is then what it would be if the list went through as drafted — any other rule
would make one answer depend on another's in a circle (A under B and B under A: each is a cycle only given the
other).

How it is computed (set-based, a fixed number of statements whatever the batch's size; `SeparationRepository`'s
batch look-ups):
1. the employees, units and assignments named, by their external keys (three statements);
2. the orders concerned: found by the MACs of the movers and of everyone below a mover who gets a new supervisor
   in the *stored* directory (one walk down; a superset of the people below them once the batch is applied), or,
   when the batch is large beside the number of active orders, every active order (cheaper than the MACs then);
   exactly which placements an order concerns is decided below, so both ways give the same answers;
3. the directory around those orders: unit and supervisor of each person in them and of each new supervisor, and
   of everyone above them (one recursive walk up), and the assignments of the people in them (one statement).
Then, in memory, the directory *with the whole batch applied* (`Overlay`). For a placement that is applied, "the
others applied, then this one" is exactly that directory, so each order's connections are computed once; an order
concerns a placement when its mover is one of the two people, or, with a new supervisor, when the mover is above
one of them (the walk up to the mover never uses the mover's own supervisor, so it is the same with or without
this placement). The cycle check walks up from the new supervisor the same way.
`tests/api/test_separation_batch.py` proves each answer equal to the single check's on the directory with the other
placements written into it, on generated directories.

AUD-1: one audit entry for the batch (`separation.check_batch`, target `placements=N refused=R orders=K`): never who
is separated, and no order references either (a reshuffle may touch thousands; each answer carries its own).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from app.db.links import employee_macs
from app.db.repositories.separation import DirectoryKey
from app.db.uow import UnitOfWork
from app.domain.enums import ConnectionKind, EmployeeStatus
from app.domain.errors import ContentTooLarge, DomainError, RuleViolation
from app.domain.separation import (
    REASON_CODES,
    EmployeeNotActive,
    PlacementCycle,
    Refusal,
    refusal_order,
)
from app.schemas.separation import MAX_BATCH_PLACEMENTS, PlacementBatch, PlacementCheck, PlacementProblem
from app.services import audit
from app.services.actors import ClientActor
from app.services.separation import UnknownReference

# Every active order is read (and its two ids decrypted, ~14 µs) instead of finding the orders by the MACs of the
# movers and the people below them (~5 µs each, plus the walk down) when there are at most this many active orders
# per placement applied. Either way the answers are the same (see the module's note).
ALL_ORDERS_PER_MOVE = 2




class TooManyPlacements(ContentTooLarge):
    code = "too-many-placements"
    title = f"At most {MAX_BATCH_PLACEMENTS:,} placements in one batch; split the list."


class DuplicatePlacement(RuleViolation):
    code = "duplicate-placement"
    title = "An employee appears more than once in the batch; each employee is placed at most once."


class Move(NamedTuple):
    """A placement with every reference found (ids as the batch look-ups give them, `DirectoryKey`)."""

    index: int
    mover: DirectoryKey
    unit: DirectoryKey | None
    supervisor: DirectoryKey | None
    assignment: DirectoryKey | None


class Order(NamedTuple):
    """An active order: its reference and its two people."""

    reference: str
    victim: DirectoryKey
    respondent: DirectoryKey


# An answer: a problem code (as the single check would raise it) or the refusals (empty: allowed).
Answer = str | list[Refusal]
Key = DirectoryKey


class Overlay:
    """The directory with every applied placement of the batch applied: `stored` gives (unit, supervisor) of the
    people concerned and everyone above them, `memberships` the current assignments of the people in the orders."""

    def __init__(
        self,
        moves: Iterable[Move],
        stored: Mapping[Key, tuple[Key | None, Key | None]],
        memberships: Mapping[Key, frozenset[Key]],
    ) -> None:
        self.stored, self.memberships = stored, memberships
        self.moves = {m.mover: m for m in moves}
        self.new_supervisor = {m.mover: m.supervisor for m in self.moves.values() if m.supervisor is not None}
        # Everyone's supervisor with the batch applied, in one dict: the walks up below are its hottest loop.
        self._supervisor_of = {person: supervisor for person, (_, supervisor) in stored.items()}
        self._supervisor_of.update(self.new_supervisor)

    def supervisor(self, person: Key) -> Key | None:
        return self._supervisor_of.get(person)

    def unit(self, person: Key) -> Key | None:
        move = self.moves.get(person)
        if move is not None and move.unit is not None:
            return move.unit
        return self.stored.get(person, (None, None))[0]

    def assignments(self, person: Key) -> frozenset[Key]:
        held = self.memberships.get(person, frozenset())
        move = self.moves.get(person)
        return held | {move.assignment} if move is not None and move.assignment is not None else held

    def chain(self, person: Key) -> list[Key]:
        """Everyone above the person, nearest first; stops where it would repeat (as `chain_of`)."""
        supervisor_of = self._supervisor_of
        chain: list[Key] = []
        seen = {person}
        current = supervisor_of.get(person)
        while current is not None and current not in seen:
            chain.append(current)
            seen.add(current)
            current = supervisor_of.get(current)
        return chain

    def is_cycle(self, mover: Key, supervisor: Key) -> bool:
        """The supervisor is the mover or below the mover (walking up from the supervisor reaches the mover before
        it would use the mover's own supervisor: the same with or without this placement applied)."""
        current: Key | None = supervisor
        seen: set[Key] = set()
        while current is not None and current not in seen:
            if current == mover:
                return True
            seen.add(current)
            current = self.supervisor(current)
        return False


def evaluate(
    moves: Sequence[Move],
    unapplied: Sequence[tuple[int, Key, Key]],
    overlay: Overlay,
    orders: Iterable[Order],
) -> dict[int, Answer]:
    """The answers of the applied placements (`moves`) and the cycle check of those not applied for an unknown
    assignment (`unapplied`: index, mover, supervisor; the single check checks the cycle first): a problem code, or
    the refusals. Pure: everything it needs is in the overlay and the orders."""
    answers: dict[int, Answer] = {}
    for index, mover, supervisor in unapplied:
        answers[index] = PlacementCycle.code if overlay.is_cycle(mover, supervisor) else UnknownReference.code
    for move in moves:
        if move.supervisor is not None and overlay.is_cycle(move.mover, move.supervisor):
            answers[move.index] = PlacementCycle.code
    found: dict[int, set[Refusal]] = {}
    for order in orders:
        victim, respondent = order.victim, order.respondent
        above_victim, above_respondent = overlay.chain(victim), overlay.chain(respondent)
        kinds: list[ConnectionKind] = []
        unit = overlay.unit(victim)
        if unit is not None and unit == overlay.unit(respondent):
            kinds.append(ConnectionKind.same_unit)
        if respondent in above_victim or victim in above_respondent:
            kinds.append(ConnectionKind.chain_of_command)
        if overlay.assignments(victim) & overlay.assignments(respondent):
            kinds.append(ConnectionKind.shared_assignment)
        if not kinds:
            continue
        # The placements this order concerns: a mover who is one of the two, or, with a new supervisor, above one.
        concerned = {overlay.moves[p].index for p in (victim, respondent) if p in overlay.moves}
        concerned.update(
            overlay.moves[p].index for p in (*above_victim, *above_respondent) if p in overlay.new_supervisor
        )
        refusals = [Refusal(order.reference, REASON_CODES[kind]) for kind in kinds]
        for index in concerned:
            if index not in answers:
                found.setdefault(index, set()).update(refusals)
    for move in moves:
        if move.index not in answers:
            refused = found.get(move.index)
            answers[move.index] = sorted(refused, key=refusal_order) if refused else []
    return answers


def refuse_duplicates(placements: Sequence[PlacementCheck]) -> None:
    """Each employee at most once: the positions (0-based) of the placements that repeat an earlier employee, never
    the numbers themselves (problems do not echo input)."""
    seen: set[str] = set()
    repeated = []
    for index, placement in enumerate(placements):
        if placement.employee_number in seen:
            repeated.append(index)
        seen.add(placement.employee_number)
    if repeated:
        raise DuplicatePlacement(
            f"{len(repeated)} placement(s) repeat an employee placed earlier in the batch.", positions=repeated[:100]
        )


async def check_batch(uow: UnitOfWork, client: ClientActor, command: PlacementBatch) -> BatchOutcome:
    """SEP-4 for a draft placement list applied together (see the module's note). 413 `too-many-placements` above
    10,000, 422 `duplicate-placement`; otherwise one answer per placement, in the order sent."""
    placements = command.placements
    if len(placements) > MAX_BATCH_PLACEMENTS:
        raise TooManyPlacements(f"{len(placements):,} placements sent.")
    refuse_duplicates(placements)
    repository = uow.separation
    people = await repository.batch_employees(
        {p.employee_number for p in placements} | {p.supervisor for p in placements if p.supervisor is not None}
    )
    units = await repository.batch_unit_ids({p.unit for p in placements if p.unit is not None})
    assignments = await repository.batch_assignment_ids({p.assignment for p in placements if p.assignment is not None})

    answers: dict[int, Answer] = {}
    moves: list[Move] = []
    unapplied: list[tuple[int, Key, Key]] = []
    for index, p in enumerate(placements):
        mover = people.get(p.employee_number)
        # The single check's order: unknown employee, retired, unknown unit, unknown supervisor, cycle, unknown
        # assignment.
        if mover is None:
            answers[index] = UnknownReference.code
        elif mover.status == EmployeeStatus.retired:
            answers[index] = EmployeeNotActive.code
        elif (p.unit is not None and p.unit not in units) or (p.supervisor is not None and p.supervisor not in people):
            answers[index] = UnknownReference.code
        elif p.assignment is not None and p.assignment not in assignments:
            if p.supervisor is None:
                answers[index] = UnknownReference.code
            else:
                unapplied.append((index, mover.id, people[p.supervisor].id))
        else:
            moves.append(
                Move(
                    index,
                    mover.id,
                    units[p.unit] if p.unit is not None else None,
                    people[p.supervisor].id if p.supervisor is not None else None,
                    assignments[p.assignment] if p.assignment is not None else None,
                )
            )

    orders = await _orders_concerned(uow, [placements[m.index].employee_number for m in moves], moves)
    participants = {p for o in orders for p in (o.victim, o.respondent)}
    new_supervisors = {m.supervisor for m in moves if m.supervisor is not None} | {s for _, _, s in unapplied}
    stored = await repository.ancestry(participants | new_supervisors)
    memberships = await repository.member_assignments(participants)
    answers.update(evaluate(moves, unapplied, Overlay(moves, stored, memberships), orders))

    outcome = BatchOutcome([p.employee_number for p in placements], [answers[i] for i in range(len(placements))])
    # AUD-1: one entry for the batch; counts only (see the module's note).
    await audit.record(
        uow,
        client,
        "separation.check_batch",
        target=f"placements={len(placements)} refused={outcome.refused} orders={outcome.orders}",
    )
    return outcome


async def _orders_concerned(uow: UnitOfWork, mover_numbers: list[str], moves: Sequence[Move]) -> list[Order]:
    """A superset of the active orders the applied placements concern (see the module's note, step 2)."""
    if not moves:
        return []
    repository = uow.separation
    if await repository.count_active_orders() <= ALL_ORDERS_PER_MOVE * len(moves):
        rows = await repository.active_order_keys(None)
    else:
        numbers = set(mover_numbers)
        supervised = [m.mover for m in moves if m.supervisor is not None]
        if supervised:
            # Below a mover once the batch is applied = below some mover with a new supervisor as stored.
            numbers |= await repository.numbers_below(supervised)
        rows = await repository.active_order_keys(employee_macs(numbers))
    return [Order(*row) for row in rows]


@dataclass(frozen=True)
class BatchOutcome:
    """The answers, in the order sent (a problem code, or the refusals), and their JSON (`BatchResult`'s shape)."""

    numbers: list[str]
    answers: list[Answer]

    @property
    def refused(self) -> int:
        return sum(1 for a in self.answers if not isinstance(a, str) and a)

    @property
    def invalid(self) -> int:
        return sum(1 for a in self.answers if isinstance(a, str))

    @property
    def orders(self) -> int:
        return len({r.order_reference for a in self.answers if not isinstance(a, str) for r in a})

    def json(self) -> bytes:
        """`BatchResult` as JSON, written straight from the answers: 10,000 answer models built, validated and
        dumped again were a fifth of the request in a profile (tests/api/test_separation_batch.py validates the
        shape)."""
        items = []
        for number, answer in zip(self.numbers, self.answers, strict=True):
            head = '{"employee_number":' + json.dumps(number) + ","
            if isinstance(answer, str):
                items.append(head + _PROBLEM_TAILS[answer])
            elif not answer:
                items.append(head + _ALLOWED_TAIL)
            else:
                refusals = ",".join(
                    json.dumps({"order_reference": r.order_reference, "reason": r.reason}) for r in answer
                )
                items.append(head + '"allowed":false,"refusals":[' + refusals + '],"problem":null}')
        invalid, refused = self.invalid, self.refused
        counts = f'"allowed":{len(self.answers) - invalid - refused},"refused":{refused},"invalid":{invalid}'
        return ('{"results":[' + ",".join(items) + "]," + counts + "}").encode()


def _problem(error: type[DomainError]) -> str:
    problem = PlacementProblem(type=f"/problems/{error.code}", title=error.title, status=422, code=error.code)
    return '"allowed":null,"refusals":[],"problem":' + problem.model_dump_json() + "}"


_ALLOWED_TAIL = '"allowed":true,"refusals":[],"problem":null}'
_PROBLEM_TAILS = {error.code: _problem(error) for error in (UnknownReference, EmployeeNotActive, PlacementCycle)}
