"""SEP-1 with an anonymous third party (security review F11): the order opens at once and is enforced, but waits for
the case team at triage — confirmed, or lifted by a team lead (SEP-6); several naming one employee on one day alert
the team."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from app.domain.enums import Role, Team
from tests.builders import case_id_for, login, make_report, make_staff
from tests.directory import Org, machine_headers, make_org

ALERTS = "/api/v1/approvals/alerts"


@pytest.fixture
async def org(uow_factory) -> Org:  # type: ignore[no-untyped-def]
    """Victim, a colleague and the respondent in unit A; unit B elsewhere."""
    return await make_org(
        uow_factory,
        units={"A": None, "B": None},
        people={"victim": ("A", None), "colleague": ("A", None), "resp": ("A", None), "b_worker": ("B", None)},
    )


async def anonymous_order(client, org: Org, victim: str = "victim") -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """An anonymous third party names a victim and the respondent (make_report's defaults are anonymous)."""
    return await make_report(
        client,
        victim={"employee_number": org.employees[victim]},
        respondent={"employee_number": org.employees["resp"]},
    )


async def staff(client, uow_factory, role: Role) -> dict[str, str]:  # type: ignore[no-untyped-def]
    team = None if role == Role.division_head else Team.intake_counselling
    return await login(client, await make_staff(uow_factory, role=role, team=team))


async def the_order(client, headers: dict[str, str], case_id: str) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    (order,) = (await client.get(f"/api/v1/cases/{case_id}/separation", headers=headers)).json()["orders"]
    return order


async def queue_flag(client, headers: dict[str, str], reference: str) -> bool:  # type: ignore[no-untyped-def]
    page = (await client.get("/api/v1/cases", params={"reference": reference}, headers=headers)).json()
    return page["items"][0]["separation_awaiting_triage"]


async def placing_resp_in_a(client, uow_factory, org: Org) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    hr = await machine_headers(client, uow_factory, "separation:check")
    check = {"employee_number": org.employees["resp"], "unit": org.units["A"]}
    response = await client.post("/api/v1/separation/check", json=check, headers=hr)
    assert response.status_code == 200, response.text
    return response.json()


async def test_f11_sep_1_an_anonymous_order_awaits_triage_and_is_enforced_until_confirmed(
    client, uow_factory, org: Org
) -> None:
    """SEP-1, F11: an anonymous third party's report opens the order at once — a placement check is refused by it —
    marked awaiting triage in the case's protection view and the queue. An intake officer of the case team confirms
    it at triage (audited; once): it stays, no longer awaiting triage."""
    intake = await staff(client, uow_factory, Role.intake)  # issue 18: the reader exists when the report comes in
    body = await anonymous_order(client, org)
    case_id = await case_id_for(client, intake, body["case_reference"])
    order = await the_order(client, intake, case_id)
    assert order["status"] == "active" and order["awaiting_triage"] is True
    assert await queue_flag(client, intake, body["case_reference"]) is True
    refused = await placing_resp_in_a(client, uow_factory, org)
    assert refused["allowed"] is False and {r["order_reference"] for r in refused["refusals"]} == {order["reference"]}

    path = f"/api/v1/cases/{case_id}/separation/orders/{order['id']}/confirmation"
    confirmed = await client.post(path, headers=intake)
    assert confirmed.status_code == 204, confirmed.text
    order = await the_order(client, intake, case_id)
    assert order["status"] == "active" and order["awaiting_triage"] is False
    assert await queue_flag(client, intake, body["case_reference"]) is False
    assert (await placing_resp_in_a(client, uow_factory, org))["allowed"] is False
    twice = await client.post(path, headers=intake)
    assert (twice.status_code, twice.json()["code"]) == (409, "order-not-awaiting-triage")
    elsewhere = await client.post(
        f"/api/v1/cases/{case_id}/separation/orders/{uuid.uuid4()}/confirmation", headers=intake
    )
    assert elsewhere.status_code == 404
    async with uow_factory() as uow:
        actions = [e.action for e in await uow.audit.for_case(uuid.UUID(case_id))]
    assert actions.count("separation.order_confirmed") == 1


async def test_f11_sep_6_lifting_at_triage_is_the_team_leads_audited_decision(client, uow_factory, org: Org) -> None:
    """SEP-6, F11: instead of confirming, a team lead lifts the order with a reason (an intake officer may not); it no
    longer awaits triage, stops refusing placements, and can no longer be confirmed."""
    intake = await staff(client, uow_factory, Role.intake)  # issue 18: the readers exist when the report comes in
    lead = await staff(client, uow_factory, Role.team_lead)
    body = await anonymous_order(client, org)
    case_id = await case_id_for(client, lead, body["case_reference"])
    order = await the_order(client, lead, case_id)
    lift = f"/api/v1/cases/{case_id}/separation/orders/{order['id']}/lift"
    reason = {"reason": "At triage: the report names no incident between these two."}
    assert (await client.post(lift, json=reason, headers=intake)).status_code == 403
    lifted = await client.post(lift, json=reason, headers=lead)
    assert lifted.status_code == 204, lifted.text
    order = await the_order(client, lead, case_id)
    assert order["status"] == "lifted" and order["awaiting_triage"] is False
    assert await queue_flag(client, lead, body["case_reference"]) is False
    assert (await placing_resp_in_a(client, uow_factory, org))["allowed"] is True
    confirm = await client.post(f"/api/v1/cases/{case_id}/separation/orders/{order['id']}/confirmation", headers=lead)
    assert confirm.status_code == 409


async def test_f11_sep_1_an_identified_reporters_order_does_not_await_triage(client, uow_factory, org: Org) -> None:
    """SEP-1, F11: a third party who reports confidentially (or the victim) opens an order as before."""
    lead = await staff(client, uow_factory, Role.team_lead)  # issue 18: the reader exists when the report comes in
    body = await make_report(
        client,
        identity_mode="confidential",
        reporter={"name": "Colleague C", "employee_number": org.employees["colleague"]},
        victim={"employee_number": org.employees["victim"]},
        respondent={"employee_number": org.employees["resp"]},
    )
    case_id = await case_id_for(client, lead, body["case_reference"])
    assert (await the_order(client, lead, case_id))["awaiting_triage"] is False
    assert await queue_flag(client, lead, body["case_reference"]) is False


async def test_f11_anonymous_orders_naming_one_employee_on_one_day_alert_the_team(
    client, uow_factory, org: Org
) -> None:
    """F11: the second anonymous order naming the same respondent on one day (setting: 2) raises one content-free
    alert (kind, day, count — no employee, no case); the two victims, named once each, raise none."""
    head = await staff(client, uow_factory, Role.division_head)
    before = {a["id"] for a in (await client.get(ALERTS, headers=head)).json()}
    await anonymous_order(client, org, "victim")
    assert {a["id"] for a in (await client.get(ALERTS, headers=head)).json()} == before
    await anonymous_order(client, org, "b_worker")
    listed = (await client.get(ALERTS, headers=head)).json()
    (alert,) = [a for a in listed if a["id"] not in before]
    assert (alert["kind"], alert["count"], alert["acknowledged"]) == ("anonymous_orders", 2, False)
    assert not any(number in str(listed) for number in org.employees.values())
