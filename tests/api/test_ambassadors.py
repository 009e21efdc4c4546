"""Publicity ambassadors and memorial places (AMB-1, AMB-2), and the public listing."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from sqlalchemy import select

from app.db.models import Ambassador, AuditEntry, Case, DecisionProposal, MemorialPlace
from app.domain.ambassadors import DesignationCancelled
from app.domain.audit_chain import MAIN_CHAIN
from app.domain.enums import Role, Team
from app.schemas.ambassadors import ConvictionCreate
from app.schemas.decisions import ProposalDecision
from app.services import ambassadors, case_decisions
from app.services.auth import staff_from_token
from tests.builders import case_id_for, login, make_report, make_staff, move_case

REASON = "Recorded after the hearing of both sides."


async def staff(client, uow_factory, role: Role, team: Team | None = Team.intake_counselling):  # type: ignore[no-untyped-def]
    member = await make_staff(uow_factory, role=role, team=team)
    return member, await login(client, member)


async def ambassador_with_places(client, headers, places: int = 2) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    name = f"Ambassador {uuid.uuid4().hex[:8]}"
    created = await client.post("/api/v1/ambassadors", json={"public_name": name}, headers=headers)
    assert created.status_code == 201, created.text
    body = created.json()
    for i in range(places):
        place = await client.post(
            f"/api/v1/ambassadors/{body['id']}/places",
            json={"name": f"{name} memorial garden {i}", "location": f"Jung-gu, Seoul, site {i}"},
            headers=headers,
        )
        assert place.status_code == 201, place.text
    return (await client.get(f"/api/v1/ambassadors/{body['id']}", headers=headers)).json()


async def move(client, headers, case_id, to, **extra):  # type: ignore[no-untyped-def]
    version = (await client.get(f"/api/v1/cases/{case_id}", headers=headers)).headers["etag"]
    response = await client.post(
        f"/api/v1/cases/{case_id}/transitions",
        json={"to": to, "reason": REASON, **extra},
        headers={**headers, "If-Match": version},
    )
    assert response.status_code == 200, response.text
    return response.json()


async def public_ids(client) -> set[str]:  # type: ignore[no-untyped-def]
    response = await client.get("/api/v1/public/ambassadors")
    assert response.status_code == 200
    return {a["id"] for a in response.json()}


async def report_naming(client, headers, ambassador_id: str) -> str:  # type: ignore[no-untyped-def]
    body = await make_report(
        client, respondent={"description": "a publicity ambassador", "ambassador_id": ambassador_id}
    )
    return await case_id_for(client, headers, body["case_reference"])


async def test_amb_1_substantiated_finding_cancels_and_shuts_every_place_in_the_same_transaction(
    client, uow_factory
) -> None:
    """AMB-2 then AMB-1: a report naming an ambassador puts the designation under review; the substantiated
    finding cancels it and shuts every memorial place in the finding's own transaction, all audited."""
    _, lead_h = await staff(client, uow_factory, Role.team_lead)
    amb = await ambassador_with_places(client, lead_h, places=2)
    assert amb["status"] == "active" and amb["promotional_use_allowed"] is True
    assert amb["id"] in await public_ids(client)

    case_id = await report_naming(client, lead_h, amb["id"])
    under_review = (await client.get(f"/api/v1/ambassadors/{amb['id']}", headers=lead_h)).json()
    assert under_review["status"] == "under_review" and under_review["promotional_use_allowed"] is False
    assert amb["id"] not in await public_ids(client)
    no_new_use = await client.post(
        f"/api/v1/ambassadors/{amb['id']}/places", json={"name": "New plaque", "location": "City Hall"}, headers=lead_h
    )
    assert no_new_use.status_code == 409 and no_new_use.json()["code"] == "designation-under-review"
    linked = (await client.get(f"/api/v1/cases/{case_id}/ambassadors", headers=lead_h)).json()
    assert [a["id"] for a in linked] == [amb["id"]]

    await move(client, lead_h, case_id, "triaged")
    await move(client, lead_h, case_id, "investigating")
    decided = await move_case(client, uow_factory, lead_h, case_id, "decided", finding="substantiated")
    assert decided["status"] == "decided"

    after = (await client.get(f"/api/v1/ambassadors/{amb['id']}", headers=lead_h)).json()
    assert after["status"] == "cancelled" and after["cancel_basis"] == "finding"
    assert after["cancelled_on"] is not None and after["promotional_use_allowed"] is False
    assert [p["status"] for p in after["places"]] == ["shut", "shut"]
    assert all(p["shut_on"] == after["cancelled_on"] for p in after["places"])
    async with uow_factory() as uow:
        entries = [(e.action, e.seq, e.target) for e in await uow.audit.for_case(uuid.UUID(case_id))]
    cascade = ("case.status.decided", "ambassador.cancelled_by_finding", "memorial_place.shut")
    tail = [e for e in entries if e[0] in cascade]
    assert [action for action, _, _ in tail] == [
        "case.status.decided",
        "ambassador.cancelled_by_finding",
        "memorial_place.shut",
        "memorial_place.shut",
    ]
    # One transaction: the finding, the cancellation and both closures are consecutive links of the chain.
    assert [seq for _, seq, _ in tail] == list(range(tail[0][1], tail[0][1] + 4))
    assert {target for _, _, target in tail[2:]} == {p["id"] for p in after["places"]}

    twice = await client.post(
        f"/api/v1/ambassadors/{amb['id']}/convictions",
        json={"court": "Seoul Central District Court", "convicted_on": "2026-11-20"},
        headers=lead_h,
    )
    assert twice.status_code == 409 and twice.json()["code"] == "designation-cancelled"
    reinstate = await client.post(f"/api/v1/ambassadors/{amb['id']}/reinstatement", headers=lead_h)
    assert reinstate.status_code == 409 and reinstate.json()["code"] == "reinstatement-refused"
    await move(client, lead_h, case_id, "closed")
    closed = (await client.get(f"/api/v1/ambassadors/{amb['id']}", headers=lead_h)).json()
    assert closed["status"] == "cancelled" and [p["status"] for p in closed["places"]] == ["shut", "shut"]
    assert amb["id"] not in await public_ids(client)


async def test_amb_1_a_failure_inside_the_finding_transaction_leaves_neither(client, uow_factory) -> None:
    """AMB-1: the finding and the cascade share one transaction — the second person's confirmation of the finding
    (F5): when the domain refuses a second cancellation later in that transaction, nothing of it is kept — the case
    is not decided, the proposal not confirmed, the designation not cancelled, no place shut, nothing audited."""
    lead, lead_h = await staff(client, uow_factory, Role.team_lead)
    _, head_h = await staff(client, uow_factory, Role.division_head, None)
    amb = await ambassador_with_places(client, lead_h, places=2)
    case_id = await report_naming(client, lead_h, amb["id"])
    await move(client, lead_h, case_id, "triaged")
    investigating = await move(client, lead_h, case_id, "investigating")
    assigned = await client.post(f"/api/v1/cases/{case_id}/handlers", json={"user_id": str(lead.id)}, headers=head_h)
    assert assigned.status_code == 201, assigned.text
    proposed = await client.post(
        f"/api/v1/cases/{case_id}/decision-proposals",
        json={"to": "decided", "finding": "substantiated", "reason": REASON},
        headers={**lead_h, "If-Match": f'"{investigating["version"]}"'},
    )
    assert proposed.status_code == 201, proposed.text
    async with uow_factory() as uow:
        # issue 18: the head's own sign-in, as a request builds it (its key secret opens the case's key)
        actor = await staff_from_token(uow, head_h["Authorization"].split(" ", 1)[1])
        before, _ = await uow.audit.lock_tail(MAIN_CHAIN)
        await case_decisions.decide(
            uow,
            actor,
            uuid.UUID(case_id),
            uuid.UUID(proposed.json()["id"]),
            ProposalDecision(approve=True, reason="Confirmed by a second person."),
        )
        cancelled = await uow.session.get(Ambassador, uuid.UUID(amb["id"]))
        assert cancelled.status == "cancelled"  # the cascade ran inside the transaction …
        with pytest.raises(DesignationCancelled):  # … and a second cancellation is refused in it
            await ambassadors.record_conviction(
                uow, actor, uuid.UUID(amb["id"]), ConvictionCreate(court="Seoul High Court", convicted_on="2026-11-01")
            )
        # the request fails: the unit of work is never committed
    async with uow_factory() as uow:
        case = await uow.session.get(Case, uuid.UUID(case_id))
        ambassador = await uow.session.get(Ambassador, uuid.UUID(amb["id"]))
        places = (
            await uow.session.scalars(select(MemorialPlace).where(MemorialPlace.ambassador_id == ambassador.id))
        ).all()
        assert case.status == "investigating" and case.finding is None
        proposal = await uow.session.get(DecisionProposal, uuid.UUID(proposed.json()["id"]))
        assert proposal.status == "proposed" and proposal.decided_by is None
        assert ambassador.status == "under_review" and ambassador.cancelled_on is None
        assert [p.status for p in places] == ["open", "open"] and all(p.shut_on is None for p in places)
        logged = (
            await uow.session.scalars(
                select(AuditEntry.action).where(AuditEntry.case_id == uuid.UUID(case_id), AuditEntry.seq > before)
            )
        ).all()
        assert logged == []


async def test_amb_1_conviction_cancels_and_shuts_and_twice_is_refused_with_nothing_written(
    client, uow_factory
) -> None:
    """AMB-1: a recorded conviction (team lead or division head) does the same; a second one is 409 and changes
    nothing; an intake officer may not record one."""
    _, head_h = await staff(client, uow_factory, Role.division_head, None)
    _, intake_h = await staff(client, uow_factory, Role.intake)
    amb = await ambassador_with_places(client, head_h, places=3)
    conviction = {"court": "Seoul Central District Court", "convicted_on": "2026-11-20", "note": "Case 2026Go-1234"}
    refused = await client.post(f"/api/v1/ambassadors/{amb['id']}/convictions", json=conviction, headers=intake_h)
    assert refused.status_code == 403
    first = await client.post(f"/api/v1/ambassadors/{amb['id']}/convictions", json=conviction, headers=head_h)
    assert first.status_code == 201, first.text
    body = first.json()
    assert body["status"] == "cancelled" and body["cancel_basis"] == "conviction"
    assert body["conviction"] == conviction
    assert {p["status"] for p in body["places"]} == {"shut"}
    async with uow_factory() as uow:
        count_before = len(
            (await uow.session.scalars(select(AuditEntry.seq).where(AuditEntry.target == amb["id"]))).all()
        )
    second = await client.post(
        f"/api/v1/ambassadors/{amb['id']}/convictions",
        json={"court": "Another court", "convicted_on": "2026-11-21"},
        headers=head_h,
    )
    assert second.status_code == 409 and second.json()["code"] == "designation-cancelled"
    again = (await client.get(f"/api/v1/ambassadors/{amb['id']}", headers=head_h)).json()
    assert again["conviction"] == conviction and again["cancelled_on"] == body["cancelled_on"]
    async with uow_factory() as uow:
        count_after = len(
            (await uow.session.scalars(select(AuditEntry.seq).where(AuditEntry.target == amb["id"]))).all()
        )
        actions = (await uow.session.scalars(select(AuditEntry.action).where(AuditEntry.target == amb["id"]))).all()
        raw = await uow.session.scalar(
            select(Ambassador.__table__.c.cancel_reason).where(Ambassador.id == uuid.UUID(amb["id"]))
        )
    assert count_after == count_before
    assert "ambassador.cancelled_by_conviction" in actions
    assert b"2026Go-1234" not in raw  # ACC-2: the note is encrypted at rest
    new_place = await client.post(
        f"/api/v1/ambassadors/{amb['id']}/places", json={"name": "Plaque", "location": "Somewhere"}, headers=head_h
    )
    assert new_place.status_code == 409 and new_place.json()["code"] == "designation-cancelled"


async def test_amb_2_the_review_ends_when_the_last_open_report_ends(client, uow_factory) -> None:
    """AMB-2: under review while any report naming the ambassador is open; withdrawn or closed without a
    substantiated finding, the designation is active again."""
    _, lead_h = await staff(client, uow_factory, Role.team_lead)
    amb = await ambassador_with_places(client, lead_h, places=1)
    first = await report_naming(client, lead_h, amb["id"])
    second = await report_naming(client, lead_h, amb["id"])
    await move_case(client, uow_factory, lead_h, first, "withdrawn")
    status = (await client.get(f"/api/v1/ambassadors/{amb['id']}", headers=lead_h)).json()["status"]
    assert status == "under_review"  # the second report is still open
    await move(client, lead_h, second, "triaged")
    await move(client, lead_h, second, "investigating")
    await move_case(client, uow_factory, lead_h, second, "decided", finding="not_substantiated")
    assert (await client.get(f"/api/v1/ambassadors/{amb['id']}", headers=lead_h)).json()["status"] == "under_review"
    await move(client, lead_h, second, "closed")
    back = (await client.get(f"/api/v1/ambassadors/{amb['id']}", headers=lead_h)).json()
    assert back["status"] == "active" and back["promotional_use_allowed"] is True
    assert [p["status"] for p in back["places"]] == ["open"]
    assert amb["id"] in await public_ids(client)


async def test_amb_2_the_case_team_links_a_case_and_roles(client, uow_factory) -> None:
    """AMB-2: the case team records that a case names an ambassador; anonymous 401, roles outside the case
    team and a case of another team 404 (ACC-1: a case hides), an unknown ambassador 404, twice 409."""
    _, lead_h = await staff(client, uow_factory, Role.team_lead)
    _, intake_h = await staff(client, uow_factory, Role.intake)
    _, other_team_h = await staff(client, uow_factory, Role.intake, Team.prevention_education)
    _, hr_h = await staff(client, uow_factory, Role.hr_officer, None)
    amb = await ambassador_with_places(client, lead_h, places=0)
    body = await make_report(client, respondent={"description": "a well-known ambassador"})
    case_id = await case_id_for(client, intake_h, body["case_reference"])
    url = f"/api/v1/cases/{case_id}/ambassador"
    payload = {"ambassador_id": amb["id"]}

    assert (await client.post(url, json=payload)).status_code == 401
    assert (await client.post(url, json=payload, headers=hr_h)).status_code == 404  # ACC-1: content-blind, hidden
    assert (await client.post(url, json=payload, headers=other_team_h)).status_code == 404
    unknown = await client.post(url, json={"ambassador_id": str(uuid.uuid4())}, headers=intake_h)
    assert unknown.status_code == 404
    linked = await client.post(url, json=payload, headers=intake_h)
    assert linked.status_code == 201 and linked.json()["status"] == "under_review"
    twice = await client.post(url, json=payload, headers=intake_h)
    assert twice.status_code == 409 and twice.json()["code"] == "duplicate"
    listed = f"/api/v1/cases/{case_id}/ambassadors"
    assert [a["id"] for a in (await client.get(listed, headers=intake_h)).json()] == [amb["id"]]
    assert (await client.get(listed)).status_code == 401
    assert (await client.get(listed, headers=hr_h)).status_code == 404
    assert (await client.get(listed, headers=other_team_h)).status_code == 404
    async with uow_factory() as uow:
        actions = [e.action for e in await uow.audit.for_case(uuid.UUID(case_id))]
    assert {"ambassador.case_linked", "ambassador.review_started"} <= set(actions)


async def test_amb_1_linking_a_case_substantiated_already_cancels_at_once(client, uow_factory) -> None:
    """AMB-1: when the case team links an ambassador to a case decided substantiated, the cascade runs then."""
    _, lead_h = await staff(client, uow_factory, Role.team_lead)
    amb = await ambassador_with_places(client, lead_h, places=1)
    body = await make_report(client)
    case_id = await case_id_for(client, lead_h, body["case_reference"])
    await move(client, lead_h, case_id, "triaged")
    await move(client, lead_h, case_id, "investigating")
    await move_case(client, uow_factory, lead_h, case_id, "decided", finding="substantiated")
    linked = await client.post(f"/api/v1/cases/{case_id}/ambassador", json={"ambassador_id": amb["id"]}, headers=lead_h)
    assert linked.status_code == 201
    assert linked.json()["status"] == "cancelled" and linked.json()["places"][0]["status"] == "shut"


async def test_amb_registry_roles(client, uow_factory) -> None:
    """Team leads and the division head manage the registry; the case team reads it; others 403; anonymous 401."""
    _, lead_h = await staff(client, uow_factory, Role.team_lead)
    _, investigator_h = await staff(client, uow_factory, Role.investigator, Team.investigation)
    amb = await ambassador_with_places(client, lead_h, places=0)
    create = {"public_name": "Someone"}
    assert (await client.post("/api/v1/ambassadors", json=create)).status_code == 401
    assert (await client.get("/api/v1/ambassadors")).status_code == 401
    assert (await client.post("/api/v1/ambassadors", json=create, headers=investigator_h)).status_code == 403
    place = {"name": "Plaque", "location": "Jongno-gu"}
    assert (
        await client.post(f"/api/v1/ambassadors/{amb['id']}/places", json=place, headers=investigator_h)
    ).status_code == 403
    assert (
        await client.post(f"/api/v1/ambassadors/{amb['id']}/reinstatement", headers=investigator_h)
    ).status_code == 403
    not_cancelled = await client.post(f"/api/v1/ambassadors/{amb['id']}/reinstatement", headers=lead_h)
    assert not_cancelled.status_code == 409 and not_cancelled.json()["code"] == "designation-not-cancelled"
    listing = await client.get("/api/v1/ambassadors", headers=investigator_h)
    assert listing.status_code == 200 and amb["id"] in {a["id"] for a in listing.json()}
    for role in (Role.hr_officer, Role.auditor, Role.sysadmin):
        _, h = await staff(client, uow_factory, role, None)
        assert (await client.get("/api/v1/ambassadors", headers=h)).status_code == 403
        assert (await client.get(f"/api/v1/ambassadors/{amb['id']}", headers=h)).status_code == 403
        assert (await client.post("/api/v1/ambassadors", json=create, headers=h)).status_code == 403
    missing = await client.get(f"/api/v1/ambassadors/{uuid.uuid4()}", headers=lead_h)
    assert missing.status_code == 404
    empty = await client.post("/api/v1/ambassadors", json={"public_name": ""}, headers=lead_h)
    assert empty.status_code == 422


async def test_amb_public_listing_active_only_no_case_information_same_origin(client, uow_factory) -> None:
    """The public listing needs no sign-in, shows active designations and their open places only, carries
    nothing of any case, and is not opened to other origins (no CORS header)."""
    _, lead_h = await staff(client, uow_factory, Role.team_lead)
    active = await ambassador_with_places(client, lead_h, places=2)
    reviewed = await ambassador_with_places(client, lead_h, places=1)
    convicted = await ambassador_with_places(client, lead_h, places=1)
    body = await make_report(client, respondent={"ambassador_id": reviewed["id"]})
    await client.post(
        f"/api/v1/ambassadors/{convicted['id']}/convictions",
        json={"court": "Seoul Central District Court", "convicted_on": "2026-10-01"},
        headers=lead_h,
    )
    response = await client.get("/api/v1/public/ambassadors", headers={"Origin": "https://www.seoul.go.kr"})
    assert response.status_code == 200
    assert "access-control-allow-origin" not in response.headers
    listed = {a["id"]: a for a in response.json()}
    assert active["id"] in listed and reviewed["id"] not in listed and convicted["id"] not in listed
    entry = listed[active["id"]]
    assert set(entry) == {"id", "public_name", "designated_on", "places"}
    assert sorted(p["name"] for p in entry["places"]) == sorted(p["name"] for p in active["places"])
    assert all(set(p) == {"name", "location"} for p in entry["places"])
    assert body["case_reference"] not in response.text and "status" not in response.text
    write = await client.post("/api/v1/public/ambassadors", json={})
    assert write.status_code == 405


async def test_amb_2_an_unknown_ambassador_in_a_report_is_ignored(client, uow_factory) -> None:
    """A report naming an unknown ambassador id is accepted and links nothing (nothing tells whether it exists)."""
    _, lead_h = await staff(client, uow_factory, Role.team_lead)
    body = await make_report(client, respondent={"ambassador_id": str(uuid.uuid4())})
    case_id = await case_id_for(client, lead_h, body["case_reference"])
    assert (await client.get(f"/api/v1/cases/{case_id}/ambassadors", headers=lead_h)).json() == []


async def test_amb_2_an_escrowed_report_starts_the_review_when_released(client, uow_factory) -> None:
    """AMB-2 with CASE-8: a sealed report changes nothing (nothing runs while sealed); released by a second,
    independent report naming the same person, its case puts the designation under review."""
    _, lead_h = await staff(client, uow_factory, Role.team_lead)
    amb = await ambassador_with_places(client, lead_h, places=1)
    number = f"E-AMB-{uuid.uuid4().hex[:6]}"
    await make_report(
        client,
        reporter_kind="victim",
        identity_mode="confidential",
        reporter={"name": "Victim V", "email": "victim.v@example.org"},
        escrow=True,
        respondent={"employee_number": number, "ambassador_id": amb["id"]},
    )
    assert (await client.get(f"/api/v1/ambassadors/{amb['id']}", headers=lead_h)).json()["status"] == "active"
    # CASE-8: a second, independent (identified) reporter releases it at once.
    await make_report(
        client,
        identity_mode="confidential",
        reporter={"name": "Witness W", "email": "witness.w@example.org"},
        respondent={"employee_number": number},
    )
    assert (await client.get(f"/api/v1/ambassadors/{amb['id']}", headers=lead_h)).json()["status"] == "under_review"
