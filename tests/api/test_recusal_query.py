"""CASE-3 and F2: recusal as answered in SQL (`app/db/repositories/case.py::recused_case_ids`, with `in_directory`
for the staff member's own record; `CaseRepository`'s visibility applies both to every case read) is exactly the
domain's specification (`app.domain.recusal.is_recused`) on many generated worlds, on SQLite and PostgreSQL alike
(whichever database the run uses), so the two cannot drift apart.

Each world is random but reproducible (its seed is the loop's): a directory with units, people without a unit,
chains of command of any depth and people on leave or retired; cases whose respondent is in the directory or not,
with parties or none. Every employee of the directory (and an employee number nobody has) is checked against every
case: no active record (fail closed), a party, the respondent, someone in the respondent's unit, someone above
the respondent, or none of these."""

from __future__ import annotations

import random
import uuid

from sqlalchemy import select

from app.db.repositories.case import in_directory, recused_case_ids
from app.domain.access import StaffFacts
from app.domain.enums import Role
from app.domain.recusal import RecusalFacts, is_recused
from tests.generated_cases import World, generate

WORLDS = 8
CASES = 10


def why(world: World, number: str, f: RecusalFacts) -> str:
    """Which part of CASE-3 applies first (for the coverage check)."""
    if f.staff_employee_id is None:
        return "not-active" if number in world.employee_ids else "not-in-directory"
    if f.staff_employee_id in f.party_ids:
        return "party"
    if f.staff_employee_id == f.respondent_id:
        return "respondent"
    if f.respondent_unit_id is not None and f.staff_unit_id == f.respondent_unit_id:
        return "respondent-unit"
    if f.staff_employee_id in f.respondent_chain:
        return "chain-of-command"
    return "unrelated"


async def test_case_3_recusal_query_equals_is_recused(uow_factory) -> None:  # type: ignore[no-untyped-def]
    """CASE-3, F2: for every employee number and case of generated worlds, the cases the SQL recuses the staff
    member from — every case while the number names no active employee (fail closed), else those where they are a
    party, the respondent, in the respondent's unit or chain of command, from current directory data — are exactly
    those `is_recused` names, sealed cases included; and a division head with that employee number, who otherwise
    sees every unsealed case, sees exactly the ones not recused."""
    seen: dict[str, set[bool]] = {}
    pairs = 0
    for seed in range(WORLDS):
        world = await generate(uow_factory, random.Random(seed), cases=CASES, staff=0)
        case_ids = [case.id for case in world.cases]
        async with uow_factory() as uow:
            for number in [*sorted(world.employee_ids), "E-NOBODY-AT-ALL"]:
                recusal = await recused_case_ids(uow.session, number)
                recused = set((await uow.session.scalars(recusal)).all()) & set(case_ids)
                verified = bool(await uow.session.scalar(select(in_directory(number))))
                assert verified is world.in_directory(number), (seed, number)
                head = StaffFacts(user_id=uuid.uuid4(), role=Role.division_head, team=None, employee_number=number)
                visible = await uow.cases.visible_among(await uow.cases.visible_ids(head), case_ids)
                for case in world.cases:
                    facts = world.recusal_facts(number, case)
                    expected = is_recused(facts)
                    assert (case.id in recused or not verified) is expected, (seed, number, case, facts)
                    assert (case.id in visible) is (not expected and not case.sealed), (seed, number, case, facts)
                    seen.setdefault(why(world, number, facts), set()).add(expected)
                    pairs += 1
    assert pairs >= 500
    # The generated worlds met every part of the rule, and staff it does not touch.
    assert seen == {
        "not-in-directory": {True},
        "not-active": {True},
        "party": {True},
        "respondent": {True},
        "respondent-unit": {True},
        "chain-of-command": {True},
        "unrelated": {False},
    }, seen
