"""The full sync's bulk writes (issue 17): new rows by COPY (PostgreSQL) or executemany (SQLite) with values prepared
for the driver, changed rows by UPDATE by primary key, confirmed rows by set-wise UPDATEs. What they store must be
what SQLAlchemy's column types would have stored, and the sync's answers must not change.

Every test builds its own small organisation under a random prefix (the database is shared by the run)."""

from __future__ import annotations

import gc
import uuid
from datetime import datetime
from typing import Any

import httpx
from sqlalchemy import select, type_coerce
from sqlalchemy.types import NullType

from app.db.models import Assignment, AssignmentMember, Employee, OrgUnit
from tests.api.test_personnel import SYNC, T1, T2, client_headers, event, org, outcomes, send

T1_UTC = datetime.fromisoformat(T1)
T2_UTC = datetime.fromisoformat(T2)


async def _employees(uow_factory: Any, p: str) -> dict[str, Employee]:
    async with uow_factory() as uow:
        rows = (await uow.session.scalars(select(Employee).where(Employee.employee_number.startswith(p)))).all()
        for row in rows:
            uow.session.expunge(row)
        return {e.employee_number.removeprefix(f"{p}-"): e for e in rows}


async def _memberships(uow_factory: Any, p: str) -> dict[tuple[str, str], AssignmentMember]:
    async with uow_factory() as uow:
        rows = (
            await uow.session.execute(
                select(Assignment.external_id, Employee.employee_number, AssignmentMember)
                .join(Assignment, Assignment.id == AssignmentMember.assignment_id)
                .join(Employee, Employee.id == AssignmentMember.employee_id)
                .where(Assignment.external_id.startswith(p))
            )
        ).all()
        for *_, row in rows:
            uow.session.expunge(row)
        return {(a.removeprefix(f"{p}-"), e.removeprefix(f"{p}-")): m for a, e, m in rows}


async def test_sep_4_bulk_written_rows_are_stored_as_the_column_types_store_them(
    client: httpx.AsyncClient, uow_factory: Any
) -> None:
    """SEP-4 reads these rows with SQLAlchemy and with hand-written SQL alike: a row the bulk load wrote holds, byte
    for byte, what the column types would have written (times as UTC in SQLite's text form, days, booleans, ids),
    also for a snapshot dated in another time zone (+09:00)."""
    headers, _ = await client_headers(client, uow_factory)
    p = uuid.uuid4().hex[:8]
    assert (await client.post(SYNC, json=org(p), headers=headers)).status_code == 200

    async with uow_factory() as uow:
        dialect = uow.session.bind.dialect
        table = Employee.__table__
        names = ["id", "unit_effective_at", "supervisor_effective_at", "status_effective_at", "status", "retired_on"]
        raw = (
            await uow.session.execute(
                select(*(type_coerce(table.c[n], NullType()) for n in names)).where(
                    table.c.employee_number == f"{p}-E3"
                )
            )
        ).one()
        typed = await uow.personnel.employee_by_number(f"{p}-E3")
        assert typed is not None
        for name, stored in zip(names, raw, strict=True):
            processor = table.c[name].type.dialect_impl(dialect).bind_processor(dialect)
            value = getattr(typed, name)
            assert stored == (processor(value) if processor and value is not None else value), name
        assert typed.unit_effective_at == T1_UTC and typed.id.version == 4

        members = AssignmentMember.__table__
        raw_member = (
            await uow.session.execute(
                select(type_coerce(members.c.member, NullType()), type_coerce(members.c.effective_at, NullType()))
                .join(Employee, Employee.id == members.c.employee_id)
                .where(Employee.employee_number == f"{p}-E2")
            )
        ).one()
        for column, stored, value in zip(
            (members.c.member, members.c.effective_at), raw_member, (True, T1_UTC), strict=True
        ):
            processor = column.type.dialect_impl(dialect).bind_processor(dialect)
            assert stored == (processor(value) if processor else value), column.name


async def test_sep_4_a_later_snapshot_confirms_every_row_so_older_events_are_superseded(
    client: httpx.AsyncClient, uow_factory: Any
) -> None:
    """SEP-4: the same content dated later changes nothing, yet every effective time (people and memberships) moves
    to the snapshot's time, in a few set-wise statements; an event dated between the two is then superseded."""
    headers, _ = await client_headers(client, uow_factory)
    p = uuid.uuid4().hex[:8]
    assert (await client.post(SYNC, json=org(p), headers=headers)).status_code == 200
    later = await client.post(SYNC, json=org(p, as_of=T2), headers=headers)
    assert later.status_code == 200, later.text
    for kind, total in (("organisations", 1), ("units", 3), ("employees", 3), ("assignments", 1), ("memberships", 2)):
        assert later.json()[kind] == {"created": 0, "updated": 0, "unchanged": total}, kind

    for number, e in (await _employees(uow_factory, p)).items():
        assert (e.unit_effective_at, e.supervisor_effective_at, e.status_effective_at) == (T2_UTC,) * 3, number
    memberships = await _memberships(uow_factory, p)
    assert {k: (m.member, m.effective_at) for k, m in memberships.items()} == {
        ("A1", "E1"): (True, T2_UTC),
        ("A1", "E2"): (True, T2_UTC),
    }
    between = "2026-01-20T09:00:00+09:00"
    response = await send(
        client,
        headers,
        event(p, 1, "E3", "transfer", between, unit=f"{p}-U3"),
        event(p, 2, "E2", "left_assignment", between, assignment=f"{p}-A1"),
    )
    assert outcomes(response) == ["superseded", "superseded"]


async def test_sep_4_changes_over_a_bulk_loaded_directory_are_written_in_place(
    client: httpx.AsyncClient, uow_factory: Any
) -> None:
    """SEP-4: a later snapshot that moves a person, renames a unit and gives it a head (SAN-4), takes a member off an
    assignment, adds one and adds a person overwrites exactly those rows; the counts say so."""
    headers, _ = await client_headers(client, uow_factory)
    p = uuid.uuid4().hex[:8]
    assert (await client.post(SYNC, json=org(p), headers=headers)).status_code == 200
    snapshot = org(p, as_of=T2)
    snapshot["units"][2] |= {"name": "Team three, renamed", "head": f"{p}-E1"}
    snapshot["employees"][2] |= {"unit": f"{p}-U3", "supervisor": f"{p}-E1"}
    snapshot["employees"].append(
        {"employee_number": f"{p}-E4", "organisation": f"{p}-ORG", "unit": f"{p}-U3", "supervisor": f"{p}-E3"}
        | {"status": "on_leave"}
    )
    snapshot["assignments"][0]["members"] = [f"{p}-E1", f"{p}-E3"]
    response = await client.post(SYNC, json=snapshot, headers=headers)
    assert response.status_code == 200, response.text
    counts = response.json()
    assert counts["units"] == {"created": 0, "updated": 1, "unchanged": 2}
    assert counts["employees"] == {"created": 1, "updated": 1, "unchanged": 2}
    assert counts["memberships"] == {"created": 1, "updated": 1, "unchanged": 1}

    people = await _employees(uow_factory, p)
    async with uow_factory() as uow:
        u3 = await uow.session.scalar(select(OrgUnit).where(OrgUnit.external_id == f"{p}-U3"))
        assert u3 is not None
        assert (u3.name, u3.head_employee_id) == ("Team three, renamed", people["E1"].id)
        u3_id = u3.id
    assert (people["E3"].unit_id, people["E3"].supervisor_id) == (u3_id, people["E1"].id)
    assert people["E3"].unit_effective_at == T2_UTC
    assert (people["E4"].supervisor_id, people["E4"].status.value) == (people["E3"].id, "on_leave")
    assert people["E2"].unit_effective_at == T2_UTC  # unchanged values, confirmed at the later time
    memberships = await _memberships(uow_factory, p)
    assert {k: (m.member, m.effective_at) for k, m in memberships.items()} == {
        ("A1", "E1"): (True, T2_UTC),
        ("A1", "E2"): (False, T2_UTC),
        ("A1", "E3"): (True, T2_UTC),
    }
    again = await client.post(SYNC, json=snapshot, headers=headers)
    assert again.json()["memberships"] == {"created": 0, "updated": 0, "unchanged": 2}  # E2, no member, is not listed


async def test_sep_4_the_sync_hands_the_garbage_collector_back(client: httpx.AsyncClient, uow_factory: Any) -> None:
    """SEP-4's directory sync holds Python's cyclic garbage collector off while it works (issue 17) and always
    resumes it: after a sync that was applied, and after one refused as a whole (an unknown reference, 422)."""
    assert gc.isenabled()
    headers, _ = await client_headers(client, uow_factory)
    p = uuid.uuid4().hex[:8]
    assert (await client.post(SYNC, json=org(p), headers=headers)).status_code == 200
    assert gc.isenabled()
    broken = org(p)
    broken["employees"][1]["supervisor"] = f"{p}-NOBODY"
    refused = await client.post(SYNC, json=broken, headers=headers)
    assert refused.status_code == 422 and refused.json()["code"] == "unknown-reference"
    assert gc.isenabled()
    malformed = await client.post(SYNC, json={"as_of": "yesterday"}, headers=headers)
    assert malformed.status_code == 422
    assert gc.isenabled()
