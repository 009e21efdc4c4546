"""CASE-2, ACC-1: the queue's pages (GET /api/v1/cases) are exactly those of sorting every visible case — by
newest first, or by nearest open deadline (none last) — and cutting the page out, on SQLite and PostgreSQL, for
every offset and page size, with and without the `overdue` filter. The repository reads the next-deadline order
in two parts along indexes (the cases with an open deadline by the earliest one, kept on the case by the database,
then those without), each from either end; both ways are checked against the same reference."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from app.db.models import Case
from app.db.repositories import case as case_repository
from app.domain.deadlines import is_breached
from app.domain.enums import DeadlineKind, Role, Team
from tests.builders import case_id_for, login, make_report, make_staff

URL = "/api/v1/cases"

# (days ago received, {kind: (due in days from today, met in days from today or None)}), one line per case.
# Shapes: ties on the next due day (broken by newest: day, then arrival, then reference), two open deadlines due the same day, no
# open deadline at all (met on time, or met late: overdue with nothing open), only met-late history plus a
# future deadline, open deadlines in the past and the future.
TRI, INV, FB = DeadlineKind.triage, DeadlineKind.investigation, DeadlineKind.feedback
SHAPES: list[tuple[int, dict[DeadlineKind, tuple[int, int | None]]]] = [
    (40, {TRI: (-37, None), INV: (-10, None), FB: (50, None)}),  # overdue, due 37 days ago
    (12, {TRI: (-9, -10), INV: (18, None), FB: (78, None)}),  # on time, next in 18 days
    (12, {TRI: (-9, None), INV: (18, None), FB: (78, None)}),  # overdue since 9 days
    (5, {TRI: (18, None), INV: (18, None), FB: (85, None)}),  # two open deadlines due the same day
    (20, {TRI: (18, None), INV: (-10, -5), FB: (70, None)}),  # met late: overdue although nothing open is past due
    (20, {TRI: (-17, -17), INV: (10, -1), FB: (70, -2)}),  # nothing open, all met on time
    (30, {TRI: (-27, -20), INV: (0, 0), FB: (60, -2)}),  # nothing open, one met late
    (3, {TRI: (0, None), INV: (27, None), FB: (87, None)}),  # due today: not yet overdue
    (3, {TRI: (0, None), INV: (27, None), FB: (87, None)}),  # the same again: the reference decides
    (1, {TRI: (2, None), INV: (29, None), FB: (89, None)}),  # fresh
    (60, {TRI: (-57, -50), INV: (-30, -29), FB: (30, -1)}),  # nothing open, met late twice
]


async def queue_of_our_own(client, uow_factory):  # type: ignore[no-untyped-def]
    """A handler assigned to the SHAPES cases only (the database is shared and never cleaned: `mine=true`
    isolates them); the cases' deadlines set as in SHAPES."""
    lead = await make_staff(uow_factory, role=Role.team_lead, team=Team.intake_counselling)
    lead_h = await login(client, lead)
    handler = await make_staff(uow_factory, role=Role.intake, team=Team.intake_counselling)
    handler_h = await login(client, handler)
    today = date.today()
    for back, deadlines in SHAPES:
        body = await make_report(client)
        case_id = await case_id_for(client, lead_h, body["case_reference"])
        assigned = await client.post(f"{URL}/{case_id}/handlers", json={"user_id": str(handler.id)}, headers=lead_h)
        assert assigned.status_code == 201
        async with uow_factory() as uow:
            case = await uow.session.scalar(select(Case).where(Case.reference == body["case_reference"]))
            case.opened_on = today - timedelta(days=back)
            for deadline in await uow.cases.deadlines(case.id):
                due, met = deadlines.get(deadline.kind, (-back, -back))  # the others: met on the day of receipt
                deadline.due_on = today + timedelta(days=due)
                deadline.met_on = None if met is None else today + timedelta(days=met)
            await uow.commit()
    return handler_h, today


async def reference_queue(uow_factory, handler_h, client, today: date) -> list[dict[str, Any]]:  # type: ignore[no-untyped-def]
    """Every case of the handler's queue with its next open due day and overdue flag, computed in Python from
    the deadlines (CASE-2's is_breached), as the API did before the queue was read in parts."""
    listed = (await client.get(URL, params={"mine": "true", "limit": 200}, headers=handler_h)).json()
    assert listed["total"] == len(SHAPES)
    rows = []
    async with uow_factory() as uow:
        for item in listed["items"]:
            case = await uow.session.scalar(select(Case).where(Case.reference == item["reference"]))
            deadlines = await uow.cases.deadlines(case.id)
            open_due = [d.due_on for d in deadlines if d.met_on is None]
            rows.append(
                {
                    "reference": case.reference,
                    "opened_on": case.opened_on,
                    "arrival": case.arrival,
                    "next_due": min(open_due) if open_due else None,
                    "overdue": any(is_breached(d.due_on, d.met_on, today) for d in deadlines),
                }
            )
    return rows


def newest(r: dict[str, Any]) -> tuple[int, int, str]:
    """INT-1: newest first is by day, then by order of arrival within the day, then by reference."""
    return (-r["opened_on"].toordinal(), -r["arrival"], r["reference"])


def expected(rows: list[dict[str, Any]], sort: str, overdue: bool | None) -> list[str]:
    chosen = [r for r in rows if overdue is None or r["overdue"] == overdue]
    if sort == "next_deadline":
        key = lambda r: (r["next_due"] is None, r["next_due"] or date.max, *newest(r))  # noqa: E731
    else:
        key = newest
    return [r["reference"] for r in sorted(chosen, key=key)]


@pytest.mark.parametrize("from_the_end", [True, False], ids=["from-either-end", "forward-only"])
async def test_case_2_queue_pages_match_a_full_sort_for_every_offset(
    client, uow_factory, monkeypatch, from_the_end: bool
) -> None:
    """CASE-2: for sort=newest and sort=next_deadline, overdue unset/true/false, page sizes 1, 2, 3, 4 and 50,
    and every offset up to past the end, the page and its total are the reference's; overdue cases are flagged
    (never hidden); the next deadline shown is the earliest open one. Both ways the repository reads a page are
    taken: pages past the middle of their part read backwards from the end (as shipped), and every page read
    forwards."""
    monkeypatch.setattr(case_repository, "READ_FROM_THE_END", from_the_end)
    handler_h, today = await queue_of_our_own(client, uow_factory)
    rows = await reference_queue(uow_factory, handler_h, client, today)
    by_reference = {r["reference"]: r for r in rows}
    assert sum(r["overdue"] for r in rows) == 5 and sum(r["next_due"] is None for r in rows) == 3
    for sort in ("newest", "next_deadline"):
        for overdue in (None, True, False):
            want = expected(rows, sort, overdue)
            params: dict[str, Any] = {"mine": "true", "sort": sort}
            if overdue is not None:
                params["overdue"] = str(overdue).lower()
            for limit in (1, 2, 3, 4, 50):
                for offset in range(len(want) + 2):
                    page = (
                        await client.get(URL, params={**params, "limit": limit, "offset": offset}, headers=handler_h)
                    ).json()
                    got = [c["reference"] for c in page["items"]]
                    assert got == want[offset : offset + limit], (sort, overdue, limit, offset)
                    assert page["total"] == len(want)
                    for item in page["items"]:
                        row = by_reference[item["reference"]]
                        assert item["overdue"] == row["overdue"]
                        shown = item["next_deadline"]["due_on"] if item["next_deadline"] else None
                        assert shown == (row["next_due"].isoformat() if row["next_due"] else None)
