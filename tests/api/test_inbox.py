"""The reporter's inbox: receipt entry (INT-4, INT-6), reading and writing (CASE-4)."""

from __future__ import annotations

import jwt
import pytest
from sqlalchemy import select

from app.db.models import Case, Report
from app.domain.enums import Role, Team
from tests.builders import inbox_headers, login, make_report, make_staff


async def test_int_4_receipt_entry_tolerates_case_spaces_and_hyphens(client) -> None:
    """INT-4: the code works in lower case, with spaces instead of hyphens, or with none."""
    code = (await make_report(client))["receipt_code"]
    for entered in (code, code.lower(), code.replace("-", " "), code.replace("-", ""), f"  {code}  "):
        response = await client.post("/api/v1/inbox/session", json={"receipt_code": entered})
        assert response.status_code == 200, entered
        assert response.json()["token_type"] == "Bearer"


@pytest.mark.parametrize("entered", ["", "not-a-code", "0000-0000-0000-0000-0000-0000-0000", "x" * 100])
async def test_int_6_unknown_and_malformed_codes_answer_alike(client, entered: str) -> None:
    """INT-6: unknown and malformed codes get the same answer as wrong ones."""
    response = await client.post("/api/v1/inbox/session", json={"receipt_code": entered})
    assert response.status_code == 401
    assert response.json()["code"] == "receipt-not-accepted"


async def test_case_4_inbox_shows_status_deadlines_and_conversation(client) -> None:
    """CASE-4: the reporter sees status, the deadlines that concern them, and the messages."""
    body = await make_report(client)
    headers = await inbox_headers(client, body["receipt_code"])
    sent = await client.post("/api/v1/inbox/messages", json={"body": "I have more to tell."}, headers=headers)
    assert sent.status_code == 201 and sent.json()["seq"] == 2
    inbox = (await client.get("/api/v1/inbox", headers=headers)).json()
    assert inbox["case_reference"] == body["case_reference"]
    assert inbox["status"] == "received" and inbox["can_write"] is True
    assert {d["kind"] for d in inbox["deadlines"]} == {"acknowledgement", "feedback"}
    assert [(m["author"], m["body"]) for m in inbox["messages"]][1] == ("reporter", "I have more to tell.")


async def test_case_4_reporter_never_sees_internal_notes_and_sees_replies(client, uow_factory) -> None:
    """CASE-4: the team's reply reaches the inbox; internal notes never do. CASE-2: a reply marked as feedback on
    the outcome meets the feedback deadline. (The officer is on staff before the report comes in, so its key is
    wrapped for them: issue 18.)"""
    officer = await make_staff(uow_factory, role=Role.intake, team=Team.intake_counselling)
    body = await make_report(client)
    reporter = await inbox_headers(client, body["receipt_code"])
    staff = await login(client, officer)
    page = (await client.get("/api/v1/cases", headers=staff, params={"reference": body["case_reference"]})).json()
    case_id = page["items"][0]["id"]
    note = await client.post(
        f"/api/v1/cases/{case_id}/messages", json={"body": "NOTE-internal", "internal": True}, headers=staff
    )
    reply = await client.post(
        f"/api/v1/cases/{case_id}/messages", json={"body": "We have your report.", "feedback": True}, headers=staff
    )
    assert note.status_code == reply.status_code == 201
    inbox = (await client.get("/api/v1/inbox", headers=reporter)).json()
    bodies = [m["body"] for m in inbox["messages"]]
    assert "We have your report." in bodies and "NOTE-internal" not in bodies
    assert next(d for d in inbox["deadlines"] if d["kind"] == "feedback")["met_on"] is not None


async def test_case_4_closed_case_is_read_only_for_the_reporter(client, uow_factory) -> None:
    """CASE-4: after `closed` the reporter can read but not write (409), and nothing is added."""
    body = await make_report(client)
    headers = await inbox_headers(client, body["receipt_code"])
    async with uow_factory() as uow:
        case = await uow.session.scalar(select(Case).where(Case.reference == body["case_reference"]))
        case.status = "closed"
        await uow.commit()
    refused = await client.post("/api/v1/inbox/messages", json={"body": "hello?"}, headers=headers)
    assert refused.status_code == 409 and refused.json()["code"] == "case-closed"
    inbox = (await client.get("/api/v1/inbox", headers=headers)).json()
    assert inbox["can_write"] is False and len(inbox["messages"]) == 1


async def test_inbox_needs_an_inbox_token(client, uow_factory, settings) -> None:
    """No token, a forged or expired token, or a staff token on the inbox: 401 problem."""
    body = await make_report(client)
    good = await inbox_headers(client, body["receipt_code"])
    claims = jwt.decode(good["Authorization"].split()[1], options={"verify_signature": False})
    forged = jwt.encode(claims, "another-secret-of-sufficient-length-000", algorithm="HS256")
    expired = jwt.encode({**claims, "exp": claims["iat"] - 10}, settings.jwt_secret, algorithm="HS256")
    staff = await login(client, await make_staff(uow_factory, role=Role.intake, team=Team.intake_counselling))
    for headers in ({}, {"Authorization": f"Bearer {forged}"}, {"Authorization": f"Bearer {expired}"}, staff):
        response = await client.get("/api/v1/inbox", headers=headers)
        assert response.status_code == 401
        assert response.json()["code"] == "invalid-token"
        assert response.headers["www-authenticate"] == "Bearer"


async def test_inbox_token_is_refused_on_staff_endpoints(client) -> None:
    """An inbox token never opens staff endpoints."""
    headers = await inbox_headers(client, (await make_report(client))["receipt_code"])
    for path in ("/api/v1/cases", "/api/v1/auth/me"):
        response = await client.get(path, headers=headers)
        assert response.status_code == 401 and response.json()["code"] == "invalid-token"


async def test_inbox_message_validation(client, uow_factory) -> None:
    """An empty or oversized message is refused and nothing is added."""
    body = await make_report(client)
    headers = await inbox_headers(client, body["receipt_code"])
    for bad in ({"body": ""}, {"body": "x" * 10_001}, {}, {"body": 5}):
        assert (await client.post("/api/v1/inbox/messages", json=bad, headers=headers)).status_code == 422
    async with uow_factory() as uow:
        case = await uow.session.scalar(select(Case).where(Case.reference == body["case_reference"]))
        assert len(await uow.cases.messages(case.id, include_internal=True)) == 1
        assert await uow.session.scalar(select(Report.id).where(Report.case_id == case.id)) is not None


async def test_case_4_after_closing_no_reporter_write_is_accepted(client, uow_factory) -> None:
    """CASE-4 (defect 17): after `closed` the reporter reads but writes nothing — no message, no answer to a
    measure, no opinion on discipline, no file (409 case-closed each, nothing changes); reporting secondary
    damage stays open (SD-2, RET-1). (The team lead is on staff before the report comes in: issue 18.)"""
    lead = await login(client, await make_staff(uow_factory, role=Role.team_lead, team=Team.intake_counselling))
    body = await make_report(client, reporter_kind="victim", identity_mode="confidential", reporter={"name": "V"})
    reporter = await inbox_headers(client, body["receipt_code"])
    page = (await client.get("/api/v1/cases", headers=lead, params={"reference": body["case_reference"]})).json()
    case_id = page["items"][0]["id"]
    offered = await client.post(f"/api/v1/cases/{case_id}/measures", json={"kind": "paid_leave"}, headers=lead)
    assert offered.status_code == 201, offered.text
    async with uow_factory() as uow:
        (await uow.session.scalar(select(Case).where(Case.reference == body["case_reference"]))).status = "closed"
        await uow.commit()
    writes = [
        await client.post("/api/v1/inbox/messages", json={"body": "hello?"}, headers=reporter),
        await client.post(
            f"/api/v1/inbox/measures/{offered.json()['id']}/answer", json={"accept": True}, headers=reporter
        ),
        await client.post("/api/v1/inbox/victim-opinion", json={"text": "My opinion."}, headers=reporter),
        await client.post(
            "/api/v1/inbox/evidence", files={"file": ("note.txt", b"text", "text/plain")}, headers=reporter
        ),
    ]
    assert [(r.status_code, r.json()["code"]) for r in writes] == [(409, "case-closed")] * 4
    inbox = (await client.get("/api/v1/inbox", headers=reporter)).json()
    assert [m["status"] for m in inbox["measures"]] == ["offered"]
    opinions = (await client.get(f"/api/v1/cases/{case_id}/victim-opinion", headers=lead)).json()
    assert opinions == []
    later = await client.post(
        "/api/v1/inbox/secondary-damage", json={"narrative": "They mock me since the case closed."}, headers=reporter
    )
    assert later.status_code == 201, later.text


async def test_int_7_the_acknowledgement_carries_a_code_for_the_readers_language(client) -> None:
    """INT-7 (issue 14): the system's acknowledgement is named by a code, so that the reporter's app shows it in the
    reader's language only; messages people write carry none."""
    receipt = await make_report(client)
    headers = await inbox_headers(client, receipt["receipt_code"])
    await client.post("/api/v1/inbox/messages", json={"body": "I have more to tell."}, headers=headers)
    inbox = (await client.get("/api/v1/inbox", headers=headers)).json()
    assert [(m["author"], m["code"]) for m in inbox["messages"]] == [
        ("system", "acknowledgement"),
        ("reporter", None),
    ]
    sealed = await make_report(client, escrow=True, respondent={"employee_number": "E-4711"})
    escrow = (await client.get("/api/v1/inbox", headers=await inbox_headers(client, sealed["receipt_code"]))).json()
    assert [m["code"] for m in escrow["messages"]] == ["acknowledgement.escrow"]
