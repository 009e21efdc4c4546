"""WU-1: the support a reporter asks for, kept with the case; intake counts by workplace, #WithU apart, with
STAT-1 applied to everyone outside the case team."""

from __future__ import annotations

from datetime import date

from app.db.models import Case, SupportRequest
from app.db.uow import UnitOfWork
from app.domain import case_statistics as cs
from app.domain.enums import Category, OrgKind, Team
from app.domain.errors import AccessDenied
from app.domain.intake import ReportFacts
from app.domain.statistics import STATISTICS_ROLES, UNSPECIFIED, Cell, sees_exact_counts, window
from app.schemas.statistics import (
    BreachCounts,
    CaseStatistics,
    CountCell,
    DurationRead,
    Durations,
    EmployeeCounts,
    IntakeStatistics,
    MonthRow,
    SecondaryDamageShare,
    WithUCounts,
)
from app.services import audit, clock, education
from app.services.actors import StaffActor


async def on_case_opened(uow: UnitOfWork, case: Case, report: ReportFacts) -> None:
    """WU-1: keep the support asked for (any reporter may ask; #WithU counts it for citizens' workplaces)."""
    for kind in dict.fromkeys(report.support_requested):
        uow.reporting.add(SupportRequest(case_id=case.id, kind=kind, requested_on=case.opened_on))


async def intake_statistics(uow: UnitOfWork, actor: StaffActor, start: date, end: date) -> IntakeStatistics:
    """Cases opened by intake in the window, by workplace; citizens' workplaces (#WithU) apart, with the support
    asked for. Outside the case team, one ended quarter and STAT-1 (`case_statistics.publish`)."""
    start, end, published = await _window_statistics(uow, actor, start, end)
    await audit.record(uow, actor, "statistics.intake_read", target=f"{start.isoformat()}..{end.isoformat()}")
    return IntakeStatistics(
        start=start,
        end=end,
        exact=published.exact,
        employee_cases=EmployeeCounts(**{k: _cell(v) for k, v in published.employees.items()}),
        withu=WithUCounts(**{k: _cell(v) for k, v in published.withu.items()}),
        withu_education=await education.withu_statistics(uow, start, end, exact=published.exact),  # MAN-3
    )


async def case_statistics(uow: UnitOfWork, actor: StaffActor, start: date, end: date) -> CaseStatistics:
    """Cases opened in the window by category and by team per month, the days to acknowledge, decide and close
    (median, 90th percentile), deadline breaches by kind and the share of secondary damage. Outside the case
    team, one ended quarter and STAT-1 (`case_statistics.publish`)."""
    start, end, published = await _window_statistics(uow, actor, start, end)
    await audit.record(uow, actor, "statistics.cases_read", target=f"{start.isoformat()}..{end.isoformat()}")
    share = published.secondary_damage
    return CaseStatistics(
        start=start,
        end=end,
        exact=published.exact,
        months=[row.month for row in published.by_category],
        by_category=_rows(published.by_category),
        by_team=_rows(published.by_team),
        durations=Durations(**{stage: _duration(d) for stage, d in published.durations.items()}),
        deadline_breaches=BreachCounts(
            cells={k: _cell(v) for k, v in published.breaches.items()}, total=_cell(published.breach_total)
        ),
        secondary_damage=SecondaryDamageShare(
            cases=_cell(share.cases), all_cases=_cell(share.all_cases), share=share.share, suppressed=share.suppressed
        ),
    )


async def _window_statistics(
    uow: UnitOfWork, actor: StaffActor, start: date, end: date
) -> tuple[date, date, cs.WindowStatistics]:
    """Both answers are cut from one publication of the window (STAT-1: what one hides the other cannot show)."""
    if actor.role not in STATISTICS_ROLES:
        raise AccessDenied()
    exact = sees_exact_counts(actor.role)
    today = clock.now().date()
    start, end = window(start, end, exact=exact, today=today)
    month_keys = cs.months(start, end)
    rows = await uow.reporting.cases_by_day(start, end)
    by_category = cs.by_month(((d, c, n) for d, c, _, n in rows), [str(c) for c in Category], month_keys)
    by_team = cs.by_month(((d, t, n) for d, _, t, n in rows), [str(t) for t in Team], month_keys)
    intake = {
        UNSPECIFIED if k is None else str(k): n for k, n in (await uow.reporting.intake_by_org_kind(start, end)).items()
    }
    support = await uow.reporting.support_requests_by_kind(start, end, OrgKind.citizen_workplace)
    deadlines, breaches = cs.deadlines_by_kind(await uow.reporting.deadlines_grouped(start, end), today)
    days: dict[str, list[int]] = {stage: [] for stage in cs.STAGES}
    for opened_on, acknowledged_on, decided_at, closed_on in await uow.reporting.case_times(start, end):
        if acknowledged_on is not None:
            days["acknowledge"].append((acknowledged_on - opened_on).days)
        if decided_at is not None:
            days["decide"].append((decided_at.date() - opened_on).days)
        if closed_on is not None:
            days["close"].append((closed_on - opened_on).days)
    counts = cs.WindowCounts(month_keys, by_category, by_team, intake, support, deadlines, breaches, days)
    return start, end, cs.publish(counts, exact=exact)


def _cell(cell: Cell) -> CountCell:
    return CountCell(count=cell.count, suppressed=cell.suppressed)


def _rows(rows: list[cs.MonthCells]) -> list[MonthRow]:
    return [
        MonthRow(month=r.month, cells={k: _cell(v) for k, v in r.cells.items()}, total=_cell(r.total)) for r in rows
    ]


def _duration(d: cs.Duration) -> DurationRead:
    return DurationRead(cases=_cell(d.cases), median_days=d.median_days, p90_days=d.p90_days, suppressed=d.suppressed)
