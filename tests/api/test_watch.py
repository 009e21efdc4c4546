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
    body = await make_report(
        client,
        victim={"employee_number": org.employees["victim"]},
        respondent={"employee_number": org.employees["resp"]},
        witnesses=[{"employee_number": org.employees["witness"]}],
    )
    lead = await login(client, await make_staff(uow_factory, role=Role.team_lead, team=Team.intake_counselling))
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


async def test_ret_1_a_new_supervisor_that_carries_out_the_separation_plan_is_not_retaliation(
    client, uow_factory
) -> None:
    """RET-1, SEP-3: when the respondent leaves the victim's chain, the victim's new supervisor is recorded with the
    order's reference and opens no review; the same change without it (or naming another order) does."""
    org = await make_org(
        uow_factory, units={"A": None}, people={"boss": ("A", None), "resp": ("A", "boss"), "victim": ("A", "resp")}
    )
    hr = await machine_headers(client, uow_factory, "personnel:write", "separation:read")
    body = await make_report(
        client,
        victim={"employee_number": org.employees["victim"]},
        respondent={"employee_number": org.employees["resp"]},
    )
    lead = await login(client, await make_staff(uow_factory, role=Role.team_lead, team=Team.intake_counselling))
    case_id = await case_id_for(client, lead, body["case_reference"])
    order = (await client.get(f"/api/v1/cases/{case_id}/separation", headers=lead)).json()["orders"][0]
    plan = {"supervisor": org.employees["boss"], "separation_order": order["reference"]}
    await send(client, hr, event(org.employees["victim"], "new_supervisor", plan))
    async with uow_factory() as uow:
        reviews = (await uow.session.scalars(select(Case).where(Case.parent_case_id == uuid.UUID(case_id)))).all()
        assert reviews == []
    await send(client, hr, event(org.employees["victim"], "new_supervisor", {**plan, "separation_order": "SO-OTHER"}))
    async with uow_factory() as uow:
        reviews = (await uow.session.scalars(select(Case).where(Case.parent_case_id == uuid.UUID(case_id)))).all()
        assert len(reviews) == 1
