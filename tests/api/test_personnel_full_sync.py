"""What a snapshot does with the people it leaves out (issue 14): `POST /api/v1/personnel/sync` in full mode (the
default) marks the employed people of the organisations it lists as left, through the `retirement` event path
(SEP-6: their orders end; RET-1 assesses it as that event); `mode=upsert` and SCIM leave them untouched; a guard
refuses a snapshot that would mark too many as left without `confirm_removals` (SEP-4: checks stay true)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import httpx
from sqlalchemy import func, select

from app.db.models import Case, Employee, PersonnelEvent
from app.domain.enums import Category, EmployeeStatus, Role, Team
from tests.builders import case_id_for, login, make_report, make_staff
from tests.directory import Org, machine_headers, make_org

SYNC = "/api/v1/personnel/sync"
PEOPLE = ("victim", "resp", "witness", "mgr", "clerk", "driver", "guard", "cook", "nurse", "porter", "typist")


async def org_with_order(client: httpx.AsyncClient, uow_factory: Any) -> tuple[Org, dict[str, str], str]:
    """Eleven employees of one organisation (units A, B); a report naming victim and respondent opens an order.
    Returns the org, a team lead's headers and the case id."""
    org = await make_org(
        uow_factory,
        units={"A": None, "B": None},
        people={name: ("A" if i % 2 == 0 else "B", None) for i, name in enumerate(PEOPLE)},
    )
    lead = await login(client, await make_staff(uow_factory, role=Role.team_lead, team=Team.intake_counselling))
    body = await make_report(  # issue 18: after the team lead, who reads the case and so holds its key
        client,
        victim={"employee_number": org.employees["victim"]},
        respondent={"employee_number": org.employees["resp"]},
    )
    return org, lead, await case_id_for(client, lead, body["case_reference"])


def snapshot_without(org: Org, *left_out: str) -> dict[str, Any]:
    """The organisation as its personnel system exports it now, without `left_out`."""
    return {
        "as_of": datetime.now(UTC).isoformat(),
        "organisations": [{"id": f"ORG-{org.tag}", "name": f"Org {org.tag}", "kind": "smg"}],
        "units": [{"id": key, "organisation": f"ORG-{org.tag}", "name": name} for name, key in org.units.items()],
        "employees": [
            {
                "employee_number": org.employees[name],
                "organisation": f"ORG-{org.tag}",
                "unit": org.units["A" if i % 2 == 0 else "B"],
                "status": "active",
            }
            for i, name in enumerate(PEOPLE)
            if name not in left_out
        ],
    }


async def status_of(uow_factory: Any, org: Org, name: str) -> EmployeeStatus:
    async with uow_factory() as uow:
        employee = await uow.session.get(Employee, org.ids[name])
        assert employee is not None
        return employee.status


async def order_status(client: httpx.AsyncClient, lead: dict[str, str], case_id: str) -> str:
    response = await client.get(f"/api/v1/cases/{case_id}/separation", headers=lead)
    assert response.status_code == 200, response.text
    (order,) = response.json()["orders"]
    return order["status"]


async def test_sep_6_full_snapshot_marks_an_absent_employee_left_and_their_order_ends(client, uow_factory) -> None:
    """SEP-6: the respondent, left out of a full snapshot of their organisation, is `retired` through a
    `retirement` event, and the order ends; the same snapshot again marks nobody new."""
    org, lead, case_id = await org_with_order(client, uow_factory)
    hr = await machine_headers(client, uow_factory, "personnel:write")
    assert await order_status(client, lead, case_id) == "active"
    snapshot = snapshot_without(org, "resp")
    response = await client.post(SYNC, json=snapshot, headers=hr)
    assert response.status_code == 200, response.text
    assert (response.json()["mode"], response.json()["marked_left"]) == ("full", 1)
    assert await status_of(uow_factory, org, "resp") == EmployeeStatus.retired
    assert await status_of(uow_factory, org, "victim") == EmployeeStatus.active
    async with uow_factory() as uow:
        event = await uow.session.scalar(select(PersonnelEvent).where(PersonnelEvent.employee_id == org.ids["resp"]))
        assert event is not None and (event.kind, event.outcome) == ("retirement", "applied")
    assert await order_status(client, lead, case_id) == "ended"
    again = await client.post(SYNC, json=snapshot, headers=hr)
    assert again.status_code == 200 and again.json()["marked_left"] == 0


async def test_ret_1_a_protected_person_left_out_is_assessed_as_a_retirement(client, uow_factory) -> None:
    """RET-1: leaving the organisation is what a `retirement` event says — not adverse, so no review case opens
    (an adverse exit is sent as a `dismissal` event); nothing else is invented. SEP-6: the victim's order ends."""
    org, lead, case_id = await org_with_order(client, uow_factory)
    hr = await machine_headers(client, uow_factory, "personnel:write")
    response = await client.post(SYNC, json=snapshot_without(org, "victim"), headers=hr)
    assert response.status_code == 200 and response.json()["marked_left"] == 1
    assert await status_of(uow_factory, org, "victim") == EmployeeStatus.retired
    assert await order_status(client, lead, case_id) == "ended"
    async with uow_factory() as uow:
        event = await uow.session.scalar(select(PersonnelEvent).where(PersonnelEvent.employee_id == org.ids["victim"]))
        assert event is not None and event.kind == "retirement"
        reviews = select(func.count()).select_from(Case).where(Case.parent_case_id == uuid.UUID(case_id))
        assert await uow.session.scalar(reviews.where(Case.category == Category.secondary_damage)) == 0


async def test_sep_6_upsert_leaves_absent_employees_untouched(client, uow_factory) -> None:
    """SEP-6: `mode=upsert` changes only what it lists: the respondent it leaves out stays active, the order too."""
    org, lead, case_id = await org_with_order(client, uow_factory)
    hr = await machine_headers(client, uow_factory, "personnel:write")
    response = await client.post(SYNC, params={"mode": "upsert"}, json=snapshot_without(org, "resp"), headers=hr)
    assert response.status_code == 200, response.text
    assert (response.json()["mode"], response.json()["marked_left"]) == ("upsert", 0)
    assert await status_of(uow_factory, org, "resp") == EmployeeStatus.active
    assert await order_status(client, lead, case_id) == "active"


async def test_sep_4_scim_writes_never_mark_others_left(client, uow_factory) -> None:
    """SEP-4, SEP-6: SCIM provisions one person at a time through the directory's sync (upsert): everyone else of
    the organisation stays employed, and the separation check still refuses the separated pair."""
    org, lead, case_id = await org_with_order(client, uow_factory)
    scim = await machine_headers(client, uow_factory, "scim") | {"Content-Type": "application/scim+json"}
    user = {
        "schemas": [
            "urn:ietf:params:scim:schemas:core:2.0:User",
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User",
        ],
        "userName": f"S-{org.tag}-NEW",
        "active": True,
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"department": org.units["A"]},
    }
    created = await client.post("/scim/v2/Users", json=user, headers=scim)
    assert created.status_code == 201, created.text
    replaced = await client.put(f"/scim/v2/Users/{created.json()['id']}", json=user, headers=scim)
    assert replaced.status_code == 200, replaced.text
    for name in PEOPLE:
        assert await status_of(uow_factory, org, name) == EmployeeStatus.active
    assert await order_status(client, lead, case_id) == "active"
    check = await machine_headers(client, uow_factory, "separation:check")
    answer = await client.post(
        "/api/v1/separation/check",
        json={"employee_number": org.employees["resp"], "unit": org.units["A"]},
        headers=check,
    )
    assert answer.status_code == 200 and answer.json()["allowed"] is False


async def test_sep_4_guard_refuses_an_empty_or_truncated_full_snapshot(client, uow_factory) -> None:
    """SEP-4, SEP-6: a full snapshot that would mark more than 10 % (and more than one) of the organisation's
    employed people as left is refused whole (422 `removals-not-confirmed`, with the number) unless
    `confirm_removals` is exactly that number; a wrong number is refused too. Nothing is written on refusal."""
    org, lead, case_id = await org_with_order(client, uow_factory)
    hr = await machine_headers(client, uow_factory, "personnel:write")
    empty = snapshot_without(org, *PEOPLE)
    refused = await client.post(SYNC, json=empty, headers=hr)
    assert refused.status_code == 422, refused.text
    problem = refused.json()
    assert (problem["code"], problem["would_mark_left"], problem["employed"]) == ("removals-not-confirmed", 11, 11)
    assert problem["allowed_without_confirmation"] == 1
    truncated = snapshot_without(org, "resp", "clerk")
    assert (await client.post(SYNC, json=truncated, headers=hr)).json()["would_mark_left"] == 2
    wrong = await client.post(SYNC, params={"confirm_removals": 1}, json=truncated, headers=hr)
    assert wrong.status_code == 422 and wrong.json()["code"] == "removals-not-confirmed"
    for name in PEOPLE:
        assert await status_of(uow_factory, org, name) == EmployeeStatus.active
    assert await order_status(client, lead, case_id) == "active"
    confirmed = await client.post(SYNC, params={"confirm_removals": 2}, json=truncated, headers=hr)
    assert confirmed.status_code == 200 and confirmed.json()["marked_left"] == 2
    assert await status_of(uow_factory, org, "clerk") == EmployeeStatus.retired
    assert await order_status(client, lead, case_id) == "ended"


async def test_sep_6_a_snapshot_speaks_only_for_the_organisations_it_lists(client, uow_factory) -> None:
    """SEP-6: a full snapshot that lists no organisation (e.g. one newcomer of a known organisation) marks nobody
    as left: a snapshot speaks for the organisations it lists."""
    org, lead, case_id = await org_with_order(client, uow_factory)
    hr = await machine_headers(client, uow_factory, "personnel:write")
    newcomer = snapshot_without(org, *PEOPLE)
    newcomer["organisations"], newcomer["units"] = [], []
    newcomer["employees"] = [
        {"employee_number": f"E-{org.tag}-NEW", "organisation": f"ORG-{org.tag}", "status": "active"}
    ]
    response = await client.post(SYNC, json=newcomer, headers=hr)
    assert response.status_code == 200 and response.json()["marked_left"] == 0
    assert await status_of(uow_factory, org, "resp") == EmployeeStatus.active
