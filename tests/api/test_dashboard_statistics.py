"""Case statistics (STAT-1, CASE-2, SD-2) and the personnel system's sync status, for the dashboard."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import select

from app.db.models import AuditEntry, Case
from app.domain.enums import Role, Team
from tests.builders import a_quarter_of_our_own, case_id_for, login, make_report, make_staff, move_case
from tests.directory import machine_headers

URL = "/api/v1/statistics/cases"
STATUS = "/api/v1/personnel/status"


async def report_on(client, uow_factory, day: date, **overrides: Any) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """A report as if received on `day`: the case's day and all its deadlines move back together."""
    body = await make_report(client, **overrides)
    async with uow_factory() as uow:
        case = await uow.session.scalar(select(Case).where(Case.reference == body["case_reference"]))
        shift = day - case.opened_on
        case.opened_on = day
        for deadline in await uow.cases.deadlines(case.id):
            deadline.due_on += shift
            if deadline.met_on is not None:
                deadline.met_on += shift
        await uow.commit()
    return body


async def decide(client, uow_factory, headers: dict[str, str], case_id: str) -> None:  # type: ignore[no-untyped-def]
    for to in ("triaged", "investigating"):
        await move_case(client, uow_factory, headers, case_id, to)
    await move_case(client, uow_factory, headers, case_id, "decided", finding="substantiated")


def cell(count: int | None) -> dict[str, Any]:
    return {"count": count, "suppressed": count is None}


async def test_stat_1_case_statistics_exact_for_the_case_team_suppressed_for_others(client, uow_factory) -> None:
    """STAT-1, CASE-2, SD-2: 6 harassment and 2 secondary-damage cases in a month of their own, 2 decided. The
    case team sees exact counts by category and team, the times, breaches by kind and the SD share (0.25) for
    the days it asks for. An HR officer may ask only for the whole quarter: the quarter's 8 cases, but no month
    (the other two months' zeros would show), no cell, no team, no figure about the 2 decided cases and no share;
    both reads are audited."""
    quarter_start, quarter_end = a_quarter_of_our_own()
    day = quarter_start.replace(month=quarter_start.month + 1, day=10)
    lead = await make_staff(uow_factory, role=Role.team_lead, team=Team.intake_counselling)
    lead_h = await login(client, lead)
    bodies = [await report_on(client, uow_factory, day) for _ in range(6)]
    for _ in range(2):
        await report_on(client, uow_factory, day, category="secondary_damage")
    for body in bodies[:2]:
        await decide(client, uow_factory, lead_h, await case_id_for(client, lead_h, body["case_reference"]))
    since = (date.today() - day).days
    month = f"{day.year:04d}-{day.month:02d}"

    first, last = day.replace(day=1), day.replace(day=28)
    exact = (await client.get(URL, params={"from": first.isoformat(), "to": last.isoformat()}, headers=lead_h)).json()
    assert exact["exact"] is True and exact["months"] == [month]
    row = exact["by_category"][0]
    assert row["month"] == month and row["total"] == cell(8)
    assert row["cells"]["sexual_harassment"] == cell(6) and row["cells"]["secondary_damage"] == cell(2)
    assert row["cells"]["stalking"] == cell(0)
    teams = exact["by_team"][0]["cells"]
    assert teams["intake_counselling"] == cell(6) and teams["investigation"] == cell(2)
    assert exact["durations"]["acknowledge"] == {
        "cases": cell(8),
        "median_days": 0.0,
        "p90_days": 0.0,
        "suppressed": False,
    }
    assert exact["durations"]["decide"] == {
        "cases": cell(2),
        "median_days": since,
        "p90_days": since,
        "suppressed": False,
    }
    assert exact["durations"]["close"]["cases"] == cell(0) and exact["durations"]["close"]["median_days"] is None
    breaches = exact["deadline_breaches"]["cells"]
    assert breaches["triage"] == cell(8) and breaches["feedback"] == cell(8) and breaches["investigation"] == cell(8)
    assert breaches["acknowledgement"] == cell(0) and exact["deadline_breaches"]["total"] == cell(24)
    assert exact["secondary_damage"] == {"cases": cell(2), "all_cases": cell(8), "share": 0.25, "suppressed": False}

    hr = await make_staff(uow_factory, role=Role.hr_officer)
    hr_h = await login(client, hr)
    month_only = await client.get(URL, params={"from": first.isoformat(), "to": last.isoformat()}, headers=hr_h)
    assert month_only.status_code == 422 and month_only.json()["code"] == "window-not-allowed"
    window = {"from": quarter_start.isoformat(), "to": quarter_end.isoformat()}
    response = await client.get(URL, params=window, headers=hr_h)
    assert response.status_code == 200, response.text
    outside = response.json()
    assert outside["exact"] is False and len(outside["months"]) == 3 and month in outside["months"]
    assert all(c == cell(None) for r in outside["by_category"] for c in [r["total"], *r["cells"].values()])
    assert outside["by_team"] == [] and outside["deadline_breaches"]["total"] == cell(None)
    assert all(d["cases"] == cell(None) for d in outside["durations"].values())
    assert outside["durations"]["acknowledge"]["median_days"] == 0.0  # 8 cases: the time may be shown
    assert outside["durations"]["decide"] == {
        "cases": cell(None),
        "median_days": None,
        "p90_days": None,
        "suppressed": True,
    }
    assert outside["deadline_breaches"]["cells"]["triage"] == cell(8)
    assert outside["deadline_breaches"]["cells"]["prevention_plan"] == cell(None)
    assert outside["secondary_damage"] == {"cases": cell(None), "all_cases": cell(8), "share": None, "suppressed": True}
    async with uow_factory() as uow:
        readers = (
            await uow.session.scalars(select(AuditEntry.actor_id).where(AuditEntry.action == "statistics.cases_read"))
        ).all()
        assert {str(lead.id), str(hr.id)} <= set(readers)


async def test_stat_1_case_statistics_input_problems_and_anonymous(client, uow_factory) -> None:
    """STAT-1: a window that ends before it starts or a missing bound is a problem; anonymous callers 401."""
    headers = await login(client, await make_staff(uow_factory, role=Role.auditor))
    backwards = await client.get(URL, params={"from": "2020-02-01", "to": "2020-01-01"}, headers=headers)
    assert backwards.status_code == 422 and backwards.json()["code"] == "window-invalid"
    missing = await client.get(URL, params={"from": "2020-02-01"}, headers=headers)
    assert missing.status_code == 422 and missing.json()["code"] == "validation-failed"
    assert (await client.get(URL, params={"from": "2020-01-01", "to": "2020-01-31"})).status_code == 401


async def test_stat_1_a_window_of_centuries_is_refused_at_once_not_computed(client, uow_factory) -> None:
    """STAT-1, bad input (a fuzzing run: from=0831-11-15&to=4537-01-28 took 12 s — 44,000 months of columns): the
    case team may ask for any window up to 10 years (120 calendar months); a longer one answers 422
    `window-too-long` on both statistics routes, and nothing is audited as read."""
    headers = await login(client, await make_staff(uow_factory, role=Role.division_head))
    for url in (URL, "/api/v1/statistics/intake"):
        for start, end in (("0831-11-15", "4537-01-28"), ("2010-01-01", "2020-01-01"), ("0001-01-01", "9999-12-31")):
            refused = await client.get(url, params={"from": start, "to": end}, headers=headers)
            assert refused.status_code == 422, (url, start, end, refused.text)
            assert refused.json()["code"] == "window-too-long"
            assert refused.headers["content-type"].startswith("application/problem+json")
        longest = await client.get(url, params={"from": "2010-01-01", "to": "2019-12-31"}, headers=headers)
        assert longest.status_code == 200, longest.text


async def test_stat_1_f10_two_cases_in_one_month_are_not_recovered_by_subtraction(client, uow_factory) -> None:
    """STAT-1 (review F10): 2 cases in the quarter's second month, 19 in its third — the review's November and
    December. The review's reads (the last two months; the last month alone; from both answers) are refused to
    an HR officer, and the quarter's answers show nothing from which the 2 could be worked out: no month's total,
    and no total from which the shown months or the other answer's totals leave 1 to 4 cases."""
    start, end = a_quarter_of_our_own()
    second, third = start.replace(month=start.month + 1), start.replace(month=start.month + 2)
    for day, n in ((second.replace(day=14), 2), (third.replace(day=3), 19)):
        for _ in range(n):
            await report_on(client, uow_factory, day)
    hr_h = await login(client, await make_staff(uow_factory, role=Role.hr_officer))
    for url in (URL, "/api/v1/statistics/intake"):
        for window in ((second, end), (third, end)):
            asked = await client.get(
                url, params={"from": window[0].isoformat(), "to": window[1].isoformat()}, headers=hr_h
            )
            assert asked.status_code == 422 and asked.json()["code"] == "window-not-allowed", (url, asked.text)
            assert asked.headers["content-type"].startswith("application/problem+json")

    quarter = {"from": start.isoformat(), "to": end.isoformat()}
    cases = (await client.get(URL, params=quarter, headers=hr_h)).json()
    intake = (await client.get("/api/v1/statistics/intake", params=quarter, headers=hr_h)).json()
    months = {row["month"]: row["total"]["count"] for row in cases["by_category"]}
    assert months[f"{second:%Y-%m}"] is None and months[f"{third:%Y-%m}"] is None
    totals = [cases["secondary_damage"]["all_cases"]["count"], intake["employee_cases"]["total"]["count"]]
    totals += [d["cases"]["count"] for d in cases["durations"].values()]
    shown_months = sum(n for n in months.values() if n is not None)
    withu = intake["withu"]["cases"]["count"] or 0
    for total in (t for t in totals if t is not None):
        for rest in (total - shown_months, total - withu, *(total - t for t in totals if t is not None)):
            assert not 0 < rest < 5, (total, months, totals)
    assert cases["secondary_damage"]["all_cases"] == cell(21)


async def test_sep_5_personnel_status_for_hr_leads_head_and_sysadmin(client, uow_factory) -> None:
    """SEP-5 (separation relies on a current directory): the last full sync and its as_of, the directory's size,
    events of the last 24 hours and webhook deliveries waiting — counts and times only; audited. Intake officers,
    investigators and the auditor get 403; anonymous callers 401."""
    tag = uuid.uuid4().hex[:8].upper()
    hr_system = await machine_headers(client, uow_factory, "personnel:write")
    as_of = datetime.now(UTC).replace(microsecond=0).isoformat()
    snapshot = {
        "as_of": as_of,
        "organisations": [{"id": f"O-{tag}", "name": "Org", "kind": "smg"}],
        "units": [{"id": f"U-{tag}", "organisation": f"O-{tag}", "name": "Unit"}],
        "employees": [
            {"employee_number": f"E-{tag}", "organisation": f"O-{tag}", "unit": f"U-{tag}", "status": "active"}
        ],
    }
    assert (await client.post("/api/v1/personnel/sync", json=snapshot, headers=hr_system)).status_code == 200
    event = {"event_id": f"st-{tag}", "employee_number": f"E-{tag}", "kind": "leave", "effective_at": as_of}
    assert (await client.post("/api/v1/personnel/events", json=[event], headers=hr_system)).status_code == 200

    hr = await make_staff(uow_factory, role=Role.hr_officer)
    response = await client.get(STATUS, headers=await login(client, hr))
    assert response.status_code == 200, response.text
    status = response.json()
    assert status["last_full_sync_as_of"] == as_of
    assert datetime.fromisoformat(status["last_full_sync_at"]) > datetime.now(UTC) - timedelta(minutes=5)
    assert status["employees"] >= status["active_employees"] >= 0 and status["employees"] >= 1
    assert status["units"] >= 1 and status["events_last_24h"] >= 1
    assert datetime.fromisoformat(status["last_event_at"]) > datetime.now(UTC) - timedelta(minutes=5)
    assert status["webhook_deliveries_pending"] >= status["webhook_deliveries_failing"] >= 0
    for role, team in ((Role.team_lead, Team.investigation), (Role.division_head, None), (Role.sysadmin, None)):
        allowed = await client.get(
            STATUS, headers=await login(client, await make_staff(uow_factory, role=role, team=team))
        )
        assert allowed.status_code == 200, role
    for role, team in (
        (Role.intake, Team.intake_counselling),
        (Role.investigator, Team.investigation),
        (Role.auditor, None),
    ):
        refused = await client.get(
            STATUS, headers=await login(client, await make_staff(uow_factory, role=role, team=team))
        )
        assert refused.status_code == 403 and refused.json()["code"] == "access-denied", role
    assert (await client.get(STATUS)).status_code == 401
    async with uow_factory() as uow:
        entry = await uow.session.scalar(
            select(AuditEntry).where(AuditEntry.action == "personnel.status_read", AuditEntry.actor_id == str(hr.id))
        )
        assert entry is not None


async def test_case_2_queue_filters_overdue_and_sorts_by_next_deadline(client, uow_factory) -> None:
    """CASE-2: `overdue=true` lists exactly the cases flagged overdue (never hidden: `overdue=false` lists the
    others); `sort=next_deadline` puts the nearest open deadline first; a bad sort is a problem."""
    lead = await make_staff(uow_factory, role=Role.team_lead, team=Team.intake_counselling)
    lead_h = await login(client, lead)
    officer = await make_staff(uow_factory, role=Role.intake, team=Team.intake_counselling)
    officer_h = await login(client, officer)
    today = date.today()
    references = []
    for back in (0, 40, 10):  # received today, 40 days ago (overdue), 10 days ago (triage overdue)
        body = await report_on(client, uow_factory, today - timedelta(days=back))
        case_id = await case_id_for(client, lead_h, body["case_reference"])
        assigned = await client.post(
            f"/api/v1/cases/{case_id}/handlers", json={"user_id": str(officer.id)}, headers=lead_h
        )
        assert assigned.status_code == 201
        references.append(body["case_reference"])
    fresh, old, middle = references

    mine = {"mine": "true"}
    overdue = (await client.get("/api/v1/cases", params={**mine, "overdue": "true"}, headers=officer_h)).json()
    assert {c["reference"] for c in overdue["items"]} == {old, middle} and overdue["total"] == 2
    assert all(c["overdue"] for c in overdue["items"])
    on_time = (await client.get("/api/v1/cases", params={**mine, "overdue": "false"}, headers=officer_h)).json()
    assert [c["reference"] for c in on_time["items"]] == [fresh]
    by_deadline = (
        await client.get("/api/v1/cases", params={**mine, "sort": "next_deadline"}, headers=officer_h)
    ).json()
    assert [c["reference"] for c in by_deadline["items"]] == [old, middle, fresh]
    newest = (await client.get("/api/v1/cases", params=mine, headers=officer_h)).json()
    assert [c["reference"] for c in newest["items"]] == [fresh, middle, old]
    bad = await client.get("/api/v1/cases", params={"sort": "oldest"}, headers=officer_h)
    assert bad.status_code == 422 and bad.json()["code"] == "validation-failed"
