"""The personnel system keeps the directory current: POST /api/v1/personnel/sync and /personnel/events.

Every test builds its own small organisation under a random prefix (the database is shared by the run)."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import httpx
from sqlalchemy import func, select

from app.db.models import AssignmentMember, AuditEntry, Employee, OrgUnit, PersonnelEvent
from app.domain.enums import ClientKind, EmployeeStatus
from app.services import auth

SYNC, EVENTS = "/api/v1/personnel/sync", "/api/v1/personnel/events"
T1, T2, T3 = "2026-01-05T09:00:00+09:00", "2026-02-05T09:00:00+09:00", "2026-03-05T09:00:00+09:00"


async def client_headers(
    client: httpx.AsyncClient, uow_factory: Any, scopes: tuple[str, ...] = ("personnel:write",)
) -> tuple[dict[str, str], str]:
    """A personnel-system client (hr_system) and its bearer token, through the token endpoint."""
    async with uow_factory() as uow:
        row, secret = await auth.create_client(uow, "Test personnel system", ClientKind.hr_system, list(scopes))
        client_id = row.client_id
        await uow.commit()
    form = {"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret}
    response = await client.post("/api/v1/oauth/token", data=form)
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}, client_id


def org(p: str, as_of: str = T1) -> dict[str, Any]:
    """A small organisation: U1 ⊃ U2, U3; E1 heads U1, E2 (U2) reports to E1, E3 (U2) to E2; project A1."""
    return {
        "as_of": as_of,
        "organisations": [{"id": f"{p}-ORG", "name": "Seoul Test Office", "kind": "smg"}],
        "units": [
            {"id": f"{p}-U1", "organisation": f"{p}-ORG", "parent": None, "name": "Division"},
            {"id": f"{p}-U2", "organisation": f"{p}-ORG", "parent": f"{p}-U1", "name": "Team two"},
            {"id": f"{p}-U3", "organisation": f"{p}-ORG", "parent": f"{p}-U1", "name": "Team three"},
        ],
        "employees": [
            {"employee_number": f"{p}-E1", "organisation": f"{p}-ORG", "unit": f"{p}-U1", "status": "active"},
            {
                "employee_number": f"{p}-E2",
                "organisation": f"{p}-ORG",
                "unit": f"{p}-U2",
                "supervisor": f"{p}-E1",
                "status": "active",
            },
            {
                "employee_number": f"{p}-E3",
                "organisation": f"{p}-ORG",
                "unit": f"{p}-U2",
                "supervisor": f"{p}-E2",
                "status": "active",
            },
        ],
        "assignments": [
            {
                "id": f"{p}-A1",
                "organisation": f"{p}-ORG",
                "kind": "project",
                "name": "Project",
                "members": [f"{p}-E1", f"{p}-E2"],
            }
        ],
    }


async def synced(client: httpx.AsyncClient, headers: dict[str, str], p: str) -> dict[str, Any]:
    response = await client.post(SYNC, json=org(p), headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


async def employee(uow_factory: Any, number: str) -> Employee | None:
    """The stored row, detached with its values loaded."""
    async with uow_factory() as uow:
        row = await uow.personnel.employee_by_number(number)
        if row is not None:
            uow.session.expunge(row)
        return row


async def unit_key(uow_factory: Any, unit_id: uuid.UUID | None) -> str | None:
    async with uow_factory() as uow:
        return await uow.session.scalar(select(OrgUnit.external_id).where(OrgUnit.id == unit_id))


async def stored_count(uow_factory: Any, model: Any, column: Any, prefix: str) -> int:
    async with uow_factory() as uow:
        return int(await uow.session.scalar(select(func.count()).select_from(model).where(column.startswith(prefix))))


def event(p: str, n: int, number: str, kind: str, at: str, **data: Any) -> dict[str, Any]:
    return {
        "event_id": f"{p}-ev{n}",
        "employee_number": f"{p}-{number}",
        "kind": kind,
        "effective_at": at,
        "data": data,
    }


async def send(client: httpx.AsyncClient, headers: dict[str, str], *events: dict[str, Any]) -> httpx.Response:
    return await client.post(EVENTS, json=list(events), headers=headers)


def outcomes(response: httpx.Response) -> list[str]:
    assert response.status_code == 200, response.text
    return [r["outcome"] for r in response.json()["results"]]


# --- who may call ------------------------------------------------------------------------------------------


async def test_anonymous_is_refused(client: httpx.AsyncClient) -> None:
    """Without a token both endpoints answer 401 and store nothing."""
    p = uuid.uuid4().hex[:8]
    for path, body in ((SYNC, org(p)), (EVENTS, [event(p, 1, "E1", "leave", T1)])):
        response = await client.post(path, json=body)
        assert response.status_code == 401
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["code"] == "invalid-token"


async def test_client_without_personnel_write_is_refused(client: httpx.AsyncClient, uow_factory: Any) -> None:
    """A personnel-system client holding only separation:check gets 403 scope-not-allowed; nothing is stored."""
    headers, _ = await client_headers(client, uow_factory, ("separation:check",))
    p = uuid.uuid4().hex[:8]
    for path, body in ((SYNC, org(p)), (EVENTS, [event(p, 1, "E1", "leave", T1)])):
        response = await client.post(path, json=body, headers=headers)
        assert response.status_code == 403, response.text
        assert response.json()["code"] == "scope-not-allowed"
    assert await stored_count(uow_factory, Employee, Employee.employee_number, p) == 0


# --- full sync -----------------------------------------------------------------------------------------------


async def test_sep_4_sync_builds_the_directory_and_is_idempotent(client: httpx.AsyncClient, uow_factory: Any) -> None:
    """SEP-4 checks read this directory: a snapshot creates units, chains of command and assignments; the same
    snapshot again reports 0 changes and writes nothing."""
    headers, client_id = await client_headers(client, uow_factory)
    p = uuid.uuid4().hex[:8]
    first = await synced(client, headers, p)
    assert first["employees"] == {"created": 3, "updated": 0, "unchanged": 0}
    assert first["units"] == {"created": 3, "updated": 0, "unchanged": 0}
    assert first["organisations"]["created"] == 1 and first["assignments"]["created"] == 1
    assert first["memberships"] == {"created": 2, "updated": 0, "unchanged": 0}

    e1, e2, e3 = [await employee(uow_factory, f"{p}-E{i}") for i in (1, 2, 3)]
    assert e1 and e2 and e3
    assert (e2.supervisor_id, e3.supervisor_id, e1.supervisor_id) == (e1.id, e2.id, None)
    assert await unit_key(uow_factory, e3.unit_id) == f"{p}-U2"
    assert e3.status == EmployeeStatus.active
    assert e3.unit_effective_at.isoformat() == "2026-01-05T00:00:00+00:00"
    async with uow_factory() as uow:
        u2 = await uow.session.scalar(select(OrgUnit).where(OrgUnit.external_id == f"{p}-U2"))
        u1 = await uow.session.scalar(select(OrgUnit).where(OrgUnit.external_id == f"{p}-U1"))
        assert u2 is not None and u1 is not None and u2.parent_id == u1.id
        members = (
            await uow.session.scalars(select(AssignmentMember).where(AssignmentMember.employee_id.in_([e1.id, e2.id])))
        ).all()
        assert {(m.employee_id, m.member) for m in members} == {(e1.id, True), (e2.id, True)}

    again = await synced(client, headers, p)
    for kind, total in (("organisations", 1), ("units", 3), ("employees", 3), ("assignments", 1), ("memberships", 2)):
        assert again[kind] == {"created": 0, "updated": 0, "unchanged": total}, kind
    async with uow_factory() as uow:
        entries = (
            await uow.session.scalars(
                select(AuditEntry).where(AuditEntry.action == "personnel.synced", AuditEntry.actor_id == client_id)
            )
        ).all()
        assert [(e.actor_kind, e.case_id) for e in entries] == [("client", None), ("client", None)]


async def test_sep_6_upsert_sync_updates_changed_rows_and_leaves_absent_employees(
    client: httpx.AsyncClient, uow_factory: Any
) -> None:
    """A later snapshot (`mode=upsert`) moves E3, retires E2 and drops E2 from the project; E1, absent, stays as it
    was (SEP-6: a full snapshot would mark E1 as left, tests/api/test_personnel_full_sync.py)."""
    headers, _ = await client_headers(client, uow_factory)
    p = uuid.uuid4().hex[:8]
    await synced(client, headers, p)
    later = org(p, as_of=T2)
    e1_row, e2_row, e3_row = later["employees"]
    e2_row.update(status="retired", retired_on="2026-02-01")
    e3_row.update(unit=f"{p}-U3", supervisor=f"{p}-E1")
    later["employees"] = [e2_row, e3_row]
    later["assignments"][0]["members"] = [f"{p}-E1"]
    response = await client.post(SYNC, params={"mode": "upsert"}, json=later, headers=headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["employees"] == {"created": 0, "updated": 2, "unchanged": 0}
    assert body["memberships"] == {"created": 0, "updated": 1, "unchanged": 1}
    e1, e2, e3 = [await employee(uow_factory, f"{p}-E{i}") for i in (1, 2, 3)]
    assert e1 and e2 and e3
    assert (e2.status, e2.retired_on) == (EmployeeStatus.retired, date(2026, 2, 1))
    assert await unit_key(uow_factory, e3.unit_id) == f"{p}-U3" and e3.supervisor_id == e1.id
    assert e1.status == EmployeeStatus.active and e1.unit_effective_at.isoformat() == "2026-01-05T00:00:00+00:00"
    async with uow_factory() as uow:
        e2_member = await uow.session.scalar(select(AssignmentMember).where(AssignmentMember.employee_id == e2.id))
        assert e2_member is not None and e2_member.member is False


async def test_sync_in_any_order_children_before_parents(client: httpx.AsyncClient, uow_factory: Any) -> None:
    """Rows may come in any order: units before their parents, employees before their supervisors, and deep
    chains (written parents first, so foreign keys hold at every step on both databases)."""
    headers, _ = await client_headers(client, uow_factory)
    p = uuid.uuid4().hex[:8]
    snapshot = org(p)
    snapshot["units"] += [
        {"id": f"{p}-D{i}", "organisation": f"{p}-ORG", "parent": f"{p}-D{i - 1}" if i else f"{p}-U3", "name": "Deep"}
        for i in range(50)
    ]
    snapshot["employees"] += [
        {
            "employee_number": f"{p}-C{i}",
            "organisation": f"{p}-ORG",
            "unit": f"{p}-D{i}",
            "supervisor": f"{p}-C{i - 1}" if i else f"{p}-E3",
            "status": "active",
        }
        for i in range(50)
    ]
    snapshot["units"].reverse()
    snapshot["employees"].reverse()
    response = await client.post(SYNC, json=snapshot, headers=headers)
    assert response.status_code == 200, response.text
    assert response.json()["employees"]["created"] == 53 and response.json()["units"]["created"] == 53
    deepest, above = await employee(uow_factory, f"{p}-C49"), await employee(uow_factory, f"{p}-C48")
    assert deepest and above and deepest.supervisor_id == above.id
    assert await unit_key(uow_factory, deepest.unit_id) == f"{p}-D49"


async def test_sync_refused_half_way_stores_nothing(client: httpx.AsyncClient, uow_factory: Any) -> None:
    """All or nothing: one bad reference at the end of a snapshot refuses all of it (422 unknown-reference)."""
    headers, _ = await client_headers(client, uow_factory)
    p = uuid.uuid4().hex[:8]
    snapshot = org(p)
    snapshot["employees"].append(
        {"employee_number": f"{p}-E9", "organisation": f"{p}-ORG", "supervisor": f"{p}-NOBODY", "status": "active"}
    )
    snapshot["assignments"][0]["members"].append(f"{p}-GHOST")
    response = await client.post(SYNC, json=snapshot, headers=headers)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["code"] == "unknown-reference"
    assert f"employee {p}-E9: supervisor {p}-NOBODY" in body["problems"]
    assert f"assignment {p}-A1: member {p}-GHOST" in body["problems"]
    assert await stored_count(uow_factory, Employee, Employee.employee_number, p) == 0
    assert await stored_count(uow_factory, OrgUnit, OrgUnit.external_id, p) == 0


async def test_sync_unknown_unit_references(client: httpx.AsyncClient, uow_factory: Any) -> None:
    """A unit whose parent is unknown, or an employee in an unknown unit, answers 422 unknown-reference."""
    headers, _ = await client_headers(client, uow_factory)
    p = uuid.uuid4().hex[:8]
    for change in ({"units": 1, "parent": f"{p}-U404"}, {"employees": 0, "unit": f"{p}-U404"}):
        snapshot = org(p)
        kind, index = next((k, v) for k, v in change.items() if k in ("units", "employees"))
        snapshot[kind][index].update({k: v for k, v in change.items() if k != kind})
        response = await client.post(SYNC, json=snapshot, headers=headers)
        assert response.status_code == 422 and response.json()["code"] == "unknown-reference", response.text
    assert await stored_count(uow_factory, OrgUnit, OrgUnit.external_id, p) == 0


async def test_sync_refers_to_rows_stored_earlier(client: httpx.AsyncClient, uow_factory: Any) -> None:
    """References may point to rows stored by an earlier sync: a snapshot of one new team under stored U1."""
    headers, _ = await client_headers(client, uow_factory)
    p = uuid.uuid4().hex[:8]
    await synced(client, headers, p)
    snapshot = {
        "as_of": T2,
        "units": [{"id": f"{p}-U4", "organisation": f"{p}-ORG", "parent": f"{p}-U1", "name": "Team four"}],
        "employees": [
            {
                "employee_number": f"{p}-E4",
                "organisation": f"{p}-ORG",
                "unit": f"{p}-U4",
                "supervisor": f"{p}-E1",
                "status": "on_leave",
            }
        ],
    }
    response = await client.post(SYNC, json=snapshot, headers=headers)
    assert response.status_code == 200, response.text
    e4 = await employee(uow_factory, f"{p}-E4")
    assert e4 is not None and e4.status == EmployeeStatus.on_leave


async def test_sep_4_sync_cycles_are_refused(client: httpx.AsyncClient, uow_factory: Any) -> None:
    """SEP-4 follows chains of command transitively, so a loop is refused (422 cycle) — in the unit tree, in the
    snapshot's own chain of command, or together with what is stored — and nothing is changed."""
    headers, _ = await client_headers(client, uow_factory)
    p = uuid.uuid4().hex[:8]
    own_loop = org(p)
    own_loop["units"][0]["parent"] = f"{p}-U2"  # U1 under U2 under U1
    response = await client.post(SYNC, json=own_loop, headers=headers)
    assert response.status_code == 422 and response.json()["code"] == "cycle", response.text
    assert await stored_count(uow_factory, OrgUnit, OrgUnit.external_id, p) == 0

    await synced(client, headers, p)
    with_stored = {
        "as_of": T2,
        "employees": [  # E1 under E3, who is (stored) under E2, who is under E1
            {
                "employee_number": f"{p}-E1",
                "organisation": f"{p}-ORG",
                "unit": f"{p}-U1",
                "supervisor": f"{p}-E3",
                "status": "active",
            }
        ],
    }
    response = await client.post(SYNC, json=with_stored, headers=headers)
    assert response.status_code == 422 and response.json()["code"] == "cycle", response.text
    e1 = await employee(uow_factory, f"{p}-E1")
    assert e1 is not None and e1.supervisor_id is None


async def test_sync_duplicate_in_snapshot(client: httpx.AsyncClient, uow_factory: Any) -> None:
    """One employee listed twice (two units at once) or one unit listed twice: 422 duplicate-in-snapshot."""
    headers, _ = await client_headers(client, uow_factory)
    p = uuid.uuid4().hex[:8]
    twice = org(p)
    twice["employees"].append({**twice["employees"][2], "unit": f"{p}-U3"})
    unit_twice = org(p)
    unit_twice["units"].append(unit_twice["units"][2])
    for snapshot in (twice, unit_twice):
        response = await client.post(SYNC, json=snapshot, headers=headers)
        assert response.status_code == 422 and response.json()["code"] == "duplicate-in-snapshot", response.text
    assert await stored_count(uow_factory, Employee, Employee.employee_number, p) == 0


async def test_sync_may_exceed_the_ordinary_body_limit(client: httpx.AsyncClient, uow_factory: Any) -> None:
    """A snapshot may be larger than the general body limit (WITHU_MAX_SYNC_BYTES); the events path may not."""
    headers, _ = await client_headers(client, uow_factory)
    p = uuid.uuid4().hex[:8]
    snapshot = org(p)
    snapshot["employees"] += [
        {"employee_number": f"{p}-X{i}", "organisation": f"{p}-ORG", "unit": f"{p}-U3", "status": "active"}
        for i in range(3000)
    ]
    size = len(httpx.Request("POST", SYNC, json=snapshot).content)
    assert size > 256 * 1024
    response = await client.post(SYNC, json=snapshot, headers=headers)
    assert response.status_code == 200, response.text
    assert response.json()["employees"]["created"] == 3003
    big_batch = [event(p, i, "E1", "objection", T1, note="x" * 400) for i in range(1000)]
    response = await client.post(EVENTS, json=big_batch, headers=headers)
    assert response.status_code == 413 and response.json()["code"] == "body-too-large"


# --- change events ---------------------------------------------------------------------------------------------


async def test_events_are_idempotent_by_event_id(client: httpx.AsyncClient, uow_factory: Any) -> None:
    """A repeated event id answers `duplicate` and changes nothing (also within one batch); each stored event
    is one PersonnelEvent row and one audit entry."""
    headers, client_id = await client_headers(client, uow_factory)
    p = uuid.uuid4().hex[:8]
    await synced(client, headers, p)
    leave = event(p, 1, "E3", "leave", T2)
    assert outcomes(await send(client, headers, leave, leave)) == ["applied", "duplicate"]
    returned_later = event(p, 1, "E3", "returned", T3)  # same id, other content: still a duplicate
    assert outcomes(await send(client, headers, returned_later)) == ["duplicate"]
    e3 = await employee(uow_factory, f"{p}-E3")
    assert e3 is not None and e3.status == EmployeeStatus.on_leave
    assert await stored_count(uow_factory, PersonnelEvent, PersonnelEvent.event_id, p) == 1
    async with uow_factory() as uow:
        entries = (
            await uow.session.scalars(
                select(AuditEntry).where(AuditEntry.action == "personnel.event", AuditEntry.target == f"{p}-ev1")
            )
        ).all()
        assert [(e.actor_kind, e.actor_id) for e in entries] == [("client", client_id)]


async def test_out_of_order_transfers_end_in_the_later_state(client: httpx.AsyncClient, uow_factory: Any) -> None:
    """Transfers arriving out of order: the later one (by effective time) wins; the older is `superseded`."""
    headers, _ = await client_headers(client, uow_factory)
    p = uuid.uuid4().hex[:8]
    await synced(client, headers, p)
    to_u3_later = event(p, 1, "E3", "transfer", T3, unit=f"{p}-U3", supervisor=f"{p}-E1")
    to_u1_earlier = event(p, 2, "E3", "transfer", T2, unit=f"{p}-U1", supervisor=f"{p}-E2")
    assert outcomes(await send(client, headers, to_u3_later)) == ["applied"]
    assert outcomes(await send(client, headers, to_u1_earlier)) == ["superseded"]
    e1, e3 = await employee(uow_factory, f"{p}-E1"), await employee(uow_factory, f"{p}-E3")
    assert e1 and e3
    assert await unit_key(uow_factory, e3.unit_id) == f"{p}-U3" and e3.supervisor_id == e1.id
    async with uow_factory() as uow:
        stored = {
            e.event_id: e.outcome
            for e in await uow.session.scalars(select(PersonnelEvent).where(PersonnelEvent.event_id.startswith(p)))
        }
        assert stored == {f"{p}-ev1": "applied", f"{p}-ev2": "superseded"}

    # A snapshot older than the transfer does not undo it either (SEP-4 reads the latest state).
    response = await client.post(SYNC, json=org(p, as_of=T2), headers=headers)
    assert response.status_code == 200, response.text
    e3 = await employee(uow_factory, f"{p}-E3")
    assert e3 is not None and await unit_key(uow_factory, e3.unit_id) == f"{p}-U3"


async def test_out_of_order_in_one_batch_and_assignments(client: httpx.AsyncClient, uow_factory: Any) -> None:
    """In one batch, in order: E3 joins A1 (T3), an older `left` (T2) is superseded; E2 leaves A1."""
    headers, _ = await client_headers(client, uow_factory)
    p = uuid.uuid4().hex[:8]
    await synced(client, headers, p)
    batch = [
        event(p, 1, "E3", "joined_assignment", T3, assignment=f"{p}-A1"),
        event(p, 2, "E3", "left_assignment", T2, assignment=f"{p}-A1"),
        event(p, 3, "E2", "left_assignment", T2, assignment=f"{p}-A1"),
    ]
    assert outcomes(await send(client, headers, *batch)) == ["applied", "superseded", "applied"]
    e2, e3 = await employee(uow_factory, f"{p}-E2"), await employee(uow_factory, f"{p}-E3")
    assert e2 and e3
    async with uow_factory() as uow:
        rows = (
            await uow.session.scalars(select(AssignmentMember).where(AssignmentMember.employee_id.in_([e2.id, e3.id])))
        ).all()
        assert {(r.employee_id, r.member) for r in rows} == {(e2.id, False), (e3.id, True)}


async def test_retirement_and_dismissal_end_employment(client: httpx.AsyncClient, uow_factory: Any) -> None:
    """Retirement sets `retired` and the day; dismissal is recorded (RET-1) and also ends employment;
    leave and return set the status; evaluations and the like are recorded and change no placement."""
    headers, _ = await client_headers(client, uow_factory)
    p = uuid.uuid4().hex[:8]
    await synced(client, headers, p)
    batch = [
        event(p, 1, "E3", "retirement", T2, retired_on="2026-02-01"),
        event(p, 2, "E2", "dismissal", T2),
        event(p, 3, "E1", "leave", T2),
        event(p, 4, "E1", "returned", T3),
        event(p, 5, "E1", "evaluation", T2, grade="C", previous_grade="A", worse=True),
        event(p, 6, "E1", "discipline", T2, level="reprimand"),
        event(p, 7, "E1", "promotion_decision", T2, promoted=False),
        event(p, 8, "E1", "training_decision", T2, granted=True),
        event(p, 9, "E1", "duties_removed", T2),
        event(p, 10, "E1", "objection", T2, note="I did not ask for this."),
    ]
    assert (
        outcomes(await send(client, headers, *batch))
        == ["applied", "recorded", "applied", "applied"] + ["recorded"] * 6
    )
    e1, e2, e3 = [await employee(uow_factory, f"{p}-E{i}") for i in (1, 2, 3)]
    assert e1 and e2 and e3
    assert (e3.status, e3.retired_on) == (EmployeeStatus.retired, date(2026, 2, 1))
    assert (e2.status, e2.retired_on) == (EmployeeStatus.retired, date(2026, 2, 5))
    assert e1.status == EmployeeStatus.active and e1.retired_on is None
    async with uow_factory() as uow:
        evaluation = await uow.session.scalar(select(PersonnelEvent).where(PersonnelEvent.event_id == f"{p}-ev5"))
        assert evaluation is not None
        assert evaluation.data == {"grade": "C", "previous_grade": "A", "worse": True}


async def test_sep_4_new_supervisor_closing_a_cycle_refuses_the_batch(
    client: httpx.AsyncClient, uow_factory: Any
) -> None:
    """SEP-4: E1 under E3 (who is under E2, under E1) would be a loop: 422 cycle, and the whole batch —
    also the valid events before it — is not stored."""
    headers, _ = await client_headers(client, uow_factory)
    p = uuid.uuid4().hex[:8]
    await synced(client, headers, p)
    batch = [
        event(p, 1, "E3", "transfer", T2, unit=f"{p}-U3"),
        event(p, 2, "E1", "new_supervisor", T2, supervisor=f"{p}-E3"),
    ]
    response = await send(client, headers, *batch)
    assert response.status_code == 422 and response.json()["code"] == "cycle", response.text
    self_supervised = await send(client, headers, event(p, 3, "E2", "new_supervisor", T2, supervisor=f"{p}-E2"))
    assert self_supervised.status_code == 422 and self_supervised.json()["code"] == "cycle"
    e3 = await employee(uow_factory, f"{p}-E3")
    assert e3 is not None and await unit_key(uow_factory, e3.unit_id) == f"{p}-U2"
    assert await stored_count(uow_factory, PersonnelEvent, PersonnelEvent.event_id, p) == 0
    # Removing the supervisor (null) is fine.
    assert outcomes(await send(client, headers, event(p, 4, "E2", "new_supervisor", T2, supervisor=None))) == [
        "applied"
    ]


async def test_events_with_unknown_references(client: httpx.AsyncClient, uow_factory: Any) -> None:
    """An unknown employee, unit, supervisor or assignment anywhere in a batch: 422 unknown-reference."""
    headers, _ = await client_headers(client, uow_factory)
    p = uuid.uuid4().hex[:8]
    await synced(client, headers, p)
    for bad in (
        event(p, 2, "E404", "leave", T2),
        event(p, 2, "E1", "transfer", T2, unit=f"{p}-U404"),
        event(p, 2, "E1", "transfer", T2, unit=f"{p}-U2", supervisor=f"{p}-E404"),
        event(p, 2, "E1", "joined_assignment", T2, assignment=f"{p}-A404"),
    ):
        response = await send(client, headers, event(p, 1, "E3", "leave", T2), bad)
        assert response.status_code == 422, response.text
        assert response.json()["code"] == "unknown-reference"
    assert await stored_count(uow_factory, PersonnelEvent, PersonnelEvent.event_id, p) == 0


async def test_event_data_is_validated_per_kind(client: httpx.AsyncClient, uow_factory: Any) -> None:
    """Each kind has its own data: a transfer without a unit, an unknown kind or stray fields → 422."""
    headers, _ = await client_headers(client, uow_factory)
    p = uuid.uuid4().hex[:8]
    await synced(client, headers, p)
    for bad in (
        event(p, 1, "E1", "transfer", T2),
        event(p, 1, "E1", "promoted", T2),
        event(p, 1, "E1", "leave", T2, unit=f"{p}-U1"),
        event(p, 1, "E1", "promotion_decision", T2),
        {**event(p, 1, "E1", "leave", T2), "effective_at": "2026-02-05T09:00:00"},  # no time zone
    ):
        response = await send(client, headers, bad)
        assert response.status_code == 422, bad
        assert response.json()["code"] == "validation-failed"
    assert (await send(client, headers)).status_code == 422  # an empty batch
    assert await stored_count(uow_factory, PersonnelEvent, PersonnelEvent.event_id, p) == 0
