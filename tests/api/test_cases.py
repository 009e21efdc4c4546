"""The case team's endpoints: per endpoint anonymous → 401, wrong role → 403, hidden → 404, happy path + audit."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from app.db.models import AuditEntry
from app.domain.enums import Role, Team
from tests.builders import case_id_for, login, make_report, make_staff

CONTENT_BLIND = [Role.hr_officer, Role.auditor, Role.sysadmin]


@pytest.fixture
async def intake_case(client, uow_factory):  # type: ignore[no-untyped-def]
    """A fresh report in the intake team's queue, and a signed-in intake officer (on staff before the report comes
    in, so its key is wrapped for them: issue 18)."""
    officer = await make_staff(uow_factory, role=Role.intake, team=Team.intake_counselling)
    body = await make_report(client, narrative="CANARY-CASE-NARRATIVE happened in the office.")
    headers = await login(client, officer)
    return body, officer, headers, await case_id_for(client, headers, body["case_reference"])


async def test_case_3_new_case_is_in_the_intake_queue(client, intake_case) -> None:
    """CASE-3: the new case is routed to the intake team's queue with its next deadline."""
    body, _, headers, _ = intake_case
    page = (await client.get("/api/v1/cases", headers=headers, params={"team": "intake_counselling"})).json()
    assert page["total"] >= 1 and page["limit"] == 50
    item = (await client.get("/api/v1/cases", headers=headers, params={"reference": body["case_reference"]})).json()
    summary = item["items"][0]
    assert summary["status"] == "received" and summary["team"] == "intake_counselling"
    assert summary["next_deadline"]["kind"] == "triage" and summary["overdue"] is False
    assert summary["days_open"] == 0


async def test_acc_1_read_case_shows_content_to_the_team_and_is_audited(client, intake_case, uow_factory) -> None:
    """ACC-1, AUD-1: the team reads the narrative; the read is written to the audit log without content."""
    _, officer, headers, case_id = intake_case
    response = await client.get(f"/api/v1/cases/{case_id}", headers=headers)
    assert response.status_code == 200
    case = response.json()
    assert case["reports"][0]["narrative"].startswith("CANARY-CASE-NARRATIVE")
    assert case["reports"][0]["reporter"] is None  # anonymous
    assert case["allowed_transitions"] == ["triaged", "withdrawn"]
    async with uow_factory() as uow:
        rows = (
            await uow.session.scalars(
                select(AuditEntry).where(AuditEntry.case_id == uuid.UUID(case_id), AuditEntry.action == "case.read")
            )
        ).all()
        assert [r.actor_id for r in rows] == [str(officer.id)]


async def test_acc_1_other_team_gets_404_not_403(client, intake_case, uow_factory) -> None:
    """ACC-1: a case one may not see answers 404 — the same as a case that does not exist."""
    _, _, _, case_id = intake_case
    outsider = await login(client, await make_staff(uow_factory, role=Role.investigator, team=Team.investigation))
    hidden = await client.get(f"/api/v1/cases/{case_id}", headers=outsider)
    missing = await client.get(f"/api/v1/cases/{uuid.uuid4()}", headers=outsider)
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json()["code"] == missing.json()["code"] == "not-found"
    write = await client.post(f"/api/v1/cases/{case_id}/messages", json={"body": "hi"}, headers=outsider)
    assert write.status_code == 404
    queue = (
        await client.get("/api/v1/cases", headers=outsider, params={"reference": intake_case[0]["case_reference"]})
    ).json()
    assert queue["total"] == 0


async def test_acc_1_division_head_sees_every_team(client, uow_factory) -> None:
    """ACC-1: the division head heads all four teams: a case of each team, reported while they are in office,
    reads (the key is wrapped for them at submission, issue 18)."""
    head = await login(client, await make_staff(uow_factory, role=Role.division_head))
    teams = set()
    for category in ("sexual_harassment", "secondary_damage"):  # routed to intake & counselling, to investigation
        body = await make_report(client, category=category, narrative="CANARY-CASE-NARRATIVE happened in the office.")
        case_id = await case_id_for(client, head, body["case_reference"])
        read = await client.get(f"/api/v1/cases/{case_id}", headers=head)
        assert read.status_code == 200 and read.json()["reports"][0]["narrative"].startswith("CANARY-CASE-NARRATIVE")
        teams.add(read.json()["team"])
    assert teams == {"intake_counselling", "investigation"}


@pytest.mark.parametrize("role", CONTENT_BLIND)
async def test_acc_1_content_blind_roles_get_404_on_a_case_and_403_on_the_queue(
    client, intake_case, uow_factory, role: Role
) -> None:
    """ACC-1: hr_officer, auditor and sysadmin never receive narratives: a case answers them 404, exactly like a
    case that does not exist (existence is never revealed, F13); the queue, which their role has not, 403."""
    _, _, _, case_id = intake_case
    headers = await login(client, await make_staff(uow_factory, role=role))
    queue = await client.get("/api/v1/cases", headers=headers)
    assert queue.status_code == 403 and queue.json()["code"] == "access-denied"
    for case in (case_id, str(uuid.uuid4())):
        for response in (
            await client.get(f"/api/v1/cases/{case}", headers=headers),
            await client.post(f"/api/v1/cases/{case}/messages", json={"body": "x"}, headers=headers),
        ):
            assert response.status_code == 404
            assert response.json()["code"] == "not-found"
            assert "CANARY" not in response.text


async def test_case_endpoints_need_a_staff_token(client, intake_case) -> None:
    """Anonymous callers get 401 on every case endpoint."""
    _, _, _, case_id = intake_case
    for response in (
        await client.get("/api/v1/cases"),
        await client.get(f"/api/v1/cases/{case_id}"),
        await client.post(f"/api/v1/cases/{case_id}/messages", json={"body": "x"}),
    ):
        assert response.status_code == 401


async def test_case_4_staff_reply_and_internal_note(client, intake_case, uow_factory) -> None:
    """CASE-4: a reply and an internal note are both in the team's view, marked; both audited."""
    _, officer, headers, case_id = intake_case
    await client.post(f"/api/v1/cases/{case_id}/messages", json={"body": "Reply"}, headers=headers)
    await client.post(f"/api/v1/cases/{case_id}/messages", json={"body": "Note", "internal": True}, headers=headers)
    messages = (await client.get(f"/api/v1/cases/{case_id}", headers=headers)).json()["messages"]
    assert [(m["body"], m["internal"], m["author"]) for m in messages[1:]] == [
        ("Reply", False, "staff"),
        ("Note", True, "staff"),
    ]
    assert messages[1]["author_name"] == "Test intake" and messages[1]["sent_at"] is not None
    async with uow_factory() as uow:
        actions = [e.action for e in await uow.audit.for_case(uuid.UUID(case_id))]
    assert "message.to_reporter" in actions and "case.note_added" in actions


async def test_int_1_staff_see_only_the_day_of_a_reporter_message(client, intake_case) -> None:
    """INT-1: staff see the day a reporter wrote, never the time."""
    body, _, headers, case_id = intake_case
    from tests.builders import inbox_headers

    reporter = await inbox_headers(client, body["receipt_code"])
    await client.post("/api/v1/inbox/messages", json={"body": "More details"}, headers=reporter)
    messages = (await client.get(f"/api/v1/cases/{case_id}", headers=headers)).json()["messages"]
    from_reporter = [m for m in messages if m["author"] == "reporter"]
    assert from_reporter and all(m["sent_at"] is None for m in from_reporter)


async def test_case_queue_bad_parameters(client, intake_case) -> None:
    """Unknown filters and out-of-range paging answer 422 problem+json."""
    _, _, headers, _ = intake_case
    for params in ({"status": "lost"}, {"team": "hr"}, {"limit": 0}, {"limit": 1000}, {"offset": -1}):
        response = await client.get("/api/v1/cases", headers=headers, params=params)
        assert response.status_code == 422, params
    assert (await client.get("/api/v1/cases/not-a-uuid", headers=headers)).status_code == 422


async def test_case_message_validation(client, intake_case) -> None:
    """An empty body or an unknown field is refused."""
    _, _, headers, case_id = intake_case
    for bad in ({"body": ""}, {"body": "x", "secret": True}, {"internal": True}):
        response = await client.post(f"/api/v1/cases/{case_id}/messages", json=bad, headers=headers)
        assert response.status_code == 422
