"""The dashboard's rules as examples: account changes (ACC-1), what the audit log shows its readers (AUD-1, SD-2),
and the case statistics' suppression (STAT-1) — no database."""

from __future__ import annotations

import uuid
from datetime import date

import pytest

from app.domain.accounts import LastAdministrator, OwnAccountChange, TeamMismatch, check_account_change, check_role_team
from app.domain.audit_view import DateRangeInvalid, day_bounds, shown_target, summary_code
from app.domain.case_statistics import (
    breaches_by_kind,
    by_month,
    duration,
    months,
    nearest_rank,
    secondary_damage_share,
)
from app.domain.enums import DeadlineKind, Role, Team
from app.domain.statistics import Cell

ME, OTHER = uuid.uuid4(), uuid.uuid4()


def _change(**overrides: object) -> None:
    facts: dict[str, object] = {
        "actor_id": ME,
        "target_id": OTHER,
        "changes_access": True,
        "target_is_active_admin": False,
        "stays_active_admin": False,
        "other_active_admins": 0,
    }
    check_account_change(**(facts | overrides))  # type: ignore[arg-type]


def test_acc_1_nobody_changes_their_own_access() -> None:
    """ACC-1: a sysadmin granting themselves a case role would read case content; their own name is fine."""
    with pytest.raises(OwnAccountChange):
        _change(target_id=ME)
    _change(target_id=ME, changes_access=False)
    _change()


def test_acc_1_the_last_active_sysadmin_stays() -> None:
    """ACC-1: demoting or deactivating the last active sysadmin is refused; with another one it is fine."""
    with pytest.raises(LastAdministrator):
        _change(target_is_active_admin=True, stays_active_admin=False, other_active_admins=0)
    _change(target_is_active_admin=True, stays_active_admin=False, other_active_admins=1)
    _change(target_is_active_admin=True, stays_active_admin=True, other_active_admins=0)


@pytest.mark.parametrize(
    ("role", "team", "ok"),
    [
        (Role.intake, Team.intake_counselling, True),
        (Role.team_lead, None, False),
        (Role.division_head, None, True),
        (Role.division_head, Team.investigation, False),
        (Role.sysadmin, Team.investigation, False),
        (Role.auditor, None, True),
    ],
)
def test_case_3_acc_1_team_roles_have_a_team_and_others_none(role: Role, team: Team | None, ok: bool) -> None:
    """CASE-3, ACC-1: the four teams' roles need their team; the others carry none."""
    if ok:
        check_role_team(role, team)
    else:
        with pytest.raises(TeamMismatch):
            check_role_team(role, team)


def test_aud_1_sd_2_log_readers_never_see_a_case_reference_as_a_target() -> None:
    """AUD-1, SD-2: a reference works like a key for secondary-damage reports; other targets are ids."""
    assert shown_target("secondary_damage.linked", "WU-AAAAA-BBBBB") is None
    assert shown_target("measure.offered", "3f2a") == "3f2a"


def test_aud_1_summary_codes_say_area_and_read_or_change() -> None:
    """AUD-1: reads of content and changes are told apart; unknown areas are `other`."""
    assert summary_code("case.read") == "case.read"
    assert summary_code("case.status.triaged") == "case.change"
    assert summary_code("evidence.downloaded") == "evidence.read"
    assert summary_code("joint_liability.opened") == "sanction.change"
    assert summary_code("something.new") == "other.change"


def test_aud_1_day_bounds_are_whole_utc_days() -> None:
    """AUD-1: `to` includes its whole day; a range that ends before it starts is refused."""
    low, high = day_bounds(date(2026, 1, 1), date(2026, 1, 31))
    assert (low.isoformat(), high.isoformat()) == ("2026-01-01T00:00:00+00:00", "2026-02-01T00:00:00+00:00")
    assert day_bounds(None, None) == (None, None)
    with pytest.raises(DateRangeInvalid):
        day_bounds(date(2026, 2, 1), date(2026, 1, 1))


def test_stat_1_months_and_folding() -> None:
    """STAT-1: the window's months in order, across a year's end; days folded into months with zeros."""
    assert months(date(2025, 11, 15), date(2026, 2, 1)) == ["2025-11", "2025-12", "2026-01", "2026-02"]
    table = by_month([(date(2025, 12, 3), "a", 2), (date(2025, 12, 30), "a", 1)], ["a", "b"], ["2025-11", "2025-12"])
    assert table == {"2025-11": {"a": 0, "b": 0}, "2025-12": {"a": 3, "b": 0}}


def test_stat_1_no_time_figure_about_fewer_than_5_cases_outside_the_case_team() -> None:
    """STAT-1: a median of 4 cases describes single cases: suppressed outside the case team, shown inside."""
    assert duration([1, 2, 3, 4], exact=False).suppressed is True
    assert duration([1, 2, 3, 4], exact=False).median_days is None
    inside = duration([1, 2, 3, 4], exact=True)
    assert (inside.median_days, inside.p90_days, inside.cases) == (2.5, 4.0, Cell(4, False))
    outside = duration([0, 1, 2, 3, 10], exact=False)
    assert (outside.median_days, outside.p90_days, outside.suppressed) == (2.0, 10.0, False)
    assert nearest_rank(list(range(1, 11)), 0.9) == 9.0


def test_case_2_breaches_counted_by_kind_with_the_domain_rule() -> None:
    """CASE-2: met late and unmet past the due day are breaches; met on time and not yet due are not."""
    today = date(2026, 3, 1)
    rows = [
        (DeadlineKind.triage, date(2026, 2, 1), date(2026, 2, 3), 2),  # met late
        (DeadlineKind.triage, date(2026, 2, 1), None, 1),  # unmet, overdue
        (DeadlineKind.triage, date(2026, 2, 1), date(2026, 2, 1), 7),  # met on time
        (DeadlineKind.feedback, date(2026, 3, 1), None, 4),  # due today
    ]
    counts = breaches_by_kind(rows, today)
    assert counts["triage"] == 3 and counts["feedback"] == 0 and set(counts) == {str(k) for k in DeadlineKind}


def test_stat_1_sd_2_share_only_where_both_counts_show() -> None:
    """STAT-1, SD-2: 2 of 8 is 0.25 inside the case team; outside, 2 is suppressed and so is the share."""
    counts = {"secondary_damage": 2, "sexual_harassment": 6}
    assert secondary_damage_share(counts, exact=True).share == 0.25
    outside = secondary_damage_share(counts, exact=False)
    assert (outside.share, outside.suppressed, outside.all_cases) == (None, True, Cell(8, False))
    big = secondary_damage_share({"secondary_damage": 5, "other": 15}, exact=False)
    assert (big.share, big.suppressed) == (0.25, False)
