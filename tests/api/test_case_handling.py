"""Case handling: the lifecycle with optimistic concurrency (CASE-1, CASE-2), handlers and recusal (CASE-3)."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from app.db.models import Employee, StaffUser
from app.domain.enums import Role, Team
from tests.builders import case_id_for, inbox_headers, login, make_report, make_staff, move_case
from tests.directory import make_org

REASON = "Checked the report; moving on."


async def report_to_an_officer(client, uow_factory, **report):  # type: ignore[no-untyped-def]
    """An intake officer who triages the report (issue 18: on staff before it comes in, so its key is theirs too)."""
    officer = await make_staff(uow_factory, role=Role.intake, team=Team.intake_counselling)
    body = await make_report(client, **report)
    headers = await login(client, officer)
    return body, headers, await case_id_for(client, headers, body["case_reference"])


async def move(client, headers, case_id, to, version, **extra):  # type: ignore[no-untyped-def]
    return await client.post(
        f"/api/v1/cases/{case_id}/transitions",
        json={"to": to, "reason": REASON, **extra},
        headers={**headers, "If-Match": f'"{version}"'},
    )


async def test_case_1_full_lifecycle_with_versions_and_deadlines(client, uow_factory) -> None:
    """CASE-1, CASE-2: received → triaged → investigating → decided → closed; each step needs the current
    version (the decision is proposed and confirmed, F5); triage and investigation deadlines are met; the reporter
    follows the status; closed is read-only."""
    body, headers, case_id = await report_to_an_officer(client, uow_factory, workplace={"kind": "smg"})
    read = await client.get(f"/api/v1/cases/{case_id}", headers=headers)
    assert read.headers["etag"] == '"1"'
    version = 1
    for to in ("triaged", "investigating", "decided", "closed"):
        if to == "decided":
            decided = await move_case(client, uow_factory, headers, case_id, to, finding="substantiated")
            assert decided["status"] == to and decided["version"] == version + 1
            version = decided["version"]
            continue
        response = await move(client, headers, case_id, to, version)
        assert response.status_code == 200, response.text
        assert response.json()["status"] == to
        version = response.json()["version"]
        assert response.headers["etag"] == f'"{version}"'
    case = response.json()
    assert case["finding"] == "substantiated" and case["closed_on"] is not None
    assert [t["to_status"] for t in case["transitions"]] == ["triaged", "investigating", "decided", "closed"]
    deadlines = {d["kind"]: d for d in case["deadlines"]}
    assert deadlines["triage"]["met_on"] and deadlines["investigation"]["met_on"]
    assert "prevention_plan" in deadlines  # CASE-2: public body, substantiated
    reporter = await inbox_headers(client, body["receipt_code"])
    inbox = (await client.get("/api/v1/inbox", headers=reporter)).json()
    assert inbox["status"] == "closed" and inbox["can_write"] is False


async def test_case_1_illegal_transition_names_the_allowed_ones(client, uow_factory) -> None:
    """CASE-1: a transition outside the table is 409 with the allowed ones; nothing changes."""
    _, headers, case_id = await report_to_an_officer(client, uow_factory)
    response = await move(client, headers, case_id, "closed", 1)
    assert response.status_code == 409
    assert response.json()["code"] == "illegal-transition"
    assert response.json()["allowed"] == ["triaged", "withdrawn"]
    assert (await client.get(f"/api/v1/cases/{case_id}", headers=headers)).json()["status"] == "received"


async def test_case_1_decided_needs_a_finding(client, uow_factory) -> None:
    """CASE-1: `decided` carries a finding; others carry none."""
    _, headers, case_id = await report_to_an_officer(client, uow_factory)
    assert (await move(client, headers, case_id, "triaged", 1, finding="substantiated")).status_code == 422
    v = (await move(client, headers, case_id, "triaged", 1)).json()["version"]
    v = (await move(client, headers, case_id, "investigating", v)).json()["version"]
    refused = await move(client, headers, case_id, "decided", v)
    assert refused.status_code == 422 and refused.json()["code"] == "finding-required"


async def test_stale_and_missing_if_match(client, uow_factory) -> None:
    """A stale version is 412, a missing If-Match 428; nothing is written."""
    _, headers, case_id = await report_to_an_officer(client, uow_factory)
    assert (await move(client, headers, case_id, "triaged", 1)).status_code == 200
    stale = await move(client, headers, case_id, "investigating", 1)
    assert stale.status_code == 412 and stale.json()["code"] == "stale-version"
    missing = await client.post(
        f"/api/v1/cases/{case_id}/transitions", json={"to": "investigating", "reason": REASON}, headers=headers
    )
    assert missing.status_code == 428 and missing.json()["code"] == "if-match-required"
    case = (await client.get(f"/api/v1/cases/{case_id}", headers=headers)).json()
    assert case["status"] == "triaged" and len(case["transitions"]) == 1


async def test_case_1_withdrawn_case_cannot_be_written_to(client, uow_factory) -> None:
    """CASE-1, CASE-4: a withdrawn case takes no messages to the reporter and no further transitions."""
    body, headers, case_id = await report_to_an_officer(client, uow_factory)
    withdrawn = await move_case(client, uow_factory, headers, case_id, "withdrawn")
    assert withdrawn["status"] == "withdrawn"
    refused = await client.post(f"/api/v1/cases/{case_id}/messages", json={"body": "hello"}, headers=headers)
    assert refused.status_code == 409 and refused.json()["code"] == "case-closed"
    assert (await move(client, headers, case_id, "triaged", withdrawn["version"])).status_code == 409
    reporter = await inbox_headers(client, body["receipt_code"])
    assert (await client.post("/api/v1/inbox/messages", json={"body": "x"}, headers=reporter)).status_code == 409


async def test_case_3_team_lead_assigns_handlers_of_the_case_team(client, uow_factory) -> None:
    """CASE-3: a team lead assigns handlers from the case's team; an investigator from another team becomes a
    handler only through the division head; assigned handlers see the case in 'mine'. A member of the team may not
    assign (403 while they triage the case; once it has a handler they no longer read it: 404, F13)."""
    lead_staff = await make_staff(uow_factory, role=Role.team_lead, team=Team.intake_counselling)
    handler = await make_staff(uow_factory, role=Role.intake, team=Team.intake_counselling)
    outsider = await make_staff(uow_factory, role=Role.investigator, team=Team.investigation)
    _, headers, case_id = await report_to_an_officer(client, uow_factory)
    lead = await login(client, lead_staff)
    not_lead = await client.post(
        f"/api/v1/cases/{case_id}/handlers", json={"user_id": str(handler.id)}, headers=headers
    )
    assert not_lead.status_code == 403
    added = await client.post(f"/api/v1/cases/{case_id}/handlers", json={"user_id": str(handler.id)}, headers=lead)
    assert added.status_code == 201 and added.json()["user_id"] == str(handler.id)
    wrong_team = await client.post(
        f"/api/v1/cases/{case_id}/handlers", json={"user_id": str(outsider.id)}, headers=lead
    )
    assert wrong_team.status_code == 422
    not_lead = await client.post(
        f"/api/v1/cases/{case_id}/handlers", json={"user_id": str(handler.id)}, headers=headers
    )
    assert not_lead.status_code == 404
    unknown = await client.post(f"/api/v1/cases/{case_id}/handlers", json={"user_id": str(uuid.uuid4())}, headers=lead)
    assert unknown.status_code == 422
    mine = (await client.get("/api/v1/cases", params={"mine": "true"}, headers=await login(client, handler))).json()
    assert case_id in {c["id"] for c in mine["items"]}
    case = (await client.get(f"/api/v1/cases/{case_id}", headers=lead)).json()
    assert [h["user_id"] for h in case["handlers"]] == [str(handler.id)]
    assert (await client.delete(f"/api/v1/cases/{case_id}/handlers/{handler.id}", headers=lead)).status_code == 204
    assert (await client.get(f"/api/v1/cases/{case_id}", headers=lead)).json()["handlers"] == []


RECUSED = ("resp", "resp_colleague", "resp_boss", "director", "witness")


async def _staff_linked(uow_factory, number: str, role: Role = Role.intake):  # type: ignore[no-untyped-def]
    staff = await make_staff(uow_factory, role=role, team=Team.intake_counselling, employee_number=number)
    return staff


async def test_case_3_recused_staff_never_see_or_get_the_case(client, uow_factory) -> None:
    """CASE-3: a party, a colleague in the respondent's unit and anyone in the respondent's chain of command get
    404 on the case and are never assignable; an unrelated colleague of the same team sees it."""
    org = await make_org(
        uow_factory,
        units={"top": None, "resp_unit": "top", "other": "top"},
        people={
            "director": ("top", None),
            "resp_boss": ("resp_unit", "director"),
            "resp": ("resp_unit", "resp_boss"),
            "resp_colleague": ("resp_unit", "resp_boss"),
            "witness": ("other", "director"),
            "unrelated": ("other", None),
        },
    )
    recused = {n: await _staff_linked(uow_factory, org.employees[n]) for n in RECUSED}
    fine = await _staff_linked(uow_factory, org.employees["unrelated"])
    lead_staff = await make_staff(uow_factory, role=Role.team_lead, team=Team.intake_counselling)
    body = await make_report(
        client,
        respondent={"employee_number": org.employees["resp"]},
        witnesses=[{"employee_number": org.employees["witness"]}],
    )
    lead = await login(client, lead_staff)
    case_id = await case_id_for(client, lead, body["case_reference"])
    for name, staff in recused.items():
        headers = await login(client, staff)
        assert (await client.get(f"/api/v1/cases/{case_id}", headers=headers)).status_code == 404, name
        queue = (
            await client.get("/api/v1/cases", params={"reference": body["case_reference"]}, headers=headers)
        ).json()
        assert queue["total"] == 0, name
        refused = await client.post(f"/api/v1/cases/{case_id}/handlers", json={"user_id": str(staff.id)}, headers=lead)
        assert refused.status_code == 422 and refused.json()["code"] == "recused", name
    fine_h = await login(client, fine)
    assert (await client.get(f"/api/v1/cases/{case_id}", headers=fine_h)).status_code == 200
    # Whom the lead may assign: the unrelated colleague yes, none of the recused, nobody from another team.
    outsider = await make_staff(uow_factory, role=Role.investigator, team=Team.investigation)
    assignable = await client.get(f"/api/v1/cases/{case_id}/assignable", headers=lead)
    assert assignable.status_code == 200
    offered = {p["user_id"] for p in assignable.json()}
    assert str(fine.id) in offered and str(outsider.id) not in offered
    recused_numbers = {org.employees[n] for n in RECUSED}
    async with uow_factory() as uow:
        for person in await uow.staff.users_by_ids([uuid.UUID(i) for i in offered]):
            assert person.employee_number not in recused_numbers
    not_lead = await client.get(f"/api/v1/cases/{case_id}/assignable", headers=fine_h)
    assert not_lead.status_code == 403


async def test_case_3_recusal_follows_personnel_changes_from_the_next_request(client, uow_factory) -> None:
    """CASE-3: when a staff member is transferred into the respondent's unit after the case opened, the very
    next request answers 404."""
    org = await make_org(
        uow_factory, units={"a": None, "b": None}, people={"resp": ("a", None), "officer": ("b", None)}
    )
    staff = await _staff_linked(uow_factory, org.employees["officer"])
    body = await make_report(client, respondent={"employee_number": org.employees["resp"]})
    headers = await login(client, staff)
    case_id = await case_id_for(client, headers, body["case_reference"])
    assert (await client.get(f"/api/v1/cases/{case_id}", headers=headers)).status_code == 200
    async with uow_factory() as uow:
        officer = await uow.session.scalar(select(Employee).where(Employee.employee_number == org.employees["officer"]))
        officer.unit_id = org.ids["unit:a"]
        await uow.commit()
    assert (await client.get(f"/api/v1/cases/{case_id}", headers=headers)).status_code == 404
    # A division head who is recused is recused too.
    async with uow_factory() as uow:
        user = await uow.session.get(StaffUser, staff.id)
        user.role = Role.division_head
        await uow.commit()
    assert (await client.get(f"/api/v1/cases/{case_id}", headers=headers)).status_code == 404


async def test_case_3_an_investigated_case_keeps_an_assigned_handler(client, uow_factory) -> None:
    """CASE-3: a case has assigned handlers. Once it is under investigation its last handler can be replaced but not
    removed (409 last-handler, nothing changes); with a second handler assigned, the first one can go."""
    lead = await make_staff(uow_factory, role=Role.team_lead, team=Team.intake_counselling)
    first = await make_staff(uow_factory, role=Role.investigator, team=Team.intake_counselling)
    second = await make_staff(uow_factory, role=Role.investigator, team=Team.intake_counselling)
    _, _, case_id = await report_to_an_officer(client, uow_factory)
    lead_h = await login(client, lead)
    url = f"/api/v1/cases/{case_id}/handlers"
    assert (await client.post(url, json={"user_id": str(first.id)}, headers=lead_h)).status_code == 201
    for to in ("triaged", "investigating"):
        await move_case(client, uow_factory, lead_h, case_id, to)
    refused = await client.delete(f"{url}/{first.id}", headers=lead_h)
    assert refused.status_code == 409 and refused.json()["code"] == "last-handler"
    handlers = (await client.get(f"/api/v1/cases/{case_id}", headers=lead_h)).json()["handlers"]
    assert [h["user_id"] for h in handlers] == [str(first.id)]
    assert (await client.post(url, json={"user_id": str(second.id)}, headers=lead_h)).status_code == 201
    assert (await client.delete(f"{url}/{first.id}", headers=lead_h)).status_code == 204
    handlers = (await client.get(f"/api/v1/cases/{case_id}", headers=lead_h)).json()["handlers"]
    assert [h["user_id"] for h in handlers] == [str(second.id)]
