"""Separation orders through the API: opened by a report (SEP-1), checked by the personnel system (SEP-4),
seen and lifted by the case team (SEP-3, SEP-6), the victim's wish (CASE-7)."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from app.db.models import AuditEntry, Case, Employee, ProtectedPerson, SeparationOrder
from app.domain.enums import EmployeeStatus, Role, Team
from app.services import audit
from tests.builders import case_id_for, login, make_report, make_staff, move_case
from tests.directory import Org, machine_headers, make_org

CANARY = "CANARY-SEPARATION-NARRATIVE"


@pytest.fixture
async def org(uow_factory) -> Org:  # type: ignore[no-untyped-def]
    """HQ above units A and B. Victim and respondent both in A under mgr_a; helper in B; big_boss over HQ."""
    return await make_org(
        uow_factory,
        units={"HQ": None, "A": "HQ", "B": "HQ"},
        people={
            "big_boss": ("HQ", None),
            "mgr_a": ("A", "big_boss"),
            "victim": ("A", "mgr_a"),
            "resp": ("A", "mgr_a"),
            "resp_report": ("A", "resp"),
            "mgr_b": ("B", "big_boss"),
            "b_worker": ("B", "mgr_b"),
            "retiree": ("B", "mgr_b"),
        },
        assignments={"safety": ["victim", "b_worker"], "budget": ["mgr_b"]},
    )


async def report_naming(client, org: Org, **extra) -> dict:  # type: ignore[no-untyped-def]
    return await make_report(
        client,
        narrative=f"{CANARY} he followed her after the meeting.",
        victim={"employee_number": org.employees["victim"]},
        respondent={"employee_number": org.employees["resp"]},
        **extra,
    )


async def team_member(client, uow_factory, role: Role = Role.team_lead) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """A member of the intake team, signed in. Issue 18: created before the report they read, so that its key is
    wrapped for them when it comes in."""
    return await login(client, await make_staff(uow_factory, role=role, team=Team.intake_counselling))


async def test_sep_1_report_naming_both_opens_an_order_at_once(client, uow_factory, org: Org) -> None:
    """SEP-1, SEP-3: the order opens with the report; the team sees the connections and a plan moving the
    respondent."""
    staff = await team_member(client, uow_factory)
    body = await report_naming(client, org)
    case_id = await case_id_for(client, staff, body["case_reference"])
    view = (await client.get(f"/api/v1/cases/{case_id}/separation", headers=staff)).json()
    (order,) = view["orders"]
    assert order["status"] == "active"
    assert order["victim_employee_number"] == org.employees["victim"]
    assert order["respondent_employee_number"] == org.employees["resp"]
    kinds = {c["kind"] for c in order["connections"]}
    assert kinds == {"same_unit"}  # siblings under mgr_a: same unit, neither in the other's chain
    assert [(s["who"], s["action"]) for s in order["plan"]] == [("respondent", "transfer_to_another_unit")]
    async with uow_factory() as uow:
        actions = [e.action for e in await uow.audit.for_case(uuid.UUID(case_id))]
    assert "separation.order_opened" in actions


async def test_sep_1_no_order_without_both_employees(client, uow_factory, org: Org) -> None:
    """SEP-1: a report naming only the respondent, or an unknown number, opens no order."""
    staff = await team_member(client, uow_factory)
    only = await make_report(client, respondent={"employee_number": org.employees["resp"]})
    unknown = await make_report(
        client, victim={"employee_number": "E-NOBODY"}, respondent={"employee_number": org.employees["resp"]}
    )
    for body in (only, unknown):
        case_id = await case_id_for(client, staff, body["case_reference"])
        assert (await client.get(f"/api/v1/cases/{case_id}/separation", headers=staff)).json()["orders"] == []


async def test_sep_1_victim_reporter_named_by_own_employee_number(client, uow_factory, org: Org) -> None:
    """SEP-1: a confidential victim who gives their own employee number is separated from the respondent."""
    staff = await team_member(client, uow_factory)
    body = await make_report(
        client,
        reporter_kind="victim",
        identity_mode="confidential",
        reporter={"name": "V", "employee_number": org.employees["victim"]},
        respondent={"employee_number": org.employees["resp"]},
    )
    case_id = await case_id_for(client, staff, body["case_reference"])
    assert len((await client.get(f"/api/v1/cases/{case_id}/separation", headers=staff)).json()["orders"]) == 1


async def test_sep_4_check_refuses_each_kind_of_connection(client, uow_factory, org: Org) -> None:
    """SEP-4: the personnel system asks before placements and is refused with a reason and the order only."""
    await report_naming(client, org)
    hr = await machine_headers(client, uow_factory, "separation:check")

    async def check(**placement) -> dict:  # type: ignore[no-untyped-def]
        response = await client.post("/api/v1/separation/check", json=placement, headers=hr)
        assert response.status_code == 200, response.text
        return response.json()

    # The respondent moved to unit B under mgr_b: nothing connects them any more.
    assert await check(
        employee_number=org.employees["resp"], unit=org.units["B"], supervisor=org.employees["mgr_b"]
    ) == {
        "allowed": True,
        "refusals": [],
    }
    same_unit = await check(
        employee_number=org.employees["resp"], unit=org.units["A"], supervisor=org.employees["mgr_b"]
    )
    assert same_unit["allowed"] is False
    assert {r["reason"] for r in same_unit["refusals"]} == {"separated-same-unit"}
    under_victim = await check(
        employee_number=org.employees["resp"], unit=org.units["B"], supervisor=org.employees["victim"]
    )
    assert {r["reason"] for r in under_victim["refusals"]} == {"separated-chain-of-command"}
    shared = await check(
        employee_number=org.employees["resp"],
        unit=org.units["B"],
        supervisor=org.employees["mgr_b"],
        assignment=org.assignments["safety"],
    )
    assert {r["reason"] for r in shared["refusals"]} == {"separated-shared-assignment"}
    ref = shared["refusals"][0]["order_reference"]
    assert ref.startswith("SO-") and set(shared) == {"allowed", "refusals"}
    assert set(shared["refusals"][0]) == {"order_reference", "reason"}


async def test_aud_1_sep_4_every_refusal_of_a_check_is_audited_in_the_chain(client, uow_factory, org: Org) -> None:
    """AUD-1, SEP-4: a check refused for two reasons leaves one `separation.check_refused` entry per refusal,
    appended together yet chained one after another like any other entries; an allowed check leaves none."""
    await report_naming(client, org)
    hr = await machine_headers(client, uow_factory, "separation:check")

    async def refused_entries() -> list[tuple[int, str | None, str, str, str, object]]:
        async with uow_factory() as uow:
            rows = await uow.session.scalars(
                select(AuditEntry).where(AuditEntry.action == "separation.check_refused").order_by(AuditEntry.seq)
            )
            return [(e.seq, e.target, e.prev_hash, e.hash, e.actor_kind, e.case_id) for e in rows.all()]

    before = len(await refused_entries())
    allowed = {"employee_number": org.employees["resp"], "unit": org.units["B"], "supervisor": org.employees["mgr_b"]}
    assert (await client.post("/api/v1/separation/check", json=allowed, headers=hr)).json()["allowed"] is True
    assert len(await refused_entries()) == before
    # Under the victim, in the victim's unit: same unit and chain of command, the same order twice.
    body = {"employee_number": org.employees["resp"], "unit": org.units["A"], "supervisor": org.employees["victim"]}
    answer = (await client.post("/api/v1/separation/check", json=body, headers=hr)).json()
    assert {r["reason"] for r in answer["refusals"]} == {"separated-same-unit", "separated-chain-of-command"}
    new = (await refused_entries())[before:]
    assert [target for _, target, *_ in new] == [r["order_reference"] for r in answer["refusals"]]
    (seq_0, _, _, hash_0, kind, _), (seq_1, _, prev_1, _, _, _) = new
    assert seq_1 == seq_0 + 1 and prev_1 == hash_0
    assert {(e[4], e[5]) for e in new} == {(kind, None)} and kind == "client"
    async with uow_factory() as uow:
        assert (await audit.verify(uow)).broken is None


async def test_sep_4_moving_a_manager_connects_the_people_below(client, uow_factory) -> None:  # type: ignore[no-untyped-def]
    """SEP-2, SEP-4: putting the respondent's manager under the victim puts the respondent in the victim's chain."""
    org = await make_org(
        uow_factory,
        units={"X": None, "Y": None},
        people={"victim": ("X", None), "boss": ("Y", None), "resp": ("Y", "boss")},
    )
    await report_naming(client, org)
    hr = await machine_headers(client, uow_factory, "separation:check")
    response = await client.post(
        "/api/v1/separation/check",
        json={"employee_number": org.employees["boss"], "supervisor": org.employees["victim"]},
        headers=hr,
    )
    assert response.json()["allowed"] is False
    assert {r["reason"] for r in response.json()["refusals"]} == {"separated-chain-of-command"}


async def test_sep_4_bad_checks(client, uow_factory, org: Org) -> None:
    """SEP-4: unknown people or units, a retired employee, a supervisor cycle — each a clear problem."""
    hr = await machine_headers(client, uow_factory, "separation:check")
    async with uow_factory() as uow:
        retiree = await uow.session.get(Employee, org.ids["retiree"])
        retiree.status = EmployeeStatus.retired
        await uow.commit()
    cases = [
        ({"employee_number": "E-NOBODY"}, 422, "unknown-reference"),
        ({"employee_number": org.employees["resp"], "unit": "U-NOWHERE"}, 422, "unknown-reference"),
        ({"employee_number": org.employees["resp"], "assignment": "A-NOTHING"}, 422, "unknown-reference"),
        ({"employee_number": org.employees["retiree"], "unit": org.units["A"]}, 422, "employee-not-active"),
        ({"employee_number": org.employees["mgr_a"], "supervisor": org.employees["victim"]}, 422, "cycle"),
        ({"employee_number": org.employees["resp"], "colour": "red"}, 422, "validation-failed"),
        ({}, 422, "validation-failed"),
    ]
    for body, status, code in cases:
        response = await client.post("/api/v1/separation/check", json=body, headers=hr)
        assert (response.status_code, response.json()["code"]) == (status, code), body


async def test_sep_4_check_needs_the_scope(client, uow_factory, org: Org) -> None:
    """SEP-4: anonymous → 401; a staff or inbox token → 401; a client without the scope → 403."""
    body = {"employee_number": org.employees["resp"]}
    assert (await client.post("/api/v1/separation/check", json=body)).status_code == 401
    staff = await login(client, await make_staff(uow_factory, role=Role.hr_officer))
    assert (await client.post("/api/v1/separation/check", json=body, headers=staff)).status_code == 401
    other = await machine_headers(client, uow_factory, "separation:read")
    response = await client.post("/api/v1/separation/check", json=body, headers=other)
    assert response.status_code == 403 and response.json()["code"] == "scope-not-allowed"


async def test_sep_4_personnel_system_never_sees_case_content(client, uow_factory, org: Org) -> None:
    """SEP-4, ACC-1: the list and the check carry references and employee numbers only — no roles, no case."""
    body = await report_naming(client, org, reporter_kind="third_party", witnesses=[{"name": "CANARY-WITNESS"}])
    hr = await machine_headers(client, uow_factory, "separation:check", "separation:read")
    listing = await client.get("/api/v1/separation/orders", headers=hr, params={"limit": 1000})
    check = await client.post(
        "/api/v1/separation/check",
        json={"employee_number": org.employees["resp"], "unit": org.units["A"]},
        headers=hr,
    )
    for response in (listing, check):
        assert response.status_code == 200
        for secret in (CANARY, "CANARY-WITNESS", body["case_reference"], "victim", "respondent", "reporter"):
            assert secret not in response.text
    mine = [o for o in listing.json()["items"] if org.employees["victim"] in o["employee_numbers"]]
    assert len(mine) == 1 and mine[0]["employee_numbers"] == sorted([org.employees["victim"], org.employees["resp"]])


async def test_sep_6_only_a_team_lead_lifts_with_a_reason(client, uow_factory, org: Org) -> None:
    """SEP-6: an order is lifted only by a team lead's audited decision with a reason; then it is gone from
    the personnel system's list and further lifts conflict."""
    officer = await team_member(client, uow_factory, role=Role.intake)
    lead = await team_member(client, uow_factory)
    body = await report_naming(client, org)
    case_id = await case_id_for(client, officer, body["case_reference"])
    order = (await client.get(f"/api/v1/cases/{case_id}/separation", headers=officer)).json()["orders"][0]
    lift_url = f"/api/v1/cases/{case_id}/separation/orders/{order['id']}/lift"
    reason = {"reason": "Finding not substantiated; the victim was informed."}
    refused = await client.post(lift_url, json=reason, headers=officer)
    assert refused.status_code == 403
    assert (await client.post(lift_url, json={"reason": "short"}, headers=lead)).status_code == 422
    assert (await client.post(lift_url, json=reason, headers=lead)).status_code == 204
    again = await client.post(lift_url, json=reason, headers=lead)
    assert again.status_code == 409 and again.json()["code"] == "order-not-active"
    other_case = f"/api/v1/cases/{uuid.uuid4()}/separation/orders/{order['id']}/lift"
    assert (await client.post(other_case, json=reason, headers=lead)).status_code == 404
    view = (await client.get(f"/api/v1/cases/{case_id}/separation", headers=lead)).json()
    assert view["orders"][0]["status"] == "lifted"
    hr = await machine_headers(client, uow_factory, "separation:read")
    listing = (await client.get("/api/v1/separation/orders", headers=hr, params={"limit": 1000})).json()
    assert order["reference"] not in {o["reference"] for o in listing["items"]}
    async with uow_factory() as uow:
        lifted = (
            await uow.session.scalars(
                select(AuditEntry).where(
                    AuditEntry.action == "separation.order_lifted", AuditEntry.target == order["reference"]
                )
            )
        ).all()
        assert len(lifted) == 1


async def test_case_7_victims_wish_changes_the_plan(client, uow_factory, org: Org) -> None:
    """CASE-7: only after the victim's own recorded wish does the plan move the victim."""
    staff = await team_member(client, uow_factory)
    body = await report_naming(client, org)
    case_id = await case_id_for(client, staff, body["case_reference"])
    wish = await client.post(
        f"/api/v1/cases/{case_id}/victim-wishes",
        json={"wants_to_move": True, "note": "I'd rather move."},
        headers=staff,
    )
    assert wish.status_code == 201
    view = (await client.get(f"/api/v1/cases/{case_id}/separation", headers=staff)).json()
    assert view["victim_wishes"][0]["wants_to_move"] is True
    assert {s["who"] for s in view["orders"][0]["plan"]} == {"victim"}
    assert all(s["at_victims_request"] for s in view["orders"][0]["plan"])


async def test_acc_1_separation_view_is_hidden_outside_the_team(client, uow_factory, org: Org) -> None:
    """ACC-1: another team gets 404 on the case's separation view; content-blind roles too (never 403 on a case)."""
    lead = await team_member(client, uow_factory)
    body = await report_naming(client, org)
    case_id = await case_id_for(client, lead, body["case_reference"])
    other = await login(client, await make_staff(uow_factory, role=Role.investigator, team=Team.investigation))
    assert (await client.get(f"/api/v1/cases/{case_id}/separation", headers=other)).status_code == 404
    hr_officer = await login(client, await make_staff(uow_factory, role=Role.hr_officer))
    assert (await client.get(f"/api/v1/cases/{case_id}/separation", headers=hr_officer)).status_code == 404


async def test_case_5_outside_the_assigned_team_the_victim_is_a_pseudonym(client, uow_factory, org: Org) -> None:
    """CASE-5: a team member who is not assigned sees a pseudonym for the victim's employee number."""
    officer = await team_member(client, uow_factory, role=Role.intake)
    body = await report_naming(client, org)
    case_id = await case_id_for(client, officer, body["case_reference"])
    order = (await client.get(f"/api/v1/cases/{case_id}/separation", headers=officer)).json()["orders"][0]
    assert order["victim_employee_number"].startswith("V-")
    assert org.employees["victim"] not in str(order)
    assert order["respondent_employee_number"] == org.employees["resp"]


async def sync_newcomer(client, uow_factory, org: Org, number: str, unit: str = "A") -> None:  # type: ignore[no-untyped-def]
    """The personnel system's full sync brings one employee the directory did not know (in org's unit)."""
    hr = await machine_headers(client, uow_factory, "personnel:write")
    snapshot = {
        "as_of": "2026-12-01T09:00:00+00:00",
        "organisations": [],
        "units": [],
        "employees": [
            {"employee_number": number, "organisation": f"ORG-{org.tag}", "unit": org.units[unit], "status": "active"}
        ],
        "assignments": [],
    }
    response = await client.post("/api/v1/personnel/sync", json=snapshot, headers=hr)
    assert response.status_code == 200, response.text


async def test_sep_1_an_order_opens_when_a_sync_brings_the_named_victim(client, uow_factory, org: Org) -> None:
    """SEP-1 (issue 13, rules audit defect 9): a report names a victim the directory does not know yet; no order.
    The next full sync brings that employee: the order opens then, by itself, once (a second sync adds nothing),
    and the victim is protected (RET-1)."""
    newcomer = f"E-NEW-{org.tag}"
    staff = await team_member(client, uow_factory)
    body = await make_report(
        client,
        identity_mode="confidential",
        reporter={"name": "A colleague"},
        victim={"employee_number": newcomer},
        respondent={"employee_number": org.employees["resp"]},
    )
    case_id = await case_id_for(client, staff, body["case_reference"])
    assert (await client.get(f"/api/v1/cases/{case_id}/separation", headers=staff)).json()["orders"] == []
    await sync_newcomer(client, uow_factory, org, newcomer)
    await sync_newcomer(client, uow_factory, org, newcomer)
    (order,) = (await client.get(f"/api/v1/cases/{case_id}/separation", headers=staff)).json()["orders"]
    assert order["status"] == "active" and order["awaiting_triage"] is False
    assert order["victim_employee_number"] == newcomer
    assert {c["kind"] for c in order["connections"]} == {"same_unit"}
    async with uow_factory() as uow:
        protected = (
            await uow.session.scalars(select(ProtectedPerson.role).where(ProtectedPerson.case_id == uuid.UUID(case_id)))
        ).all()
        actions = [e.action for e in await uow.audit.for_case(uuid.UUID(case_id))]
    assert actions.count("separation.order_opened") == 1
    assert list(protected) == ["victim"]


async def test_sep_1_a_late_order_from_an_anonymous_third_party_awaits_triage(client, uow_factory, org: Org) -> None:
    """SEP-1 (security review F11): an order opened late for an anonymous third party's report still awaits the case
    team's triage, as one opened at intake does; the respondent unknown at intake counts as well."""
    newcomer = f"E-NEW-{org.tag}"
    staff = await team_member(client, uow_factory)
    body = await make_report(
        client, victim={"employee_number": org.employees["victim"]}, respondent={"employee_number": newcomer}
    )
    case_id = await case_id_for(client, staff, body["case_reference"])
    assert (await client.get(f"/api/v1/cases/{case_id}/separation", headers=staff)).json()["orders"] == []
    await sync_newcomer(client, uow_factory, org, newcomer, unit="B")
    (order,) = (await client.get(f"/api/v1/cases/{case_id}/separation", headers=staff)).json()["orders"]
    assert order["respondent_employee_number"] == newcomer
    assert order["awaiting_triage"] is True
    queue = (await client.get("/api/v1/cases", params={"reference": body["case_reference"]}, headers=staff)).json()
    assert queue["items"][0]["separation_awaiting_triage"] is True


async def test_sep_1_a_closed_case_opens_no_late_order(client, uow_factory, org: Org) -> None:
    """SEP-1: only an open case's named people open an order when the directory learns them."""
    newcomer = f"E-NEW-{org.tag}"
    lead = await team_member(client, uow_factory)
    body = await make_report(
        client, victim={"employee_number": newcomer}, respondent={"employee_number": org.employees["resp"]}
    )
    case_id = await case_id_for(client, lead, body["case_reference"])
    withdrawn = await move_case(client, uow_factory, lead, case_id, "withdrawn")
    assert withdrawn["status"] == "withdrawn"
    await sync_newcomer(client, uow_factory, org, newcomer)
    assert (await client.get(f"/api/v1/cases/{case_id}/separation", headers=lead)).json()["orders"] == []


async def test_sep_1_case_8_a_sealed_report_opens_its_order_when_released(client, uow_factory, org: Org) -> None:
    """SEP-1 with CASE-8: a report in escrow opens no order while sealed; when a second, independent report naming
    the same respondent releases it, its order opens then."""
    tag = uuid.uuid4().hex[:6]
    staff = await team_member(client, uow_factory)
    sealed = await make_report(
        client,
        reporter_kind="victim",
        identity_mode="confidential",
        reporter={
            "name": "Escrow victim",
            "email": f"sealed-{tag}@example.org",
            "employee_number": org.employees["victim"],
        },
        escrow=True,
        respondent={"employee_number": org.employees["resp"]},
    )
    async with uow_factory() as uow:
        case = await uow.session.scalar(select(Case).where(Case.reference == sealed["case_reference"]))
        orders = (await uow.session.scalars(select(SeparationOrder).where(SeparationOrder.case_id == case.id))).all()
        assert case.sealed is True and list(orders) == []
    await make_report(
        client,
        identity_mode="confidential",
        reporter={"name": "Colleague", "email": f"colleague-{tag}@example.org"},
        respondent={"employee_number": org.employees["resp"]},
    )
    case_id = await case_id_for(client, staff, sealed["case_reference"])
    (order,) = (await client.get(f"/api/v1/cases/{case_id}/separation", headers=staff)).json()["orders"]
    assert order["status"] == "active" and order["respondent_employee_number"] == org.employees["resp"]
