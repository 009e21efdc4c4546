"""ACC-1 (with CASE-3 recusal, CASE-8 escrow and the security review's F2 and F13): who sees a case in the queue and
who reads its content, as answered in SQL (`CaseRepository._visible` and `_readable`, reached through the unit of
work as `visible_case`/`visible_ids` and `readable_case`/`readable_ids`), is exactly the domain's specification
(`app.domain.access.can_see_case` and `can_read_content`) on many generated worlds, on SQLite and PostgreSQL alike
(whichever database the run uses), so the two cannot drift apart. The facts the services hand the domain, read
from the same data (`app.services.case_access`: the directory match of a staff member, the accounts recused from a
case), agree too.

Each world is random but reproducible (its seed is the loop's): a directory with chains of command of any depth and
people on leave or retired, cases of every team (some sealed, some with a respondent outside the directory or who is
a staff member, some with parties, some with handlers), and staff of every role whose employee number names an
active employee, someone on leave or retired, nobody known, or is missing; some staff are handlers of some cases
(of their team or not, case-team roles or not). Every staff member is asked about every case."""

from __future__ import annotations

import random
import uuid

from app.domain.access import StaffFacts, can_read_content, can_see_case, works_cases
from app.domain.enums import Role
from app.services.actors import StaffActor
from app.services.case_access import case_facts, staff_facts
from tests.generated_cases import GeneratedCase, World, generate

WORLDS = 8
CASES = 8
STAFF = 8


def specified(world: World, staff: StaffFacts, case: GeneratedCase) -> tuple[bool, bool, str]:
    """The domain's answers (the queue row, the content), and why (for the coverage check). CASE-8: a sealed case
    is kept from every eye, a fact of escrow rather than of can_see_case."""
    facts = world.case_facts(case)
    row = not case.sealed and can_see_case(staff, facts)
    content = not case.sealed and can_read_content(staff, facts)
    if case.sealed:
        why = "sealed"
    elif not works_cases(staff.role):
        why = "content-blind"
    elif not staff.in_directory:
        why = "not-in-directory"
    elif staff.user_id in facts.recused_ids:
        why = "recused"
    elif staff.role == Role.division_head:
        why = "division-head"
    elif staff.user_id in case.handler_ids:
        why = "handler"
    elif staff.team != case.team:
        why = "other-team"
    elif not case.handler_ids:
        why = "triage"
    else:
        why = "team-lead" if staff.role == Role.team_lead else "assigned-to-others"
    return row, content, why


async def test_acc_1_visibility_queries_equal_can_see_case_and_can_read_content(uow_factory) -> None:  # type: ignore[no-untyped-def]
    """ACC-1, CASE-3, CASE-8, F2, F13: for every staff member and case of generated worlds, the repository's queue
    visibility (one case by id, and the set among the world's cases) equals the domain's `can_see_case`, and its
    content visibility equals `can_read_content`: no case without an active directory record, none for the
    recused (by account: whose employee number names a party, the respondent, the respondent's unit or chain),
    none for content-blind roles or while sealed; the routed team triages a case without handlers; once it has
    some, only the handlers, the team's lead and the division head read it — the rest of the team keeps the row."""
    seen: dict[str, set[tuple[bool, bool]]] = {}
    pairs = 0
    for seed in range(WORLDS):
        world = await generate(uow_factory, random.Random(seed), cases=CASES, staff=STAFF)
        case_ids = [case.id for case in world.cases]
        async with uow_factory() as uow:
            for staff in world.staff:
                rows = await uow.cases.visible_among(await uow.cases.visible_ids(staff), case_ids)
                readable = await uow.cases.visible_among(await uow.cases.readable_ids(staff), case_ids)
                for case in world.cases:
                    row, content, why = specified(world, staff, case)
                    one_row = await uow.cases.visible_case(staff, case.id) is not None
                    one_content = await uow.cases.readable_case(staff, case.id) is not None
                    assert (one_row, case.id in rows) == (row, row), (seed, staff, case, why)
                    assert (one_content, case.id in readable) == (content, content), (seed, staff, case, why)
                    seen.setdefault(why, set()).add((row, content))
                    pairs += 1
    assert pairs >= 500
    # The generated worlds met every way of seeing and of not seeing a case.
    assert seen == {
        "sealed": {(False, False)},
        "content-blind": {(False, False)},
        "not-in-directory": {(False, False)},
        "recused": {(False, False)},
        "division-head": {(True, True)},
        "handler": {(True, True)},
        "triage": {(True, True)},
        "team-lead": {(True, True)},
        "assigned-to-others": {(True, False)},
        "other-team": {(False, False)},
    }, seen


async def test_case_3_live_facts_equal_the_worlds(uow_factory) -> None:  # type: ignore[no-untyped-def]
    """CASE-3, F2: the facts the services read from current data for the domain's check — a staff member's
    directory match, and the accounts recused from a case (the directory linked back to staff accounts by employee
    number) — are the world's: so the domain's answer on them is the specification the SQL is held to."""
    recused_somewhere = unverified = 0
    for seed in range(WORLDS // 2):
        world = await generate(uow_factory, random.Random(1_000 + seed), cases=CASES, staff=STAFF)
        staff_ids = {s.user_id for s in world.staff}
        async with uow_factory() as uow:
            for staff in world.staff:
                actor = StaffActor(staff.user_id, staff.role, staff.team, uuid.uuid4(), staff.employee_number)
                assert await staff_facts(uow, actor) == staff, (seed, staff)
                unverified += not staff.in_directory
            for case in world.cases:
                row = await uow.cases.case(case.id)
                assert row is not None
                live = await case_facts(uow, row)
                expected = world.case_facts(case)
                assert set(live.handler_ids) == set(expected.handler_ids), (seed, case)
                assert set(live.recused_ids) & staff_ids == set(expected.recused_ids), (seed, case)
                recused_somewhere += bool(expected.recused_ids)
    assert recused_somewhere and unverified, (recused_somewhere, unverified)
