"""Sanctions through the API (SAN-1 … SAN-5, CASE-6, SD-3): proposal, the victim's opinion, the second
person's decision, the webhook to the personnel system, penalty equivalence for secondary damage, the unit
head's measures, and who may do what."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from app.db.models import OrgUnit, OutboxMessage
from app.domain.enums import Role, Team
from tests.builders import case_id_for, inbox_headers, login, make_report, make_staff, move_case
from tests.directory import Org, machine_headers, make_org

REASON = "Findings of the investigation support this."
OPINION = "CANARY-OPINION: I want the strongest measure; I do not want to meet them again."


@dataclass
class World:
    """One substantiated case at an SMG unit, with its team and a division head."""

    org: Org
    body: dict[str, Any]
    case_id: str
    handler: dict[str, str]
    handler_id: uuid.UUID
    lead: dict[str, str]
    head: dict[str, str]


async def staff_headers(client, uow_factory, role: Role, team: Team | None = Team.intake_counselling):  # type: ignore[no-untyped-def]
    member = await make_staff(uow_factory, role=role, team=team)
    return member.id, await login(client, member)


async def move(client, headers, case_id: str, to: str, **extra: Any) -> dict:  # type: ignore[no-untyped-def]
    version = (await client.get(f"/api/v1/cases/{case_id}", headers=headers)).json()["version"]
    response = await client.post(
        f"/api/v1/cases/{case_id}/transitions",
        json={"to": to, "reason": "Proceeding with the case.", **extra},
        headers={**headers, "If-Match": str(version)},
    )
    assert response.status_code == 200, response.text
    return response.json()


async def decide(client, uow_factory, headers, case_id: str, finding: str = "substantiated") -> None:  # type: ignore[no-untyped-def]
    """CASE-1: triaged and investigating by `headers`; decided on their proposal, confirmed by a second person (F5)."""
    for to in ("triaged", "investigating"):
        await move(client, headers, case_id, to)
    await move_case(client, uow_factory, headers, case_id, "decided", finding=finding)


async def world(
    client,
    uow_factory,
    *,
    finding: str | None = "substantiated",
    victim_reports: bool = False,
    head: str | None = "head",
) -> World:  # type: ignore[no-untyped-def]
    """A unit with a head (optional), the respondent under a supervisor, and a victim elsewhere."""
    org = await make_org(
        uow_factory,
        units={"U": None, "V": None},
        people={"head": ("U", None), "boss": ("U", "head"), "resp": ("U", "boss"), "victim": ("V", None)},
    )
    if head is not None:
        async with uow_factory() as uow:
            (await uow.session.get(OrgUnit, org.ids["unit:U"])).head_employee_id = org.ids[head]
            await uow.commit()
    report: dict[str, Any] = {"respondent": {"employee_number": org.employees["resp"]}, "workplace": {"kind": "smg"}}
    if victim_reports:
        report |= {
            "reporter_kind": "victim",
            "identity_mode": "confidential",
            "reporter": {"name": "A victim", "employee_number": org.employees["victim"]},
        }
    else:
        report |= {"victim": {"employee_number": org.employees["victim"]}}
    handler_id, handler = await staff_headers(client, uow_factory, Role.intake)  # issue 18: readers exist first
    _, lead = await staff_headers(client, uow_factory, Role.team_lead)
    _, division = await staff_headers(client, uow_factory, Role.division_head, None)
    body = await make_report(client, **report)
    case_id = await case_id_for(client, lead, body["case_reference"])
    assigned = await client.post(f"/api/v1/cases/{case_id}/handlers", json={"user_id": str(handler_id)}, headers=lead)
    assert assigned.status_code == 201, assigned.text
    if finding is not None:
        await decide(client, uow_factory, handler, case_id, finding)  # the handler proposes, a second person confirms
    return World(org, body, case_id, handler, handler_id, lead, division)


async def propose(client, headers, case_id: str, **body: Any):  # type: ignore[no-untyped-def]
    return await client.post(f"/api/v1/cases/{case_id}/sanctions", json={"reason": REASON, **body}, headers=headers)


async def decision(client, headers, case_id: str, sanction_id: str, approve: bool = True):  # type: ignore[no-untyped-def]
    return await client.post(
        f"/api/v1/cases/{case_id}/sanctions/{sanction_id}/decision",
        json={"approve": approve, "reason": "Proportionate to the findings."},
        headers=headers,
    )


async def opinion(client, headers, case_id: str):  # type: ignore[no-untyped-def]
    response = await client.post(f"/api/v1/cases/{case_id}/victim-opinion", json={"text": OPINION}, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


async def subscribe(client, uow_factory, *topics: str) -> uuid.UUID:  # type: ignore[no-untyped-def]
    hr = await machine_headers(client, uow_factory, "webhooks:manage")
    response = await client.post(
        "/api/v1/webhooks/subscriptions", json={"url": "http://127.0.0.1:9/hook", "topics": list(topics)}, headers=hr
    )
    assert response.status_code == 201, response.text
    return uuid.UUID(response.json()["id"])


async def queued(uow_factory, subscription_id: uuid.UUID, topic: str) -> list[dict[str, Any]]:  # type: ignore[no-untyped-def]
    async with uow_factory() as uow:
        rows = await uow.session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.subscription_id == subscription_id, OutboxMessage.topic == topic)
            .order_by(OutboxMessage.created_at)
        )
        return [m.payload for m in rows.all()]


# --- the whole way (the "done when") ---------------------------------------------------------------------


async def test_san_2_a_substantiated_case_leads_to_a_decided_sanction(client, uow_factory) -> None:
    """SAN-2, CASE-6, SAN-5: a handler proposes; without the victim's opinion the decision is refused; once it
    is recorded a second person decides; the personnel system's webhook is queued with minimal data."""
    subscription = await subscribe(client, uow_factory, "sanction.decided", "respondent.ineligible")
    w = await world(client, uow_factory)
    proposed = await propose(client, w.handler, w.case_id, level="suspension", months=2)
    assert proposed.status_code == 201, proposed.text
    sanction = proposed.json()
    assert (sanction["level"], sanction["months"], sanction["heavy"], sanction["status"]) == (
        "suspension",
        2,
        True,
        "proposed",
    )
    assert sanction["respondent_employee_number"] == w.org.employees["resp"]
    pending = (await client.get("/api/v1/approvals/sanctions", headers=w.lead)).json()
    assert sanction["id"] in {p["id"] for p in pending}
    assert sanction["id"] not in {
        p["id"] for p in (await client.get("/api/v1/approvals/sanctions", headers=w.handler)).json()
    }

    refused = await decision(client, w.lead, w.case_id, sanction["id"])
    assert refused.status_code == 422 and refused.json()["code"] == "victim-opinion-required"
    listing = (await client.get(f"/api/v1/cases/{w.case_id}/sanctions", headers=w.lead)).json()
    assert listing["victim_opinion_recorded"] is False
    # SD-3 by person: the floor for anyone but the respondent; nothing of theirs decided yet.
    assert listing["penalty_floor"] == {"level": "suspension", "months": 1}
    assert listing["original_sanction_decided"] is False
    recorded = await opinion(client, w.handler, w.case_id)
    assert recorded["text"] == OPINION and recorded["recorded_by"] == "Test intake"

    by_proposer = await decision(client, w.handler, w.case_id, sanction["id"])
    assert by_proposer.status_code == 403 and by_proposer.json()["code"] == "not-a-decider"
    decided = await decision(client, w.lead, w.case_id, sanction["id"])
    assert decided.status_code == 200, decided.text
    assert decided.json()["status"] == "decided" and decided.json()["decided_by"] == "Test team_lead"
    again = await decision(client, w.head, w.case_id, sanction["id"], approve=False)
    assert again.status_code == 409 and again.json()["code"] == "already-decided"

    payloads = await queued(uow_factory, subscription, "sanction.decided")
    assert len(payloads) == 1
    data = payloads[0]["data"]
    assert data == {
        "sanction_id": sanction["id"],
        "employee_number": w.org.employees["resp"],
        "level": "suspension",
        "months": 2,
        "decided_on": datetime.now(UTC).date().isoformat(),
        "ineligible_for_performance_bonus": True,
        "ineligible_for_key_posts": True,
    }
    ineligible = await queued(uow_factory, subscription, "respondent.ineligible")
    assert [p["data"]["employee_number"] for p in ineligible] == [w.org.employees["resp"]]
    assert "CANARY" not in str(payloads + ineligible) and w.body["case_reference"] not in str(payloads)
    async with uow_factory() as uow:
        actions = [e.action for e in await uow.audit.for_case(uuid.UUID(w.case_id))]
    assert {"sanction.proposed", "victim.opinion_recorded", "sanction.decided", "respondent.ineligible"} <= set(actions)


async def test_san_2_four_eyes_the_proposer_never_decides(client, uow_factory) -> None:
    """SAN-2: a team lead who proposed cannot decide (403 four-eyes); another decider can; a rejection is final."""
    w = await world(client, uow_factory)
    await opinion(client, w.lead, w.case_id)
    own = (await propose(client, w.lead, w.case_id, level="reprimand")).json()
    me = (await client.get("/api/v1/auth/me", headers=w.lead)).json()
    assert own["proposed_by_id"] == me["id"]  # the dashboard tells "your own proposal" by identity, not by name
    refused = await decision(client, w.lead, w.case_id, own["id"])
    assert refused.status_code == 403 and refused.json()["code"] == "four-eyes"
    assert own["id"] not in {p["id"] for p in (await client.get("/api/v1/approvals/sanctions", headers=w.lead)).json()}
    rejected = await decision(client, w.head, w.case_id, own["id"], approve=False)
    assert rejected.status_code == 200 and rejected.json()["status"] == "rejected"
    assert rejected.json()["decision_reason"] == "Proportionate to the findings."


async def test_san_1_san_2_san_3_bad_proposals_write_nothing(client, uow_factory) -> None:
    """SAN-1 … SAN-3: a level outside the six, a duration out of bounds or where none applies, mitigation for
    merit, an unknown respondent: clear problems, nothing written."""
    w = await world(client, uow_factory)
    cases = [
        ({"level": "warning"}, "validation-failed"),
        ({"level": "suspension"}, "duration-required"),
        ({"level": "suspension", "months": 4}, "duration-out-of-bounds"),
        ({"level": "salary_reduction", "months": 0}, "duration-out-of-bounds"),
        ({"level": "dismissal", "months": 1}, "duration-not-applicable"),
        ({"level": "reprimand", "mitigation_for_merit": True}, "no-mitigation-for-merit"),
        ({"level": "reprimand", "respondent_employee_number": "E-NOBODY-1"}, "unknown-employee"),
        ({"level": "reprimand", "respondent_employee_number": "E-1", "respondent_label": "x"}, "respondent-ambiguous"),
    ]
    for body, code in cases:
        response = await propose(client, w.handler, w.case_id, **body)
        assert response.status_code == 422, (body, response.text)
        assert response.json()["code"] == code, body
    assert (await client.get(f"/api/v1/cases/{w.case_id}/sanctions", headers=w.lead)).json()["sanctions"] == []


async def test_san_2_only_a_substantiated_case_is_sanctioned(client, uow_factory) -> None:
    """SAN-2: an open case, or one decided as not substantiated, takes no sanction (422)."""
    undecided = await world(client, uow_factory, finding=None)
    response = await propose(client, undecided.handler, undecided.case_id, level="reprimand")
    assert response.status_code == 422 and response.json()["code"] == "case-not-substantiated"
    unfounded = await world(client, uow_factory, finding="not_substantiated")
    response = await propose(client, unfounded.handler, unfounded.case_id, level="reprimand")
    assert response.status_code == 422 and response.json()["code"] == "case-not-substantiated"


async def test_san_2_a_respondent_outside_the_directory_is_named_by_a_label(client, uow_factory) -> None:
    """SAN-2: a respondent who is not an employee in the directory is recorded by an encrypted label; no
    webhook goes to the personnel system for them."""
    subscription = await subscribe(client, uow_factory, "sanction.decided")
    _, handler = await staff_headers(client, uow_factory, Role.intake)  # issue 18: the readers exist first
    _, lead = await staff_headers(client, uow_factory, Role.team_lead)
    body = await make_report(client, respondent={"description": "a visiting lecturer"})
    case_id = await case_id_for(client, lead, body["case_reference"])
    await decide(client, uow_factory, handler, case_id)  # the handler is assigned, proposes; a second person confirms
    missing = await propose(client, handler, case_id, level="reprimand")
    assert missing.status_code == 422 and missing.json()["code"] == "respondent-required"
    labelled = await propose(client, handler, case_id, level="reprimand", respondent_label="CANARY-LECTURER Kim")
    assert labelled.status_code == 201 and labelled.json()["respondent_employee_number"] is None
    await opinion(client, handler, case_id)
    assert (await decision(client, lead, case_id, labelled.json()["id"])).status_code == 200
    assert await queued(uow_factory, subscription, "sanction.decided") == []
    async with uow_factory() as uow:
        raw = (await uow.session.execute(select(OutboxMessage.payload))).all()
    assert "CANARY-LECTURER" not in str(raw)


async def test_case_6_the_victim_gives_the_opinion_in_the_inbox(client, uow_factory) -> None:
    """CASE-6: a victim reporter gives the opinion in the inbox; a third-party reporter cannot (403)."""
    w = await world(client, uow_factory, victim_reports=True)
    sanction = (await propose(client, w.handler, w.case_id, level="demotion")).json()
    victim_inbox = await inbox_headers(client, w.body["receipt_code"])
    given = await client.post("/api/v1/inbox/victim-opinion", json={"text": OPINION}, headers=victim_inbox)
    assert given.status_code == 201 and given.json()["case_reference"] == w.body["case_reference"]
    opinions = (await client.get(f"/api/v1/cases/{w.case_id}/victim-opinion", headers=w.lead)).json()
    assert [(o["text"], o["recorded_by"]) for o in opinions] == [(OPINION, "victim")]
    assert (await decision(client, w.lead, w.case_id, sanction["id"])).status_code == 200

    witness = await world(client, uow_factory)
    witness_inbox = await inbox_headers(client, witness.body["receipt_code"])
    refused = await client.post("/api/v1/inbox/victim-opinion", json={"text": OPINION}, headers=witness_inbox)
    assert refused.status_code == 403 and refused.json()["code"] == "only-the-victim-answers"
    assert (await client.post("/api/v1/inbox/victim-opinion", json={"text": OPINION})).status_code == 401


# --- SD-3: penalty equivalence --------------------------------------------------------------------------------


async def secondary_case(client, uow_factory, w: World) -> str:  # type: ignore[no-untyped-def]
    """A secondary-damage case linked to w's case, reported by someone else with its reference, decided
    substantiated by w's team."""
    sd = await make_report(
        client,
        category="secondary_damage",
        original_case_reference=w.body["case_reference"],
        respondent={"employee_number": w.org.employees["boss"]},
        narrative="The manager keeps telling everyone the victim made it all up to get promoted.",
    )
    sd_id = await case_id_for(client, w.lead, sd["case_reference"])
    await decide(client, uow_factory, w.handler, sd_id)  # w's handler is assigned to it too
    return sd_id


async def test_sd_3_a_light_sanction_is_refused_and_the_floor_accepted(client, uow_factory) -> None:
    """SD-3: a sanction for secondary damage below suspension is refused naming the floor (422); it cannot be
    finalised while the original respondent's sanction is undecided (409); once that is decided the floor rises
    to it; at the floor it is accepted."""
    w = await world(client, uow_factory)
    sd_id = await secondary_case(client, uow_factory, w)
    light = await propose(client, w.handler, sd_id, level="salary_reduction", months=3)
    assert light.status_code == 422
    assert light.json()["code"] == "below-penalty-floor"
    assert (light.json()["floor"], light.json()["floor_months"]) == ("suspension", 1)
    at_floor = await propose(client, w.handler, sd_id, level="suspension", months=1)
    assert at_floor.status_code == 201, at_floor.text
    await opinion(client, w.handler, sd_id)
    pending = await decision(client, w.lead, sd_id, at_floor.json()["id"])
    assert pending.status_code == 409 and pending.json()["code"] == "original-sanction-pending"
    view = (await client.get(f"/api/v1/cases/{sd_id}/sanctions", headers=w.lead)).json()
    assert view["penalty_floor"] == {"level": "suspension", "months": 1}
    assert view["original_sanction_decided"] is False

    original = (await propose(client, w.handler, w.case_id, level="demotion")).json()
    still_pending = await decision(client, w.lead, sd_id, at_floor.json()["id"])
    assert still_pending.status_code == 409  # a proposal is not a decision
    await opinion(client, w.handler, w.case_id)
    assert (await decision(client, w.lead, w.case_id, original["id"])).status_code == 200

    now_below = await decision(client, w.lead, sd_id, at_floor.json()["id"])
    assert now_below.status_code == 422 and now_below.json()["floor"] == "demotion"
    assert (await decision(client, w.lead, sd_id, at_floor.json()["id"], approve=False)).status_code == 200
    view = (await client.get(f"/api/v1/cases/{sd_id}/sanctions", headers=w.lead)).json()
    assert view["penalty_floor"] == {"level": "demotion", "months": None}
    assert view["original_sanction_decided"] is True
    assert (await propose(client, w.handler, sd_id, level="suspension", months=3)).json()["floor"] == "demotion"
    heavier = await propose(client, w.handler, sd_id, level="discharge")
    assert heavier.status_code == 201
    finalised = await decision(client, w.lead, sd_id, heavier.json()["id"])
    assert finalised.status_code == 200 and finalised.json()["status"] == "decided"
    assert finalised.json()["respondent_employee_number"] == w.org.employees["boss"]


async def test_sd_3_a_secondary_damage_case_without_an_original_still_has_the_suspension_floor(
    client, uow_factory
) -> None:
    """SD-3: secondary damage reported without a (known) reference: never lighter than suspension, nothing to
    wait for."""
    org = await make_org(uow_factory, units={"U": None}, people={"resp": ("U", None)})
    _, inv_lead = await staff_headers(client, uow_factory, Role.team_lead, Team.investigation)  # issue 18: first
    _, investigator = await staff_headers(client, uow_factory, Role.investigator, Team.investigation)
    body = await make_report(client, category="secondary_damage", respondent={"employee_number": org.employees["resp"]})
    case_id = await case_id_for(client, inv_lead, body["case_reference"])
    await decide(client, uow_factory, investigator, case_id)  # assigned, proposes; a second person confirms
    refused = await propose(client, investigator, case_id, level="reprimand")
    assert refused.status_code == 422 and refused.json()["floor"] == "suspension"
    accepted = await propose(client, investigator, case_id, level="suspension", months=1)
    await opinion(client, investigator, case_id)
    assert (await decision(client, inv_lead, case_id, accepted.json()["id"])).status_code == 200


# --- SAN-4: joint liability --------------------------------------------------------------------------------------


async def measures(client, w: World) -> dict[str, dict]:  # type: ignore[no-untyped-def]
    response = await client.get(f"/api/v1/cases/{w.case_id}/head-measures", headers=w.handler)
    assert response.status_code == 200, response.text
    return {m["kind"]: m for m in response.json()}


async def test_san_4_the_unit_head_gets_two_measures_tracked_to_completion(client, uow_factory) -> None:
    """SAN-4: a substantiated finding opens, for the head of the respondent's unit, a lowered performance-pay
    grade and at least a week of human-rights training; the team marks them done with evidence."""
    w = await world(client, uow_factory)
    found = await measures(client, w)
    assert set(found) == {"perf_pay_grade_lowered", "human_rights_training"}
    training, pay = found["human_rights_training"], found["perf_pay_grade_lowered"]
    assert training["min_days"] == 7 and pay["min_days"] is None
    assert {m["head_employee_number"] for m in found.values()} == {w.org.employees["head"]}
    assert {(m["head_source"], m["status"], m["flagged"]) for m in found.values()} == {("unit_head", "open", False)}

    url = f"/api/v1/cases/{w.case_id}/head-measures/{training['id']}/done"
    short = await client.post(
        url, json={"evidence_note": "Attended the course for five days.", "days": 5}, headers=w.handler
    )
    assert short.status_code == 422 and short.json()["code"] == "measure-too-short"
    no_days = await client.post(url, json={"evidence_note": "Certificate of completion."}, headers=w.handler)
    assert no_days.status_code == 422 and no_days.json()["code"] == "days-required"
    done = await client.post(
        url, json={"evidence_note": "Certificate of completion, 7 days.", "days": 7}, headers=w.handler
    )
    assert done.status_code == 200 and done.json()["status"] == "done" and done.json()["done_by"] == "Test intake"
    twice = await client.post(
        url, json={"evidence_note": "Certificate of completion, 7 days.", "days": 7}, headers=w.handler
    )
    assert twice.status_code == 409 and twice.json()["code"] == "measure-done"
    pay_done = await client.post(
        f"/api/v1/cases/{w.case_id}/head-measures/{pay['id']}/done",
        json={"evidence_note": "Personnel order no. 2026-113 lowers the grade from S to A."},
        headers=w.handler,
    )
    assert pay_done.status_code == 200
    assert {m["status"] for m in (await measures(client, w)).values()} == {"done"}
    other = await world(client, uow_factory)
    foreign = await client.post(
        f"/api/v1/cases/{other.case_id}/head-measures/{pay['id']}/done",
        json={"evidence_note": "Wrong case for this measure."},
        headers=other.handler,
    )
    assert foreign.status_code == 404


async def test_san_4_without_a_unit_head_the_supervisor_then_a_flag(client, uow_factory) -> None:
    """SAN-4: no head on record → the respondent's direct supervisor; nobody at all → recorded without a person
    and flagged; closing the case later opens nothing twice."""
    no_head = await world(client, uow_factory, head=None)
    found = await measures(client, no_head)
    assert {(m["head_source"], m["head_employee_number"]) for m in found.values()} == {
        ("supervisor", no_head.org.employees["boss"])
    }
    await move(client, no_head.lead, no_head.case_id, "closed")
    assert len(await measures(client, no_head)) == 2

    _, lead = await staff_headers(client, uow_factory, Role.team_lead)  # issue 18: the reader exists first
    body = await make_report(
        client, respondent={"description": "someone from another floor"}, workplace={"kind": "smg"}
    )
    case_id = await case_id_for(client, lead, body["case_reference"])
    await decide(client, uow_factory, lead, case_id)
    flagged = (await client.get(f"/api/v1/cases/{case_id}/head-measures", headers=lead)).json()
    assert len(flagged) == 2
    assert all(m["flagged"] and m["head_source"] == "none" and m["head_employee_number"] is None for m in flagged)


async def test_san_4_the_head_is_not_measured_when_they_are_the_victim(client, uow_factory) -> None:
    """SAN-4: the head of the unit who is the victim gets no measures."""
    w = await world(client, uow_factory, head="victim")
    # The respondent's unit head is the victim (recorded as such by the report): nothing opens.
    assert await measures(client, w) == {}
    async with uow_factory() as uow:
        actions = [e.action for e in await uow.audit.for_case(uuid.UUID(w.case_id))]
    assert "joint_liability.head_is_victim" in actions


async def test_san_4_unit_heads_come_with_the_directory_sync(client, uow_factory) -> None:
    """SAN-4: the personnel system's snapshot names each unit's head (an employee number it knows)."""
    hr = await machine_headers(client, uow_factory, "personnel:write")
    p = f"H{uuid.uuid4().hex[:8].upper()}"
    snapshot = {
        "as_of": datetime.now(UTC).isoformat(),
        "organisations": [{"id": f"{p}-O", "name": "Org", "kind": "smg"}],
        "units": [{"id": f"{p}-U", "organisation": f"{p}-O", "name": "Unit", "head": f"{p}-E1"}],
        "employees": [
            {"employee_number": f"{p}-E1", "organisation": f"{p}-O", "unit": f"{p}-U", "status": "active"},
            {"employee_number": f"{p}-E2", "organisation": f"{p}-O", "unit": f"{p}-U", "status": "active"},
        ],
    }
    response = await client.post("/api/v1/personnel/sync", json=snapshot, headers=hr)
    assert response.status_code == 200, response.text
    assert (await client.post("/api/v1/personnel/sync", json=snapshot, headers=hr)).json()["units"]["unchanged"] == 1
    snapshot["units"][0]["head"] = f"{p}-E2"
    assert (await client.post("/api/v1/personnel/sync", json=snapshot, headers=hr)).json()["units"]["updated"] == 1
    async with uow_factory() as uow:
        unit = await uow.session.scalar(select(OrgUnit).where(OrgUnit.external_id == f"{p}-U"))
        head = await uow.personnel.employee_by_number(f"{p}-E2")
        assert unit.head_employee_id == head.id
    snapshot["units"][0]["head"] = f"{p}-E404"
    unknown = await client.post("/api/v1/personnel/sync", json=snapshot, headers=hr)
    assert unknown.status_code == 422 and unknown.json()["code"] == "unknown-reference"


async def test_san_5_ineligibility_is_sent_once_per_respondent(client, uow_factory) -> None:
    """SAN-5: a substantiated respondent is recorded as ineligible once; a second substantiated case about the
    same person sends nothing new."""
    subscription = await subscribe(client, uow_factory, "respondent.ineligible")
    w = await world(client, uow_factory)
    again = await make_report(client, respondent={"employee_number": w.org.employees["resp"]})
    second = await case_id_for(client, w.lead, again["case_reference"])
    await decide(client, uow_factory, w.lead, second)
    payloads = await queued(uow_factory, subscription, "respondent.ineligible")
    assert [p["data"]["employee_number"] for p in payloads] == [w.org.employees["resp"]]
    assert set(payloads[0]["data"]) == {
        "employee_number",
        "ineligible_for_performance_bonus",
        "ineligible_for_key_posts",
        "recorded_on",
    }


# --- who may do what -------------------------------------------------------------------------------------------


async def test_acc_1_roles_on_every_sanction_endpoint(client, uow_factory) -> None:
    """ACC-1: anonymous 401; hr_officer, auditor and sysadmin 404 on the case's routes (as for a case that does not
    exist) and 403 on the approvals list; another team's member 404; a reporter's inbox token is no staff token."""
    w = await world(client, uow_factory)
    sanction = (await propose(client, w.handler, w.case_id, level="reprimand")).json()
    measure = next(iter((await measures(client, w)).values()))
    base = f"/api/v1/cases/{w.case_id}"
    endpoints: list[tuple[str, str, dict | None]] = [
        ("POST", f"{base}/sanctions", {"level": "reprimand", "reason": REASON}),
        ("GET", f"{base}/sanctions", None),
        ("POST", f"{base}/sanctions/{sanction['id']}/decision", {"approve": True, "reason": REASON}),
        ("POST", f"{base}/victim-opinion", {"text": OPINION}),
        ("GET", f"{base}/victim-opinion", None),
        ("GET", f"{base}/head-measures", None),
        ("POST", f"{base}/head-measures/{measure['id']}/done", {"evidence_note": REASON, "days": 7}),
        ("GET", "/api/v1/approvals/sanctions", None),
    ]
    blind = [
        (await staff_headers(client, uow_factory, role, None))[1]
        for role in (Role.hr_officer, Role.auditor, Role.sysadmin)
    ]
    _, other_team = await staff_headers(client, uow_factory, Role.team_lead, Team.investigation)
    reporter = await inbox_headers(client, w.body["receipt_code"])
    for method, url, body in endpoints:
        assert (await client.request(method, url, json=body)).status_code == 401, url
        assert (await client.request(method, url, json=body, headers=reporter)).status_code == 401, url
        for headers in blind:
            response = await client.request(method, url, json=body, headers=headers)
            assert response.status_code == (404 if url.startswith(base) else 403), (url, response.text)
        if url.startswith(base):
            response = await client.request(method, url, json=body, headers=other_team)
            assert response.status_code == 404, (url, response.text)
    assert sanction["id"] not in {
        p["id"] for p in (await client.get("/api/v1/approvals/sanctions", headers=other_team)).json()
    }
    missing = await decision(client, w.lead, w.case_id, str(uuid.uuid4()))
    assert missing.status_code == 404
    state = (await client.get(f"{base}/sanctions", headers=w.lead)).json()
    assert [s["status"] for s in state["sanctions"]] == ["proposed"] and state["victim_opinion_recorded"] is False


# --- SD-3 by person (rules audit defect 5, note 4) -----------------------------------------------------------------


async def correct_category(client, headers, case_id: str, category: str):  # type: ignore[no-untyped-def]
    etag = (await client.get(f"/api/v1/cases/{case_id}", headers=headers)).headers["etag"]
    return await client.post(
        f"/api/v1/cases/{case_id}/category",
        json={"category": category, "reason": "Filed under the wrong category at intake."},
        headers={**headers, "If-Match": etag},
    )


async def test_sd_3_a_sanction_for_another_person_on_the_original_case_is_held_to_the_floor(
    client, uow_factory
) -> None:
    """SD-3 (defect 5): on a substantiated original case, a sanction for someone other than the respondent (a
    colleague who covered it up, or someone outside the directory) is for secondary damage: below suspension it is
    refused, and it waits for the respondent's own sanction, whose level then sets the floor."""
    w = await world(client, uow_factory)
    colleague = w.org.employees["boss"]
    light = await propose(client, w.handler, w.case_id, level="reprimand", respondent_employee_number=colleague)
    assert light.status_code == 422 and light.json()["code"] == "below-penalty-floor"
    assert light.json()["floor"] == "suspension"
    labelled = await propose(client, w.handler, w.case_id, level="salary_reduction", months=3, respondent_label="A")
    assert labelled.status_code == 422 and labelled.json()["code"] == "below-penalty-floor"
    at_floor = await propose(
        client, w.handler, w.case_id, level="suspension", months=1, respondent_employee_number=colleague
    )
    assert at_floor.status_code == 201, at_floor.text
    assert at_floor.json()["for_secondary_damage"] is True
    await opinion(client, w.handler, w.case_id)
    waiting = await decision(client, w.lead, w.case_id, at_floor.json()["id"])
    assert waiting.status_code == 409 and waiting.json()["code"] == "original-sanction-pending"

    own = await propose(client, w.handler, w.case_id, level="reprimand")  # the respondent's own: no floor
    assert own.status_code == 201 and own.json()["for_secondary_damage"] is False
    own_two = await propose(client, w.handler, w.case_id, level="demotion")
    assert (await decision(client, w.lead, w.case_id, own.json()["id"], approve=False)).status_code == 200
    assert (await decision(client, w.lead, w.case_id, own_two.json()["id"])).status_code == 200
    below = await decision(client, w.lead, w.case_id, at_floor.json()["id"])
    assert below.status_code == 422 and below.json()["floor"] == "demotion"
    heavier = await propose(client, w.handler, w.case_id, level="discharge", respondent_employee_number=colleague)
    decided = await decision(client, w.lead, w.case_id, heavier.json()["id"])
    assert decided.status_code == 200 and decided.json()["status"] == "decided"
    view = (await client.get(f"/api/v1/cases/{w.case_id}/sanctions", headers=w.lead)).json()
    assert view["penalty_floor"] == {"level": "demotion", "months": None}  # for anyone but the respondent
    assert view["original_sanction_decided"] is True


async def test_sd_3_a_case_corrected_to_secondary_damage_is_held_to_the_floor(client, uow_factory) -> None:
    """SD-3, CASE-3, AUD-1: staff correct a case filed under another category to secondary damage: it is routed
    anew (to the investigation team), the correction is audited, and its sanctions are never lighter than
    suspension."""
    org = await make_org(uow_factory, units={"U": None}, people={"resp": ("U", None)})
    _, intake_lead = await staff_headers(client, uow_factory, Role.team_lead)  # issue 18: the staff exist first
    _, inv_lead = await staff_headers(client, uow_factory, Role.team_lead, Team.investigation)
    _, investigator = await staff_headers(client, uow_factory, Role.investigator, Team.investigation)
    body = await make_report(
        client, category="sexual_harassment", respondent={"employee_number": org.employees["resp"]}
    )
    case_id = await case_id_for(client, intake_lead, body["case_reference"])
    corrected = await correct_category(client, intake_lead, case_id, "secondary_damage")
    assert corrected.status_code == 200, corrected.text
    assert corrected.json()["applied"] is True and corrected.json()["proposal"] is None
    assert (corrected.json()["category"], corrected.json()["team"]) == ("secondary_damage", "investigation")
    assert (await client.get(f"/api/v1/cases/{case_id}", headers=intake_lead)).status_code == 404  # not theirs now
    # Issue 18: the correction itself shared the case's key with the new team (and the old team's wraps went).
    assert (await client.get(f"/api/v1/cases/{case_id}", headers=inv_lead)).json()["category"] == "secondary_damage"
    await decide(client, uow_factory, investigator, case_id)
    refused = await propose(client, investigator, case_id, level="salary_reduction", months=3)
    assert refused.status_code == 422 and refused.json()["floor"] == "suspension"
    async with uow_factory() as uow:
        actions = [e.action for e in await uow.audit.for_case(uuid.UUID(case_id))]
    assert "case.category_corrected" in actions


async def test_sd_3_a_correction_out_of_secondary_damage_waits_for_a_second_person(client, uow_factory) -> None:
    """SD-3, SAN-2's four eyes: correcting a secondary-damage case to another category removes SD-3's floor, so it
    is proposed (202, nothing changes) and a team lead or the division head other than the proposer confirms it
    through the decision proposals; until then no other proposal waits beside it."""
    _, inv_lead = await staff_headers(client, uow_factory, Role.team_lead, Team.investigation)  # issue 18: first
    _, other_lead = await staff_headers(client, uow_factory, Role.team_lead, Team.investigation)
    body = await make_report(client, category="secondary_damage")
    case_id = await case_id_for(client, inv_lead, body["case_reference"])
    proposed = await correct_category(client, inv_lead, case_id, "stalking")
    assert proposed.status_code == 202, proposed.text
    answer = proposed.json()
    assert answer["applied"] is False and answer["category"] == "secondary_damage"
    proposal = answer["proposal"]
    assert (proposal["kind"], proposal["category"], proposal["to_status"]) == ("category", "stalking", None)
    again = await correct_category(client, inv_lead, case_id, "online")
    assert again.status_code == 409 and again.json()["code"] == "decision-pending"
    assert (await client.get(f"/api/v1/cases/{case_id}", headers=inv_lead)).json()["category"] == "secondary_damage"
    listed = (await client.get("/api/v1/approvals/decision-proposals", headers=other_lead)).json()
    assert proposal["id"] in [p["id"] for p in listed]

    url = f"/api/v1/cases/{case_id}/decision-proposals/{proposal['id']}/decision"
    own = await client.post(url, json={"approve": True, "reason": "Agreed: it was filed wrongly."}, headers=inv_lead)
    assert own.status_code == 403 and own.json()["code"] == "proposer-cannot-confirm"
    confirmed = await client.post(
        url, json={"approve": True, "reason": "Agreed: it was filed wrongly."}, headers=other_lead
    )
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json()["status"] == "confirmed"
    async with uow_factory() as uow:
        case = await uow.cases.case(uuid.UUID(case_id))
        assert (case.category, case.team) == ("stalking", "intake_counselling")  # routed anew
        actions = [e.action for e in await uow.audit.for_case(case.id)]
    assert {"case.category_correction_proposed", "case.decision_confirmed", "case.category_corrected"} <= set(actions)


async def test_sd_3_a_category_correction_is_refused_when_it_changes_nothing_or_is_stale(client, uow_factory) -> None:
    """SD-3, CASE-1: the same category (422 category-unchanged), no If-Match (428) or an old version (412)."""
    _, lead = await staff_headers(client, uow_factory, Role.team_lead)  # issue 18: the reader exists first
    body = await make_report(client, category="stalking")
    case_id = await case_id_for(client, lead, body["case_reference"])
    same = await correct_category(client, lead, case_id, "stalking")
    assert same.status_code == 422 and same.json()["code"] == "category-unchanged"
    bare = await client.post(
        f"/api/v1/cases/{case_id}/category",
        json={"category": "online", "reason": "Filed under the wrong category."},
        headers=lead,
    )
    assert bare.status_code == 428
    stale = await client.post(
        f"/api/v1/cases/{case_id}/category",
        json={"category": "online", "reason": "Filed under the wrong category."},
        headers={**lead, "If-Match": "999"},
    )
    assert stale.status_code == 412
