"""DATA-1: when a case's content (narratives, messages, identities, evidence) may be destroyed.

A closed or withdrawn case's content is destroyed `retention_years` after its closing day (config, 5 by default) —
never before the RET-1 watch (`watch_years_after_closing` after closing) has ended, and never while a separation
order of the case is active, a sanction of the case waits for its decision, or an operator's legal hold is set.
Counts for statistics and the audit chain stay. Pure: the caller passes the day and the facts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from app.domain.deadlines import add_months


class KeptBecause(StrEnum):
    """Why a case's content is kept today (the first reason that applies, in this order)."""

    destroyed = "destroyed"  # nothing left to destroy
    open = "open"  # not closed or withdrawn
    period = "period"  # the retention period (or the RET-1 watch) has not ended
    separation_order = "separation_order"  # an order of the case is active (SEP-6)
    sanction_pending = "sanction_pending"  # a sanction of the case is proposed, not decided (SAN-2)
    legal_hold = "legal_hold"  # an operator's legal hold is set


@dataclass(frozen=True)
class RetentionFacts:
    closed_on: date | None  # the closing (or withdrawal) day; None while the case is open
    content_destroyed_on: date | None
    active_orders: int
    pending_sanctions: int
    legal_hold: bool


def first_destruction_day(closed_on: date, retention_years: int, watch_years_after_closing: int) -> date:
    """The first day the content may go: the day after both the retention period and the RET-1 watch (which
    includes its last day, app.domain.retaliation.in_watch_period) have ended."""
    years = max(retention_years, watch_years_after_closing)
    return add_months(closed_on, 12 * years) + timedelta(days=1)


def kept_because(
    facts: RetentionFacts, today: date, retention_years: int, watch_years_after_closing: int
) -> KeptBecause | None:
    """DATA-1: None when the content may be destroyed today, else the reason it is kept."""
    if facts.content_destroyed_on is not None:
        return KeptBecause.destroyed
    if facts.closed_on is None:
        return KeptBecause.open
    if today < first_destruction_day(facts.closed_on, retention_years, watch_years_after_closing):
        return KeptBecause.period
    if facts.active_orders:
        return KeptBecause.separation_order
    if facts.pending_sanctions:
        return KeptBecause.sanction_pending
    if facts.legal_hold:
        return KeptBecause.legal_hold
    return None


def retention_problem(retention_years: int, watch_years_after_closing: int) -> str | None:
    """The start-up check: content may not be destroyed before the RET-1 watch ends."""
    if retention_years < watch_years_after_closing:
        return (
            f"WITHU_RETENTION_YEARS ({retention_years}) must be at least WITHU_WATCH_YEARS_AFTER_CLOSING "
            f"({watch_years_after_closing}): DATA-1 never destroys a case's content before the RET-1 watch ends"
        )
    return None
