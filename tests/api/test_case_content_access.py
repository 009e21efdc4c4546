"""Who reads a case, failing closed (security review F2, F13; ACC-1, CASE-3, CASE-5): a case-team account without
a verified directory match sees nothing; recusal works by staff account; once a case has handlers its content is
theirs, their team lead's and the division head's; the division head is assigned by someone else; content-blind
roles get 404 on a case."""

from __future__ import annotations

import uuid

import pytest

from app.db.models import Employee, StaffUser
from app.domain.enums import EmployeeStatus, Role, Team
from app.services.case_access import recused_user_ids
from tests.builders import Staff, case_id_for, login, make_report, make_staff
from tests.directory import make_org

CANARY = "CANARY-CONTENT-ACCESS"


async def _set_number(uow_factory, staff: Staff, number: str | None) -> None:  # type: ignore[no-untyped-def]
    """What a sysadmin's edit of the account would store (the account side's approvals are tested elsewhere)."""
    async with uow_factory() as uow:
        (await uow.session.get(StaffUser, staff.id)).employee_number = number
        await uow.commit()


async def _hidden(client, headers: dict[str, str], case_id: str, reference: str) -> None:  # type: ignore[no-untyped-def]
    """The case answers 404 and is not in the queue."""
    assert (await client.get(f"/api/v1/cases/{case_id}", headers=headers)).status_code == 404
    queue = (await client.get("/api/v1/cases", params={"reference": reference}, headers=headers)).json()
    assert queue["total"] == 0


async def _sees_nothing(client, headers: dict[str, str], case_id: str, reference: str) -> None:  # type: ignore[no-untyped-def]
    """The case is hidden, and so is every other: the queue is empty."""
    await _hidden(client, headers, case_id, reference)
    everything = (await client.get("/api/v1/cases", headers=headers)).json()
    assert everything["total"] == 0 and everything["items"] == []


async def test_case_3_f2_respondent_stays_recused_when_the_employee_number_is_removed(client, uow_factory) -> None:
    """CASE-3, ACC-1 (F2, reproduced): the respondent, a team lead of the routed team, gets 404 on the case about
    him; with his employee number removed (null) he still gets 404 — and sees no case at all; nor with a number
    the directory does not know, nor with the number of someone retired. Setting his number back keeps the 404."""
    org = await make_org(
        uow_factory, units={"office": None}, people={"victim": ("office", None), "resp": ("office", None)}
    )
    body = await make_report(
        client,
        reporter_kind="victim",
        identity_mode="confidential",
        reporter={
            "name": f"{CANARY}-VICTIM",
            "email": "victim@example.org",
            "employee_number": org.employees["victim"],
        },
        respondent={"employee_number": org.employees["resp"]},
        narrative=f"{CANARY}: my team lead touched me at the dinner.",
    )
    lead = await login(client, await make_staff(uow_factory, role=Role.team_lead, team=Team.intake_counselling))
    case_id = await case_id_for(client, lead, body["case_reference"])
    resp = await make_staff(
        uow_factory, role=Role.team_lead, team=Team.intake_counselling, employee_number=org.employees["resp"]
    )
    headers = await login(client, resp)
    assert (await client.get(f"/api/v1/cases/{case_id}", headers=headers)).status_code == 404
    retired = await make_org(uow_factory, units={}, people={"gone": (None, None)})
    async with uow_factory() as uow:
        (await uow.session.get(Employee, retired.ids["gone"])).status = EmployeeStatus.retired
        await uow.commit()
    for number in (None, f"E-NOBODY-{uuid.uuid4().hex[:8]}", retired.employees["gone"]):
        await _set_number(uow_factory, resp, number)
        await _sees_nothing(client, headers, case_id, body["case_reference"])
        refused = await client.post(f"/api/v1/cases/{case_id}/messages", json={"body": "x"}, headers=headers)
        assert refused.status_code == 404 and CANARY not in refused.text
    await _set_number(uow_factory, resp, org.employees["resp"])
    assert (await client.get(f"/api/v1/cases/{case_id}", headers=headers)).status_code == 404


@pytest.mark.parametrize("role", [Role.intake, Role.investigator, Role.team_lead, Role.division_head])
async def test_acc_1_f2_case_role_without_directory_match_sees_no_case(client, uow_factory, role: Role) -> None:
    """ACC-1 (F2): a case-team account created without an employee number, or with one the directory does not
    know, has an empty queue and gets 404 on a case of its own team that its team reads. Every account is on staff
    before the report comes in (issue 18): the verified one reads it, the unverified ones still see nothing."""
    team = Team.intake_counselling if role != Role.division_head else None
    verified = await make_staff(uow_factory, role=role, team=team)
    unverified_accounts = [
        await make_staff(uow_factory, role=role, team=team, employee_number=number, in_directory=False)
        for number in (None, f"E-UNKNOWN-{uuid.uuid4().hex[:8]}")
    ]
    lead_staff = await make_staff(uow_factory, role=Role.team_lead, team=Team.intake_counselling)
    body = await make_report(client, narrative=f"{CANARY}: at the office party.")
    reader = await login(client, verified)
    case_id = await case_id_for(client, reader, body["case_reference"])  # verified: sees it
    assert (await client.get(f"/api/v1/cases/{case_id}", headers=reader)).status_code == 200
    lead = await login(client, lead_staff)
    for unverified in unverified_accounts:
        await _sees_nothing(client, await login(client, unverified), case_id, body["case_reference"])
        # ... and nobody can assign such an account: whom it is recused from cannot be checked.
        if role != Role.division_head:
            refused = await client.post(
                f"/api/v1/cases/{case_id}/handlers", json={"user_id": str(unverified.id)}, headers=lead
            )
            assert refused.status_code == 422 and refused.json()["code"] == "recused"


async def test_case_3_recusal_by_staff_account(client, uow_factory) -> None:
    """CASE-3: a case whose respondent or protected person IS a staff member (the report named them by employee
    number) recuses their account — the accounts linked by employee number, found from the case's side — and an
    account in the respondent's unit; the account's 404 comes from the next request on; an unrelated colleague
    reads the case."""
    org = await make_org(
        uow_factory,
        units={"a": None, "b": None},
        people={"resp": ("a", None), "mate": ("a", None), "witness": ("b", None), "other": ("b", None)},
    )
    accounts = {
        name: await make_staff(
            uow_factory, role=Role.investigator, team=Team.intake_counselling, employee_number=org.employees[name]
        )
        for name in ("resp", "mate", "witness", "other")
    }
    body = await make_report(
        client,
        respondent={"employee_number": org.employees["resp"]},
        witnesses=[{"employee_number": org.employees["witness"]}],
    )
    lead = await login(client, await make_staff(uow_factory, role=Role.team_lead, team=Team.intake_counselling))
    case_id = await case_id_for(client, lead, body["case_reference"])
    async with uow_factory() as uow:
        case = await uow.cases.case(uuid.UUID(case_id))
        assert case is not None
        recused = await recused_user_ids(uow, case)
    assert {accounts[n].id for n in ("resp", "mate", "witness")} <= recused
    assert accounts["other"].id not in recused
    for name in ("resp", "mate", "witness"):
        await _hidden(client, await login(client, accounts[name]), case_id, body["case_reference"])
    assert (
        await client.get(f"/api/v1/cases/{case_id}", headers=await login(client, accounts["other"]))
    ).status_code == 200


async def test_acc_1_f13_after_assignment_only_handlers_lead_and_head_read_the_case(client, uow_factory) -> None:
    """ACC-1, CASE-5 (F13): before a case is assigned the routed team reads it (triage). After: the handler, the
    team's lead and the division head read it; another member of the team keeps the queue row (reference, status,
    deadlines; `content_visible: false`) and gets 404 on every route of the case. The identity stays the assigned
    team's (handlers and lead), not the division head's. All of them are on staff before the report comes in
    (issue 18)."""
    officer_staff = await make_staff(uow_factory, role=Role.intake, team=Team.intake_counselling)
    lead_staff = await make_staff(uow_factory, role=Role.team_lead, team=Team.intake_counselling)
    handler = await make_staff(uow_factory, role=Role.intake, team=Team.intake_counselling)
    head_staff = await make_staff(uow_factory, role=Role.division_head)
    body = await make_report(
        client,
        reporter_kind="victim",
        identity_mode="confidential",
        reporter={"name": f"{CANARY}-NAME", "email": "someone@example.org"},
        narrative=f"{CANARY}: he followed me home twice.",
    )
    officer = await login(client, officer_staff)
    case_id = await case_id_for(client, officer, body["case_reference"])
    case_url = f"/api/v1/cases/{case_id}"
    triage = await client.get(case_url, headers=officer)
    assert triage.status_code == 200 and CANARY in triage.text  # triage: the routed team reads it
    queue = await client.get("/api/v1/cases", params={"reference": body["case_reference"]}, headers=officer)
    assert queue.json()["items"][0]["content_visible"] is True

    lead = await login(client, lead_staff)
    added = await client.post(f"{case_url}/handlers", json={"user_id": str(handler.id)}, headers=lead)
    assert added.status_code == 201

    head = await login(client, head_staff)
    for reader, identity in ((await login(client, handler), True), (lead, True), (head, False)):
        read = await client.get(case_url, headers=reader)
        assert read.status_code == 200 and read.json()["reports"][0]["narrative"].startswith(CANARY)
        assert read.json()["identity_visible"] is identity

    row = (await client.get("/api/v1/cases", params={"reference": body["case_reference"]}, headers=officer)).json()
    assert row["total"] == 1
    item = row["items"][0]
    assert item["content_visible"] is False and item["reference"] == body["case_reference"]
    assert item["next_deadline"] is not None and CANARY not in str(row)
    for method, path, kwargs in (
        ("GET", "", {}),
        ("GET", "/timeline", {}),
        ("GET", "/evidence", {}),
        ("GET", "/measures", {}),
        ("GET", "/disclosures", {}),
        ("GET", "/separation", {}),
        ("GET", "/next-steps", {}),
        ("POST", "/messages", {"json": {"body": "hello", "internal": True}}),
        ("POST", "/disclosures", {"json": {"reason": "I want to know who it is."}}),
        ("POST", "/transitions", {"json": {"to": "triaged", "reason": "Done."}, "headers": {"If-Match": '"1"'}}),
    ):
        headers = {**officer, **kwargs.pop("headers", {})}
        answer = await client.request(method, f"{case_url}{path}", headers=headers, **kwargs)
        assert answer.status_code == 404, (method, path, answer.text)
        assert CANARY not in answer.text
    # Unassigned again, the case goes back to the team for triage.
    await client.delete(f"{case_url}/handlers/{handler.id}", headers=lead)
    assert (await client.get(case_url, headers=officer)).status_code == 200


async def test_case_5_f13_division_head_cannot_assign_themselves(client, uow_factory) -> None:
    """CASE-5 (F13): the division head's request to assign themselves is refused (422 `self-assignment`, nothing
    stored, the identity still hidden); a team lead assigns the division head, who then sees the identity. Both are
    on staff before the report comes in (issue 18)."""
    head_staff = await make_staff(uow_factory, role=Role.division_head)
    lead_staff = await make_staff(uow_factory, role=Role.team_lead, team=Team.intake_counselling)
    body = await make_report(
        client,
        reporter_kind="victim",
        identity_mode="confidential",
        reporter={"name": f"{CANARY}-NAME", "email": "someone@example.org"},
    )
    head = await login(client, head_staff)
    case_id = await case_id_for(client, head, body["case_reference"])
    case_url = f"/api/v1/cases/{case_id}"
    refused = await client.post(f"{case_url}/handlers", json={"user_id": str(head_staff.id)}, headers=head)
    assert refused.status_code == 422
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert refused.json()["code"] == "self-assignment"
    case = (await client.get(case_url, headers=head)).json()
    assert case["handlers"] == [] and case["identity_visible"] is False
    lead = await login(client, lead_staff)
    assert (
        await client.post(f"{case_url}/handlers", json={"user_id": str(head_staff.id)}, headers=lead)
    ).status_code == 201
    assert (await client.get(case_url, headers=head)).json()["identity_visible"] is True
