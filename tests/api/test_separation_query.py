"""SEP-2, SEP-4: the check answered in SQL (`SeparationRepository.check_placement`: the orders concerned found by
MAC, then one statement over them and the directory) gives exactly the answer of the domain's specification
(`app.domain.separation.placement_refusals`) on many generated directories, on SQLite and PostgreSQL alike
(whichever database the run uses), so the two cannot drift apart.

Each directory is random but reproducible (its seed is the test's parameter): two organisations, a unit tree,
people with and without units, chains of command of any depth that cross organisations, retired people,
assignments with current and former members, active orders between people who are connected in every way (and
orders that are no longer active). Every employee (and an unknown one) is checked with random placements in a
unit, under a supervisor (including themselves and people below them: cycles) and on an assignment, with unknown
units, supervisors and assignments among them."""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from datetime import date

import pytest

from app.db.links import employee_mac
from app.db.models import Assignment, AssignmentMember, Case, Employee, Organisation, OrgUnit, SeparationOrder
from app.domain.enums import (
    AssignmentKind,
    CaseOrigin,
    CaseStatus,
    Category,
    ClientKind,
    EmployeeStatus,
    OrderStatus,
    OrgKind,
    Team,
)
from app.domain.errors import DomainError
from app.domain.separation import ActiveOrder, Staffing, placement_refusals
from app.schemas.separation import PlacementCheck
from app.services import separation
from app.services.actors import ClientActor
from app.services.auth import create_client
from tests.directory import EPOCH, make_org

DIRECTORIES = 30
CHECKS_PER_PERSON = 6


@dataclass
class Generated:
    """A directory as the domain sees it, with the external keys the personnel system uses."""

    staffing: Staffing
    orders: list[ActiveOrder]
    employee_ids: dict[str, uuid.UUID] = field(default_factory=dict)
    unit_ids: dict[str, uuid.UUID] = field(default_factory=dict)
    assignment_ids: dict[str, uuid.UUID] = field(default_factory=dict)


async def generate(uow_factory, rng: random.Random) -> Generated:  # type: ignore[no-untyped-def]
    """A random directory, written straight into the tables (what a sync and reports would store)."""
    tag = uuid.uuid4().hex[:8].upper()
    organisations = [
        Organisation(id=uuid.uuid4(), external_id=f"ORG-{tag}-{i}", name=f"Org {i}", kind=OrgKind.smg) for i in range(2)
    ]
    units: list[OrgUnit] = []
    for i in range(rng.randint(2, 6)):
        parent = rng.choice(units).id if units and rng.random() < 0.7 else None
        units.append(
            OrgUnit(
                id=uuid.uuid4(),
                external_id=f"U-{tag}-{i}",
                organisation_id=rng.choice(organisations).id,
                parent_id=parent,
                name=f"unit {i}",
            )
        )
    people: list[Employee] = []
    for i in range(rng.randint(6, 16)):
        # Supervisors are earlier people (no cycles, as the sync guarantees), often the latest: deep chains.
        supervisor = None
        if people and rng.random() < 0.85:
            supervisor = people[-1] if rng.random() < 0.4 else rng.choice(people)
        retired = rng.random() < 0.1
        people.append(
            Employee(
                id=uuid.uuid4(),
                employee_number=f"E-{tag}-{i:02d}",
                organisation_id=rng.choice(organisations).id,
                unit_id=rng.choice(units).id if rng.random() < 0.9 else None,
                supervisor_id=supervisor.id if supervisor else None,
                status=EmployeeStatus.retired if retired else rng.choice([s for s in EmployeeStatus if s != EmployeeStatus.retired]),
                retired_on=date(2025, 1, 1) if retired else None,
                unit_effective_at=EPOCH,
                supervisor_effective_at=EPOCH,
                status_effective_at=EPOCH,
            )
        )
    assignments = [
        Assignment(
            id=uuid.uuid4(),
            external_id=f"A-{tag}-{i}",
            organisation_id=rng.choice(organisations).id,
            kind=rng.choice(list(AssignmentKind)),
            name=f"assignment {i}",
        )
        for i in range(rng.randint(1, 4))
    ]
    members = [
        AssignmentMember(assignment_id=a.id, employee_id=p.id, member=rng.random() < 0.8, effective_at=EPOCH)
        for a in assignments
        for p in rng.sample(people, rng.randint(0, min(5, len(people))))
    ]
    by_id = {p.id: p for p in people}
    cases, orders, active = [], [], []
    pairs: set[tuple[uuid.UUID, uuid.UUID]] = set()
    for i in range(rng.randint(1, 6)):
        victim = rng.choice(people)
        roll = rng.random()
        if roll < 0.35 and victim.supervisor_id:
            respondent = by_id[victim.supervisor_id]  # the victim's supervisor (or, below, higher up the chain)
            while respondent.supervisor_id and rng.random() < 0.4:
                respondent = by_id[respondent.supervisor_id]
        elif roll < 0.6:
            respondent = rng.choice([p for p in people if p.unit_id == victim.unit_id] or people)
        else:
            respondent = rng.choice(people)
        if respondent is victim or (victim.id, respondent.id) in pairs:
            continue
        pairs.add((victim.id, respondent.id))
        case = Case(
            id=uuid.uuid4(),
            reference=f"WU-{tag}-{i:02d}",
            status=CaseStatus.received,
            team=Team.intake_counselling,
            category=Category.sexual_harassment,
            opened_on=EPOCH.date(),
            received_at=EPOCH.isoformat(),
            origin=CaseOrigin.report,
            respondent_mac=employee_mac(respondent.employee_number),  # as a report stores it (app.db.links)
            respondent_employee_id=respondent.id,
            sealed=False,
        )
        status = OrderStatus.active if rng.random() < 0.8 else rng.choice([OrderStatus.lifted, OrderStatus.ended])
        order = SeparationOrder(
            id=uuid.uuid4(),
            reference=f"SO-{tag}-{i:02d}",
            case_id=case.id,
            victim_mac=employee_mac(victim.employee_number),
            respondent_mac=employee_mac(respondent.employee_number),
            victim_id=victim.id,
            respondent_id=respondent.id,
            status=status,
            connections=[],
            opened_on=date(2026, 1, 1),
        )
        cases.append(case)
        orders.append(order)
        if status == OrderStatus.active:
            active.append(ActiveOrder(order.reference, victim.id, respondent.id))
    async with uow_factory() as uow:
        for batch in (organisations, units, people, assignments, members, cases, orders):
            uow.session.add_all(batch)
            await uow.session.flush()
        await uow.commit()
    memberships: dict[uuid.UUID, set[uuid.UUID]] = {}
    for m in members:
        if m.member:
            memberships.setdefault(m.employee_id, set()).add(m.assignment_id)
    staffing = Staffing(
        unit_of={p.id: p.unit_id for p in people},
        supervisor_of={p.id: p.supervisor_id for p in people},
        assignments_of={k: frozenset(v) for k, v in memberships.items()},
        status_of={p.id: p.status for p in people},
    )
    return Generated(
        staffing,
        active,
        {p.employee_number: p.id for p in people},
        {u.external_id: u.id for u in units},
        {a.external_id: a.id for a in assignments},
    )


def random_checks(directory: Generated, rng: random.Random) -> list[PlacementCheck]:
    numbers = sorted(directory.employee_ids)
    checks = []
    for mover in [*numbers, "E-NOBODY"]:
        for _ in range(CHECKS_PER_PERSON):
            body: dict[str, str] = {"employee_number": mover}
            if rng.random() < 0.5:
                body["unit"] = rng.choice(sorted(directory.unit_ids)) if rng.random() < 0.95 else "U-NOWHERE"
            if rng.random() < 0.5:  # anyone: the mover themselves and people below them too (cycles)
                body["supervisor"] = rng.choice(numbers) if rng.random() < 0.95 else "E-NOBODY"
            if rng.random() < 0.5:
                body["assignment"] = rng.choice(sorted(directory.assignment_ids)) if rng.random() < 0.95 else "A-NONE"
            checks.append(PlacementCheck(**body))
    return checks


def specified(directory: Generated, check: PlacementCheck) -> object:
    """The domain's answer, with the service's order of refusing bad input: unknown mover, retired mover, unknown
    unit, unknown supervisor, cycle, unknown assignment."""
    mover = directory.employee_ids.get(check.employee_number)
    if mover is None:
        return "unknown-reference"
    unit = directory.unit_ids.get(check.unit) if check.unit else None
    supervisor = directory.employee_ids.get(check.supervisor) if check.supervisor else None
    assignment = directory.assignment_ids.get(check.assignment) if check.assignment else None
    unknown_unit = check.unit is not None and unit is None
    unknown_supervisor = check.supervisor is not None and supervisor is None
    if unknown_unit or unknown_supervisor:
        if directory.staffing.status_of[mover] == EmployeeStatus.retired:
            return "employee-not-active"
        return "unknown-reference"
    try:
        refusals = placement_refusals(
            directory.staffing, directory.orders, mover, unit=unit, supervisor=supervisor, assignment=assignment
        )
    except DomainError as exc:
        return exc.code
    if check.assignment is not None and assignment is None:
        return "unknown-reference"
    return [(r.order_reference, r.reason) for r in refusals]


async def answered(uow_factory, client: ClientActor, check: PlacementCheck) -> object:  # type: ignore[no-untyped-def]
    """The service's answer through the SQL check (its unit of work is rolled back: no audit entries kept)."""
    async with uow_factory() as uow:
        try:
            result = await separation.check_placement(uow, client, check)
        except DomainError as exc:
            return exc.code
    assert result.allowed == (not result.refusals)
    return [(r.order_reference, r.reason) for r in result.refusals]


@pytest.fixture
async def hr_client(uow_factory) -> ClientActor:  # type: ignore[no-untyped-def]
    async with uow_factory() as uow:
        machine, _ = await create_client(uow, "property test", ClientKind.hr_system, ["separation:check"])
        await uow.commit()
    return ClientActor(machine.client_id, ClientKind.hr_system, frozenset({"separation:check"}))


async def test_sep_4_sql_check_equals_the_domain_rules(uow_factory, hr_client) -> None:  # type: ignore[no-untyped-def]
    """SEP-2, SEP-4: on generated directories, every check answered in SQL equals the domain's
    `placement_refusals` (same unit, chain of command either way, transitive and across organisations, shared
    assignments; retired movers; only active orders; unknown references and cycles refused alike)."""
    seen: set[str] = set()
    for seed in range(DIRECTORIES):
        rng = random.Random(seed)
        directory = await generate(uow_factory, rng)
        for check in random_checks(directory, rng):
            expected, got = specified(directory, check), await answered(uow_factory, hr_client, check)
            assert got == expected, (seed, check.model_dump(exclude_none=True))
            seen.add(expected if isinstance(expected, str) else ("refused" if expected else "allowed"))
            if isinstance(expected, list) and expected:
                seen.update(reason for _, reason in expected)
    # The generated checks met every kind of answer.
    assert seen >= {
        "allowed",
        "refused",
        "separated-same-unit",
        "separated-chain-of-command",
        "separated-shared-assignment",
        "unknown-reference",
        "employee-not-active",
        "cycle",
    }, seen


async def test_sep_4_check_of_a_deactivated_client_is_refused(client, uow_factory) -> None:  # type: ignore[no-untyped-def]
    """SEP-4: the check finds the client in its last statement; a client deactivated after its token was issued
    gets 401, like everywhere else."""
    org = await make_org(uow_factory, units={"X": None}, people={"someone": ("X", None)})
    async with uow_factory() as uow:
        machine, secret = await create_client(uow, "deactivated later", ClientKind.hr_system, ["separation:check"])
        await uow.commit()
    form = {"grant_type": "client_credentials", "client_id": machine.client_id, "client_secret": secret}
    token = (await client.post("/api/v1/oauth/token", data=form)).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    body = {"employee_number": org.employees["someone"], "unit": org.units["X"]}
    assert (await client.post("/api/v1/separation/check", json=body, headers=headers)).status_code == 200
    async with uow_factory() as uow:
        (await uow.staff.client(machine.client_id)).active = False
        await uow.commit()
    response = await client.post("/api/v1/separation/check", json=body, headers=headers)
    assert response.status_code == 401 and response.json()["code"] == "invalid-token"
