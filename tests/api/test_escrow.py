"""CASE-8 escrow without an oracle (security review F4): every report in escrow is answered alike whatever matching
did; an anonymous reporter's match waits for the case team; the same reporter never releases; escrow reports per
respondent are limited, and the team is alerted."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import or_, select

from app.db.models import AuditEntry, Case, EscrowMatch, Report
from app.domain.enums import Role, Team
from tests.builders import case_id_for, inbox_headers, login, make_report, make_staff
from tests.directory import make_org

MATCHES = "/api/v1/approvals/escrow-matches"
ALERTS = "/api/v1/approvals/alerts"


def new_number() -> str:
    return f"E-TARGET-{uuid.uuid4().hex[:8]}"


async def escrowed(client, number: str, **extra: Any) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    return await make_report(client, escrow=True, respondent={"employee_number": number}, **extra)


async def inbox_view(client, receipt_code: str) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    headers = await inbox_headers(client, receipt_code)
    response = await client.get("/api/v1/inbox", headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def but_reference(view: dict[str, Any]) -> dict[str, Any]:
    """The inbox view without its own case number (on the view and on each of its messages, SD-2)."""
    messages = [{k: v for k, v in m.items() if k != "case_reference"} for m in view.get("messages", [])]
    return {k: v for k, v in view.items() if k != "case_reference"} | {"messages": messages}


async def staff_headers(client, uow_factory, role: Role, **kwargs: Any) -> dict[str, str]:  # type: ignore[no-untyped-def]
    team = None if role == Role.division_head else Team.intake_counselling
    return await login(client, await make_staff(uow_factory, role=role, team=team, **kwargs))


async def in_queue(client, headers: dict[str, str], reference: str) -> bool:  # type: ignore[no-untyped-def]
    page = (await client.get("/api/v1/cases", params={"reference": reference}, headers=headers)).json()
    return page["total"] == 1


async def ids(client, headers: dict[str, str], path: str) -> set[str]:  # type: ignore[no-untyped-def]
    response = await client.get(path, headers=headers)
    assert response.status_code == 200, response.text
    return {item["id"] for item in response.json()}


async def test_f4_case_8_the_reviews_three_reports_get_identical_answers(client, uow_factory) -> None:
    """F4, CASE-8: the review's reproduction — three anonymous escrow reports naming E-TARGET, E-TARGET and
    E-NOBODY. The submission answers and the three inboxes are identical (but for the reference): all held, only the
    acknowledgement; the inbox's secondary-damage report is refused alike. Nothing was released."""
    target, nobody = new_number(), new_number()
    answers = [await escrowed(client, number) for number in (target, target, nobody)]
    assert len({(a["status"], a["message"]) for a in answers}) == 1
    assert "held sealed" in answers[0]["message"]
    views = [await inbox_view(client, a["receipt_code"]) for a in answers]
    assert all(v["sealed"] is True for v in views)
    assert but_reference(views[0]) == but_reference(views[1]) == but_reference(views[2])
    assert {d["kind"] for d in views[1]["deadlines"]} == {"acknowledgement"}
    for answer in answers:
        headers = await inbox_headers(client, answer["receipt_code"])
        refused = await client.post(
            "/api/v1/inbox/secondary-damage", json={"narrative": "They laugh about my report."}, headers=headers
        )
        assert (refused.status_code, refused.json()["code"]) == (409, "original-sealed")
    head = await staff_headers(client, uow_factory, Role.division_head)
    assert [await in_queue(client, head, a["case_reference"]) for a in answers] == [False, False, False]


async def test_f4_case_8_an_anonymous_match_waits_for_the_teams_confirmation(client, uow_factory) -> None:
    """F4, CASE-8: an anonymous report naming the person of a sealed report releases nothing: a content-free
    possible match waits for a team lead or the division head (not an intake officer). Confirmed, both are released
    and linked; the escrow reporter's inbox still shows the report held until the team acts on it."""
    number = new_number()
    # issue 18: the readers exist when the sealed report comes in, so its key is wrapped for them
    head = await staff_headers(client, uow_factory, Role.division_head)
    lead = await staff_headers(client, uow_factory, Role.team_lead)
    intake = await staff_headers(client, uow_factory, Role.intake)
    sealed = await escrowed(client, number, reporter_kind="victim")
    before = await ids(client, head, MATCHES)

    second = await make_report(client, respondent={"employee_number": number})  # anonymous, not in escrow
    assert not await in_queue(client, head, sealed["case_reference"])
    second_id = await case_id_for(client, head, second["case_reference"])
    assert (await client.get(f"/api/v1/cases/{second_id}", headers=head)).json()["linked_cases"] == []
    listed = (await client.get(MATCHES, headers=head)).json()
    (match,) = [m for m in listed if m["id"] not in before]
    assert set(match) == {"id", "status", "raised_on", "decided_by", "decided_at"}
    assert match["status"] == "pending" and match["decided_by"] is None
    assert match["id"] in await ids(client, lead, MATCHES)
    refused = await client.get(MATCHES, headers=intake)
    assert refused.status_code == 403
    decided_by_intake = await client.post(
        f"/api/v1/escrow-matches/{match['id']}/decision", json={"confirm": True}, headers=intake
    )
    assert decided_by_intake.status_code == 403
    async with uow_factory() as uow:
        raised = await uow.session.scalar(
            select(AuditEntry).where(
                AuditEntry.action == "matching.escrow_match_raised", AuditEntry.target == match["id"]
            )
        )
        assert raised is not None and raised.case_id is None  # no case's history shows it before confirmation

    confirmed = await client.post(
        f"/api/v1/escrow-matches/{match['id']}/decision", json={"confirm": True}, headers=lead
    )
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json()["status"] == "confirmed" and confirmed.json()["decided_by"] == "Test team_lead"
    again = await client.post(f"/api/v1/escrow-matches/{match['id']}/decision", json={"confirm": False}, headers=head)
    assert (again.status_code, again.json()["code"]) == (409, "escrow-match-decided")
    assert match["id"] not in await ids(client, head, MATCHES)

    released_id = await case_id_for(client, head, sealed["case_reference"])
    released = (await client.get(f"/api/v1/cases/{released_id}", headers=head)).json()
    assert [c["reference"] for c in released["linked_cases"]] == [second["case_reference"]]
    assert {"triage", "investigation"} <= {d["kind"] for d in released["deadlines"]}
    held = await inbox_view(client, sealed["receipt_code"])
    assert held["sealed"] is True and {d["kind"] for d in held["deadlines"]} == {"acknowledgement"}
    reply = await client.post(
        f"/api/v1/cases/{released_id}/messages", json={"body": "We have your report.", "internal": False}, headers=lead
    )
    assert reply.status_code == 201, reply.text
    acted = await inbox_view(client, sealed["receipt_code"])
    assert acted["sealed"] is False and "feedback" in {d["kind"] for d in acted["deadlines"]}
    async with uow_factory() as uow:
        actions = [e.action for e in await uow.audit.for_case(uuid.UUID(released_id))]
        assert "case.released_from_escrow" in actions
        decided = await uow.session.scalar(
            select(AuditEntry).where(
                AuditEntry.action == "matching.escrow_match_confirmed", AuditEntry.target == match["id"]
            )
        )
        assert decided is not None


async def test_f4_case_8_a_declined_match_keeps_both_sealed_and_the_respondent_never_decides(
    client, uow_factory
) -> None:
    """F4, CASE-8, CASE-3: two anonymous escrow reports naming one person wait as a possible match. A team lead who
    is that person does not see it (404 to decide it); another declines it: both stay sealed, audited."""
    org = await make_org(uow_factory, units={"U": None}, people={"resp": ("U", None)})
    number = org.employees["resp"]
    first = await escrowed(client, number)
    second = await escrowed(client, number)
    head = await staff_headers(client, uow_factory, Role.division_head)
    lead = await staff_headers(client, uow_factory, Role.team_lead)
    recused = await staff_headers(client, uow_factory, Role.team_lead, employee_number=number)
    async with uow_factory() as uow:
        match_id = await uow.session.scalar(
            select(EscrowMatch.id)
            .join(Case, Case.id == EscrowMatch.new_case_id)
            .where(Case.reference == second["case_reference"])
        )
    assert match_id is not None
    assert str(match_id) in await ids(client, lead, MATCHES)
    assert str(match_id) not in await ids(client, recused, MATCHES)
    hidden = await client.post(f"/api/v1/escrow-matches/{match_id}/decision", json={"confirm": True}, headers=recused)
    assert hidden.status_code == 404

    declined = await client.post(f"/api/v1/escrow-matches/{match_id}/decision", json={"confirm": False}, headers=lead)
    assert declined.status_code == 200 and declined.json()["status"] == "declined"
    assert not await in_queue(client, head, first["case_reference"])
    assert not await in_queue(client, head, second["case_reference"])
    assert str(match_id) not in await ids(client, head, MATCHES)
    async with uow_factory() as uow:
        entry = await uow.session.scalar(
            select(AuditEntry).where(
                AuditEntry.action == "matching.escrow_match_declined", AuditEntry.target == str(match_id)
            )
        )
        assert entry is not None


async def test_case_8_the_same_reporter_filing_twice_never_releases(client, uow_factory) -> None:
    """CASE-8 (F4): escrow needs an independent second reporter. The same reporter again — by employee number or by
    e-mail, under another name or mode — releases nothing and asks nobody; another identified reporter releases the
    sealed report at once (both are known, so the team need not confirm)."""
    number = new_number()
    me = {"name": "Reporter A", "email": "a.reporter@example.org", "employee_number": f"E-ME-{uuid.uuid4().hex[:6]}"}
    # issue 18: the readers exist when the sealed report comes in, so its key is wrapped for them
    head = await staff_headers(client, uow_factory, Role.division_head)
    sealed = await escrowed(client, number, reporter_kind="victim", identity_mode="confidential", reporter=me)
    before = await ids(client, head, MATCHES)
    by_number = await make_report(
        client,
        reporter_kind="victim",
        identity_mode="named",
        reporter={"name": "Another name", "employee_number": me["employee_number"]},
        respondent={"employee_number": number},
    )
    by_email = await escrowed(
        client,
        number,
        reporter_kind="third_party",
        identity_mode="confidential",
        reporter={"name": "A. R.", "email": "A.Reporter@example.org"},
    )
    assert not await in_queue(client, head, sealed["case_reference"])
    assert not await in_queue(client, head, by_email["case_reference"])
    assert await ids(client, head, MATCHES) == before
    by_number_id = await case_id_for(client, head, by_number["case_reference"])
    assert (await client.get(f"/api/v1/cases/{by_number_id}", headers=head)).json()["linked_cases"] == []

    other = await make_report(
        client,
        identity_mode="confidential",
        reporter={"name": "Witness W", "employee_number": f"E-W-{uuid.uuid4().hex[:6]}"},
        respondent={"employee_number": number},
    )
    released_id = await case_id_for(client, head, sealed["case_reference"])
    linked = (await client.get(f"/api/v1/cases/{released_id}", headers=head)).json()["linked_cases"]
    assert other["case_reference"] in {c["reference"] for c in linked}
    assert await in_queue(client, head, by_email["case_reference"])  # also independent of Witness W
    assert await ids(client, head, MATCHES) == before


async def test_f4_escrow_reports_per_respondent_are_limited(client, uow_factory) -> None:
    """F4: three escrow reports naming one person in 30 days (settings); the fourth is accepted and answered alike,
    kept sealed, never counts toward a release (no possible match involves it, now or later) and raises a
    content-free alert, which a team lead acknowledges once."""
    number = new_number()
    head = await staff_headers(client, uow_factory, Role.division_head)
    lead = await staff_headers(client, uow_factory, Role.team_lead)
    alerts_before = await ids(client, head, ALERTS)
    within = [await escrowed(client, number) for _ in range(3)]
    assert await ids(client, head, ALERTS) == alerts_before
    fourth = await escrowed(client, number)
    assert fourth["message"] == within[0]["message"] and fourth["status"] == within[0]["status"]
    assert but_reference(await inbox_view(client, fourth["receipt_code"])) == but_reference(
        await inbox_view(client, within[0]["receipt_code"])
    )
    later = await make_report(client, respondent={"employee_number": number})  # anonymous: asks the team, 3 times
    async with uow_factory() as uow:
        fourth_case = await uow.session.scalar(select(Case).where(Case.reference == fourth["case_reference"]))
        assert fourth_case is not None and fourth_case.sealed is True
        report = await uow.session.scalar(select(Report).where(Report.case_id == fourth_case.id))
        assert report is not None and report.escrow_held_out is True
        involving = await uow.session.scalars(
            select(EscrowMatch.id).where(
                or_(EscrowMatch.new_case_id == fourth_case.id, EscrowMatch.other_case_id == fourth_case.id)
            )
        )
        assert involving.all() == []
        later_case = await uow.session.scalar(select(Case.id).where(Case.reference == later["case_reference"]))
        asked = await uow.session.scalars(select(EscrowMatch.id).where(EscrowMatch.new_case_id == later_case))
        assert len(asked.all()) == 3

    listed = (await client.get(ALERTS, headers=lead)).json()
    (alert,) = [a for a in listed if a["id"] not in alerts_before]
    assert alert == {"id": alert["id"], "kind": "escrow_limit", "day": alert["day"], "count": 1, "acknowledged": False}
    assert number not in str(listed)
    intake = await staff_headers(client, uow_factory, Role.intake)
    assert (await client.get(ALERTS, headers=intake)).status_code == 403
    seen = await client.post(f"/api/v1/alerts/{alert['id']}/acknowledgement", headers=lead)
    assert seen.status_code == 200 and seen.json()["acknowledged"] is True
    assert alert["id"] not in await ids(client, head, ALERTS)
    twice = await client.post(f"/api/v1/alerts/{alert['id']}/acknowledgement", headers=head)
    assert (twice.status_code, twice.json()["code"]) == (409, "alert-acknowledged")
