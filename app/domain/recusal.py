"""CASE-3: who may never be assigned to or see a case — a party, someone in the respondent's unit, or
someone in the respondent's chain of command. Decided afresh on every request from current personnel data, and
failing closed (security review F2): a staff member the directory does not know as an active employee cannot be
checked, so counts as recused from every case."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from uuid import UUID

from app.domain.errors import RuleViolation


@dataclass(frozen=True)
class RecusalFacts:
    staff_employee_id: UUID | None  # the staff member's active employee record (None: no number, unknown, left)
    staff_unit_id: UUID | None
    party_ids: Collection[UUID]  # victim, reporter, witnesses, helpers (the protected persons)
    respondent_id: UUID | None
    respondent_unit_id: UUID | None
    respondent_chain: Collection[UUID]  # everyone above the respondent


def is_recused(f: RecusalFacts) -> bool:
    """CASE-3: a party, the respondent's unit, or the respondent's chain of command — never assignable; and
    anyone without an active employee record, whom nobody can check (F2: fail closed)."""
    if f.staff_employee_id is None:
        return True
    if f.staff_employee_id == f.respondent_id or f.staff_employee_id in f.party_ids:
        return True
    if f.respondent_unit_id is not None and f.staff_unit_id == f.respondent_unit_id:
        return True
    return f.staff_employee_id in f.respondent_chain


class RecusedStaff(RuleViolation):
    code = "recused"
    title = "That person is recused from this case (a party, or in the respondent's unit or chain of command)."
