"""ACC-1 and CASE-3: who may see a case in the queue and who may read its content. What one may not see answers
404, never 403. Fails closed (security review F2, F13): a case-team account without a verified directory match
sees nothing, and once a case has handlers its content is theirs, their team lead's and the division head's."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from uuid import UUID

from app.domain.enums import EmployeeStatus, Role, Team
from app.domain.errors import RuleViolation

CASE_TEAM_ROLES = frozenset({Role.intake, Role.investigator, Role.team_lead, Role.division_head})
# ACC-1: these roles never receive narratives, evidence or identities.
CONTENT_BLIND_ROLES = frozenset({Role.hr_officer, Role.auditor, Role.sysadmin})
# F2: the directory status that verifies a case-team account (on leave or retired: no case at all).
VERIFIED_STATUS = EmployeeStatus.active


@dataclass(frozen=True)
class StaffFacts:
    user_id: UUID
    role: Role
    team: Team | None
    employee_number: str | None = None  # links the staff member to the personnel directory (recusal)
    # F2: the employee number names an active employee of the personnel directory, read afresh on every request.
    # Without that match nobody can tell whom the staff member is recused from, so they see no case at all.
    in_directory: bool = False


@dataclass(frozen=True)
class CaseFacts:
    team: Team
    handler_ids: Collection[UUID]  # the assigned handlers; none yet: the routed team triages
    recused_ids: Collection[UUID] = ()  # staff accounts recused from the case (CASE-3), from current data


def in_directory(status: EmployeeStatus | None) -> bool:
    """F2: whether a staff member's employee record (its status; None: no number, or unknown to the directory)
    verifies them for case work."""
    return status == VERIFIED_STATUS


def works_cases(role: Role) -> bool:
    """Whether the role works case content at all (ACC-1): others get 404 on every case and 403 on the lists."""
    return role in CASE_TEAM_ROLES


def can_see_case(staff: StaffFacts, case: CaseFacts) -> bool:
    """ACC-1, CASE-3: the case is in the staff member's queue (its row: reference, status, deadlines) — the routed
    team, the assigned handlers and the division head — unless they are recused from it or not verified against
    the personnel directory (F2)."""
    if not works_cases(staff.role) or not staff.in_directory or staff.user_id in case.recused_ids:
        return False
    if staff.role == Role.division_head or staff.user_id in case.handler_ids:
        return True
    return staff.team == case.team


def can_read_content(staff: StaffFacts, case: CaseFacts) -> bool:
    """ACC-1 (F13): who reads a case's content — narrative, messages, evidence, measures, everything behind its
    id. Until the first handler is assigned, everyone who sees the case (the routed team triages it); from then on
    only the handlers, the lead of the case's team and the division head. The others keep the queue row."""
    if not can_see_case(staff, case):
        return False
    if not case.handler_ids or staff.user_id in case.handler_ids or staff.role == Role.division_head:
        return True
    return staff.role == Role.team_lead and staff.team == case.team


class SelfAssignment(RuleViolation):
    code = "self-assignment"
    title = "The division head is assigned to a case by someone else, never by themselves."


def may_assign(assigner_id: UUID, assigner_role: Role, handler_id: UUID) -> bool:
    """F13, CASE-5: becoming a handler shows the victim's identity, so the division head — who reads every case
    but is not in its assigned team — is assigned by a second person (a team lead or another division head)."""
    return not (assigner_role == Role.division_head and assigner_id == handler_id)


def check_assignment(assigner_id: UUID, assigner_role: Role, handler_id: UUID) -> None:
    """F13, CASE-5: refuses what may_assign does not allow (422 self-assignment)."""
    if not may_assign(assigner_id, assigner_role, handler_id):
        raise SelfAssignment()
