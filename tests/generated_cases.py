"""Random but reproducible cases in a random directory, with staff to look at them: the data of the agreement tests
of ACC-1 and CASE-3 (the SQL forms in `app/db/repositories/case.py` against `app/domain/access.py` and
`app/domain/recusal.py`). The directory and the staff are stored through the builders (`make_org`, `make_staff`);
cases, their parties and their handlers are written straight into the tables, as a report and an assignment would
store them; some people are on leave or retired. Alongside, the same world as plain Python, from which the domain's
facts are read."""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from typing import Any

from app.db.links import employee_mac
from app.db.models import Case, CaseAssignment, Employee, ProtectedPerson
from app.domain.access import CASE_TEAM_ROLES, CONTENT_BLIND_ROLES, CaseFacts, StaffFacts, in_directory
from app.domain.accounts import TEAM_ROLES
from app.domain.enums import CaseOrigin, CaseStatus, Category, EmployeeStatus, ProtectedRole, Team
from app.domain.recusal import RecusalFacts, is_recused
from tests.builders import make_staff
from tests.directory import EPOCH, make_org


@dataclass(frozen=True)
class GeneratedCase:
    id: uuid.UUID
    team: Team
    sealed: bool
    respondent_id: uuid.UUID | None
    party_ids: frozenset[uuid.UUID]
    handler_ids: frozenset[uuid.UUID]


@dataclass
class World:
    """The stored directory, cases and staff, as the domain sees them."""

    employee_ids: dict[str, uuid.UUID]  # employee number -> id
    unit_of: dict[uuid.UUID, uuid.UUID | None]
    supervisor_of: dict[uuid.UUID, uuid.UUID | None]
    status_of: dict[uuid.UUID, EmployeeStatus] = field(default_factory=dict)
    cases: list[GeneratedCase] = field(default_factory=list)
    staff: list[StaffFacts] = field(default_factory=list)

    def chain_above(self, employee_id: uuid.UUID) -> list[uuid.UUID]:
        """Everyone above the employee in the chain of command (the directory is acyclic, as the sync keeps it)."""
        chain: list[uuid.UUID] = []
        current = self.supervisor_of.get(employee_id)
        while current is not None:
            chain.append(current)
            current = self.supervisor_of.get(current)
        return chain

    def employee_of(self, employee_number: str | None) -> uuid.UUID | None:
        """The employee the number names in the directory, whatever their status."""
        return self.employee_ids.get(employee_number) if employee_number else None

    def in_directory(self, employee_number: str | None) -> bool:
        """F2: the number names an active employee."""
        employee = self.employee_of(employee_number)
        return employee is not None and in_directory(self.status_of[employee])

    def _facts(self, staff_employee: uuid.UUID | None, case: GeneratedCase) -> RecusalFacts:
        respondent = case.respondent_id
        return RecusalFacts(
            staff_employee_id=staff_employee,
            staff_unit_id=self.unit_of[staff_employee] if staff_employee else None,
            party_ids=case.party_ids,
            respondent_id=respondent,
            respondent_unit_id=self.unit_of[respondent] if respondent else None,
            respondent_chain=self.chain_above(respondent) if respondent else (),
        )

    def recusal_facts(self, employee_number: str | None, case: GeneratedCase) -> RecusalFacts:
        """CASE-3's facts about a staff member (by employee number, as the account records it: their record
        counts only while they are an active employee) and a case."""
        return self._facts(self.employee_of(employee_number) if self.in_directory(employee_number) else None, case)

    def recused_ids(self, case: GeneratedCase) -> frozenset[uuid.UUID]:
        """CASE-3 by staff account: the world's accounts whose employee number names someone the case recuses (a
        party, the respondent, the respondent's unit or chain), whatever that person's status."""
        return frozenset(
            s.user_id
            for s in self.staff
            if (employee := self.employee_of(s.employee_number)) is not None and is_recused(self._facts(employee, case))
        )

    def case_facts(self, case: GeneratedCase) -> CaseFacts:
        return CaseFacts(team=case.team, handler_ids=case.handler_ids, recused_ids=self.recused_ids(case))


async def generate(uow_factory: Any, rng: random.Random, *, cases: int, staff: int) -> World:
    """A directory of a few units and people (chains of command of any depth, people without a unit, some on leave
    or retired), `cases` cases of any team (some sealed; respondents in the directory or not — often a staff
    member; parties), and `staff` accounts of every role whose employee number is someone in the directory, unknown
    to it, or missing; some are handlers, and some cases have none."""
    units: dict[str, str | None] = {}
    for i in range(rng.randint(2, 5)):
        units[f"u{i}"] = rng.choice(sorted(units)) if units and rng.random() < 0.7 else None
    people: dict[str, tuple[str | None, str | None]] = {}
    for i in range(rng.randint(5, 12)):
        earlier = sorted(people)
        supervisor = None
        if earlier and rng.random() < 0.85:  # earlier people only (no cycles), often the latest: deep chains
            supervisor = earlier[-1] if rng.random() < 0.4 else rng.choice(earlier)
        unit = rng.choice(sorted(units)) if rng.random() < 0.9 else None
        people[f"p{i:02d}"] = (unit, supervisor)
    org = await make_org(uow_factory, units=units, people=people)
    world = World(
        employee_ids={org.employees[name]: org.ids[name] for name in people},
        unit_of={org.ids[name]: org.ids[f"unit:{unit}"] if unit else None for name, (unit, _) in people.items()},
        supervisor_of={org.ids[name]: org.ids[boss] if boss else None for name, (_, boss) in people.items()},
    )
    employees = [org.ids[name] for name in people]  # in the order generated: ids are random, choices are not
    number_of = {employee_id: number for number, employee_id in world.employee_ids.items()}
    for employee in employees:  # most are active; those on leave or retired verify no staff account (F2)
        roll = rng.random()
        world.status_of[employee] = (
            EmployeeStatus.active if roll < 0.75 else EmployeeStatus.on_leave if roll < 0.88 else EmployeeStatus.retired
        )
    async with uow_factory() as uow:
        for employee, status in world.status_of.items():
            (await uow.session.get(Employee, employee)).status = status
        await uow.commit()

    numbers = sorted(world.employee_ids)
    for _ in range(staff):
        role = rng.choice(sorted(CASE_TEAM_ROLES) if rng.random() < 0.75 else sorted(CONTENT_BLIND_ROLES))
        team = rng.choice(list(Team)) if role in TEAM_ROLES else None
        roll = rng.random()
        number = rng.choice(numbers) if roll < 0.7 else (f"E-{org.tag}-NOBODY" if roll < 0.85 else None)
        made = await make_staff(uow_factory, role=role, team=team, employee_number=number, in_directory=False)
        world.staff.append(
            StaffFacts(
                user_id=made.id,
                role=role,
                team=team,
                employee_number=number,
                in_directory=world.in_directory(number),
            )
        )

    rows: list[Any] = []
    # The employees who are also staff accounts (in the order generated): often the respondent (CASE-3 by account).
    staff_employees = [e for e in employees if e in {world.employee_of(s.employee_number) for s in world.staff}]
    for i in range(cases):
        respondent = None
        if rng.random() < 0.85:
            staff_member = staff_employees and rng.random() < 0.4
            respondent = rng.choice(staff_employees if staff_member else employees)
        parties = {employee: rng.choice(list(ProtectedRole)) for employee in rng.sample(employees, rng.randint(0, 2))}
        handlers = frozenset(s.user_id for s in rng.sample(world.staff, rng.randint(0, min(3, len(world.staff)))))
        case = GeneratedCase(
            id=uuid.uuid4(),
            team=rng.choice(list(Team)),
            sealed=rng.random() < 0.15,
            respondent_id=respondent,
            party_ids=frozenset(parties),
            handler_ids=handlers,
        )
        world.cases.append(case)
        rows.append(
            Case(
                id=case.id,
                reference=f"WU-{org.tag}-{i:02d}",
                status=CaseStatus.received,
                team=case.team,
                category=Category.sexual_harassment,
                opened_on=EPOCH.date(),
                received_at=EPOCH.isoformat(),
                origin=CaseOrigin.report,
                # As a report stores the links: by MAC and encrypted id (app.db.links).
                respondent_mac=employee_mac(number_of[respondent]) if respondent else None,
                respondent_employee_id=respondent,
                sealed=case.sealed,
            )
        )
        rows += [
            ProtectedPerson(case_id=case.id, employee_mac=employee_mac(number_of[e]), employee_id=e, role=r)
            for e, r in parties.items()
        ]
        rows += [CaseAssignment(case_id=case.id, user_id=u, assigned_at=EPOCH) for u in handlers]
    async with uow_factory() as uow:
        for kind in (Case, ProtectedPerson, CaseAssignment):  # cases before the rows that point at them
            uow.session.add_all([row for row in rows if isinstance(row, kind)])
            await uow.session.flush()
        await uow.commit()
    return world
