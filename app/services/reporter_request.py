"""INT-1 (security review F6): no exact time of a reporter's activity reaches anyone.

A request acts for a reporter when it is an anonymous submission (`POST /reports`), an inbox session opened with
a receipt code, or anything done with an inbox token. The use case that starts such a request marks its unit of
work once (`act_for_reporter`), before it writes anything; from then on the two writers that date what they
write — the audit log (`app.services.audit`) and the outbox (`app.services.outbox`) — ask `recorded_time` and
get the day only, whichever service or actor writes in that request (the reporter's own entry, the system's
`case.linked` or `separation.order_opened`, a read added later).
"""

from __future__ import annotations

from datetime import datetime

from app.db.uow import UnitOfWork
from app.services import clock


def act_for_reporter(uow: UnitOfWork) -> None:
    """Mark `uow` as a reporter's request: every time the audit log and the outbox write in it is its day."""
    uow.for_reporter = True


def is_reporter_request(uow: UnitOfWork) -> bool:
    return uow.for_reporter


def recorded_time(uow: UnitOfWork, now: datetime) -> datetime:
    """The time to write down for `now`: its day only in a reporter's request, else `now` itself."""
    return clock.day_start(now) if uow.for_reporter else now
