"""CASE-2: a case's stored `next_due_on` (the earliest due day of its unmet deadlines) and `met_late` (a deadline met
after its due day), which the queue sorts and filters by (issue 17), are kept by the database itself (migration
0029's triggers on case_deadline) and always equal what the case's deadlines say: after random histories of every
kind of change — the API's own paths (receipt, transitions that meet deadlines and open the prevention plan,
feedback, the workplace learnt later and the duties it opens, the duties recorded as done) and statements that
bypass them (the ORM and multi-row SQL statements that extend, meet, reopen, move, add and delete deadlines) — and
when two transactions change deadlines of the same case at once. On SQLite and PostgreSQL alike."""

from __future__ import annotations

import asyncio
import random
import uuid
from datetime import date, timedelta
from typing import Any

from sqlalchemy import delete, select, update

from app.db.models import Case, CaseDeadline
from app.db.repositories.case import overdue_case
from app.domain.deadlines import is_breached
from app.domain.enums import DeadlineKind, Role
from tests.builders import case_id_for, login, make_report, make_staff, move_case

URL = "/api/v1/cases"
KINDS = list(DeadlineKind)
STEPS = 150


async def check_stored_equals_computed(uow_factory: Any, case_ids: list[uuid.UUID], step: str) -> None:
    """Each case's stored values equal those computed from its deadlines here, and the queue's SQL `overdue`
    (from the stored values) equals CASE-2's is_breached over its deadlines, yesterday, today and tomorrow."""
    today = date.today()
    async with uow_factory() as uow:
        stored = {
            row.id: (row.next_due_on, bool(row.met_late))
            for row in await uow.session.execute(
                select(Case.id, Case.next_due_on, Case.met_late).where(Case.id.in_(case_ids))
            )
        }
        deadlines = (
            await uow.session.execute(
                select(CaseDeadline.case_id, CaseDeadline.due_on, CaseDeadline.met_on).where(
                    CaseDeadline.case_id.in_(case_ids)
                )
            )
        ).all()
        overdue = {}
        for day in (today - timedelta(days=1), today, today + timedelta(days=1)):
            flagged = select(Case.id).where(Case.id.in_(case_ids), overdue_case(day))
            overdue[day] = set((await uow.session.scalars(flagged)).all())
    for case_id in case_ids:
        mine = [d for d in deadlines if d.case_id == case_id]
        unmet = [d.due_on for d in mine if d.met_on is None]
        computed = (min(unmet) if unmet else None, any(d.met_on is not None and d.met_on > d.due_on for d in mine))
        assert stored[case_id] == computed, (step, case_id, stored[case_id], computed)
        for day, flagged in overdue.items():
            assert (case_id in flagged) == any(is_breached(d.due_on, d.met_on, day) for d in mine), (step, day)


async def test_case_2_next_due_and_met_late_equal_the_deadlines_after_random_histories(client, uow_factory) -> None:
    """CASE-2: 150 random steps over six cases, each followed by a check of every case: API transitions (triage and
    investigation met, a substantiated finding's prevention plan), feedback messages, the workplace set (ministry
    notification), duties recorded as done; ORM changes to one deadline (extend, shorten, meet on time or late,
    reopen, delete, add, move to another case); single statements over several cases' deadlines at once."""
    rng = random.Random(17)
    head = await make_staff(uow_factory, role=Role.division_head)
    head_h = await login(client, head)
    case_ids: list[uuid.UUID] = []
    for i in range(6):
        body = await make_report(client, **({"workplace": {"kind": "smg"}} if i % 2 else {}))  # some: duties at once
        case_ids.append(uuid.UUID(await case_id_for(client, head_h, body["case_reference"])))
    await check_stored_equals_computed(uow_factory, case_ids, "receipt")
    today = date.today()

    async def api_step(case_id: uuid.UUID) -> str:
        url = f"{URL}/{case_id}"
        case = (await client.get(url, headers=head_h)).json()
        choice = rng.choice(["transition", "feedback", "workplace", "done"])
        if choice == "transition" and case["allowed_transitions"]:
            to = rng.choice(case["allowed_transitions"])
            finding = {"finding": rng.choice(["substantiated", "not_substantiated"])} if to == "decided" else {}
            await move_case(client, uow_factory, head_h, str(case_id), to, **finding)
        elif choice == "feedback":
            sent = await client.post(
                f"{url}/messages", json={"body": "Our answer on the outcome.", "feedback": True}, headers=head_h
            )
            assert sent.status_code in (201, 409), sent.text  # 409: closed for writing
        elif choice == "workplace":
            kind = rng.choice(["smg", "affiliated", "contractor"])
            placed = await client.put(f"{url}/workplace", json={"kind": kind}, headers=head_h)
            assert placed.status_code in (200, 409), placed.text  # 409: known already
        else:
            kind = rng.choice(["ministry_notification", "prevention_plan"])
            done = await client.post(
                f"{url}/deadlines/{kind}/done", json={"reference": f"DOC-{rng.randint(1, 999)}"}, headers=head_h
            )
            assert done.status_code in (200, 404, 409, 422), done.text  # not open (yet), or recorded already
        return f"api {choice}"

    async def orm_step(case_id: uuid.UUID) -> str:
        choice = rng.choice(["extend", "meet", "reopen", "delete", "add", "move"])
        async with uow_factory() as uow:
            rows = list(await uow.cases.deadlines(case_id))
            if choice == "add" or not rows:
                kinds = set(KINDS) - {d.kind for d in rows}
                if kinds:
                    due = today + timedelta(days=rng.randint(-60, 60))
                    met = rng.choice([None, due - timedelta(days=2), due + timedelta(days=3)])
                    kind = rng.choice(sorted(kinds))
                    uow.cases.add(CaseDeadline(case_id=case_id, kind=kind, due_on=due, met_on=met))
            else:
                row = rng.choice(rows)
                if choice == "extend":
                    row.due_on = row.due_on + timedelta(days=rng.randint(-45, 45))
                elif choice == "meet":
                    row.met_on = row.due_on + timedelta(days=rng.randint(-5, 5))
                elif choice == "reopen":
                    row.met_on = None
                elif choice == "delete":
                    await uow.session.delete(row)
                else:  # to another case that has no deadline of its kind
                    others = [c for c in case_ids if row.kind not in {d.kind for d in await uow.cases.deadlines(c)}]
                    if others:
                        row.case_id = rng.choice(others)
            await uow.commit()
        return f"orm {choice}"

    async def statement_step() -> str:
        chosen = rng.sample(case_ids, 3)
        kind = rng.choice(KINDS)
        choice = rng.choice(["due", "met", "reopen", "delete"])
        async with uow_factory() as uow:
            where = [CaseDeadline.case_id.in_(chosen), CaseDeadline.kind == kind]
            if choice == "due":
                await uow.session.execute(
                    update(CaseDeadline).where(*where).values(due_on=today + timedelta(days=rng.randint(-20, 20)))
                )
            elif choice == "met":
                await uow.session.execute(update(CaseDeadline).where(*where).values(met_on=today))
            elif choice == "reopen":
                await uow.session.execute(update(CaseDeadline).where(*where).values(met_on=None))
            else:
                await uow.session.execute(delete(CaseDeadline).where(*where))
            await uow.commit()
        return f"statement {choice} {kind}"

    for i in range(STEPS):
        case_id = rng.choice(case_ids)
        kind_of_step = rng.random()
        if kind_of_step < 0.4:
            step = await api_step(case_id)
        elif kind_of_step < 0.85:
            step = await orm_step(case_id)
        else:
            step = await statement_step()
        await check_stored_equals_computed(uow_factory, case_ids, f"{i}: {step}")


async def test_case_2_next_due_is_exact_when_two_transactions_meet_deadlines_of_one_case_at_once(
    client, uow_factory
) -> None:
    """CASE-2: a case with three unmet deadlines due in 1, 2 and 3 days; one transaction meets the first and, before
    it commits, another meets the second. Whatever order the database lets them through in, the case's next due
    day is then the third's, not a value one of them computed without the other's change."""
    head = await make_staff(uow_factory, role=Role.division_head)
    body = await make_report(client)
    case_id = uuid.UUID(await case_id_for(client, await login(client, head), body["case_reference"]))
    today = date.today()
    async with uow_factory() as uow:
        await uow.session.execute(delete(CaseDeadline).where(CaseDeadline.case_id == case_id))
        kinds = [DeadlineKind.triage, DeadlineKind.investigation, DeadlineKind.feedback]
        for days, kind in enumerate(kinds, start=1):
            uow.cases.add(CaseDeadline(case_id=case_id, kind=kind, due_on=today + timedelta(days=days)))
        await uow.commit()

    async def meet(kind: DeadlineKind, started: asyncio.Event | None = None) -> None:
        async with uow_factory() as uow:
            if started is not None:
                started.set()
            await uow.session.execute(
                update(CaseDeadline)
                .where(CaseDeadline.case_id == case_id, CaseDeadline.kind == kind)
                .values(met_on=today)
            )
            await uow.commit()

    async with uow_factory() as first:
        await first.session.execute(
            update(CaseDeadline)
            .where(CaseDeadline.case_id == case_id, CaseDeadline.kind == DeadlineKind.triage)
            .values(met_on=today)
        )
        started = asyncio.Event()
        second = asyncio.create_task(meet(DeadlineKind.investigation, started))
        await started.wait()
        await asyncio.sleep(0.3)  # the second has written its deadline, and waits for the case (or for its turn)
        await first.commit()
    await second
    async with uow_factory() as uow:
        stored = (await uow.session.execute(select(Case.next_due_on, Case.met_late).where(Case.id == case_id))).one()
    assert (stored.next_due_on, bool(stored.met_late)) == (today + timedelta(days=3), False)
    await check_stored_equals_computed(uow_factory, [case_id], "concurrent")
