"""The audit log for its readers (AUD-1, ACC-1, CASE-3): the auditor searches and verifies it through the API;
the case team sees a case's timeline — exactly those who may read the case, the recused get 404."""

from __future__ import annotations

import asyncio
import uuid
from datetime import date, datetime, timedelta

import httpx
from sqlalchemy import select, text

from app.cli import migrate
from app.db.engine import make_engine
from app.db.models import AuditEntry
from app.db.uow import UnitOfWork
from app.domain.enums import Role, Team
from app.main import create_app
from tests.builders import case_id_for, inbox_headers, login, make_report, make_staff
from tests.conftest import TEST_DIR, make_settings
from tests.directory import make_org

ENTRIES = "/api/v1/audit/entries"
VERIFY = "/api/v1/audit/verification"
CANARY = "CANARY-AUDIT"


async def _team_case(client, uow_factory):  # type: ignore[no-untyped-def]
    """An intake-team case with a reporter message, a handler's reply and an internal note. Its lead exists before the
    report comes in (issue 18: the case's key is wrapped for its readers at submission)."""
    lead = await make_staff(uow_factory, role=Role.team_lead, team=Team.intake_counselling)
    report = await make_report(client, narrative=f"{CANARY}: my manager touched me at the dinner.")
    lead_h = await login(client, lead)
    case_id = await case_id_for(client, lead_h, report["case_reference"])
    inbox = await inbox_headers(client, report["receipt_code"])
    assert (
        await client.post("/api/v1/inbox/messages", json={"body": f"{CANARY} more"}, headers=inbox)
    ).status_code == 201
    note = {"body": f"{CANARY} internal", "internal": True}
    assert (await client.post(f"/api/v1/cases/{case_id}/messages", json=note, headers=lead_h)).status_code == 201
    assert (await client.get(f"/api/v1/cases/{case_id}", headers=lead_h)).status_code == 200
    return report, lead, lead_h, case_id


async def test_aud_1_auditor_searches_by_case_actor_action_and_day_newest_first(client, uow_factory) -> None:
    """AUD-1: filters combine; newest first with a total; pages of at most 200; no content in any entry; the
    search itself is audited."""
    report, lead, _, case_id = await _team_case(client, uow_factory)
    auditor = await make_staff(uow_factory, role=Role.auditor)
    headers = await login(client, auditor)
    response = await client.get(ENTRIES, params={"case_id": case_id}, headers=headers)
    assert response.status_code == 200, response.text
    page = response.json()
    actions = [e["action"] for e in page["items"]]
    assert page["total"] == len(actions) >= 4
    assert actions[-1] == "report.submitted" and "case.read" in actions and "case.note_added" in actions
    order = [(datetime.fromisoformat(e["at"]), e["chain"] == "main", e["seq"]) for e in page["items"]]  # INT-1
    assert order == sorted(order, reverse=True)
    assert CANARY not in response.text and report["case_reference"] not in response.text
    reporter_entry = next(e for e in page["items"] if e["action"] == "message.from_reporter")
    assert reporter_entry["actor_id"] is None and reporter_entry["at"].endswith("00:00:00Z")  # INT-1

    by_actor = (
        await client.get(ENTRIES, params={"actor_id": str(lead.id), "case_id": case_id}, headers=headers)
    ).json()
    assert {e["action"] for e in by_actor["items"]} == {"case.read", "case.note_added"}
    by_action = await client.get(ENTRIES, params={"action": "case.read", "case_id": case_id}, headers=headers)
    assert by_action.json()["total"] == 1
    today = date.today()
    days = {"from": (today - timedelta(days=1)).isoformat(), "to": (today + timedelta(days=1)).isoformat()}
    assert (await client.get(ENTRIES, params={**days, "case_id": case_id}, headers=headers)).json()["total"] == page[
        "total"
    ]
    old = {"from": "2001-01-01", "to": "2001-01-31"}
    assert (await client.get(ENTRIES, params={**old, "case_id": case_id}, headers=headers)).json()["total"] == 0
    second = (await client.get(ENTRIES, params={"case_id": case_id, "limit": 2, "offset": 2}, headers=headers)).json()
    assert [e["seq"] for e in second["items"]] == [e["seq"] for e in page["items"][2:4]]
    async with uow_factory() as uow:
        searched = await uow.session.scalar(
            select(AuditEntry).where(AuditEntry.action == "audit.searched", AuditEntry.actor_id == str(auditor.id))
        )
        assert searched is not None


async def test_aud_1_search_bad_input_and_roles(client, uow_factory) -> None:
    """AUD-1, ACC-1: bounds and malformed filters are problems; only the auditor searches or verifies (others
    403 — their role is refused, nothing about the log is said); anonymous 401."""
    headers = await login(client, await make_staff(uow_factory, role=Role.auditor))
    for params in ({"limit": 201}, {"offset": -1}, {"case_id": "not-a-uuid"}, {"from": "yesterday"}):
        bad = await client.get(ENTRIES, params=params, headers=headers)
        assert bad.status_code == 422 and bad.json()["code"] == "validation-failed", params
    backwards = await client.get(ENTRIES, params={"from": "2026-02-01", "to": "2026-01-01"}, headers=headers)
    assert backwards.status_code == 422 and backwards.json()["code"] == "date-range-invalid"
    bad_anchor = await client.post(VERIFY, json={"anchor_seq": 1, "anchor_hash": "xyz"}, headers=headers)
    assert bad_anchor.status_code == 422 and bad_anchor.headers["content-type"] == "application/problem+json"
    for role, team in (
        (Role.sysadmin, None),
        (Role.division_head, None),
        (Role.hr_officer, None),
        (Role.intake, Team.investigation),
    ):
        other = await login(client, await make_staff(uow_factory, role=role, team=team))
        assert (await client.get(ENTRIES, headers=other)).status_code == 403, role
        assert (await client.post(VERIFY, headers=other)).status_code == 403, role
    assert (await client.get(ENTRIES)).status_code == 401
    assert (await client.post(VERIFY)).status_code == 401


async def test_aud_1_auditor_verifies_the_chain_through_the_api(client, uow_factory) -> None:
    """AUD-1: the same walk as `withu audit verify`: the shared log is intact; its head works as an anchor; the
    verification is audited."""
    auditor = await make_staff(uow_factory, role=Role.auditor)
    headers = await login(client, auditor)
    response = await client.post(VERIFY, headers=headers)
    assert response.status_code == 200, response.text
    result = response.json()
    assert result["valid"] is True and result["first_broken_seq"] is None and result["reason"] is None
    assert result["entries_checked"] >= result["head_seq"] > 0 and len(result["head_hash"]) == 64
    anchored = await client.post(
        VERIFY, json={"anchor_seq": result["head_seq"], "anchor_hash": result["head_hash"]}, headers=headers
    )
    assert anchored.status_code == 200 and anchored.json()["valid"] is True
    wrong = await client.post(VERIFY, json={"anchor_seq": result["head_seq"], "anchor_hash": "0" * 64}, headers=headers)
    failed = wrong.json()
    assert (failed["valid"], failed["first_broken_seq"]) == (False, result["head_seq"])
    async with uow_factory() as uow:
        rows = (
            await uow.session.scalars(
                select(AuditEntry.target).where(
                    AuditEntry.action == "audit.verified", AuditEntry.actor_id == str(auditor.id)
                )
            )
        ).all()
        assert sorted(rows) == ["broken", "intact", "intact"]


async def test_aud_1_verification_finds_the_first_modified_entry() -> None:
    """AUD-1: on a database of its own (tampering must not break the shared one), an entry changed behind the
    application's back is reported by seq, as `withu audit verify` reports it."""
    settings = make_settings(database_url=f"sqlite+aiosqlite:///{TEST_DIR}/tamper-{uuid.uuid4().hex}.db")
    await asyncio.to_thread(migrate, settings)
    app = create_app(settings)
    try:
        transport = httpx.ASGITransport(app=app, client=("203.0.113.7", 50000))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            runtime = app.state.runtime
            auditor = await make_staff(lambda: UnitOfWork(runtime.sessionmaker, settings), role=Role.auditor)
            headers = await login(client, auditor)
            await make_report(client)
            assert (await client.post(VERIFY, headers=headers)).json()["valid"] is True
            engine = make_engine(settings.database_url)
            async with engine.begin() as conn:  # a database administrator with full rights
                await conn.execute(text("DROP TRIGGER audit_entry_no_update"))
                await conn.execute(text("UPDATE audit_entry SET action = 'case.read' WHERE seq = 2"))
            await engine.dispose()
            broken = (await client.post(VERIFY, headers=headers)).json()
            assert broken["valid"] is False and broken["first_broken_seq"] == 2
            assert broken["reason"] == "entry was modified" and broken["entries_checked"] >= 4
    finally:
        await app.state.runtime.engine.dispose()


async def test_aud_1_case_3_timeline_for_the_case_team_only(client, uow_factory) -> None:
    """AUD-1, ACC-1, CASE-3: the team sees the case's entries oldest first, staff by name and role, the reporter
    never by any id, with a summary code; the read is audited. Another team and the recused get 404 (as for
    the case itself); roles outside the case team 403; anonymous 401."""
    org = await make_org(uow_factory, units={"u": None}, people={"resp": ("u", None)})
    lead = await make_staff(uow_factory, role=Role.team_lead, team=Team.intake_counselling)  # a reader at submission
    report = await make_report(client, respondent={"employee_number": org.employees["resp"]})
    lead_h = await login(client, lead)
    case_id = await case_id_for(client, lead_h, report["case_reference"])
    assert (await client.get(f"/api/v1/cases/{case_id}", headers=lead_h)).status_code == 200
    url = f"/api/v1/cases/{case_id}/timeline"

    response = await client.get(url, headers=lead_h)
    assert response.status_code == 200, response.text
    timeline = response.json()
    items = timeline["items"]
    assert items[0]["action"] == "report.submitted" and items[0]["actor"]["kind"] == "anonymous"
    assert items[0]["actor"]["user_id"] is None and items[0]["actor"]["display_name"] is None
    read = next(i for i in items if i["action"] == "case.read")
    assert read["summary"] == "case.read"
    assert read["actor"] == {
        "kind": "staff",
        "user_id": str(lead.id),
        "display_name": "Test team_lead",
        "role": "team_lead",
    }
    assert items[-1]["action"] == "case.timeline_read" and timeline["total"] == len(items)
    times = [datetime.fromisoformat(i["at"]) for i in items]
    assert times == sorted(times) and not any("seq" in i for i in items)  # INT-1: no chain's numbers

    recused = await make_staff(
        uow_factory, role=Role.team_lead, team=Team.intake_counselling, employee_number=org.employees["resp"]
    )
    other_team = await make_staff(uow_factory, role=Role.team_lead, team=Team.investigation)
    for staff in (recused, other_team):
        hidden = await client.get(url, headers=await login(client, staff))
        assert hidden.status_code == 404 and hidden.json()["code"] == "not-found"
    auditor_h = await login(client, await make_staff(uow_factory, role=Role.auditor))
    assert (await client.get(url, headers=auditor_h)).status_code == 404  # ACC-1: a case hides from content-blind roles
    assert (await client.get(url)).status_code == 401
    assert (await client.get(f"/api/v1/cases/{uuid.uuid4()}/timeline", headers=lead_h)).status_code == 404
    assert (await client.get(url, params={"limit": 501}, headers=lead_h)).status_code == 422
