"""F5 (security review), CASE-1 with SAN-2's four eyes: a case is decided (with a finding) or withdrawn only on a
proposal of one of its assigned handlers, confirmed by a second person — a team lead or the division head who
sees the case, never the proposer. The finding's consequences (SAN-4, SAN-5, AMB-1) run on confirmation only."""

from __future__ import annotations

import uuid
from collections import Counter
from typing import Any

import httpx
from sqlalchemy import func, select

from app.db.models import HeadMeasure, OutboxMessage, RespondentIneligibility
from app.domain.enums import Role, Team
from tests.builders import case_id_for, login, make_report, make_staff, move_case
from tests.directory import machine_headers, make_org

REASON = "Two witnesses and the messages confirm the report."
DECISION = "The investigation file supports the proposal."


async def member(client, uow_factory, role: Role, team: Team | None = Team.intake_counselling):  # type: ignore[no-untyped-def]
    person = await make_staff(uow_factory, role=role, team=team)
    return person.id, await login(client, person)


async def transition(client, headers, case_id: str, to: str, **extra: Any) -> httpx.Response:  # type: ignore[no-untyped-def]
    etag = (await client.get(f"/api/v1/cases/{case_id}", headers=headers)).headers["etag"]
    return await client.post(
        f"/api/v1/cases/{case_id}/transitions",
        json={"to": to, "reason": REASON, **extra},
        headers={**headers, "If-Match": etag},
    )


async def propose(client, headers, case_id: str, to: str, **extra: Any) -> httpx.Response:  # type: ignore[no-untyped-def]
    etag = (await client.get(f"/api/v1/cases/{case_id}", headers=headers)).headers["etag"]
    return await client.post(
        f"/api/v1/cases/{case_id}/decision-proposals",
        json={"to": to, "reason": REASON, **extra},
        headers={**headers, "If-Match": etag},
    )


async def decide(client, headers, case_id: str, proposal_id: str, approve: bool = True) -> httpx.Response:  # type: ignore[no-untyped-def]
    return await client.post(
        f"/api/v1/cases/{case_id}/decision-proposals/{proposal_id}/decision",
        json={"approve": approve, "reason": DECISION},
        headers=headers,
    )


async def consequences(uow_factory, case_id: str, respondent: str) -> tuple[int, int, int]:  # type: ignore[no-untyped-def]
    """SAN-5 and SAN-4 rows of the case: ineligibilities, `respondent.ineligible` rows naming the
    respondent, head measures."""
    async with uow_factory() as uow:
        cid = uuid.UUID(case_id)
        ineligible = await uow.session.scalar(select(func.count()).where(RespondentIneligibility.case_id == cid))
        measures = await uow.session.scalar(select(func.count()).where(HeadMeasure.case_id == cid))
        rows = await uow.session.scalars(select(OutboxMessage).where(OutboxMessage.topic == "respondent.ineligible"))
        # per subscription (earlier tests' subscriptions get it too): how many times each was told
        told = Counter(m.subscription_id for m in rows.all() if m.payload["data"]["employee_number"] == respondent)
    return ineligible or 0, max(told.values(), default=0), measures or 0


async def investigated_case(client, uow_factory):  # type: ignore[no-untyped-def]
    """The review's F5 set-up: a report naming an employee (E-MATE in the review) at an SMG unit, an HR webhook
    subscribed to `respondent.ineligible`, and the intake team: a lead, a future handler and an officer (`intake2`)
    who moves the case to `investigating` (ordinary transitions stay open to the routed team), and the division
    head. Nobody is assigned yet. All of them are on staff before the report comes in (issue 18: its key is wrapped
    for its readers at submission)."""
    org = await make_org(uow_factory, units={"U": None, "V": None}, people={"mate": ("U", None), "victim": ("V", None)})
    hr = await machine_headers(client, uow_factory, "webhooks:manage")
    subscribed = await client.post(
        "/api/v1/webhooks/subscriptions",
        json={"url": "http://127.0.0.1:9/hook", "topics": ["respondent.ineligible"]},
        headers=hr,
    )
    assert subscribed.status_code == 201, subscribed.text
    _, lead = await member(client, uow_factory, Role.team_lead)
    handler_id, handler = await member(client, uow_factory, Role.intake)
    _, intake2 = await member(client, uow_factory, Role.intake)
    _, head = await member(client, uow_factory, Role.division_head, None)
    body = await make_report(
        client,
        respondent={"employee_number": org.employees["mate"]},
        victim={"employee_number": org.employees["victim"]},
        workplace={"kind": "smg"},
    )
    case_id = await case_id_for(client, lead, body["case_reference"])
    for to in ("triaged", "investigating"):
        moved = await transition(client, intake2, case_id, to)
        assert moved.status_code == 200, moved.text
    return case_id, org.employees["mate"], lead, (handler_id, handler), intake2, head


async def assign(client, lead, case_id: str, user_id: object) -> None:  # type: ignore[no-untyped-def]
    assigned = await client.post(f"/api/v1/cases/{case_id}/handlers", json={"user_id": str(user_id)}, headers=lead)
    assert assigned.status_code == 201, assigned.text


async def test_f5_case_1_san_2_an_unassigned_officer_cannot_decide_and_a_handler_only_proposes(
    client, uow_factory
) -> None:
    """F5, CASE-1, SAN-2, SAN-5: the review's reproduction. The unassigned intake officer's `decided` is refused
    (a direct transition: 422 decision-needs-second-person; a proposal: 403 not-a-handler). The handler's proposal
    changes nothing — no finding, no ineligibility, no `respondent.ineligible` row, no head measures — until a team
    lead confirms it; then the case is decided and the consequences run once."""
    case_id, mate, lead, (handler_id, handler), intake2, _ = await investigated_case(client, uow_factory)

    direct = await transition(client, intake2, case_id, "decided", finding="substantiated")
    assert direct.status_code == 422 and direct.json()["code"] == "decision-needs-second-person"
    withdrawn = await transition(client, intake2, case_id, "withdrawn")
    assert withdrawn.status_code == 422 and withdrawn.json()["code"] == "decision-needs-second-person"
    by_lead = await transition(client, lead, case_id, "decided", finding="substantiated")
    assert by_lead.status_code == 422 and by_lead.json()["code"] == "decision-needs-second-person"
    unassigned = await propose(client, intake2, case_id, "decided", finding="substantiated")
    assert unassigned.status_code == 403 and unassigned.json()["code"] == "not-a-handler"
    assert await consequences(uow_factory, case_id, mate) == (0, 0, 0)

    await assign(client, lead, case_id, handler_id)

    proposed = await propose(client, handler, case_id, "decided", finding="substantiated")
    assert proposed.status_code == 201, proposed.text
    proposal = proposed.json()
    assert (proposal["to_status"], proposal["finding"], proposal["status"]) == ("decided", "substantiated", "proposed")
    case = (await client.get(f"/api/v1/cases/{case_id}", headers=lead)).json()
    assert case["status"] == "investigating" and case["finding"] is None
    assert case["decision_transitions"] == ["decided", "withdrawn"]
    assert await consequences(uow_factory, case_id, mate) == (0, 0, 0)  # nothing reaches the personnel system yet

    second = await propose(client, handler, case_id, "withdrawn")
    assert second.status_code == 409 and second.json()["code"] == "decision-pending"
    own = await decide(client, handler, case_id, proposal["id"])
    assert own.status_code == 403 and own.json()["code"] == "not-a-confirmer"
    waiting = (await client.get("/api/v1/approvals/decision-proposals", headers=lead)).json()
    assert proposal["id"] in {p["id"] for p in waiting}
    assert proposal["id"] not in {
        p["id"] for p in (await client.get("/api/v1/approvals/decision-proposals", headers=handler)).json()
    }

    confirmed = await decide(client, lead, case_id, proposal["id"])
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json()["status"] == "confirmed" and confirmed.json()["decided_by"] == "Test team_lead"
    case = (await client.get(f"/api/v1/cases/{case_id}", headers=lead)).json()
    assert (case["status"], case["finding"]) == ("decided", "substantiated")
    assert case["transitions"][-1]["reason"] == REASON and case["transitions"][-1]["by"] == "Test team_lead"
    assert await consequences(uow_factory, case_id, mate) == (1, 1, 2)
    again = await decide(client, lead, case_id, proposal["id"], approve=False)
    assert again.status_code == 409 and again.json()["code"] == "already-decided"
    assert await consequences(uow_factory, case_id, mate) == (1, 1, 2)
    async with uow_factory() as uow:
        actions = [e.action for e in await uow.audit.for_case(uuid.UUID(case_id))]
    assert actions.index("case.decision_proposed") < actions.index("case.decision_confirmed")
    assert actions.index("case.decision_confirmed") < actions.index("case.status.decided")
    assert actions.index("case.status.decided") < actions.index("respondent.ineligible")


async def test_f5_san_2_the_proposer_cannot_confirm_and_a_declined_proposal_changes_nothing(
    client, uow_factory
) -> None:
    """F5, SAN-2: a team lead who is a handler proposes; they cannot confirm it themselves (403
    proposer-cannot-confirm); declined by the division head it leaves the case as it was, and a new proposal
    (withdrawal) is then confirmed by them."""
    case_id, mate, lead, _, _, head = await investigated_case(client, uow_factory)
    lead_id = (await client.get("/api/v1/auth/me", headers=lead)).json()["id"]
    await assign(client, lead, case_id, lead_id)

    proposal = (await propose(client, lead, case_id, "decided", finding="not_substantiated")).json()
    assert proposal["proposed_by_id"] == lead_id
    own = await decide(client, lead, case_id, proposal["id"])
    assert own.status_code == 403 and own.json()["code"] == "proposer-cannot-confirm"
    declined = await decide(client, head, case_id, proposal["id"], approve=False)
    assert declined.status_code == 200 and declined.json()["status"] == "declined"
    assert declined.json()["decision_reason"] == DECISION
    case = (await client.get(f"/api/v1/cases/{case_id}", headers=lead)).json()
    assert (case["status"], case["finding"], len(case["transitions"])) == ("investigating", None, 2)

    withdrawal = (await propose(client, lead, case_id, "withdrawn")).json()
    assert (await decide(client, head, case_id, withdrawal["id"])).status_code == 200
    case = (await client.get(f"/api/v1/cases/{case_id}", headers=lead)).json()
    assert case["status"] == "withdrawn" and case["closed_on"] is not None
    listed = (await client.get(f"/api/v1/cases/{case_id}/decision-proposals", headers=lead)).json()
    assert [(p["to_status"], p["status"]) for p in listed] == [("decided", "declined"), ("withdrawn", "confirmed")]
    assert await consequences(uow_factory, case_id, mate) == (0, 0, 0)


async def test_case_1_a_proposal_follows_the_transition_table_and_the_version(client, uow_factory) -> None:
    """CASE-1: only `decided` and `withdrawn` are proposed (closing is an ordinary transition: 422 not-a-decision);
    a proposal is checked like a transition — `decided` needs a finding — and needs If-Match (428), current (412)."""
    case_id, _, lead, (handler_id, handler), _, _ = await investigated_case(client, uow_factory)
    await assign(client, lead, case_id, handler_id)
    no_finding = await propose(client, handler, case_id, "decided")
    assert no_finding.status_code == 422 and no_finding.json()["code"] == "finding-required"
    ordinary = await propose(client, handler, case_id, "closed")
    assert ordinary.status_code == 422 and ordinary.json()["code"] == "not-a-decision"
    missing = await client.post(
        f"/api/v1/cases/{case_id}/decision-proposals", json={"to": "withdrawn", "reason": REASON}, headers=handler
    )
    assert missing.status_code == 428
    stale = await client.post(
        f"/api/v1/cases/{case_id}/decision-proposals",
        json={"to": "withdrawn", "reason": REASON},
        headers={**handler, "If-Match": '"1"'},
    )
    assert stale.status_code == 412
    assert (await client.get(f"/api/v1/cases/{case_id}/decision-proposals", headers=handler)).json() == []


async def test_case_1_the_builder_decides_through_two_people(client, uow_factory) -> None:
    """CASE-1, SAN-2: tests/builders.py `move_case` (used by every test that decides or withdraws a case) goes
    the way the rules want: a handler proposes, a second person confirms."""
    _, lead = await member(client, uow_factory, Role.team_lead)
    body = await make_report(client)
    case_id = await case_id_for(client, lead, body["case_reference"])
    for to in ("triaged", "investigating"):
        assert (await move_case(client, uow_factory, lead, case_id, to))["status"] == to
    case = await move_case(client, uow_factory, lead, case_id, "decided", finding="insufficient_evidence")
    assert (case["status"], case["finding"]) == ("decided", "insufficient_evidence")
    listed = (await client.get(f"/api/v1/cases/{case_id}/decision-proposals", headers=lead)).json()
    assert [(p["status"], p["proposed_by_id"] != p["decided_by_id"]) for p in listed] == [("confirmed", True)]
