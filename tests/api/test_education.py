"""MAN-3: the prevention & education team schedules sessions, records attendance against the personnel directory
(also the personnel system, as a machine client), reads completion per organisation and unit (STAT-1 outside the
case team) and reminds without content; WU-1: #WithU sessions by headcount, counted in the intake statistics."""

from __future__ import annotations

from typing import Any

import httpx

from app.domain.enums import Role, Team
from tests.api.test_sanctions import queued, subscribe
from tests.builders import a_quarter_of_our_own, login, make_staff
from tests.directory import Org, machine_headers, make_org

SESSIONS = "/api/v1/education/sessions"
YEAR = 2026


async def staff(client, uow_factory, role: Role, team: Team | None = None) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return await login(client, await make_staff(uow_factory, role=role, team=team))


async def educator(client, uow_factory) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return await staff(client, uow_factory, Role.intake, Team.prevention_education)


async def new_session(client: httpx.AsyncClient, headers: dict[str, str], **overrides: Any) -> dict[str, Any]:
    body = {"kind": "yearly_prevention", "title": "Prevention 2026", "day": f"{YEAR}-06-01"} | overrides
    response = await client.post(SESSIONS, json=body, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


async def attend(client: httpx.AsyncClient, headers: dict[str, str], session_id: str, body: dict) -> httpx.Response:  # type: ignore[type-arg]
    return await client.post(f"{SESSIONS}/{session_id}/attendance", json=body, headers=headers)


async def org_of(uow_factory, n: int, *, boss: bool = False) -> Org:  # type: ignore[no-untyped-def]
    """One unit of `n` people; with `boss`, the first supervises the others (a manager)."""
    people = {f"p{i}": ("A", "p0" if boss and i else None) for i in range(n)}
    return await make_org(uow_factory, units={"A": None}, people=people)


def my_org(completion: dict[str, Any], kind: str, org: Org) -> dict[str, Any]:
    (requirement,) = [r for r in completion["requirements"] if r["kind"] == kind]
    (found,) = [o for o in requirement["organisations"] if o["key"] == f"ORG-{org.tag}"]
    return found


async def test_man_3_wrong_roles_are_refused(client, uow_factory) -> None:
    """MAN-3: only the prevention & education team and the division head schedule and record; the sysadmin reads
    nothing (403); an unknown session is 404."""
    for role, team in ((Role.team_lead, Team.investigation), (Role.hr_officer, None), (Role.auditor, None)):
        headers = await staff(client, uow_factory, role, team)
        body = {"kind": "yearly_prevention", "title": "x", "day": f"{YEAR}-06-01"}
        refused = await client.post(SESSIONS, json=body, headers=headers)
        assert refused.status_code == 403 and refused.json()["code"] == "access-denied"
    sysadmin = await staff(client, uow_factory, Role.sysadmin)
    for path in (SESSIONS, "/api/v1/education/completion"):
        assert (await client.get(path, params={"year": YEAR}, headers=sysadmin)).status_code == 403
    head = await staff(client, uow_factory, Role.division_head)
    session = await new_session(client, head)
    investigator = await staff(client, uow_factory, Role.investigator, Team.investigation)
    org = await org_of(uow_factory, 1)
    refused = await attend(client, investigator, session["id"], {"employee_numbers": [org.employees["p0"]]})
    assert refused.status_code == 403
    missing = await attend(client, head, "00000000-0000-0000-0000-000000000000", {"employee_numbers": ["E1"]})
    assert missing.status_code == 404 and missing.headers["content-type"] == "application/problem+json"


async def test_man_3_attendance_is_idempotent_and_unknown_employees_record_nothing(client, uow_factory) -> None:
    """MAN-3: attendance by employee number; sent twice it is one attendance; one unknown number records nothing
    and answers a problem naming it."""
    team = await educator(client, uow_factory)
    org = await org_of(uow_factory, 3)
    session = await new_session(client, team, role="all", organisation=f"ORG-{org.tag}", unit=org.units["A"])
    assert session["organisation"] == f"ORG-{org.tag}" and session["unit"] == org.units["A"]
    numbers = [org.employees["p0"], org.employees["p1"]]
    first = await attend(client, team, session["id"], {"employee_numbers": numbers})
    assert first.status_code == 200 and first.json() == {"recorded": 2, "already_recorded": 0, "attendees": 2}
    again = await attend(client, team, session["id"], {"employee_numbers": [*numbers, numbers[0]]})
    assert again.json() == {"recorded": 0, "already_recorded": 2, "attendees": 2}
    unknown = await attend(client, team, session["id"], {"employee_numbers": [org.employees["p2"], "NO-SUCH-1"]})
    assert unknown.status_code == 422 and unknown.headers["content-type"] == "application/problem+json"
    assert unknown.json()["code"] == "unknown-employee" and unknown.json()["unknown"] == ["NO-SUCH-1"]
    listed = (await client.get(SESSIONS, params={"year": YEAR}, headers=team)).json()
    (mine,) = [s for s in listed if s["id"] == session["id"]]
    assert mine["attendees"] == {"count": 2, "suppressed": False}  # p2 was not recorded
    bad_unit = await client.post(
        SESSIONS, json={"kind": "role_training", "role": "witness", "title": "x", "day": "2026-06-01", "unit": "NOPE"},
        headers=team,
    )  # fmt: skip
    assert bad_unit.status_code == 422 and bad_unit.json()["code"] == "session-invalid"


async def test_man_3_the_personnel_system_records_attendance(client, uow_factory) -> None:
    """MAN-3: the personnel system (machine client with personnel:write) records attendance; without the scope
    it is refused."""
    team = await educator(client, uow_factory)
    org = await org_of(uow_factory, 1)
    session = await new_session(client, team)
    hr_system = await machine_headers(client, uow_factory, "personnel:write")
    body = {"employee_numbers": [org.employees["p0"]]}
    recorded = await attend(client, hr_system, session["id"], body)
    assert recorded.status_code == 200 and recorded.json()["recorded"] == 1
    assert (await attend(client, hr_system, session["id"], body)).json()["already_recorded"] == 1
    reader = await machine_headers(client, uow_factory, "separation:read")
    refused = await attend(client, reader, session["id"], body)
    assert refused.status_code == 403 and refused.json()["code"] == "scope-not-allowed"
    assert (await attend(client, {}, session["id"], body)).status_code == 401


async def test_man_3_stat_1_completion_per_org_and_unit(client, uow_factory) -> None:
    """MAN-3, STAT-1: completion per organisation and unit — exact for the case team; for HR officers and auditors
    no count below 5, nor one the others reveal."""
    team = await educator(client, uow_factory)
    org = await org_of(uow_factory, 8, boss=True)
    yearly = await new_session(client, team)
    managers = await new_session(client, team, kind="role_training", role="manager", title="Managers")
    attended = [org.employees[f"p{i}"] for i in range(3)]
    assert (await attend(client, team, yearly["id"], {"employee_numbers": attended})).status_code == 200
    assert (await attend(client, team, managers["id"], {"employee_numbers": [org.employees["p0"]]})).status_code == 200

    exact = (await client.get("/api/v1/education/completion", params={"year": YEAR}, headers=team)).json()
    assert exact["exact"] is True
    row = my_org(exact, "yearly_prevention", org)
    assert (row["required"]["count"], row["completed"]["count"], row["percent"]) == (8, 3, 37.5)
    assert row["units"][0]["key"] == org.units["A"] and row["units"][0]["name"] == "A"
    manager_row = my_org(exact, "role_training", org)
    assert (manager_row["required"]["count"], manager_row["completed"]["count"]) == (1, 1)

    for role in (Role.hr_officer, Role.auditor):
        outside = await client.get(
            "/api/v1/education/completion", params={"year": YEAR}, headers=await staff(client, uow_factory, role)
        )
        assert outside.status_code == 200 and outside.json()["exact"] is False
        row = my_org(outside.json(), "yearly_prevention", org)
        cells = [row["required"], row["completed"], row["units"][0]["required"], row["units"][0]["completed"]]
        assert all(c["count"] is None or c["count"] >= 5 for c in cells)
        assert row["completed"] == {"count": None, "suppressed": True} and row["percent"] is None
        assert my_org(outside.json(), "role_training", org)["required"]["suppressed"]


async def test_man_3_reminders_are_content_free(client, uow_factory) -> None:
    """MAN-3: those who have not completed are reminded through the personnel system's webhook: employee numbers,
    the session kind and role, the year — nothing else."""
    subscription = await subscribe(client, uow_factory, "education.reminder")
    team = await educator(client, uow_factory)
    org = await org_of(uow_factory, 3, boss=True)
    yearly = await new_session(client, team, day="2029-03-01")
    assert (await attend(client, team, yearly["id"], {"employee_numbers": [org.employees["p1"]]})).status_code == 200
    refused = await client.post(
        "/api/v1/education/reminders", json={"year": 2029}, headers=await staff(client, uow_factory, Role.hr_officer)
    )
    assert refused.status_code == 403
    sent = await client.post("/api/v1/education/reminders", json={"year": 2029}, headers=team)
    assert sent.status_code == 200, sent.text
    assert sent.json()["reminded"]["yearly_prevention:all"] >= 2 and sent.json()["events"] >= 2
    events = await queued(uow_factory, subscription, "education.reminder")
    assert events and all(set(e["data"]) == {"year", "session_kind", "role", "employee_numbers"} for e in events)
    by_kind = {(e["data"]["session_kind"], e["data"]["role"]): set() for e in events}
    for e in events:
        by_kind[(e["data"]["session_kind"], e["data"]["role"])] |= set(e["data"]["employee_numbers"])
    assert {org.employees["p0"], org.employees["p2"]} <= by_kind[("yearly_prevention", "all")]
    assert org.employees["p1"] not in by_kind[("yearly_prevention", "all")]
    assert org.employees["p0"] in by_kind[("role_training", "manager")]
    assert org.employees["p2"] not in by_kind[("role_training", "manager")]


async def test_man_3_wu_1_withu_sessions_by_headcount_in_the_statistics(client, uow_factory) -> None:
    """WU-1, MAN-3: #WithU education and expert training for a citizen's workplace are sessions with a headcount,
    counted in the intake statistics (exact for the case team)."""
    team = await educator(client, uow_factory)
    start, end = a_quarter_of_our_own()
    day = start.isoformat()
    education = await new_session(client, team, kind="workplace_education", title="Bakery", day=day, workplace="Bakery")
    training = await new_session(client, team, kind="expert_training", title="Experts", day=day, workplace="Centre")
    assert (await attend(client, team, education["id"], {"headcount": 12})).json()["attendees"] == 12
    assert (await attend(client, team, training["id"], {"headcount": 3})).status_code == 200
    assert (await attend(client, team, training["id"], {"headcount": 4})).json()["attendees"] == 4  # replaced
    wrong = await attend(client, team, training["id"], {"employee_numbers": ["E-1"]})
    assert wrong.status_code == 422 and wrong.json()["code"] == "attendance-invalid"
    no_workplace = await client.post(SESSIONS, json={"kind": "expert_training", "title": "x", "day": day}, headers=team)
    assert no_workplace.status_code == 422 and no_workplace.json()["code"] == "session-invalid"
    params = {"from": start.isoformat(), "to": end.isoformat()}
    exact = (await client.get("/api/v1/statistics/intake", params=params, headers=team)).json()["withu_education"]
    assert exact["sessions"]["count"] == 2 and exact["attendees"]["count"] == 16
    assert exact["expert_training_attendees"]["count"] == 4
    hr = await staff(client, uow_factory, Role.hr_officer)
    outside = (await client.get("/api/v1/statistics/intake", params=params, headers=hr)).json()["withu_education"]
    assert outside["expert_training_attendees"]["suppressed"] and outside["expert_training_sessions"]["suppressed"]
