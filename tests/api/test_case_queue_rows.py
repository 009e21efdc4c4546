"""The queue's page reads what it shows of each row with the page (issue 17: one statement, by the rows' ids): each
row's marks are its own case's — CASE-4's unread marker compares a case's reporter messages with the staff member's
marker on that case, not on another; SEP-5's open violations are counted per case. And the queue's own statements
(the count in parts, the page's walk and content flag) list exactly the cases the domain says (ACC-1, CASE-3)."""

from __future__ import annotations

import random
import uuid
from datetime import date

from sqlalchemy import select

from app.db.links import employee_mac
from app.db.models import Case, SeparationOrder, SeparationViolation
from app.domain.enums import ConnectionKind, OrderStatus, Role, Team
from tests.api.test_access_query import specified
from tests.builders import case_id_for, inbox_headers, login, make_report, make_staff
from tests.directory import make_org
from tests.generated_cases import generate

URL = "/api/v1/cases"


async def test_case_4_unread_marker_of_each_row_is_that_cases_own(client, uow_factory) -> None:
    """CASE-4: with two cases, reading the one whose reporter wrote more leaves the other unread (its marker is
    missing, not the first case's); reading both clears both; a new message marks only its own case again."""
    lead_h = await login(client, await make_staff(uow_factory, role=Role.team_lead, team=Team.intake_counselling))
    handler = await make_staff(uow_factory, role=Role.intake, team=Team.intake_counselling)
    handler_h = await login(client, handler)
    cases = []
    for writes in (3, 1):
        body = await make_report(client)
        case_id = await case_id_for(client, lead_h, body["case_reference"])
        assigned = await client.post(f"{URL}/{case_id}/handlers", json={"user_id": str(handler.id)}, headers=lead_h)
        assert assigned.status_code == 201
        reporter = await inbox_headers(client, body["receipt_code"])
        for i in range(writes):
            sent = await client.post("/api/v1/inbox/messages", json={"body": f"Message {i}."}, headers=reporter)
            assert sent.is_success
        cases.append({"id": case_id, "reference": body["case_reference"], "reporter": reporter})

    async def unread() -> dict[str, bool]:
        page = (await client.get(URL, params={"mine": "true"}, headers=handler_h)).json()
        return {item["reference"]: item["unread_messages"] for item in page["items"]}

    busy, quiet = cases
    assert await unread() == {busy["reference"]: True, quiet["reference"]: True}
    assert (await client.post(f"{URL}/{busy['id']}/messages/read", headers=handler_h)).status_code == 204
    assert await unread() == {busy["reference"]: False, quiet["reference"]: True}
    assert (await client.post(f"{URL}/{quiet['id']}/messages/read", headers=handler_h)).status_code == 204
    assert await unread() == {busy["reference"]: False, quiet["reference"]: False}
    again = await client.post("/api/v1/inbox/messages", json={"body": "Once more."}, headers=quiet["reporter"])
    assert again.is_success
    assert await unread() == {busy["reference"]: False, quiet["reference"]: True}


async def test_sep_5_open_violations_are_counted_per_case_in_the_queue(client, uow_factory) -> None:
    """SEP-5: a case with an active order and two unresolved violations (and one resolved) shows 2, a case with a
    lifted order's violation shows 0, and `violations=true` lists only the first."""
    head = await make_staff(uow_factory, role=Role.division_head)
    head_h = await login(client, head)
    ids = []
    for _ in range(2):
        body = await make_report(client)
        ids.append(uuid.UUID(await case_id_for(client, head_h, body["case_reference"])))
    today = date.today()
    # real people of the directory (a later personnel sync reads every active order's two people)
    org = await make_org(uow_factory, units={}, people={"victim": (None, None), "respondent": (None, None)})
    async with uow_factory() as uow:
        for case_id, status, resolved in (
            (ids[0], OrderStatus.active, [None, None, today]),
            (ids[1], OrderStatus.lifted, [None]),
        ):
            order = SeparationOrder(
                reference=f"SO-T{uuid.uuid4().hex[:8]}",
                case_id=case_id,
                victim_mac=employee_mac(org.employees["victim"]),
                respondent_mac=employee_mac(org.employees["respondent"]),
                victim_id=org.ids["victim"],
                respondent_id=org.ids["respondent"],
                status=status,
                connections=[],
                opened_on=today,
            )
            uow.session.add(order)
            await uow.session.flush()
            for day in resolved:
                uow.session.add(
                    SeparationViolation(
                        order_id=order.id, kind=ConnectionKind.same_unit, detected_on=today, resolved_on=day
                    )
                )
        await uow.commit()
    shown = {}
    for case_id in ids:
        reference = (await client.get(f"{URL}/{case_id}", headers=head_h)).json()["reference"]
        page = (await client.get(URL, params={"reference": reference}, headers=head_h)).json()
        shown[case_id] = page["items"][0]["open_violations"]
        flagged = (await client.get(URL, params={"reference": reference, "violations": "true"}, headers=head_h)).json()
        assert flagged["total"] == (1 if case_id == ids[0] else 0)
    assert shown == {ids[0]: 2, ids[1]: 0}


async def test_acc_1_case_3_queue_rows_equal_can_see_case_and_can_read_content(uow_factory) -> None:  # type: ignore[no-untyped-def]
    """ACC-1, CASE-3, CASE-8, F2, F13: the queue's own statements (the count split into parts, the page's walk and
    its content flag) list a case of a generated world to a staff member exactly when the domain's can_see_case
    says so, with content_visible exactly can_read_content; `mine=true` lists it only to its handlers; asked by
    reference (one case) and for the whole queue. Over every
    staff member and case of four worlds (recused, sealed, not in the directory, other teams, handlers)."""

    checked = 0
    for seed in range(4):
        world = await generate(uow_factory, random.Random(100 + seed), cases=8, staff=8)
        async with uow_factory() as uow:
            ids = [case.id for case in world.cases]
            references = dict(
                (await uow.session.execute(select(Case.id, Case.reference).where(Case.id.in_(ids)))).all()
            )
            for staff in world.staff:
                for case in world.cases:
                    row, content, why = specified(world, staff, case)
                    for mine in (False, True):
                        rows, total = await uow.cases.list_visible(
                            staff, team=None, status=None, mine=mine, reference=references[case.id], offset=0, limit=5
                        )
                        listed = row and (not mine or staff.user_id in case.handler_ids)
                        assert (total, [r.id for r in rows]) == ((1, [case.id]) if listed else (0, [])), (seed, why)
                        if listed:
                            assert rows[0].content_visible == content, (seed, why)
                    checked += 1
                # The whole queue (no reference: the count in parts, the walk along the newest-first index), with
                # and without `mine`: the world's cases in it are exactly those the domain lists.
                for mine in (False, True):
                    expected = set()
                    for case in world.cases:
                        row, _, _ = specified(world, staff, case)
                        if row and (not mine or staff.user_id in case.handler_ids):
                            expected.add(case.id)
                    rows, total = await uow.cases.list_visible(
                        staff, team=None, status=None, mine=mine, reference=None, offset=0, limit=10_000
                    )
                    assert total == len(rows)
                    assert {r.id for r in rows} & set(ids) == expected, (seed, staff.role, mine)
    assert checked >= 256
