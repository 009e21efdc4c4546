"""Cases, reports, deadlines and messages. Every case read goes through the actor's visibility (ACC-1), except
those marked 'Unscoped:', each saying who checks instead; every query that returns cases is here."""

from __future__ import annotations

import functools
import uuid
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import (
    ColumnElement,
    CompoundSelect,
    Integer,
    Select,
    String,
    Table,
    Uuid,
    and_,
    bindparam,
    exists,
    false,
    func,
    literal,
    or_,
    select,
    true,
    union,
    union_all,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import aliased

from app.db.links import employee_mac, employee_macs
from app.db.models import (
    Case,
    CaseAssignment,
    CaseDeadline,
    CaseLink,
    CaseMessage,
    CaseReadMarker,
    CaseTransition,
    Employee,
    ProtectedPerson,
    Report,
    SeparationOrder,
    SeparationViolation,
)
from app.db.repositories.base import Repository
from app.domain.access import VERIFIED_STATUS, StaffFacts, works_cases
from app.domain.enums import (
    CaseOrigin,
    CaseStatus,
    Category,
    DeadlineKind,
    EmployeeStatus,
    MessageAuthor,
    OrderStatus,
    OrgKind,
    QueueSort,
    Role,
    Team,
)
from app.domain.escalation import ENDED_CASE_STATUSES, OUTLIVE_THE_CASE
from app.domain.secondary_damage import THROUGH_INBOX


@functools.cache
def _circle() -> Select[tuple[str, EmployeeStatus]]:
    """The employee numbers, with their status, of the staff member (`circle_number`), of their unit and of everyone
    below them in the chain of command. Built once: every request runs it, and building it costs more than running
    it."""
    number = bindparam("circle_number", type_=String)
    me = select(Employee.id).where(Employee.employee_number == number).scalar_subquery()
    my_unit = select(Employee.unit_id).where(Employee.employee_number == number).scalar_subquery()
    below = (
        select(Employee.id.label("id"), literal(1).label("depth"))
        .where(Employee.supervisor_id == me)
        .cte("below", recursive=True)
    )
    below = below.union_all(
        select(Employee.id, below.c.depth + 1)
        .join(below, Employee.supervisor_id == below.c.id)
        .where(below.c.depth < 500)
    )
    return union(  # type: ignore[return-value]
        select(Employee.employee_number, Employee.status).where(Employee.employee_number == number),
        select(Employee.employee_number, Employee.status).where(Employee.unit_id == my_unit),
        select(Employee.employee_number, Employee.status).where(Employee.id.in_(select(below.c.id))),
    )


async def recused_case_ids(session: AsyncSession, employee_number: str) -> Select[tuple[object]]:
    """CASE-3 as SQL (the domain's is_recused over every case at once): cases where the staff member is a
    party, or where the respondent is the staff member, in their unit or below them in the chain of command — from
    current personnel data, so a transfer takes effect from the next request on.

    A case names its parties and its respondent by MAC only (app.db.links, security review F3): no statement can
    join them to the directory. So one statement first reads from the directory the employee numbers of everyone
    whose being the respondent recuses the staff member (themselves, their unit, everyone below them); their MACs,
    computed here, are what the returned subquery looks up (two index look-ups)."""
    return _recused_for(employee_number, (await _circle_numbers(session, employee_number))[1])


async def _circle_numbers(session: AsyncSession, employee_number: str) -> tuple[bool, frozenset[str]]:
    """Whether the employee number names an active employee of the directory, and the employee numbers of its
    circle (_circle; empty when the directory does not know the number)."""
    connection = await session.connection()  # Core statements: no ORM entities to load
    circle = (await connection.execute(_circle(), {"circle_number": employee_number})).all()
    numbers = frozenset(number for number, _ in circle)
    active = any(number == employee_number and status == VERIFIED_STATUS for number, status in circle)
    return active, numbers if employee_number in numbers else frozenset()


# The binds of the recusal statement (_recused): the staff member's own MAC as a party, and the MACs of everyone whose
# being the respondent recuses them (an expanding parameter: the circle's size varies).
QUEUE_PARTY_MAC = "queue_party_mac"
QUEUE_RESPONDENT_MACS = "queue_respondent_macs"


@functools.cache
def _recused() -> CompoundSelect[Any]:
    """CASE-3's recused cases, by the MACs of _recusal_values (two index look-ups). Built once."""
    return union(
        select(ProtectedPerson.case_id).where(ProtectedPerson.employee_mac == bindparam(QUEUE_PARTY_MAC, type_=String)),
        select(Case.id).where(Case.respondent_mac.in_(bindparam(QUEUE_RESPONDENT_MACS, expanding=True))),
    )


def _recusal_values(employee_number: str, numbers: Collection[str]) -> dict[str, Any]:
    return {QUEUE_PARTY_MAC: employee_mac(employee_number), QUEUE_RESPONDENT_MACS: employee_macs(numbers)}


def _recused_for(employee_number: str, numbers: Collection[str]) -> Select[tuple[object]]:
    """The cases the staff member with `employee_number` is recused from, given their circle's numbers (none: not in
    the directory, a party or respondent of nothing)."""
    if not numbers:
        return select(Case.id).where(false())
    return _recused().params(_recusal_values(employee_number, numbers))  # type: ignore[return-value]


def in_directory(employee_number: str) -> ColumnElement[bool]:
    """F2 as SQL (the domain's StaffFacts.in_directory): the employee number names an active employee of the
    personnel directory, as it stands now."""
    return exists().where(Employee.employee_number == employee_number, Employee.status == VERIFIED_STATUS)


def _binds(staff: StaffFacts) -> dict[str, Any]:
    """The values of the queue statements' binds that name the staff member."""
    return {QUEUE_USER: staff.user_id, QUEUE_TEAM: staff.team}


# An order: (column, descending) pairs. The queue's default, newest first: by day, then by order of arrival within
# the day (INT-1: never a time; the system's watch reviews, 0, after the day's reports); the reference makes it total.
# The next-deadline order: the earliest due day of a case's unmet deadlines first (Case.next_due_on, kept by the
# database: migration 0029), newest first within a day; the cases with none come after, newest first. Each order
# walks its own index (ix_case_file_queue_newest, ix_case_file_queue_due) in the order's directions.
Order = list[tuple[Any, bool]]
NEWEST: Order = [(Case.opened_on, True), (Case.arrival, True), (Case.reference, False)]
BY_NEXT_DUE: Order = [(Case.next_due_on, False), *NEWEST]

# A page past the middle of its part is read from the other end, in the reverse order, and turned round: a walk along
# an index never passes more than half the rows, and the last page costs what the first does. Off only in the tests
# that check both ways give the same pages.
READ_FROM_THE_END = True


def overdue_case(today: date) -> ColumnElement[bool]:
    """CASE-2's is_breached, for any of the case's deadlines, as SQL on the case's row: a deadline met late
    (met_late), or an unmet one whose due day has passed (the earliest unmet one is before today)."""
    return or_(Case.met_late == true(), Case.next_due_on < today)


def not_overdue_case(today: date) -> ColumnElement[bool]:
    """The others: no deadline met late, and no unmet one past its due day (or none unmet at all)."""
    return and_(Case.met_late == false(), or_(Case.next_due_on.is_(None), Case.next_due_on >= today))


def _with_open_violations() -> Select[tuple[uuid.UUID]]:
    """SEP-5: the cases with an unresolved violation on an active separation order (few: a small IN list)."""
    return (
        select(SeparationOrder.case_id)
        .join(SeparationViolation, SeparationViolation.order_id == SeparationOrder.id)
        .where(SeparationOrder.status == OrderStatus.active, SeparationViolation.resolved_on.is_(None))
    )


@dataclass(frozen=True)
class QueueRow:
    """A row of the queue's page: the case's own columns the queue shows; whether the staff member reads the case's
    content (F13); its next live deadline (CASE-2's is_live: a closed case's only a duty that outlives it; the
    earliest, then by kind), earliest unmet due day and met-late flag (overdue); its open separation violations
    (SEP-5) and an order awaiting triage (SEP-1, F11); a message from the reporter the staff member has not seen
    (CASE-4; shown only with the content)."""

    id: uuid.UUID
    reference: str
    status: CaseStatus
    team: Team
    category: Category
    org_kind: OrgKind | None
    opened_on: date
    content_visible: bool
    next_kind: DeadlineKind | None
    next_due: date | None
    next_due_on: date | None
    met_late: bool
    open_violations: int
    awaiting_triage: bool
    unread: bool


def _content_rule(user: Any, team: Any, leads_team: bool) -> list[ColumnElement[bool]]:
    """F13 past the queue (not for the division head, who reads every case in it): either of these — the case has
    no handler yet, `user` is one, or (`leads_team`) it is of `team`, the lead's own."""
    handled = exists().where(CaseAssignment.case_id == Case.id)
    mine = exists().where(CaseAssignment.case_id == Case.id, CaseAssignment.user_id == user)
    return [~handled, mine] + ([Case.team == team] if leads_team else [])


# The indexes each of the queue's statements reads, named to SQLite's planner (INDEXED BY): without statistics
# (the app gathers none) it takes an equality on any one-column index for a handful of rows — `status` matches
# 170,000 of a million — and sorts them, instead of walking an order's index or counting along the narrow one. A
# statement driven by a small set of ids reads the cases by id. PostgreSQL plans with its statistics.
NEWEST_INDEX = "ix_case_file_queue_newest"
DUE_INDEX = "ix_case_file_queue_due"
COUNT_INDEX = "ix_case_file_queue_count"
BY_ID = "sqlite_autoindex_case_file_1"  # the primary key's (PRAGMA index_list(case_file): origin "pk")


def _on(statement: Select[Any], index: str | None) -> Select[Any]:
    """The statement, reading case_file by `index` on SQLite (None: the planner's choice)."""
    return statement if index is None else statement.with_hint(Case.__table__, f"INDEXED BY {index}", "sqlite")


@compiles(Table, "sqlite")
def _table_with_sqlite_hint(table: Table, compiler: Any, **kw: Any) -> str:
    """A table in a FROM clause, followed by a hint given for SQLite (Select.with_hint), which SQLAlchemy's SQLite
    compiler leaves out (it renders hints for the dialects that have table hints in their syntax only)."""
    text = compiler.visit_table(table, **kw)
    hints = kw.get("fromhints")
    if kw.get("asfrom") and hints and table in hints:
        text += " " + hints[table]
    return str(text)


# The binds of the queue's statements that name the staff member (their values: _binds).
QUEUE_USER = "queue_user"
QUEUE_TEAM = "queue_team"


@functools.cache
def _shown(reads_everything: bool, leads_team: bool) -> list[Any]:
    """QueueRow's columns, for the page's rows only (correlated look-ups by the case's id), for a staff member
    (QUEUE_USER, of QUEUE_TEAM) who reads every case in their queue (the division head), leads their team, or
    neither. Built once per kind: every request selects them, and building them costs more than running them."""
    user = bindparam(QUEUE_USER, type_=Uuid)
    readable: ColumnElement[bool] = true()
    if not reads_everything:
        team = bindparam(QUEUE_TEAM, type_=Case.__table__.c.team.type)
        readable = or_(*_content_rule(user, team, leads_team))
    live = aliased(CaseDeadline)
    is_live = and_(
        live.case_id == Case.id,
        live.met_on.is_(None),
        or_(Case.status.not_in(ENDED_CASE_STATUSES), live.kind.in_(OUTLIVE_THE_CASE)),
    )
    next_kind = select(live.kind).where(is_live).order_by(live.due_on, live.kind).limit(1).scalar_subquery()
    next_due = select(func.min(live.due_on)).where(is_live).scalar_subquery()
    active = and_(SeparationOrder.case_id == Case.id, SeparationOrder.status == OrderStatus.active)
    by_case = "INDEXED BY ix_separation_order_case_id"  # not every active order (status), for each row
    violations = (
        select(func.count())
        .select_from(SeparationOrder)
        .join(SeparationViolation, SeparationViolation.order_id == SeparationOrder.id)
        .where(active, SeparationViolation.resolved_on.is_(None))
        .with_hint(SeparationOrder.__table__, by_case, "sqlite")
        .scalar_subquery()
    )
    awaiting = (
        select(SeparationOrder.id)
        .where(active, SeparationOrder.awaiting_triage.is_(True))
        .with_hint(SeparationOrder.__table__, by_case, "sqlite")
        .exists()
    )
    seen = (  # the staff member's marker on the message's case (CASE-4)
        select(CaseReadMarker.message_seq)
        .where(CaseReadMarker.case_id == CaseMessage.case_id, CaseReadMarker.user_id == user)
        .scalar_subquery()
    )
    unread = exists().where(
        CaseMessage.case_id == Case.id,
        CaseMessage.author == MessageAuthor.reporter,
        CaseMessage.seq > func.coalesce(seen, 0),
    )
    return [
        Case.id,
        Case.reference,
        Case.status,
        Case.team,
        Case.category,
        Case.org_kind,
        Case.opened_on,
        readable,
        next_kind,
        next_due,
        Case.next_due_on,
        Case.met_late,
        violations,
        awaiting,
        unread,
    ]


# A set of case ids the queue tests a case against (assignments, recusal, open violations): a subquery, small in
# practice; a statement that it drives reads the cases by id (BY_ID).
IdSet = Select[Any] | CompoundSelect[Any]


# The binds of the queue's filters and of its page (their values: CaseRepository._queue_values).
QUEUE_TEAM_FILTER = "queue_team_filter"
QUEUE_STATUS = "queue_status"
QUEUE_REFERENCE = "queue_reference"
QUEUE_TODAY = "queue_today"
QUEUE_OFFSET = "queue_offset"
QUEUE_LIMIT = "queue_limit"


@dataclass(frozen=True)
class _Shape:
    """What a queue request's statements depend on besides values: who asks (the division head reads every case,
    a team lead their team's), which filters are given, and how overdue and violations filter. Every statement is
    built once per shape, with every value bound: building SQLAlchemy expressions and their cache keys cost more
    than running the statements of a small queue (docs/performance.md, "The case queue at 1,000,000 cases")."""

    everything: bool
    leads_team: bool
    team: bool
    status: bool
    reference: bool
    mine: bool
    overdue: bool | None
    violations: bool | None


@dataclass(frozen=True)
class _Queue:
    """The queue's predicates, kept apart so that the count can be split into index-friendly parts (see _count):
    `base` on the case's own indexed columns; the staff member's own team (QUEUE_TEAM), or'ed with `assigned` (their
    assignments) for everyone but the division head; `within`, sets of case ids the case must be in (mine,
    violations=true); `without`, sets it must not be in (CASE-3 recusal, violations=false)."""

    base: tuple[ColumnElement[bool], ...]
    assigned: IdSet | None
    within: tuple[IdSet, ...]
    without: tuple[IdSet, ...]
    one_case: bool  # by reference: the unique index finds it, and no queue index is named

    def on(self, index: str) -> str | None:
        return None if self.one_case else index

    def scope(self) -> list[ColumnElement[bool]]:
        if self.assigned is None:
            return []
        return [or_(Case.team == _staff_team(), Case.id.in_(self.assigned))]

    def where(self) -> list[ColumnElement[bool]]:
        """Every predicate, for a page: the walk along the order's index tests them entry by entry."""
        inside = [Case.id.in_(ids) for ids in self.within]
        return [*self.base, *self.scope(), *inside, *(Case.id.not_in(ids) for ids in self.without)]


def _staff_team() -> Any:
    return bindparam(QUEUE_TEAM, type_=Case.__table__.c.team.type)


@functools.cache
def _queue(shape: _Shape) -> _Queue:
    """The queue's predicates for a shape: _visible's (sealed, CASE-3's recusal, the team or an assignment; F2's
    directory match is the caller's), then the filters, every value bound."""
    base: list[ColumnElement[bool]] = [Case.sealed == false()]
    if shape.team:
        base.append(Case.team == bindparam(QUEUE_TEAM_FILTER, type_=Case.__table__.c.team.type))
    if shape.status:
        base.append(Case.status == bindparam(QUEUE_STATUS, type_=Case.__table__.c.status.type))
    if shape.reference:
        base.append(Case.reference == bindparam(QUEUE_REFERENCE, type_=String))
    if shape.overdue is not None:
        today = bindparam(QUEUE_TODAY, type_=Case.__table__.c.opened_on.type)
        base.append(overdue_case(today) if shape.overdue else not_overdue_case(today))
    assigned = select(CaseAssignment.case_id).where(CaseAssignment.user_id == bindparam(QUEUE_USER, type_=Uuid))
    violating = _with_open_violations()
    within = ([assigned] if shape.mine else []) + ([violating] if shape.violations else [])
    without = [_recused()] + ([violating] if shape.violations is False else [])
    scope = None if shape.everything else assigned
    return _Queue(tuple(base), scope, tuple(within), tuple(without), one_case=shape.reference)


@functools.cache
def _count_statement(shape: _Shape, with_due: bool) -> Any:
    """The queue's total, and how many of its cases have an unmet deadline (with_due; else 0), in one statement.
    Tests of a case id against a set are what a narrow index cannot answer, so the count is split into parts that
    are each either a range of ix_case_file_queue_count or driven by a small set of ids: the cases of the staff
    member's team, plus their assigned cases of other teams, minus those of both in a `without` set."""
    queue = _queue(shape)
    parts: list[tuple[int, list[ColumnElement[bool]], str]]
    if queue.within:  # a small set drives it: one part
        parts = [(1, queue.where(), BY_ID)]
    else:
        if queue.assigned is None:
            parts = [(1, list(queue.base), COUNT_INDEX)]
        else:
            other_teams = [Case.team != _staff_team(), Case.id.in_(queue.assigned)]
            parts = [
                (1, [*queue.base, Case.team == _staff_team()], COUNT_INDEX),
                (1, [*queue.base, *other_teams], BY_ID),
            ]
        # one set of them all (an OR of two IN tests is no join for PostgreSQL's planner)
        members = [m for ids in queue.without for m in (ids.selects if isinstance(ids, CompoundSelect) else [ids])]
        excluded = Case.id.in_(union(*members) if len(members) > 1 else members[0])
        parts.append((-1, [*queue.base, *queue.scope(), excluded], BY_ID))
    due = func.count(Case.next_due_on) if with_due else literal(0)
    counts = [
        _on(select(literal(sign), func.count(), due).select_from(Case).where(*where), queue.on(index))
        for sign, where, index in parts
    ]
    return counts[0] if len(counts) == 1 else union_all(*counts)


# The parts of the queue's orders a page is read from (_page_statement).
WHOLE, WITH_DUE, WITHOUT_DUE = "whole", "with-due", "without-due"


@functools.cache
def _page_statement(shape: _Shape, part: str, backwards: bool) -> Any:
    """The page (QUEUE_OFFSET, QUEUE_LIMIT) of `part` of the queue in its order (newest first; the cases with an
    unmet deadline by the next-deadline order), read in reverse when `backwards`: the page's ids along the order's
    index (its walk reads the index alone), then what is shown of those rows only."""
    queue = _queue(shape)
    if part == WITH_DUE:
        where, order, walk = [Case.next_due_on.is_not(None)], BY_NEXT_DUE, DUE_INDEX
    else:
        where = [Case.next_due_on.is_(None)] if part == WITHOUT_DUE else []
        order, walk = NEWEST, NEWEST_INDEX
    if queue.within:
        walk = BY_ID
    if backwards:
        order = [(column, not descending) for column, descending in order]
    ordered = [column.desc() if descending else column.asc() for column, descending in order]
    ids = (
        select(Case.id)
        .where(*queue.where(), *where)
        .order_by(*ordered)
        .offset(bindparam(QUEUE_OFFSET, type_=Integer))
        .limit(bindparam(QUEUE_LIMIT, type_=Integer))
    )
    page = _on(ids, queue.on(walk)).correlate(None)  # its own scan of case_file, not the outer one's row
    return _on(
        select(*_shown(shape.everything, shape.leads_team))
        .select_from(Case)
        .where(Case.id.in_(page))
        .order_by(*ordered),
        BY_ID,
    )


class CaseRepository(Repository):
    def __init__(self, session: AsyncSession) -> None:
        super().__init__(session)
        # F2 and CASE-3: the directory match and the circle's employee numbers per employee number, read once per
        # unit of work (one request: "from the next request on" still holds).
        self._circles: dict[str, tuple[bool, frozenset[str]]] = {}

    async def _circle(self, employee_number: str) -> tuple[bool, frozenset[str]]:
        if employee_number not in self._circles:
            self._circles[employee_number] = await _circle_numbers(self.session, employee_number)
        return self._circles[employee_number]

    async def _recused(self, employee_number: str) -> Select[tuple[object]]:
        return _recused_for(employee_number, (await self._circle(employee_number))[1])

    async def _visible(self, staff: StaffFacts, *, sealed_too: bool = False) -> Select[tuple[Case]]:
        """ACC-1: the cases in the staff member's queue (the domain's can_see_case, as SQL). Fails closed (F2): no
        case without an employee number naming an active employee of the directory, none the number is recused
        from. `sealed_too` only for deciding a possible escrow match (`decidable_ids`)."""
        query = select(Case)
        if not sealed_too:
            query = query.where(Case.sealed.is_(False))  # CASE-8: escrow keeps a report from every eye
        if not works_cases(staff.role) or not staff.employee_number:
            return query.where(False)
        recused = await self._recused(staff.employee_number)
        query = query.where(in_directory(staff.employee_number), Case.id.not_in(recused))
        if staff.role == Role.division_head:
            return query
        assigned = select(CaseAssignment.case_id).where(CaseAssignment.user_id == staff.user_id)
        return query.where(or_(Case.team == staff.team, Case.id.in_(assigned)))

    async def _readable(self, staff: StaffFacts) -> Select[tuple[Case]]:
        """ACC-1 (F13): the cases whose content the staff member reads (the domain's can_read_content, as SQL):
        of those in their queue, every case without a handler yet; the others only as a handler, as the lead of
        the case's team, or as the division head."""
        query = await self._visible(staff)
        if staff.role == Role.division_head:
            return query
        return query.where(or_(*_content_rule(staff.user_id, staff.team, staff.role == Role.team_lead)))

    async def visible_case(self, staff: StaffFacts, case_id: uuid.UUID) -> Case | None:
        """The case if it is in the staff member's queue (its row only: reference, status, deadlines)."""
        return await self.session.scalar((await self._visible(staff)).where(Case.id == case_id))

    async def readable_case(self, staff: StaffFacts, case_id: uuid.UUID) -> Case | None:
        """The case if the staff member reads its content (ACC-1, F13)."""
        return await self.session.scalar((await self._readable(staff)).where(Case.id == case_id))

    async def list_visible(
        self,
        staff: StaffFacts,
        *,
        team: Team | None,
        status: CaseStatus | None,
        mine: bool,
        reference: str | None,
        offset: int,
        limit: int,
        overdue: bool | None = None,
        violations: bool | None = None,
        sort: QueueSort = QueueSort.newest,
        today: date | None = None,
    ) -> tuple[list[QueueRow], int]:
        """The page of the staff member's queue (ACC-1, CASE-3, CASE-8 as in _visible) at `offset`, and its total.
        Every statement reads the queue's indexes until the page's rows: a count, then one walk per part of the
        order (two only for a next-deadline page across the end of the cases with an unmet deadline)."""
        if not works_cases(staff.role) or not staff.employee_number:
            return [], 0  # no case role, no employee number: no queue
        in_directory, numbers = await self._circle(staff.employee_number)
        if not in_directory:  # F2: no case without an active employee of the directory
            return [], 0
        shape = _Shape(
            everything=staff.role == Role.division_head,
            leads_team=staff.role == Role.team_lead,
            team=team is not None,
            status=status is not None,
            reference=reference is not None,
            mine=mine,
            overdue=overdue,
            violations=violations,
        )
        values = {
            **_binds(staff),
            **_recusal_values(staff.employee_number, numbers),
            QUEUE_TEAM_FILTER: team,
            QUEUE_STATUS: status,
            QUEUE_REFERENCE: reference.strip().upper() if reference is not None else None,
            QUEUE_TODAY: today,
        }
        if overdue is not None:
            assert today is not None
        if sort != QueueSort.next_deadline:
            total, _ = await self._count(shape, values, with_due=False)
            return await self._page(shape, values, WHOLE, offset, limit, total), total
        total, with_due = await self._count(shape, values, with_due=True)
        rows: list[QueueRow] = []
        if offset < with_due:  # the cases with an unmet deadline, nearest first
            rows = await self._page(shape, values, WITH_DUE, offset, min(limit, with_due - offset), with_due)
        if len(rows) < limit and offset + limit > with_due:  # then those without, newest first
            start, rest = max(0, offset - with_due), total - with_due
            rows += await self._page(shape, values, WITHOUT_DUE, start, limit - len(rows), rest)
        return rows, total

    async def _count(self, shape: _Shape, values: dict[str, Any], *, with_due: bool) -> tuple[int, int]:
        """The queue's total and how many of its cases have an unmet deadline (_count_statement)."""
        statement = _count_statement(shape, with_due)
        total = with_open = 0
        for sign, n, n_due in (await (await self.session.connection()).execute(statement, values)).all():
            total, with_open = total + sign * n, with_open + sign * n_due
        return total, with_open

    async def _page(
        self, shape: _Shape, values: dict[str, Any], part: str, offset: int, limit: int, size: int
    ) -> list[QueueRow]:
        """The rows at `offset` of the `part` of the queue, `size` rows in all. Past the middle the page is read from
        the other end, in the reverse order, and turned round (READ_FROM_THE_END): a walk along an index then never
        passes more than half the rows, and the last page costs what the first does."""
        backwards = READ_FROM_THE_END and size // 2 < offset < size
        if backwards:
            end = min(size, offset + limit)
            offset, limit = size - end, end - offset
        statement = _page_statement(shape, part, backwards)
        page = {**values, QUEUE_OFFSET: offset, QUEUE_LIMIT: limit}
        rows = (await (await self.session.connection()).execute(statement, page)).all()
        found = [
            QueueRow(*r[:7], bool(r[7]), r[8], r[9], r[10], bool(r[11]), int(r[12]), bool(r[13]), bool(r[14]))
            for r in rows
        ]
        return found[::-1] if backwards else found

    async def case(self, case_id: uuid.UUID) -> Case | None:
        """Unscoped: only for the reporter's own case (reached through the receipt) and for services."""
        return await self.session.get(Case, case_id)

    async def case_by_reference(self, reference: str) -> Case | None:
        """Unscoped: only to link a report of secondary damage to its original case."""
        return await self.session.scalar(select(Case).where(Case.reference == reference))

    async def cases_by_id(self, ids: Collection[uuid.UUID]) -> dict[uuid.UUID, Case]:
        """Unscoped: the worker checks each recipient's visibility itself; sanctions read the cases of the sanctions
        they list, which the caller has already reached (as `references`)."""
        if not ids:
            return {}
        rows = await self.session.scalars(select(Case).where(Case.id.in_(set(ids))))
        return {c.id: c for c in rows.all()}

    async def references(self, case_ids: list[uuid.UUID]) -> dict[uuid.UUID, str]:
        """Unscoped: the references of cases the caller has already reached (the cases of the sanctions it lists)."""
        if not case_ids:
            return {}
        rows = await self.session.execute(select(Case.id, Case.reference).where(Case.id.in_(set(case_ids))))
        return {case_id: reference for case_id, reference in rows}

    async def reported_through(self, original_id: uuid.UUID, report_id: uuid.UUID) -> list[Case]:
        """Unscoped: only for the reporter's own inbox. SD-2: the secondary-damage cases reported through the inbox
        of `report_id` (not those others reported with the reference, nor the retaliation watch's)."""
        rows = await self.session.execute(
            select(Case, Report)
            .join(Report, Report.case_id == Case.id)
            .where(Case.parent_case_id == original_id, Case.origin == CaseOrigin.secondary_damage_report)
            .order_by(Case.opened_on, Case.reference)
        )
        # The marker sits in the encrypted facts (before issue 18: the details): read in Python (a case has few).
        return [
            c for c, r in rows.all() if (r.details if r.facts is None else r.facts).get(THROUGH_INBOX) == str(report_id)
        ]

    async def reports_naming(self, respondent_key: str, except_case: uuid.UUID) -> list[tuple[Report, Case]]:
        """Unscoped: matching, sealed cases included. CASE-8: other reports naming the same respondent (by keyed
        hash of the employee number)."""
        rows = await self.session.execute(
            select(Report, Case)
            .join(Case, Report.case_id == Case.id)
            .where(Report.respondent_key == respondent_key, Report.case_id != except_case)
            .with_for_update(of=Case)
        )
        return [(r, c) for r, c in rows.all()]

    async def linked_cases(self, case_id: uuid.UUID) -> list[tuple[Case, str]]:
        """Unscoped: the caller keeps only those the actor sees. CASE-8: the cases linked to this one, with the
        reason."""
        rows = await self.session.scalars(
            select(CaseLink).where(or_(CaseLink.case_a == case_id, CaseLink.case_b == case_id))
        )
        links = list(rows.all())
        out = []
        for link in links:
            other = link.case_b if link.case_a == case_id else link.case_a
            case = await self.session.get(Case, other)
            if case is not None:
                out.append((case, link.reason))
        return out

    async def reference_taken(self, reference: str) -> bool:
        return await self.session.scalar(select(Case.id).where(Case.reference == reference)) is not None

    async def handler_ids(self, case_id: uuid.UUID) -> list[uuid.UUID]:
        rows = await self.session.scalars(select(CaseAssignment.user_id).where(CaseAssignment.case_id == case_id))
        return list(rows.all())

    async def secondary_damage_cases(self, case_id: uuid.UUID) -> list[Case]:
        """SD-2: the cases opened for harm linked to this one (their parent), oldest first."""
        query = select(Case).where(Case.parent_case_id == case_id).order_by(Case.opened_on, Case.reference)
        return list((await self.session.scalars(query)).all())

    async def reports(self, case_id: uuid.UUID) -> list[Report]:
        rows = await self.session.scalars(select(Report).where(Report.case_id == case_id).order_by(Report.received_on))
        return list(rows.all())

    async def report(self, report_id: uuid.UUID) -> Report | None:
        return await self.session.get(Report, report_id)

    async def report_by_locator(self, locator: str) -> Report | None:
        """Locked for update: concurrent failed attempts must all count (INT-6)."""
        return await self.session.scalar(select(Report).where(Report.locator == locator).with_for_update())

    async def deadlines(self, case_id: uuid.UUID) -> list[CaseDeadline]:
        rows = await self.session.scalars(
            select(CaseDeadline).where(CaseDeadline.case_id == case_id).order_by(CaseDeadline.due_on, CaseDeadline.kind)
        )
        return list(rows.all())

    async def messages(self, case_id: uuid.UUID, *, include_internal: bool) -> list[CaseMessage]:
        query = select(CaseMessage).where(CaseMessage.case_id == case_id)
        if not include_internal:
            query = query.where(CaseMessage.internal.is_(False))
        return list((await self.session.scalars(query.order_by(CaseMessage.seq))).all())

    async def next_message_seq(self, case_id: uuid.UUID) -> int:
        last = await self.session.scalar(select(func.max(CaseMessage.seq)).where(CaseMessage.case_id == case_id))
        return int(last or 0) + 1

    async def next_arrival(self, day: date) -> int:
        """INT-1: the next reporter-made case's order of arrival on its day (1, 2, 3, …)."""
        last = await self.session.scalar(select(func.max(Case.arrival)).where(Case.opened_on == day))
        return int(last or 0) + 1

    async def mark_messages_read(self, case_id: uuid.UUID, user_id: uuid.UUID) -> None:
        """The staff member has seen every message of the case so far."""
        last = int(
            await self.session.scalar(select(func.max(CaseMessage.seq)).where(CaseMessage.case_id == case_id)) or 0
        )
        marker = await self.session.get(CaseReadMarker, (case_id, user_id))
        if marker is None:
            self.session.add(CaseReadMarker(case_id=case_id, user_id=user_id, message_seq=last))
        else:
            marker.message_seq = max(marker.message_seq, last)

    async def party_ids(self, case_id: uuid.UUID) -> list[uuid.UUID]:
        rows = await self.session.scalars(select(ProtectedPerson.employee_id).where(ProtectedPerson.case_id == case_id))
        return list(rows.all())

    async def transitions(self, case_id: uuid.UUID) -> list[CaseTransition]:
        rows = await self.session.scalars(
            select(CaseTransition).where(CaseTransition.case_id == case_id).order_by(CaseTransition.at)
        )
        return list(rows.all())

    async def assign(self, case_id: uuid.UUID, user_id: uuid.UUID, at: object) -> bool:
        """Adds the assignment; False if it was there already."""
        if await self.session.get(CaseAssignment, (case_id, user_id)) is not None:
            return False
        self.session.add(CaseAssignment(case_id=case_id, user_id=user_id, assigned_at=at))
        return True

    async def unassign(self, case_id: uuid.UUID, user_id: uuid.UUID) -> bool:
        row = await self.session.get(CaseAssignment, (case_id, user_id))
        if row is None:
            return False
        await self.session.delete(row)
        return True

    async def visible_ids(self, staff: StaffFacts) -> Select[tuple[object]]:
        """The ids of the cases in the staff member's queue, as a subquery."""
        return (await self._visible(staff)).with_only_columns(Case.id)

    async def decidable_ids(self, staff: StaffFacts) -> Select[tuple[object]]:
        """CASE-8 (F4): the ids of the cases the staff member would see once released from escrow — sealed ones
        included, the same teams and the same recusal (CASE-3) — as a subquery. Only to list and decide possible
        escrow matches, which name no case and show no content until confirmed."""
        return (await self._visible(staff, sealed_too=True)).with_only_columns(Case.id)

    async def readable_ids(self, staff: StaffFacts) -> Select[tuple[object]]:
        """The ids of the cases whose content the staff member reads (F13), as a subquery."""
        return (await self._readable(staff)).with_only_columns(Case.id)

    async def visible_among(self, visible_ids: Select[Any], case_ids: Collection[uuid.UUID]) -> set[uuid.UUID]:
        """Which of `case_ids` are in `visible_ids` (a staff member's visibility, CaseRepository.visible_ids)."""
        if not case_ids:
            return set()
        rows = await self.session.scalars(select(Case.id).where(Case.id.in_(set(case_ids)), Case.id.in_(visible_ids)))
        return set(rows.all())

    async def visible_references(
        self, visible_ids: Select[Any], case_ids: Collection[uuid.UUID]
    ) -> dict[uuid.UUID, str]:
        """The references of those of `case_ids` that are in `visible_ids` (CaseRepository.visible_ids): ACC-1."""
        if not case_ids:
            return {}
        rows = await self.session.execute(
            select(Case.id, Case.reference).where(Case.id.in_(set(case_ids)), Case.id.in_(visible_ids))
        )
        return {case_id: reference for case_id, reference in rows.all()}
