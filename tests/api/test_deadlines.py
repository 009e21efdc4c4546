"""CASE-2 deadline queues (GET /api/v1/deadlines) and the deadline scan that queues content-free notices.

These tests move time: they backdate their cases' deadlines and pass a frozen `today` to the scan, which looks at
every deadline in its database. So they run on a database of their own (a SQLite file, or a PostgreSQL database
created for the module and dropped after it): other tests' cases never change what is counted here, and a scan
here never queues notices about other tests' cases."""

from __future__ import annotations

import asyncio
import tempfile
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from sqlalchemy import select, update

from app.cli import migrate
from app.db.models import Case, CaseDeadline, Employee, Notification, StaffUser
from app.db.uow import UnitOfWork
from app.domain.access import CASE_TEAM_ROLES
from app.domain.deadlines import add_months
from app.domain.enums import DeadlineKind, Role, Team
from app.domain.escalation import NotificationKind, NotificationStatus
from app.main import create_app
from app.services import clock
from app.services.admin import create_user
from app.services.deadlines import scan_deadlines
from app.settings import Settings
from tests.builders import Staff, case_id_for, login, make_report, move_case
from tests.directory import make_org

# --- a database of their own ---


@asynccontextmanager
async def private_database(settings: Settings, **overrides: Any) -> AsyncIterator[Settings]:
    """Settings for a new, migrated database of the same kind as the test database; dropped afterwards."""
    if settings.is_sqlite:
        url = f"sqlite+aiosqlite:///{Path(tempfile.mkdtemp(prefix='withu-deadlines-')) / 'own.db'}"
        admin, name = None, None
    else:
        base, _, _ = settings.database_url.rpartition("/")
        name = f"withu_deadlines_{uuid.uuid4().hex[:8]}"
        admin = await asyncpg.connect(base.replace("postgresql+asyncpg", "postgresql") + "/postgres")
        await admin.execute(f'CREATE DATABASE "{name}"')
        url = f"{base}/{name}"
    own = settings.model_copy(update={"database_url": url, **overrides})
    try:
        await asyncio.to_thread(migrate, own)
        yield own
    finally:
        if admin is not None:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            await admin.close()


@dataclass
class Db:
    """The module's own database: its settings, an app bound to it, units of work for setup and assertions."""

    settings: Settings
    app: Any

    def uow(self) -> UnitOfWork:
        runtime = self.app.state.runtime
        return UnitOfWork(runtime.sessionmaker, runtime.settings)

    @asynccontextmanager
    async def client(self) -> AsyncIterator[httpx.AsyncClient]:
        transport = httpx.ASGITransport(app=self.app, client=("203.0.113.9", 50000))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
            yield c


@asynccontextmanager
async def own_db(settings: Settings) -> AsyncIterator[Db]:
    """A private database with an app bound to it (tests/api/test_notifications.py uses one too)."""
    async with private_database(settings) as own:
        application = create_app(own)
        try:
            yield Db(own, application)
        finally:
            await application.state.runtime.engine.dispose()


@pytest.fixture(scope="module")
async def db(settings: Settings) -> AsyncIterator[Db]:
    async with own_db(settings) as database:
        yield database


@pytest.fixture
async def client(db: Db) -> AsyncIterator[httpx.AsyncClient]:
    async with db.client() as c:
        yield c


# --- helpers ---

TODAY = clock.now().date()  # the day the test cases are opened; the scans below freeze days relative to it


async def staff(
    db: Db, role: Role, team: Team | None = None, *, name: str | None = None, number: str | None = None
) -> Staff:
    if number is None and role in CASE_TEAM_ROLES:  # a directory match of their own, as make_staff gives (F2)
        number = (await make_org(db.uow, units={}, people={"staff": (None, None)})).employees["staff"]
    email = f"{role.value}-{uuid.uuid4().hex[:10]}@test.withu.local"
    password = "correct horse battery staple"
    async with db.uow() as uow:
        user, secret = await create_user(
            uow,
            email=email,
            display_name=name or f"Test {role.value}",
            role=role,
            team=team,
            password=password,
            employee_number=number,
        )
        await uow.commit()
    return Staff(user.id, email, password, secret, role, team)


async def open_case(client: httpx.AsyncClient, headers: dict[str, str], **report: Any) -> tuple[str, str]:
    """A report through the API; (case id, reference)."""
    body = await make_report(client, **report)
    return await case_id_for(client, headers, body["case_reference"]), body["case_reference"]


async def backdate(db: Db, case_id: str, **due: date) -> None:
    """Move deadlines' due days (the way time passing would), e.g. triage=TODAY - 5."""
    async with db.uow() as uow:
        for kind, on in due.items():
            await uow.session.execute(
                update(CaseDeadline)
                .where(CaseDeadline.case_id == uuid.UUID(case_id), CaseDeadline.kind == DeadlineKind(kind))
                .values(due_on=on)
            )
        await uow.commit()


async def assign(client: httpx.AsyncClient, lead: dict[str, str], case_id: str, user: Staff) -> None:
    response = await client.post(f"/api/v1/cases/{case_id}/handlers", json={"user_id": str(user.id)}, headers=lead)
    assert response.status_code == 201, response.text


async def queue(client: httpx.AsyncClient, headers: dict[str, str], **params: Any) -> dict[str, Any]:
    response = await client.get("/api/v1/deadlines", headers=headers, params={"limit": 200, **params})
    assert response.status_code == 200, response.text
    return response.json()


def of_case(page: dict[str, Any], case_id: str) -> dict[str, dict[str, Any]]:
    return {item["kind"]: item for item in page["items"] if item["case_id"] == case_id}


async def scan(db: Db, today: date) -> int:
    async with db.uow() as uow:
        result = await scan_deadlines(uow, today)
        await uow.commit()
    return result.queued


async def notices(db: Db, case_id: str) -> list[Notification]:
    async with db.uow() as uow:
        rows = await uow.notifications.notices_of_case(uuid.UUID(case_id))
        uow.session.expunge_all()
        return rows


def told(rows: list[Notification], kind: NotificationKind) -> set[uuid.UUID]:
    return {n.recipient_user_id for n in rows if n.kind == kind}


async def intake_team(db: Db, client: httpx.AsyncClient) -> tuple[Staff, dict[str, str], Staff, dict[str, str]]:
    """A team lead and an intake officer of intake & counselling, signed in."""
    lead = await staff(db, Role.team_lead, Team.intake_counselling)
    officer = await staff(db, Role.intake, Team.intake_counselling)
    return lead, await login(client, lead), officer, await login(client, officer)


# --- the queues ---


async def test_case_2_queue_roles(db: Db, client: httpx.AsyncClient) -> None:
    """ACC-1: no token → 401; roles outside the case team (HR, auditor, sysadmin) → 403; the case team → 200."""
    assert (await client.get("/api/v1/deadlines")).status_code == 401
    for role in (Role.hr_officer, Role.auditor, Role.sysadmin):
        headers = await login(client, await staff(db, role))
        response = await client.get("/api/v1/deadlines", headers=headers)
        assert response.status_code == 403, role
        assert response.headers["content-type"].startswith("application/problem+json")
    for role, team in ((Role.intake, Team.intake_counselling), (Role.investigator, Team.investigation)):
        assert (
            await client.get("/api/v1/deadlines", headers=await login(client, await staff(db, role, team)))
        ).status_code == 200
    bad = await client.get(
        "/api/v1/deadlines", headers=await login(client, await staff(db, Role.division_head)), params={"state": "late"}
    )
    assert bad.status_code == 422


async def test_case_2_queue_shows_due_soon_overdue_and_escalated_with_countdowns(
    db: Db, client: httpx.AsyncClient
) -> None:
    """CASE-2: due-soon and overdue deadlines of the case are listed with days left or days overdue as numbers,
    "D-n" or "overdue" as text and the escalation flag; most overdue first; upcoming and met ones are not."""
    _, _, _, officer = await intake_team(db, client)
    case_id, reference = await open_case(client, officer, workplace={"kind": "smg"})  # ministry notice due today
    await backdate(db, case_id, triage=TODAY - timedelta(days=1), investigation=TODAY - timedelta(days=5))
    page = await queue(client, officer)
    mine = of_case(page, case_id)
    assert page["today"] == TODAY.isoformat()
    assert set(mine) == {"investigation", "triage", "ministry_notification"}  # feedback is months away; ack met
    assert mine["investigation"] | {"case_id": None} == {
        "case_id": None,
        "reference": reference,
        "team": "intake_counselling",
        "kind": "investigation",
        "due_on": (TODAY - timedelta(days=5)).isoformat(),
        "state": "overdue",
        "days_left": None,
        "days_overdue": 5,
        "countdown": "overdue",
        "escalated": True,
    }
    assert (mine["triage"]["state"], mine["triage"]["days_overdue"], mine["triage"]["escalated"]) == (
        "overdue",
        1,
        False,
    )
    ministry = mine["ministry_notification"]
    assert (ministry["state"], ministry["days_left"], ministry["days_overdue"], ministry["countdown"]) == (
        "due_soon",
        0,
        None,
        "D-0",
    )
    order = [(i["case_id"], i["kind"]) for i in page["items"]]
    assert (
        order.index((case_id, "investigation"))
        < order.index((case_id, "triage"))
        < order.index((case_id, "ministry_notification"))
    )
    assert [i["due_on"] for i in page["items"]] == sorted(i["due_on"] for i in page["items"])
    # Each state narrows the queue; escalated ones are overdue ones too.
    assert set(of_case(await queue(client, officer, state="due_soon"), case_id)) == {"ministry_notification"}
    assert set(of_case(await queue(client, officer, state="overdue"), case_id)) == {"investigation", "triage"}
    assert set(of_case(await queue(client, officer, state="escalated"), case_id)) == {"investigation"}
    for state in ("due_soon", "overdue", "escalated"):
        for item in (await queue(client, officer, state=state))["items"]:
            assert item["state"] == ("due_soon" if state == "due_soon" else "overdue")
            assert item["escalated"] is (True if state == "escalated" else item["escalated"])


async def test_case_2_d_n_counts_down_within_the_window(db: Db, client: httpx.AsyncClient) -> None:
    """CASE-2: a deadline due in 2 days is D-2 (due soon); in 3 days it is not listed yet (the window is 2)."""
    _, _, _, officer = await intake_team(db, client)
    case_id, _ = await open_case(client, officer)
    await backdate(db, case_id, triage=TODAY + timedelta(days=2), investigation=TODAY + timedelta(days=3))
    mine = of_case(await queue(client, officer), case_id)
    assert set(mine) == {"triage"}
    assert (mine["triage"]["countdown"], mine["triage"]["days_left"], mine["triage"]["state"]) == ("D-2", 2, "due_soon")


async def test_case_2_met_and_ended_deadlines_leave_the_queue_and_overdue_stays(
    db: Db, client: httpx.AsyncClient
) -> None:
    """CASE-2: triage met by the transition leaves the queue; an overdue investigation stays, flagged, until met;
    a withdrawn case's handling deadlines end with it."""
    _, _, _, officer = await intake_team(db, client)
    case_id, _ = await open_case(client, officer)
    await backdate(db, case_id, triage=TODAY - timedelta(days=2), investigation=TODAY - timedelta(days=1))
    moved = await client.post(
        f"/api/v1/cases/{case_id}/transitions",
        json={"to": "triaged", "reason": "Triage done."},
        headers={**officer, "If-Match": '"1"'},
    )
    assert moved.status_code == 200, moved.text
    assert set(of_case(await queue(client, officer), case_id)) == {"investigation"}
    withdrawn = await move_case(client, db.uow, officer, case_id, "withdrawn")  # proposed and confirmed (F5)
    assert withdrawn["status"] == "withdrawn"
    assert of_case(await queue(client, officer), case_id) == {}


async def test_acc_1_case_3_queue_shows_only_cases_the_actor_sees(db: Db, client: httpx.AsyncClient) -> None:
    """ACC-1, CASE-3: the queue lists only cases the actor's case team works: not another team's, not one the
    actor is recused from (a colleague in the respondent's unit); the division head sees every team's."""
    org = await make_org(
        db.uow,
        units={"a": None, "b": None},
        people={"resp": ("a", None), "colleague": ("a", None), "fine": ("b", None)},
    )
    _, _, _, officer = await intake_team(db, client)
    case_id, _ = await open_case(client, officer, respondent={"employee_number": org.employees["resp"]})
    await backdate(db, case_id, triage=TODAY - timedelta(days=1))
    assert "triage" in of_case(await queue(client, officer), case_id)
    other_team = await login(client, await staff(db, Role.investigator, Team.investigation))
    recused = await login(
        client, await staff(db, Role.intake, Team.intake_counselling, number=org.employees["colleague"])
    )
    unrelated = await login(client, await staff(db, Role.intake, Team.intake_counselling, number=org.employees["fine"]))
    head = await login(client, await staff(db, Role.division_head))
    assert of_case(await queue(client, other_team), case_id) == {}
    assert of_case(await queue(client, recused), case_id) == {}
    assert "triage" in of_case(await queue(client, unrelated), case_id)
    assert "triage" in of_case(await queue(client, head), case_id)
    assert of_case(await queue(client, head, team="investigation"), case_id) == {}
    assert "triage" in of_case(await queue(client, head, team="intake_counselling"), case_id)


async def test_case_2_queue_pages(db: Db, client: httpx.AsyncClient) -> None:
    """Paging: pages of 2 add up to the whole queue, in order, without repeats; total counts them all."""
    _, _, _, officer = await intake_team(db, client)
    for _ in range(3):
        case_id, _ = await open_case(client, officer)
        await backdate(db, case_id, triage=TODAY - timedelta(days=1))
    whole = await queue(client, officer)
    assert whole["total"] == len(whole["items"]) >= 3
    paged: list[tuple[str, str]] = []
    for offset in range(0, whole["total"], 2):
        page = await queue(client, officer, offset=offset, limit=2)
        assert page["total"] == whole["total"] and page["offset"] == offset and page["limit"] == 2
        assert len(page["items"]) == min(2, whole["total"] - offset)
        paged += [(i["case_id"], i["kind"]) for i in page["items"]]
    assert paged == [(i["case_id"], i["kind"]) for i in whole["items"]]
    assert len(set(paged)) == len(paged)
    beyond = await queue(client, officer, offset=whole["total"])
    assert beyond["items"] == [] and beyond["total"] == whole["total"]
    assert (await client.get("/api/v1/deadlines", headers=officer, params={"limit": 0})).status_code == 422


# --- the scan (a frozen `today`) ---


async def test_case_2_scan_tells_the_handlers_once(db: Db, client: httpx.AsyncClient) -> None:
    """CASE-2: on a frozen day when triage is due in 2 days, the scan queues one due-soon notice per assigned
    handler; a second scan queues nothing more; once overdue, an overdue notice follows, each once."""
    _, lead, _, officer = await intake_team(db, client)
    case_id, _ = await open_case(client, officer)
    handlers = [await staff(db, Role.intake, Team.intake_counselling) for _ in range(2)]
    for handler in handlers:
        await assign(client, lead, case_id, handler)
    triage_due = TODAY + timedelta(days=3)  # the default triage deadline

    assert await scan(db, triage_due - timedelta(days=3)) >= 0  # not due soon yet
    assert await notices(db, case_id) == []
    await scan(db, triage_due - timedelta(days=2))
    first = await notices(db, case_id)
    assert told(first, NotificationKind.deadline_due_soon) == {h.id for h in handlers}
    assert len(first) == 2 and all(n.status == NotificationStatus.pending and n.attempts == 0 for n in first)
    await scan(db, triage_due - timedelta(days=1))
    await scan(db, triage_due - timedelta(days=2))
    assert [n.id for n in await notices(db, case_id)] == [n.id for n in first]  # never queued twice
    await scan(db, triage_due + timedelta(days=1))
    await scan(db, triage_due + timedelta(days=1))
    rows = await notices(db, case_id)
    assert told(rows, NotificationKind.deadline_overdue) == {h.id for h in handlers}
    assert told(rows, NotificationKind.deadline_escalated) == set()
    assert len(rows) == 4
    assert len({(n.deadline_id, n.kind, n.recipient_user_id) for n in rows}) == 4


async def test_case_2_escalation_reaches_the_team_leads_and_the_division_heads(
    db: Db, client: httpx.AsyncClient
) -> None:
    """CASE-2: overdue by more than 3 days, a deadline escalates: the handler, the team's leads and the division
    heads are told; leads of other teams are not."""
    lead_user, lead, _, officer = await intake_team(db, client)
    head = await staff(db, Role.division_head)
    other_lead = await staff(db, Role.team_lead, Team.investigation)
    case_id, _ = await open_case(client, officer)
    handler = await staff(db, Role.intake, Team.intake_counselling)
    await assign(client, lead, case_id, handler)
    triage_due = TODAY + timedelta(days=3)
    await scan(db, triage_due + timedelta(days=3))  # overdue by 3: not escalated yet
    assert told(await notices(db, case_id), NotificationKind.deadline_escalated) == set()
    await scan(db, triage_due + timedelta(days=4))
    rows = await notices(db, case_id)
    escalated = told(rows, NotificationKind.deadline_escalated)
    assert {handler.id, lead_user.id, head.id} <= escalated
    assert other_lead.id not in escalated
    async with db.uow() as uow:
        roles = {u.id: (u.role, u.team) for u in await uow.staff.users_by_ids(list(escalated))}
    assert all(
        uid == handler.id or role == Role.division_head or (role, team) == (Role.team_lead, Team.intake_counselling)
        for uid, (role, team) in roles.items()
    )
    assert told(rows, NotificationKind.deadline_overdue) == {handler.id}  # leads are told by the escalation


async def test_case_2_a_case_without_handlers_tells_the_team_leads(db: Db, client: httpx.AsyncClient) -> None:
    """CASE-2: nobody assigned yet — the team's leads are told, so the deadline is not nobody's."""
    lead_user, _, officer_user, officer = await intake_team(db, client)
    case_id, _ = await open_case(client, officer)
    await scan(db, TODAY + timedelta(days=1))  # triage due in 2 days
    due_soon = told(await notices(db, case_id), NotificationKind.deadline_due_soon)
    assert lead_user.id in due_soon and officer_user.id not in due_soon
    async with db.uow() as uow:
        kinds = {(u.role, u.team) for u in await uow.staff.users_by_ids(list(due_soon))}
    assert kinds == {(Role.team_lead, Team.intake_counselling)}


async def test_case_3_recused_handler_gets_no_notice(db: Db, client: httpx.AsyncClient) -> None:
    """CASE-3: a handler transferred into the respondent's unit after being assigned is recused: the scan tells
    the other handler only; a team lead who is the respondent is never told, not even of an escalation."""
    org = await make_org(
        db.uow,
        units={"a": None, "b": None},
        people={"resp": ("a", None), "officer": ("b", None), "other": ("b", None)},
    )
    lead_user, lead, _, officer = await intake_team(db, client)
    respondent_lead = await staff(db, Role.team_lead, Team.intake_counselling, number=org.employees["resp"])
    case_id, _ = await open_case(client, officer, respondent={"employee_number": org.employees["resp"]})
    soon_recused = await staff(db, Role.intake, Team.intake_counselling, number=org.employees["officer"])
    fine = await staff(db, Role.intake, Team.intake_counselling, number=org.employees["other"])
    await assign(client, lead, case_id, soon_recused)
    await assign(client, lead, case_id, fine)
    async with db.uow() as uow:
        moved = await uow.session.scalar(select(Employee).where(Employee.employee_number == org.employees["officer"]))
        moved.unit_id = org.ids["unit:a"]
        await uow.commit()
    triage_due = TODAY + timedelta(days=3)
    await scan(db, triage_due - timedelta(days=1))
    await scan(db, triage_due + timedelta(days=10))
    rows = await notices(db, case_id)
    everyone = {n.recipient_user_id for n in rows}
    assert fine.id in told(rows, NotificationKind.deadline_due_soon)
    assert lead_user.id in told(rows, NotificationKind.deadline_escalated)
    assert soon_recused.id not in everyone
    assert respondent_lead.id not in everyone


async def test_case_2_inactive_staff_and_sealed_cases_get_no_notice(db: Db, client: httpx.AsyncClient) -> None:
    """A deactivated handler is not told; an escrow (sealed) case tells nobody (CASE-8: it is invisible)."""
    _, lead, _, officer = await intake_team(db, client)
    case_id, _ = await open_case(client, officer)
    gone = await staff(db, Role.intake, Team.intake_counselling)
    await assign(client, lead, case_id, gone)
    async with db.uow() as uow:
        (await uow.session.get(StaffUser, gone.id)).active = False
        await uow.commit()
    sealed = await make_report(client, escrow=True, respondent={"employee_number": f"E-SEAL-{uuid.uuid4().hex[:6]}"})
    await scan(db, TODAY + timedelta(days=40))
    assert gone.id not in {n.recipient_user_id for n in await notices(db, case_id)}
    async with db.uow() as uow:
        case = await uow.session.scalar(select(Case).where(Case.reference == sealed["case_reference"]))
        assert case is not None and case.sealed
        assert await uow.notifications.notices_of_case(case.id) == []


# --- the public body's duties recorded as done; the workplace known later; the victim's objection (issue 13) ---


async def deadlines_of(client: httpx.AsyncClient, headers: dict[str, str], case_id: str) -> dict[str, dict[str, Any]]:
    response = await client.get(f"/api/v1/cases/{case_id}", headers=headers)
    assert response.status_code == 200, response.text
    return {d["kind"]: d for d in response.json()["deadlines"]}


async def record_done(
    client: httpx.AsyncClient, headers: dict[str, str], case_id: str, kind: str, **body: Any
) -> httpx.Response:
    return await client.post(f"/api/v1/cases/{case_id}/deadlines/{kind}/done", json=body, headers=headers)


async def actions_of(client: httpx.AsyncClient, headers: dict[str, str], case_id: str) -> list[str]:
    response = await client.get(f"/api/v1/cases/{case_id}/timeline", headers=headers)
    assert response.status_code == 200, response.text
    return [item["action"] for item in response.json()["items"]]


def problem_code(response: httpx.Response, status: int) -> str:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    return str(response.json()["code"])


async def test_case_2_the_ministry_notification_is_recorded_as_done(db: Db, client: httpx.AsyncClient) -> None:
    """CASE-2: a handler records the ministry notification as done — who, the day, the ministry's receipt number —
    audited; it leaves the queue. Not a team member who is no handler; not twice; not a deadline WithU meets
    itself; not a day in the future."""
    lead, lead_h, officer, officer_h = await intake_team(db, client)
    case_id, _ = await open_case(client, officer_h, workplace={"kind": "smg"})
    assert "ministry_notification" in of_case(await queue(client, officer_h), case_id)
    refused = await record_done(client, officer_h, case_id, "ministry_notification", reference="MOGEF-2026-0113")
    assert problem_code(refused, 403) == "access-denied"
    await assign(client, lead_h, case_id, officer)
    future = await record_done(
        client, officer_h, case_id, "ministry_notification", reference="X-1", done_on=str(TODAY + timedelta(days=1))
    )
    assert problem_code(future, 422) == "done-on-out-of-range"
    assert problem_code(await record_done(client, officer_h, case_id, "triage", reference="X-1"), 422) == (
        "deadline-not-recorded-by-hand"
    )
    assert (await record_done(client, officer_h, case_id, "ministry_notification", reference=" ")).status_code == 422
    done = await record_done(client, officer_h, case_id, "ministry_notification", reference=" MOGEF-2026-0113 ")
    assert done.status_code == 200, done.text
    recorded = (await deadlines_of(client, officer_h, case_id))["ministry_notification"]
    assert done.json() == recorded
    assert (recorded["met_on"], recorded["reference"], recorded["met_by"], recorded["breached"]) == (
        TODAY.isoformat(),
        "MOGEF-2026-0113",
        "Test intake",
        False,
    )
    again = await record_done(client, lead_h, case_id, "ministry_notification", reference="MOGEF-2026-0114")
    assert problem_code(again, 409) == "deadline-already-met"
    assert "ministry_notification" not in of_case(await queue(client, officer_h), case_id)
    assert (await actions_of(client, lead_h, case_id)).count("case.deadline_recorded") == 1
    async with db.uow() as uow:
        row = await uow.session.scalar(
            select(CaseDeadline).where(
                CaseDeadline.case_id == uuid.UUID(case_id), CaseDeadline.kind == DeadlineKind.ministry_notification
            )
        )
        assert row is not None and row.met_by == officer.id and row.reference == "MOGEF-2026-0113"


async def test_case_2_the_prevention_plan_outlives_the_case_until_recorded(db: Db, client: httpx.AsyncClient) -> None:
    """CASE-2: after a substantiated finding at a public body the plan is due; closing the case ends triage and
    investigation but not the plan (nor an unrecorded ministry notification); the team lead records both (not
    with a day before the case opened) and nothing of the case is left in the queue."""
    _, lead_h, _, officer_h = await intake_team(db, client)
    case_id, _ = await open_case(client, officer_h, workplace={"kind": "affiliated"})
    for to in ("triaged", "investigating"):
        await move_case(client, db.uow, officer_h, case_id, to)
    await move_case(client, db.uow, officer_h, case_id, "decided", finding="substantiated")
    await move_case(client, db.uow, officer_h, case_id, "closed")
    await backdate(db, case_id, prevention_plan=TODAY)  # the ministry notification is due today since receipt
    assert set(of_case(await queue(client, lead_h), case_id)) == {"prevention_plan", "ministry_notification"}
    assert (await record_done(client, lead_h, case_id, "ministry_notification", reference="N-7")).status_code == 200
    before = await record_done(
        client, lead_h, case_id, "prevention_plan", reference="PLAN-2026-04", done_on=str(TODAY - timedelta(days=1))
    )
    assert problem_code(before, 422) == "done-on-out-of-range"  # the case opened today
    plan = await record_done(client, lead_h, case_id, "prevention_plan", reference="PLAN-2026-04", done_on=str(TODAY))
    assert plan.status_code == 200, plan.text
    assert (plan.json()["met_on"], plan.json()["reference"]) == (str(TODAY), "PLAN-2026-04")
    assert of_case(await queue(client, lead_h), case_id) == {}
    listed = await client.get("/api/v1/cases", headers=lead_h, params={"overdue": True, "limit": 200})
    assert case_id not in {c["id"] for c in listed.json()["items"]}


async def test_case_2_a_third_partys_objection_is_refused_and_nothing_stored(db: Db, client: httpx.AsyncClient) -> None:
    """CASE-2: only the victim objects to the ministry notification. A third party's objection is refused
    (422 objection-victim-only) and no case is written; the victim's objection drops the notification."""
    async with db.uow() as uow:
        before = len((await uow.session.scalars(select(Case.id))).all())
    refused = await client.post(
        "/api/v1/reports",
        json={
            "reporter_kind": "third_party",
            "identity_mode": "anonymous",
            "narrative": "He cornered her in the stairwell.",
            "workplace": {"kind": "smg"},
            "objects_to_ministry_notification": True,
        },
    )
    assert problem_code(refused, 422) == "objection-victim-only"
    async with db.uow() as uow:
        assert len((await uow.session.scalars(select(Case.id))).all()) == before
    _, _, _, officer_h = await intake_team(db, client)
    victims, _ = await open_case(
        client, officer_h, reporter_kind="victim", workplace={"kind": "smg"}, objects_to_ministry_notification=True
    )
    assert "ministry_notification" not in await deadlines_of(client, officer_h, victims)


async def test_case_2_a_workplace_known_later_opens_the_ministry_notification(
    db: Db, client: httpx.AsyncClient
) -> None:
    """CASE-2: a report without a workplace has no public-body duty; when the team lead sets the workplace (a
    public body), the ministry notification is due at once; set once, audited; the victim's objection holds. An
    officer of the team who is no handler may not set it."""
    _, lead_h, _, officer_h = await intake_team(db, client)
    case_id, _ = await open_case(client, officer_h)
    assert "ministry_notification" not in await deadlines_of(client, officer_h, case_id)
    put = f"/api/v1/cases/{case_id}/workplace"
    assert problem_code(await client.put(put, json={"kind": "smg"}, headers=officer_h), 403) == "access-denied"
    done = await client.put(put, json={"kind": "smg"}, headers=lead_h)
    assert done.status_code == 200, done.text
    assert done.json()["org_kind"] == "smg"
    ministry = (await deadlines_of(client, lead_h, case_id))["ministry_notification"]
    assert (ministry["due_on"], ministry["met_on"]) == (TODAY.isoformat(), None)
    assert "case.workplace_set" in await actions_of(client, lead_h, case_id)
    changed = await client.put(put, json={"kind": "contractor"}, headers=lead_h)
    assert problem_code(changed, 409) == "workplace-already-known"
    objected, _ = await open_case(client, officer_h, reporter_kind="victim", objects_to_ministry_notification=True)
    assert (await client.put(f"/api/v1/cases/{objected}/workplace", json={"kind": "smg"}, headers=lead_h)).is_success
    assert "ministry_notification" not in await deadlines_of(client, lead_h, objected)


async def test_case_2_a_workplace_known_after_a_substantiated_finding_opens_the_plan(
    db: Db, client: httpx.AsyncClient
) -> None:
    """CASE-2: the plan is due 3 calendar months from the substantiated finding, also when the public body becomes
    known only after it (here after closing)."""
    _, lead_h, _, officer_h = await intake_team(db, client)
    case_id, _ = await open_case(client, officer_h)
    for to in ("triaged", "investigating"):
        await move_case(client, db.uow, officer_h, case_id, to)
    await move_case(client, db.uow, officer_h, case_id, "decided", finding="substantiated")
    await move_case(client, db.uow, officer_h, case_id, "closed")
    assert "prevention_plan" not in await deadlines_of(client, lead_h, case_id)
    assert (await client.put(f"/api/v1/cases/{case_id}/workplace", json={"kind": "smg"}, headers=lead_h)).is_success
    mine = await deadlines_of(client, lead_h, case_id)
    assert mine["prevention_plan"]["due_on"] == add_months(TODAY, 3).isoformat()
    assert mine["ministry_notification"]["due_on"] == TODAY.isoformat()


async def test_case_2_feedback_is_met_only_by_a_message_marked_as_feedback(db: Db, client: httpx.AsyncClient) -> None:
    """CASE-2: a plain reply does not meet the feedback deadline; an internal note cannot be marked as feedback
    (422); a reply marked as feedback on the outcome meets it, by its sender."""
    _, _, _, officer_h = await intake_team(db, client)
    case_id, _ = await open_case(client, officer_h)
    url = f"/api/v1/cases/{case_id}/messages"
    assert (await client.post(url, json={"body": "We are looking into it."}, headers=officer_h)).status_code == 201
    assert (await deadlines_of(client, officer_h, case_id))["feedback"]["met_on"] is None
    note = await client.post(url, json={"body": "A note.", "internal": True, "feedback": True}, headers=officer_h)
    assert problem_code(note, 422) == "feedback-to-reporter-only"
    sent = await client.post(url, json={"body": "The outcome is…", "feedback": True}, headers=officer_h)
    assert sent.status_code == 201, sent.text
    feedback = (await deadlines_of(client, officer_h, case_id))["feedback"]
    assert (feedback["met_on"], feedback["met_by"]) == (TODAY.isoformat(), "Test intake")


async def test_con_1_case_2_a_contractor_workplace_set_later_opens_the_link_step(
    db: Db, client: httpx.AsyncClient
) -> None:
    """CON-1 with CASE-2: when staff learn later that the workplace is a commissioned organisation, the case gets
    the "link the contract" step, due `contract_link_days` from that day — as a contractor report naming no
    contract on record does at intake."""
    _, lead_h, _, officer_h = await intake_team(db, client)
    case_id, _ = await open_case(client, officer_h)
    assert "contract_link" not in await deadlines_of(client, officer_h, case_id)
    put = await client.put(f"/api/v1/cases/{case_id}/workplace", json={"kind": "contractor"}, headers=lead_h)
    assert put.status_code == 200, put.text
    step = (await deadlines_of(client, lead_h, case_id))["contract_link"]
    due = TODAY + timedelta(days=db.settings.contract_link_days)
    assert (step["due_on"], step["met_on"]) == (due.isoformat(), None)
