"""WU-1: the support a reporter asks for, kept with the case; intake counts by workplace, #WithU apart, with
STAT-1 applied to everyone outside the case team."""

from __future__ import annotations

from datetime import date

from app.db.contract_models import SupportRequest
from app.db.models import Case
from app.db.uow import UnitOfWork
from app.domain.enums import OrgKind
from app.domain.errors import AccessDenied
from app.domain.statistics import (
    EMPLOYEE_KINDS,
    STATISTICS_ROLES,
    UNSPECIFIED,
    Cell,
    SupportKind,
    publish,
    sees_exact_counts,
    window,
)
from app.schemas.registry import CountCell, EmployeeCounts, IntakeStatistics, WithUCounts
from app.schemas.report import ReportCreate
from app.services import audit
from app.services.actors import StaffActor


async def on_case_opened(uow: UnitOfWork, case: Case, command: ReportCreate) -> None:
    """WU-1: keep the support asked for (any reporter may ask; #WithU counts it for citizens' workplaces)."""
    for kind in dict.fromkeys(command.support_requested):
        uow.registry.add(SupportRequest(case_id=case.id, kind=kind, requested_on=case.opened_on))


async def intake_statistics(uow: UnitOfWork, actor: StaffActor, start: date, end: date) -> IntakeStatistics:
    """Cases opened by intake in the window, by workplace; citizens' workplaces (#WithU) apart, with the support
    asked for. Outside the case team, whole months and no count below 5 (STAT-1)."""
    if actor.role not in STATISTICS_ROLES:
        raise AccessDenied()
    exact = sees_exact_counts(actor.role)
    start, end = window(start, end, exact=exact)
    by_kind = await uow.registry.intake_by_org_kind(start, end)
    employees = {str(k): by_kind.get(k, 0) for k in EMPLOYEE_KINDS} | {UNSPECIFIED: by_kind.get(None, 0)}
    employee_cells, employee_total = publish(employees, exact=exact, with_total=True)
    support = await uow.registry.support_requests_by_kind(start, end, OrgKind.citizen_workplace)
    withu = {"cases": by_kind.get(OrgKind.citizen_workplace, 0)} | {str(k): support.get(str(k), 0) for k in SupportKind}
    withu_cells, _ = publish(withu, exact=exact, with_total=False)
    await audit.record(uow, actor, "statistics.intake_read", target=f"{start.isoformat()}..{end.isoformat()}")
    assert employee_total is not None
    return IntakeStatistics(
        start=start,
        end=end,
        exact=exact,
        employee_cases=EmployeeCounts(**{k: _cell(v) for k, v in employee_cells.items()}, total=_cell(employee_total)),
        withu=WithUCounts(**{k: _cell(v) for k, v in withu_cells.items()}),
    )


def _cell(cell: Cell) -> CountCell:
    return CountCell(count=cell.count, suppressed=cell.suppressed)
