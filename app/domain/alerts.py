"""Content-free alerts to the case team (security review F4, F11): what kind of thing happened, on which day and
how often — never who, never which case."""

from __future__ import annotations

from app.domain.enums import Role
from app.domain.errors import Conflict

# About no case in particular and naming nobody: the leads of every team and the division head see them.
ALERT_READERS = frozenset({Role.team_lead, Role.division_head})


class AlertAcknowledged(Conflict):
    code = "alert-acknowledged"
    title = "This alert has been acknowledged already."


def check_unacknowledged(acknowledged: bool) -> None:
    """An alert is acknowledged once."""
    if acknowledged:
        raise AlertAcknowledged()


def raises_now(already_raised: bool, count: int, alert_at: int) -> bool:
    """An alert is raised (shown, audited) when the day's count reaches its threshold — once a day and person."""
    return not already_raised and count >= alert_at
