"""Personnel changes against separation orders (SEP-5, SEP-6) and the retaliation watch (RET-1, RET-2),
driven through the personnel system's event API."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from app.db.models import Case, OutboxMessage, SeparationOrder
from app.domain.enums import Role, Team
from tests.builders import case_id_for, login, make_report, make_staff, move_case
from tests.directory import machine_headers, make_org


def event(number: str, kind: str, data: dict | None = None, *, days: int = 0) -> dict:
    at = datetime.now(UTC) + timedelta(days=days)
    return {
        "event_id": f"ev-{uuid.uuid4().hex}",
        "employee_number": number,
        "kind": kind,
        "effective_at": at.isoformat(),
        **({"data": data} if data is not None else {}),
    }


async def setup(client, uow_factory):  # type: ignore[no-untyped-def]
    org = await make_org(
        uow_factory,
        units={"A": None, "B": None},
        people={"victim": ("A", None), "resp": ("B", None), "witness": ("A", None), "mgr": ("B", None)},
        assignments={"shift": ["victim"]},
    )
    hr = await machine_headers(client, uow_factory, "personnel:write", "separation:read", "webhooks:manage")
    lead = await login(client, await make_staff(uow_factory, role=Role.team_lead, team=Team.intake_counselling))
    body = await make_report(  # issue 18: after the team lead, who reads the case and so holds its key
        client,
        victim={"employee_number": org.employees["victim"]},
        respondent={"employee_number": org.employees["resp"]},
        witnesses=[{"employee_number": org.employees["witness"]}],
    )
    case_id = await case_id_for(client, lead, body["case_reference"])
    return org, hr, lead, case_id


async def send(client, hr, *events) -> list[str]:  # type: ignore[no-untyped-def]
    response = await client.post("/api/v1/personnel/events", json=list(events), headers=hr)
    assert response.status_code == 200, response.text
    return [r["outcome"] for r in response.json()["results"]]


async def test_sep_5_a_transfer_into_the_victims_unit_is_flagged_at_once(client, uow_factory) -> None:
    """SEP-5: a reported personnel change that connects a separated pair is a violation for the case team,
    and the personnel system is told (webhook queued)."""
    org, hr, lead, case_id = await setup(client, uow_factory)
    subscription = await client.post(
        "/api/v1/webhooks/subscriptions",
        json={"url": "http://127.0.0.1:9/hook", "topics": ["separation.violation_found"]},
        headers=hr,
    )
    assert subscription.status_code == 201
    assert await send(client, hr, event(org.employees["resp"], "transfer", {"unit": org.units["A"]})) == ["applied"]
    view = (await client.get(f"/api/v1/cases/{case_id}/separation", headers=lead)).json()
    order = view["orders"][0]
    assert [v["kind"] for v in order["violations"]] == ["same_unit"]
    assert {c["kind"] for c in order["connections"]} == {"same_unit"}
    # The same state reported again is not a new violation.
    await send(client, hr, event(org.employees["resp"], "joined_assignment", {"assignment": org.assignments["shift"]}))
    order = (await client.get(f"/api/v1/cases/{case_id}/separation", headers=lead)).json()["orders"][0]
    assert [v["kind"] for v in order["violations"]] == ["same_unit", "shared_assignment"]
    async with uow_factory() as uow:
        queued = (
            await uow.session.scalars(
                select(OutboxMessage).where(
                    OutboxMessage.subscription_id == uuid.UUID(subscription.json()["id"]),
                    OutboxMessage.topic == "separation.violation_found",
                )
            )
        ).all()
        assert len(queued) == 2
        assert all(m.payload["data"]["order_reference"] == order["reference"] for m in queued)
        assert "victim" not in str([m.payload for m in queued])
    # Leave no live subscription to a dead address behind for the worker tests.
    deactivated = await client.delete(f"/api/v1/webhooks/subscriptions/{subscription.json()['id']}", headers=hr)
    assert deactivated.status_code == 204


async def test_sep_5_a_change_elsewhere_is_not_a_violation(client, uow_factory) -> None:
    """SEP-5: changes that connect nobody are applied without a flag."""
    org, hr, lead, case_id = await setup(client, uow_factory)
    await send(client, hr, event(org.employees["resp"], "new_supervisor", {"supervisor": org.employees["mgr"]}))
    order = (await client.get(f"/api/v1/cases/{case_id}/separation", headers=lead)).json()["orders"][0]
    assert order["violations"] == [] and order["status"] == "active"


async def test_sep_6_retirement_ends_the_order_and_closing_does_not(client, uow_factory) -> None:
    """SEP-6: the order lasts until one of the two leaves; it does not end with the case."""
    org, hr, lead, case_id = await setup(client, uow_factory)
    for to, extra in [
        ("triaged", {}),
        ("investigating", {}),
        ("decided", {"finding": "substantiated"}),
        ("closed", {}),
    ]:
        assert (await move_case(client, uow_factory, lead, case_id, to, **extra))["status"] == to
    order = (await client.get(f"/api/v1/cases/{case_id}/separation", headers=lead)).json()["orders"][0]
    assert order["status"] == "active"  # CASE-9: closing keeps the separation order
    await send(client, hr, event(org.employees["resp"], "retirement"))
    order = (await client.get(f"/api/v1/cases/{case_id}/separation", headers=lead)).json()["orders"][0]
    assert order["status"] == "ended"
    async with uow_factory() as uow:
        row = await uow.session.scalar(select(SeparationOrder).where(SeparationOrder.reference == order["reference"]))
        assert row.closed_on is not None and row.closed_by is None


async def test_sep_6_dismissal_ends_the_order(client, uow_factory) -> None:
    """SEP-6: a dismissal (recorded, not a placement change) also means leaving the organisation."""
    org, hr, lead, case_id = await setup(client, uow_factory)
    assert await send(client, hr, event(org.employees["resp"], "dismissal")) == ["recorded"]
    order = (await client.get(f"/api/v1/cases/{case_id}/separation", headers=lead)).json()["orders"][0]
    assert order["status"] == "ended"


async def test_ret_1_adverse_event_about_the_victim_opens_a_linked_review(client, uow_factory) -> None:
    """RET-1, RET-2, SD-2: a demotion-like event about the victim opens a secondary-damage case linked to the
    original, for the same team, without anyone complaining."""
    org, hr, lead, case_id = await setup(client, uow_factory)
    await send(client, hr, event(org.employees["victim"], "evaluation", {"grade": "C", "previous_grade": "A"}))
    async with uow_factory() as uow:
        reviews = (await uow.session.scalars(select(Case).where(Case.parent_case_id == uuid.UUID(case_id)))).all()
        assert len(reviews) == 1
        review = reviews[0]
        assert (review.category, review.origin, review.team) == (
            "secondary_damage",
            "retaliation_watch",
            "intake_counselling",
        )
        review_id = str(review.id)
    view = (await client.get(f"/api/v1/cases/{review_id}", headers=lead)).json()
    assert view["parent_case_id"] == case_id and view["origin"] == "retaliation_watch"
    assert {d["kind"] for d in view["deadlines"]} == {"triage", "investigation"}
    other_team = await login(client, await make_staff(uow_factory, role=Role.intake, team=Team.investigation))
    assert (await client.get(f"/api/v1/cases/{review_id}", headers=other_team)).status_code == 404


async def test_ret_2_case_4_a_watch_review_has_no_reporter_to_write_to(client, uow_factory) -> None:
    """RET-2, CASE-4: a review the watch opened has no reporter: a message "to the reporter" would reach nobody, so
    it is refused (409 no-reporter) and nothing is stored; an internal note is kept."""
    org, hr, lead, case_id = await setup(client, uow_factory)
    await send(client, hr, event(org.employees["victim"], "evaluation", {"grade": "C", "previous_grade": "A"}))
    async with uow_factory() as uow:
        review_id = str(await uow.session.scalar(select(Case.id).where(Case.parent_case_id == uuid.UUID(case_id))))
    url = f"/api/v1/cases/{review_id}/messages"
    refused = await client.post(url, json={"body": "Who is this for?"}, headers=lead)
    assert refused.status_code == 409 and refused.json()["code"] == "no-reporter"
    note = await client.post(url, json={"body": "Checked with HR.", "internal": True}, headers=lead)
    assert note.status_code == 201, note.text
    messages = (await client.get(f"/api/v1/cases/{review_id}", headers=lead)).json()["messages"]
    assert [m["internal"] for m in messages] == [True]


async def test_ret_1_witnesses_are_watched_and_the_respondent_is_not(client, uow_factory) -> None:
    """RET-1: protected persons include witnesses; a measure against the respondent is no retaliation."""
    org, hr, lead, case_id = await setup(client, uow_factory)
    await send(
        client,
        hr,
        event(org.employees["witness"], "promotion_decision", {"promoted": False}),
        event(org.employees["resp"], "discipline", {"level": "suspension"}),
    )
    async with uow_factory() as uow:
        reviews = (await uow.session.scalars(select(Case).where(Case.parent_case_id == uuid.UUID(case_id)))).all()
        assert len(reviews) == 1


async def test_ret_1_no_flag_for_favourable_or_earlier_events_or_duplicates(client, uow_factory) -> None:
    """RET-1: a better evaluation, an event effective before the report, or a repeated event id flag nothing
    new."""
    org, hr, lead, case_id = await setup(client, uow_factory)
    adverse = event(org.employees["victim"], "duties_removed")
    outcomes = await send(
        client,
        hr,
        event(org.employees["victim"], "evaluation", {"grade": "A", "previous_grade": "B"}),
        event(org.employees["victim"], "discipline", days=-30),
        adverse,
    )
    assert outcomes[2] == "recorded"
    assert await send(client, hr, adverse) == ["duplicate"]
    async with uow_factory() as uow:
        reviews = (await uow.session.scalars(select(Case).where(Case.parent_case_id == uuid.UUID(case_id)))).all()
        assert len(reviews) == 1  # only the duties removed, once


async def reviews_of(uow_factory, case_id: str) -> int:  # type: ignore[no-untyped-def]
    """How many retaliation-watch reviews the case has (RET-2)."""
    async with uow_factory() as uow:
        rows = await uow.session.scalars(select(Case).where(Case.parent_case_id == uuid.UUID(case_id)))
        return len(rows.all())


async def measure(client, lead, case_id: str, kind: str) -> str:  # type: ignore[no-untyped-def]
    """CASE-7: a measure offered, accepted by the victim (recorded by the team) and applied."""
    offered = await client.post(f"/api/v1/cases/{case_id}/measures", json={"kind": kind}, headers=lead)
    measure_id = offered.json()["id"]
    url = f"/api/v1/cases/{case_id}/measures/{measure_id}"
    assert (await client.post(f"{url}/answer", json={"accept": True}, headers=lead)).json()["status"] == "accepted"
    assert (await client.post(f"{url}/apply", headers=lead)).json()["status"] == "applied"
    return measure_id


async def test_ret_1_sep_3_the_victim_re_supervised_citing_the_order_is_flagged(client, uow_factory) -> None:
    """RET-1, SEP-3: the plan moves the respondent. A new supervisor for the victim is flagged even when it cites
    the pair's active order (the victim moved instead of the respondent), and when it cites another order."""
    org = await make_org(
        uow_factory, units={"A": None}, people={"boss": ("A", None), "resp": ("A", "boss"), "victim": ("A", "resp")}
    )
    hr = await machine_headers(client, uow_factory, "personnel:write", "separation:read")
    lead = await login(client, await make_staff(uow_factory, role=Role.team_lead, team=Team.intake_counselling))
    body = await make_report(  # issue 18: after the team lead, who reads the case and so holds its key
        client,
        victim={"employee_number": org.employees["victim"]},
        respondent={"employee_number": org.employees["resp"]},
    )
    case_id = await case_id_for(client, lead, body["case_reference"])
    order = (await client.get(f"/api/v1/cases/{case_id}/separation", headers=lead)).json()["orders"][0]
    plan = {"supervisor": org.employees["boss"], "separation_order": order["reference"]}
    await send(client, hr, event(org.employees["victim"], "new_supervisor", plan))
    assert await reviews_of(uow_factory, case_id) == 1
    await send(client, hr, event(org.employees["victim"], "new_supervisor", {**plan, "separation_order": "SO-OTHER"}))
    assert await reviews_of(uow_factory, case_id) == 2


async def test_sep_3_the_respondent_moved_citing_the_order_is_not_flagged(client, uow_factory) -> None:
    """SEP-3, RET-1: a respondent who is also a protected person (a witness of another case) is moved to carry out
    the order naming them as respondent: not retaliation. The same move without the order, or citing an order in
    which they are not the respondent, is flagged on the other case."""
    org, hr, lead, case_id = await setup(client, uow_factory)
    extra = await make_org(uow_factory, units={"C": None}, people={"v2": ("C", None), "r2": ("C", None)})
    other = await make_report(
        client,
        victim={"employee_number": extra.employees["v2"]},
        respondent={"employee_number": extra.employees["r2"]},
        witnesses=[{"employee_number": org.employees["resp"]}],
    )
    other_id = await case_id_for(client, lead, other["case_reference"])
    order = (await client.get(f"/api/v1/cases/{case_id}/separation", headers=lead)).json()["orders"][0]
    other_order = (await client.get(f"/api/v1/cases/{other_id}/separation", headers=lead)).json()["orders"][0]
    resp = org.employees["resp"]
    await send(
        client,
        hr,
        event(resp, "transfer", {"unit": extra.units["C"], "separation_order": order["reference"]}),
        event(resp, "new_supervisor", {"supervisor": org.employees["mgr"], "separation_order": order["reference"]}),
    )
    assert await reviews_of(uow_factory, other_id) == 0
    await send(client, hr, event(resp, "transfer", {"unit": org.units["B"]}))
    assert await reviews_of(uow_factory, other_id) == 1
    elsewhere = {"unit": extra.units["C"], "separation_order": other_order["reference"]}
    await send(client, hr, event(resp, "transfer", elsewhere))
    assert await reviews_of(uow_factory, other_id) == 2
    assert await reviews_of(uow_factory, case_id) == 0  # the respondent is not protected by their own case


async def test_case_7_the_victim_moved_at_their_recorded_wish_is_not_flagged(client, uow_factory) -> None:
    """CASE-7, RET-1: the victim's wish to move, recorded in WithU, excuses their transfer and new supervisor."""
    org, hr, lead, case_id = await setup(client, uow_factory)
    wish = await client.post(f"/api/v1/cases/{case_id}/victim-wishes", json={"wants_to_move": True}, headers=lead)
    assert wish.status_code == 201
    await send(
        client,
        hr,
        event(org.employees["victim"], "transfer", {"unit": org.units["B"]}),
        event(org.employees["victim"], "new_supervisor", {"supervisor": org.employees["mgr"]}),
    )
    assert await reviews_of(uow_factory, case_id) == 0


async def test_ret_1_case_7_the_victim_put_on_leave_without_a_wish_is_flagged(client, uow_factory) -> None:
    """RET-1, CASE-7: leave is never imposed on the victim: flagged, unless it carries out a paid-leave measure
    the victim accepted."""
    org, hr, lead, case_id = await setup(client, uow_factory)
    victim = org.employees["victim"]
    assert await send(client, hr, event(victim, "leave")) == ["applied"]
    assert await reviews_of(uow_factory, case_id) == 1
    await measure(client, lead, case_id, "paid_leave")
    await send(client, hr, event(victim, "returned", days=1), event(victim, "leave", days=2))
    assert await reviews_of(uow_factory, case_id) == 1


async def test_ret_1_a_witness_transferred_is_flagged(client, uow_factory) -> None:
    """RET-1: a witness is a protected person; their transfer is flagged whatever HR says, and the victim's
    recorded wish to move is the victim's, not the witness's."""
    org, hr, lead, case_id = await setup(client, uow_factory)
    await client.post(f"/api/v1/cases/{case_id}/victim-wishes", json={"wants_to_move": True}, headers=lead)
    await send(
        client, hr, event(org.employees["witness"], "transfer", {"unit": org.units["B"], "requested_by_employee": True})
    )
    assert await reviews_of(uow_factory, case_id) == 1


async def test_ret_1_case_7_requested_by_employee_without_a_recorded_wish_is_flagged(client, uow_factory) -> None:
    """RET-1, CASE-7: the personnel system's `requested_by_employee=true` is no proof of the victim's own request;
    without a wish recorded in WithU the move is flagged. A recorded wish not to move stays a no."""
    org, hr, lead, case_id = await setup(client, uow_factory)
    victim = org.employees["victim"]
    await send(client, hr, event(victim, "transfer", {"unit": org.units["B"], "requested_by_employee": True}))
    assert await reviews_of(uow_factory, case_id) == 1
    await client.post(f"/api/v1/cases/{case_id}/victim-wishes", json={"wants_to_move": False}, headers=lead)
    await send(
        client,
        hr,
        event(victim, "new_supervisor", {"supervisor": org.employees["mgr"], "requested_by_employee": True}, days=1),
    )
    assert await reviews_of(uow_factory, case_id) == 2


async def close(client, uow_factory, lead, case_id: str) -> None:  # type: ignore[no-untyped-def]
    steps = [("triaged", {}), ("investigating", {}), ("decided", {"finding": "substantiated"}), ("closed", {})]
    for to, extra in steps:
        assert (await move_case(client, uow_factory, lead, case_id, to, **extra))["status"] == to


async def test_case_9_closing_keeps_the_measure_and_the_order_and_lifting_needs_a_team_lead(
    client, uow_factory
) -> None:
    """CASE-9, SEP-6: a measure applied with the victim's wish and the separation order outlive the closing; the
    order is still lifted only by a team lead, with a reason."""
    # issue 18: the division head reads the case from the start, so holds its key
    head = await login(client, await make_staff(uow_factory, role=Role.division_head))
    org, hr, lead, case_id = await setup(client, uow_factory)
    measure_id = await measure(client, lead, case_id, "workplace_change")
    await close(client, uow_factory, lead, case_id)
    measures = (await client.get(f"/api/v1/cases/{case_id}/measures", headers=lead)).json()
    assert [(m["id"], m["status"]) for m in measures] == [(measure_id, "applied")]
    order = (await client.get(f"/api/v1/cases/{case_id}/separation", headers=lead)).json()["orders"][0]
    assert (order["status"], order["closed_on"]) == ("active", None)
    lift = f"/api/v1/cases/{case_id}/separation/orders/{order['id']}/lift"
    reason = {"reason": "Not substantiated on appeal; the victim was informed."}
    refused = await client.post(lift, json=reason, headers=head)  # not even the division head
    assert refused.status_code == 403
    order = (await client.get(f"/api/v1/cases/{case_id}/separation", headers=lead)).json()["orders"][0]
    assert order["status"] == "active"
    assert (await client.post(lift, json=reason, headers=lead)).status_code == 204
    order = (await client.get(f"/api/v1/cases/{case_id}/separation", headers=lead)).json()["orders"][0]
    assert order["status"] == "lifted"


async def test_case_9_ret_1_after_closing_the_recorded_wish_still_counts(client, uow_factory) -> None:
    """CASE-9, CASE-7, RET-1: after closing (within the watch), the victim's applied workplace change still
    excuses their transfer, and leave they never asked for is still flagged."""
    org, hr, lead, case_id = await setup(client, uow_factory)
    await measure(client, lead, case_id, "workplace_change")
    await close(client, uow_factory, lead, case_id)
    victim = org.employees["victim"]
    await send(client, hr, event(victim, "transfer", {"unit": org.units["B"]}, days=1))
    assert await reviews_of(uow_factory, case_id) == 0
    await send(client, hr, event(victim, "leave", days=2))
    assert await reviews_of(uow_factory, case_id) == 1
