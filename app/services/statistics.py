"""WU-1: the support a reporter asks for, kept with the case; intake counts by workplace, #WithU apart, with
STAT-1 applied to everyone outside the case team."""

from __future__ import annotations

from datetime import date

from app.db.models import Case, SupportRequest
from app.db.uow import UnitOfWork
from app.domain import case_statistics as cs
from app.domain.enums import Category, OrgKind, Team
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
from app.schemas.statistics import (
    BreachCounts,
    CaseStatistics,
    DurationRead,
    Durations,
    MonthRow,
    SecondaryDamageShare,
)
from app.services import audit, clock
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


async def case_statistics(uow: UnitOfWork, actor: StaffActor, start: date, end: date) -> CaseStatistics:
    """Cases opened in the window by category and by team per month, the days to acknowledge, decide and close
    (median, 90th percentile), deadline breaches by kind and the share of secondary damage. Outside the case
    team: whole months, no count below 5 and no figure about fewer than 5 cases (STAT-1)."""
    if actor.role not in STATISTICS_ROLES:
        raise AccessDenied()
    exact = sees_exact_counts(actor.role)
    start, end = window(start, end, exact=exact)
    month_keys = cs.months(start, end)
    rows = await uow.reporting.cases_by_day(start, end)
    categories = [str(c) for c in Category]
    by_category = cs.by_month(((d, c, n) for d, c, _, n in rows), categories, month_keys)
    by_team = cs.by_month(((d, t, n) for d, _, t, n in rows), [str(t) for t in Team], month_keys)
    acknowledge, decide, close = [], [], []
    for opened_on, acknowledged_on, decided_at, closed_on in await uow.reporting.case_times(start, end):
        if acknowledged_on is not None:
            acknowledge.append((acknowledged_on - opened_on).days)
        if decided_at is not None:
            decide.append((decided_at.date() - opened_on).days)
        if closed_on is not None:
            close.append((closed_on - opened_on).days)
    breaches = cs.breaches_by_kind(await uow.reporting.deadlines_grouped(start, end), clock.now().date())
    breach_cells, breach_total = publish(breaches, exact=exact, with_total=True)
    totals = {c: sum(m[c] for m in by_category.values()) for c in categories}
    share = cs.secondary_damage_share(totals, exact=exact)
    await audit.record(uow, actor, "statistics.cases_read", target=f"{start.isoformat()}..{end.isoformat()}")
    assert breach_total is not None
    return CaseStatistics(
        start=start,
        end=end,
        exact=exact,
        months=month_keys,
        by_category=_rows(by_category, exact),
        by_team=_rows(by_team, exact),
        durations=Durations(
            acknowledge=_duration(cs.duration(acknowledge, exact=exact)),
            decide=_duration(cs.duration(decide, exact=exact)),
            close=_duration(cs.duration(close, exact=exact)),
        ),
        deadline_breaches=BreachCounts(cells={k: _cell(v) for k, v in breach_cells.items()}, total=_cell(breach_total)),
        secondary_damage=SecondaryDamageShare(
            cases=_cell(share.cases), all_cases=_cell(share.all_cases), share=share.share, suppressed=share.suppressed
        ),
    )


def _rows(table: dict[str, dict[str, int]], exact: bool) -> list[MonthRow]:
    return [
        MonthRow(month=month, cells={k: _cell(v) for k, v in cells.items()}, total=_cell(total))
        for month, cells, total in cs.publish_rows(table, exact=exact)
    ]


def _duration(d: cs.Duration) -> DurationRead:
    return DurationRead(cases=_cell(d.cases), median_days=d.median_days, p90_days=d.p90_days, suppressed=d.suppressed)
