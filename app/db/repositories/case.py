"""Cases, reports, deadlines and messages. Every case read goes through the actor's visibility (ACC-1), except
those marked 'Unscoped:', each saying who checks instead; every query that returns cases is here."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, exists, false, func, literal, or_, select, union
from sqlalchemy.ext.asyncio import AsyncSession
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
from app.domain.enums import CaseOrigin, CaseStatus, MessageAuthor, OrderStatus, QueueSort, Role, Team
from app.domain.secondary_damage import THROUGH_INBOX


async def recused_case_ids(session: AsyncSession, employee_number: str) -> Select[tuple[object]]:
    """CASE-3 as SQL (the domain's is_recused over every case at once): cases where the staff member is a
    party, or where the respondent is the staff member, in their unit or below them in the chain of command — from
    current personnel data, so a transfer takes effect from the next request on.

    A case names its parties and its respondent by MAC only (app.db.links, security review F3): no statement can
    join them to the directory. So one statement first reads from the directory the employee numbers of everyone
    whose being the respondent recuses the staff member (themselves, their unit, everyone below them); their MACs,
    computed here, are what the returned subquery looks up (two index look-ups)."""
    me = select(Employee.id).where(Employee.employee_number == employee_number).scalar_subquery()
    my_unit = select(Employee.unit_id).where(Employee.employee_number == employee_number).scalar_subquery()
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
    circle = union(
        select(Employee.employee_number).where(Employee.employee_number == employee_number),
        select(Employee.employee_number).where(Employee.unit_id == my_unit),
        select(Employee.employee_number).where(Employee.id.in_(select(below.c.id))),
    )
    numbers = list((await session.scalars(circle)).all())
    if employee_number not in numbers:  # not in the directory: a party or respondent of nothing
        return select(Case.id).where(false())
    return union(
        select(ProtectedPerson.case_id).where(ProtectedPerson.employee_mac == employee_mac(employee_number)),
        select(Case.id).where(Case.respondent_mac.in_(employee_macs(numbers))),
    )


def in_directory(employee_number: str) -> ColumnElement[bool]:
    """F2 as SQL (the domain's StaffFacts.in_directory): the employee number names an active employee of the
    personnel directory, as it stands now."""
    return exists().where(Employee.employee_number == employee_number, Employee.status == VERIFIED_STATUS)


# The next-deadline order walks the open deadlines by due day for pages within this many cases of either end (the
# cost grows with the distance), and sorts every case's nearest open deadline in between (a flat cost): see
# _ids_by_next_deadline.
WALK_LIMIT = 1_000

# An order: (column, descending) pairs. The queue's default, newest first: by day, then by order of arrival within
# the day (INT-1: never a time; the system's watch reviews, 0, after the day's reports); the reference makes it total.
Order = list[tuple[Any, bool]]
NEWEST: Order = [(Case.opened_on, True), (Case.arrival, True), (Case.reference, False)]


def _breached(today: date):  # type: ignore[no-untyped-def]
    """CASE-2's is_breached as SQL: met late, or unmet and the due day has passed (the queue's `overdue` flag)."""
    return or_(
        and_(CaseDeadline.met_on.is_(None), CaseDeadline.due_on < today),
        CaseDeadline.met_on > CaseDeadline.due_on,
    )


def _with_open_violations() -> Select[tuple[uuid.UUID]]:
    """SEP-5: the cases with an unresolved violation on an active separation order (few: a small IN list)."""
    return (
        select(SeparationOrder.case_id)
        .join(SeparationViolation, SeparationViolation.order_id == SeparationOrder.id)
        .where(SeparationOrder.status == OrderStatus.active, SeparationViolation.resolved_on.is_(None))
    )


def _first_open_deadlines(query: Select[tuple[Case]]) -> tuple[Select[tuple[Case]], Order]:
    """The queue's cases joined to their first open deadline (earliest due day, then lowest id: exactly one per
    case with an open deadline), and the next-deadline order over them."""
    first = aliased(CaseDeadline)
    earlier = aliased(CaseDeadline)
    is_first_open = ~exists().where(
        earlier.case_id == first.case_id,
        earlier.met_on.is_(None),
        or_(earlier.due_on < first.due_on, and_(earlier.due_on == first.due_on, earlier.id < first.id)),
    )
    joined = query.join(first, first.case_id == Case.id).where(first.met_on.is_(None), is_first_open)
    return joined, [(first.due_on, False), *NEWEST]


class CaseRepository(Repository):
    def __init__(self, session: AsyncSession) -> None:
        super().__init__(session)
        # CASE-3: the recusal subquery per employee number, read once per unit of work (one request: "from the
        # next request on" still holds).
        self._recusals: dict[str, Select[tuple[object]]] = {}

    async def _recused(self, employee_number: str) -> Select[tuple[object]]:
        if employee_number not in self._recusals:
            self._recusals[employee_number] = await recused_case_ids(self.session, employee_number)
        return self._recusals[employee_number]

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
        handled = exists().where(CaseAssignment.case_id == Case.id)
        mine = exists().where(CaseAssignment.case_id == Case.id, CaseAssignment.user_id == staff.user_id)
        allowed = [~handled, mine] + ([Case.team == staff.team] if staff.role == Role.team_lead else [])
        return query.where(or_(*allowed))

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
    ) -> tuple[list[Case], int]:
        query = await self._visible(staff)
        if overdue is not None:
            assert today is not None
            breached = exists().where(CaseDeadline.case_id == Case.id, _breached(today))
            query = query.where(breached if overdue else ~breached)
        if violations is not None:
            flagged = Case.id.in_(_with_open_violations())
            query = query.where(flagged if violations else ~flagged)
        if team is not None:
            query = query.where(Case.team == team)
        if status is not None:
            query = query.where(Case.status == status)
        if reference is not None:
            query = query.where(Case.reference == reference.strip().upper())
        if mine:
            assigned = select(CaseAssignment.case_id).where(CaseAssignment.user_id == staff.user_id)
            query = query.where(Case.id.in_(assigned))
        total = await self._count(query)
        # The page's ids first (a deep offset skips index entries only), then its rows.
        if sort == QueueSort.next_deadline:
            ids = await self._ids_by_next_deadline(query, offset, limit, total)
        else:
            ids = await self._ids(query, NEWEST, offset, limit, total)
        if not ids:
            return [], total
        rows = {c.id: c for c in (await self.session.scalars(select(Case).where(Case.id.in_(ids)))).all()}
        return [rows[i] for i in ids if i in rows], total

    async def _count(self, query: Select[tuple[Case]]) -> int:
        counted = await self.session.scalar(
            select(func.count()).select_from(query.with_only_columns(Case.id).subquery())
        )
        return int(counted or 0)

    async def _ids(
        self, query: Select[tuple[Case]], order: Order, offset: int, limit: int, total: int | None = None
    ) -> list[uuid.UUID]:
        """The ids of the page at `offset` in `order`. Past the middle of `total` rows (when known) the page is
        read from the other end, in the reverse order, and turned round: a walk along an index then never passes
        more than half the rows, and the last page costs what the first does."""
        if total is not None and total // 2 < offset < total:
            end = min(total, offset + limit)
            backwards = [(column, not descending) for column, descending in order]
            return (await self._ids(query, backwards, total - end, end - offset))[::-1]
        ordered = query.with_only_columns(Case.id).order_by(*(c.desc() if d else c.asc() for c, d in order))
        return list((await self.session.scalars(ordered.offset(offset).limit(limit))).all())

    async def _ids_by_next_deadline(
        self, query: Select[tuple[Case]], offset: int, limit: int, total: int
    ) -> list[uuid.UUID]:
        """CASE-2's next-deadline order: nearest open deadline first, then newest, then by reference; cases without
        an open deadline last (newest first). Two parts, each read only as far as the page needs:

        1. the cases with an open deadline, by their earliest open due day. Within WALK_LIMIT of either end of
           this part, a walk along the open deadlines by due day (ix_case_deadline_open_by_due; backwards near the
           end), each case at its first (earliest, then lowest id) open deadline only, that stops after the page.
           In the middle, every case's earliest open due day at once (one pass over the same index) and a sort,
           which costs the same at any depth. All give the same order;
        2. the cases with no open deadline, newest first (from the other end past their middle).
        """
        has_open = exists().where(CaseDeadline.case_id == Case.id, CaseDeadline.met_on.is_(None))
        without_open = query.where(~has_open)
        walk, walk_order = _first_open_deadlines(query)
        if offset < WALK_LIMIT:
            ids = await self._ids(walk, walk_order, offset, limit)
            if len(ids) == limit:
                return ids
            if ids or offset == 0:  # the page starts within (or right at the end of) the first part
                return ids + await self._ids(without_open, NEWEST, 0, limit - len(ids))
            with_open = await self._count(query.where(has_open))
        else:
            with_open = await self._count(query.where(has_open))
            if offset < with_open:
                if with_open - offset <= WALK_LIMIT:
                    ids = await self._ids(walk, walk_order, offset, limit, with_open)
                else:
                    nearest = (
                        select(CaseDeadline.case_id, func.min(CaseDeadline.due_on).label("due_on"))
                        .where(CaseDeadline.met_on.is_(None))
                        .group_by(CaseDeadline.case_id)
                        .subquery("nearest")
                    )
                    sorted_all = query.join(nearest, nearest.c.case_id == Case.id)
                    ids = await self._ids(sorted_all, [(nearest.c.due_on, False), *NEWEST], offset, limit)
                if len(ids) == limit:
                    return ids
                return ids + await self._ids(without_open, NEWEST, 0, limit - len(ids))
        # The page lies wholly past the first part: skip the rest of the offset among the others.
        rest = max(0, total - with_open)
        return await self._ids(without_open, NEWEST, max(0, offset - with_open), limit, rest)

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
        # The marker sits in the encrypted details: read in Python (a case has few such reports).
        return [c for c, r in rows.all() if r.details.get(THROUGH_INBOX) == str(report_id)]

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

    async def deadlines_for_cases(self, case_ids: list[uuid.UUID]) -> list[CaseDeadline]:
        if not case_ids:
            return []
        rows = await self.session.scalars(select(CaseDeadline).where(CaseDeadline.case_id.in_(case_ids)))
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

    async def unread_among(self, user_id: uuid.UUID, case_ids: Collection[uuid.UUID]) -> set[uuid.UUID]:
        """The cases among `case_ids` with a message from the reporter the staff member has not seen yet."""
        seen = (
            select(CaseReadMarker.message_seq)
            .where(CaseReadMarker.case_id == CaseMessage.case_id, CaseReadMarker.user_id == user_id)
            .scalar_subquery()
        )
        rows = await self.session.scalars(
            select(CaseMessage.case_id)
            .where(
                CaseMessage.case_id.in_(list(case_ids)),
                CaseMessage.author == MessageAuthor.reporter,
                CaseMessage.seq > func.coalesce(seen, 0),
            )
            .distinct()
        )
        return set(rows.all())

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
