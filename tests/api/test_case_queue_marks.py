"""The queue's marks (issue 14): newest first within a day by order of arrival, never by a time (INT-1); a closed
case's next deadline only a duty that outlives it (CASE-2); a reporter's message unread by you (CASE-4)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from app.db.models import Case
from app.domain.enums import CaseStatus, Role, Team
from tests.builders import case_id_for, inbox_headers, login, make_report, make_staff

URL = "/api/v1/cases"


async def _handler_with(client, uow_factory, n: int, **report):  # type: ignore[no-untyped-def]
    """A handler assigned to `n` new cases only (`mine=true` isolates them); their references in order sent."""
    lead_h = await login(client, await make_staff(uow_factory, role=Role.team_lead, team=Team.intake_counselling))
    handler = await make_staff(uow_factory, role=Role.intake, team=Team.intake_counselling)
    sent = []
    for _ in range(n):
        body = await make_report(client, **report)
        case_id = await case_id_for(client, lead_h, body["case_reference"])
        assigned = await client.post(f"{URL}/{case_id}/handlers", json={"user_id": str(handler.id)}, headers=lead_h)
        assert assigned.status_code == 201
        sent.append({**body, "id": case_id})
    return await login(client, handler), lead_h, sent


async def test_int_1_queue_newest_first_by_arrival_within_a_day_never_a_time(client, uow_factory) -> None:
    """INT-1: reports of one day are listed newest first by their order of arrival (not by reference); the queue
    and the case carry the day only, and the arrival is 1, 2, 3, … within the day."""
    handler_h, _, sent = await _handler_with(client, uow_factory, 4)
    page = (await client.get(URL, params={"mine": "true"}, headers=handler_h)).json()
    assert [c["reference"] for c in page["items"]] == [s["case_reference"] for s in reversed(sent)]
    assert all(c["opened_on"] == date.today().isoformat() and "arrival" not in c for c in page["items"])
    async with uow_factory() as uow:
        arrivals = [
            await uow.session.scalar(select(Case.arrival).where(Case.reference == s["case_reference"])) for s in sent
        ]
    assert arrivals == sorted(arrivals) and len(set(arrivals)) == 4 and min(arrivals) >= 1


async def test_case_2_closed_case_shows_only_a_duty_that_outlives_it_as_next(client, uow_factory) -> None:
    """CASE-2: once a case is closed, its triage or investigation deadline no longer applies and is not its next
    deadline; the ministry notification of a city workplace stays until recorded as done."""
    workplace = {"workplace": {"kind": "smg", "name": "Seoul City Hall"}}
    handler_h, _, (city,) = await _handler_with(client, uow_factory, 1, **workplace)
    _, _, (other,) = await _handler_with(client, uow_factory, 1)
    async with uow_factory() as uow:
        for ref in (city["case_reference"], other["case_reference"]):
            case = await uow.session.scalar(select(Case).where(Case.reference == ref))
            case.status = CaseStatus.closed
        await uow.commit()
    row = (await client.get(URL, params={"mine": "true"}, headers=handler_h)).json()["items"][0]
    assert row["next_deadline"]["kind"] == "ministry_notification"
    lead_h = await login(client, await make_staff(uow_factory, role=Role.division_head))
    closed = (await client.get(URL, params={"reference": other["case_reference"]}, headers=lead_h)).json()
    assert closed["items"][0]["next_deadline"] is None


async def test_case_4_unread_marker_is_per_staff_member_and_only_for_reporter_messages(client, uow_factory) -> None:
    """CASE-4: a reporter's message marks the case unread for each staff member who reads it until they open its
    messages; the team's own messages and notes never mark it; a new reporter message marks it again."""
    handler_h, lead_h, (sent,) = await _handler_with(client, uow_factory, 1)
    unread = lambda page: page["items"][0]["unread_messages"]  # noqa: E731
    mine = {"mine": "true"}
    assert not unread((await client.get(URL, params=mine, headers=handler_h)).json())
    reporter = await inbox_headers(client, sent["receipt_code"])
    assert (await client.post("/api/v1/inbox/messages", json={"body": "One more thing."}, headers=reporter)).is_success
    assert unread((await client.get(URL, params=mine, headers=handler_h)).json())
    read = await client.post(f"{URL}/{sent['id']}/messages/read", headers=handler_h)
    assert read.status_code == 204
    assert not unread((await client.get(URL, params=mine, headers=handler_h)).json())
    by_ref = {"reference": sent["case_reference"]}
    assert unread((await client.get(URL, params=by_ref, headers=lead_h)).json()), "the lead has not read it"
    note = {"body": "Called the reporter back.", "internal": True}
    assert (await client.post(f"{URL}/{sent['id']}/messages", json=note, headers=lead_h)).status_code == 201
    assert not unread((await client.get(URL, params=mine, headers=handler_h)).json())
    assert (await client.post("/api/v1/inbox/messages", json={"body": "And another."}, headers=reporter)).is_success
    assert unread((await client.get(URL, params=mine, headers=handler_h)).json())
