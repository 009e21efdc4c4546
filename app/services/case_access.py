"""The facts, read from current data on every request, on which the domain decides who sees a case and who reads
its content (ACC-1, CASE-3; security review F2, F13). The SQL forms in app/db/repositories/case.py answer the
same questions for many cases at once; tests/api/test_access_query.py and test_recusal_query.py keep them equal."""

from __future__ import annotations

import uuid
from dataclasses import replace

from app.db.models import Case, Employee
from app.db.uow import UnitOfWork
from app.domain.access import CaseFacts, StaffFacts, in_directory
from app.domain.recusal import RecusalFacts, is_recused
from app.services.actors import StaffActor


async def active_employee(uow: UnitOfWork, employee_number: str | None) -> Employee | None:
    """The staff member's employee record where it verifies them (F2), else None."""
    employee = await uow.personnel.employee_by_number(employee_number) if employee_number else None
    return employee if employee is not None and in_directory(employee.status) else None


async def staff_facts(uow: UnitOfWork, actor: StaffActor) -> StaffFacts:
    """The actor as the domain sees them, with the directory match of their employee number as it stands now."""
    return replace(actor.facts, in_directory=await active_employee(uow, actor.employee_number) is not None)


async def _about_case(uow: UnitOfWork, case: Case) -> RecusalFacts:
    """CASE-3's facts about the case alone: its parties, its respondent, the respondent's unit and chain."""
    respondent = await uow.personnel.employee(case.respondent_employee_id) if case.respondent_employee_id else None
    return RecusalFacts(
        staff_employee_id=None,
        staff_unit_id=None,
        party_ids=frozenset(await uow.cases.party_ids(case.id)),
        respondent_id=respondent.id if respondent else None,
        respondent_unit_id=respondent.unit_id if respondent else None,
        respondent_chain=await uow.separation.chain(respondent.id) if respondent else (),
    )


async def recusal_facts(uow: UnitOfWork, case: Case, employee_number: str | None) -> RecusalFacts:
    """CASE-3's facts about a staff member (by the employee number of their account) and a case."""
    staff_employee = await active_employee(uow, employee_number)
    return replace(
        await _about_case(uow, case),
        staff_employee_id=staff_employee.id if staff_employee else None,
        staff_unit_id=staff_employee.unit_id if staff_employee else None,
    )


async def recused_user_ids(uow: UnitOfWork, case: Case) -> frozenset[uuid.UUID]:
    """CASE-3 by staff account: the accounts recused from the case — those whose employee number names a party,
    the respondent, someone in the respondent's unit or above the respondent (the directory linked back to staff
    accounts by employee number)."""
    about = await _about_case(uow, case)
    related = {*about.party_ids, *about.respondent_chain}
    if about.respondent_id is not None:
        related.add(about.respondent_id)
    accounts = await uow.staff.accounts_of_employees(related, about.respondent_unit_id)
    return frozenset(
        user_id
        for user_id, employee_id, unit_id in accounts
        if is_recused(replace(about, staff_employee_id=employee_id, staff_unit_id=unit_id))
    )


async def case_facts(uow: UnitOfWork, case: Case) -> CaseFacts:
    """The case as the domain sees it: its team, its handlers and the accounts recused from it, as of now."""
    return CaseFacts(
        team=case.team,
        handler_ids=frozenset(await uow.cases.handler_ids(case.id)),
        recused_ids=await recused_user_ids(uow, case),
    )
