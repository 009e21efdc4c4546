"""RET-1 through the report: the people who helped the victim, named by employee number, are protected persons
(role `helper`) and watched for retaliation like witnesses; someone named twice is protected once."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from app.db.models import Case, ProtectedPerson
from app.domain.enums import Role, Team
from tests.api.test_watch import event, send
from tests.builders import case_id_for, login, make_report, make_staff
from tests.directory import machine_headers, make_org


async def protected_roles(uow_factory, case_id: str) -> list[str]:  # type: ignore[no-untyped-def]
    async with uow_factory() as uow:
        rows = await uow.session.scalars(select(ProtectedPerson).where(ProtectedPerson.case_id == uuid.UUID(case_id)))
        return sorted(str(p.role) for p in rows)


async def test_ret_1_helpers_named_in_a_report_are_protected_and_watched(client, uow_factory) -> None:
    """RET-1, RET-2: a helper named by employee number is a protected person (`helper`), next to the witness;
    an adverse event about the helper opens a review linked to the case."""
    org = await make_org(
        uow_factory,
        units={"A": None, "B": None},
        people={"victim": ("A", None), "resp": ("B", None), "witness": ("A", None), "helper": ("A", None)},
    )
    body = await make_report(
        client,
        victim={"employee_number": org.employees["victim"]},
        respondent={"employee_number": org.employees["resp"]},
        witnesses=[{"employee_number": org.employees["witness"]}],
        helpers=[{"employee_number": org.employees["helper"]}, {"employee_number": "E-NOT-IN-DIRECTORY"}],
    )
    lead = await login(client, await make_staff(uow_factory, role=Role.team_lead, team=Team.intake_counselling))
    case_id = await case_id_for(client, lead, body["case_reference"])
    assert await protected_roles(uow_factory, case_id) == ["helper", "victim", "witness"]

    hr = await machine_headers(client, uow_factory, "personnel:write")
    await send(client, hr, event(org.employees["helper"], "duties_removed"))
    async with uow_factory() as uow:
        reviews = (await uow.session.scalars(select(Case).where(Case.parent_case_id == uuid.UUID(case_id)))).all()
        assert [r.origin for r in reviews] == ["retaliation_watch"]


async def test_ret_1_someone_named_twice_is_protected_once(client, uow_factory) -> None:
    """RET-1: one employee named as victim, witness and helper (twice) is one protected person, as the victim;
    an adverse event about them opens one review, not one per mention."""
    org = await make_org(uow_factory, units={"A": None}, people={"victim": ("A", None), "resp": ("A", None)})
    victim = {"employee_number": org.employees["victim"]}
    body = await make_report(
        client,
        victim=victim,
        respondent={"employee_number": org.employees["resp"]},
        witnesses=[victim],
        helpers=[victim, victim],
    )
    lead = await login(client, await make_staff(uow_factory, role=Role.team_lead, team=Team.intake_counselling))
    case_id = await case_id_for(client, lead, body["case_reference"])
    assert await protected_roles(uow_factory, case_id) == ["victim"]
    hr = await machine_headers(client, uow_factory, "personnel:write")
    assert await send(client, hr, event(org.employees["victim"], "duties_removed")) == ["recorded"]
    async with uow_factory() as uow:
        reviews = (await uow.session.scalars(select(Case).where(Case.parent_case_id == uuid.UUID(case_id)))).all()
    assert len(reviews) == 1


async def test_ret_1_helpers_are_refused_beyond_twenty(client) -> None:
    """RET-1, INT-3: like witnesses, at most 20 helpers; more is a 422 and writes nothing."""
    response = await client.post(
        "/api/v1/reports",
        json={
            "reporter_kind": "third_party",
            "identity_mode": "anonymous",
            "narrative": "Too many helpers named here.",
            "helpers": [{"employee_number": f"E-{n}"} for n in range(21)],
        },
    )
    assert response.status_code == 422
