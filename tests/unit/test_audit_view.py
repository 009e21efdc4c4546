"""`app/domain/audit_view.py`: what the audit log shows its readers (AUD-1, SD-2)."""

from __future__ import annotations

from datetime import date

import pytest

from app.domain.audit_view import DateRangeInvalid, day_bounds, shown_target, summary_code


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
