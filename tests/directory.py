"""A small org chart written straight into the directory tables (what a personnel-system sync would store),
for tests of separation and the retaliation watch. Every call makes its own uniquely named people."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx

from app.db.models import Assignment, AssignmentMember, Employee, Organisation, OrgUnit
from app.domain.enums import AssignmentKind, ClientKind, EmployeeStatus, OrgKind
from app.services.auth import create_client

EPOCH = datetime(2020, 1, 1, tzinfo=UTC)


@dataclass
class Org:
    """Employee numbers, unit and assignment external ids by short name."""

    tag: str
    employees: dict[str, str] = field(default_factory=dict)
    units: dict[str, str] = field(default_factory=dict)
    assignments: dict[str, str] = field(default_factory=dict)
    ids: dict[str, uuid.UUID] = field(default_factory=dict)


async def make_org(
    uow_factory: Any,
    *,
    units: dict[str, str | None],
    people: dict[str, tuple[str | None, str | None]],
    assignments: dict[str, list[str]] | None = None,
) -> Org:
    """units: name -> parent name; people: name -> (unit name, supervisor name); assignments: name -> members."""
    tag = uuid.uuid4().hex[:8].upper()
    org = Org(tag)
    async with uow_factory() as uow:
        organisation = Organisation(external_id=f"ORG-{tag}", name=f"Org {tag}", kind=OrgKind.smg)
        uow.session.add(organisation)
        await uow.session.flush()
        for name, parent in units.items():  # parents first, as given
            unit = OrgUnit(
                external_id=f"U-{tag}-{name}",
                organisation_id=organisation.id,
                parent_id=org.ids[f"unit:{parent}"] if parent else None,
                name=name,
            )
            uow.session.add(unit)
            await uow.session.flush()
            org.ids[f"unit:{name}"], org.units[name] = unit.id, unit.external_id
        for index, (name, (unit_name, _)) in enumerate(people.items()):
            employee = Employee(
                employee_number=f"E-{tag}-{index:03d}",  # numbers say nothing about roles
                organisation_id=organisation.id,
                unit_id=org.ids[f"unit:{unit_name}"] if unit_name else None,
                supervisor_id=None,
                status=EmployeeStatus.active,
                unit_effective_at=EPOCH,
                supervisor_effective_at=EPOCH,
                status_effective_at=EPOCH,
            )
            uow.session.add(employee)
            await uow.session.flush()
            org.ids[name], org.employees[name] = employee.id, employee.employee_number
        for name, (_, supervisor) in people.items():
            if supervisor:
                (await uow.session.get(Employee, org.ids[name])).supervisor_id = org.ids[supervisor]
        for name, members in (assignments or {}).items():
            assignment = Assignment(
                external_id=f"A-{tag}-{name}", organisation_id=organisation.id, kind=AssignmentKind.committee, name=name
            )
            uow.session.add(assignment)
            await uow.session.flush()
            org.ids[f"assignment:{name}"], org.assignments[name] = assignment.id, assignment.external_id
            for member in members:
                uow.session.add(
                    AssignmentMember(assignment_id=assignment.id, employee_id=org.ids[member], member=True, effective_at=EPOCH)
                )
        await uow.commit()
    return org


async def machine_headers(
    client: httpx.AsyncClient, uow_factory: Any, *scopes: str, kind: ClientKind = ClientKind.hr_system
) -> dict[str, str]:
    """A machine client with the given scopes, signed in by OAuth2 client credentials."""
    async with uow_factory() as uow:
        machine, secret = await create_client(uow, f"test {uuid.uuid4().hex[:6]}", kind, list(scopes))
        await uow.commit()
    response = await client.post(
        "/api/v1/oauth/token",
        data={"grant_type": "client_credentials", "client_id": machine.client_id, "client_secret": secret},
    )
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}
