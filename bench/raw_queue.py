"""The case queue (GET /api/v1/cases) as hand-written SQL: the baseline of bench/case_queue.py, served by the bare
uvicorn + FastAPI endpoint GET /raw-queue (bench/bare_app.py) on one plain driver connection (aiosqlite or asyncpg).
Written apart from the app's statements (app.db.repositories.case) on purpose: the baseline must not be the app's
code — not even its MACs, written out here from the storage format (app/db/encryption.py, app/db/links.py).

It answers the same question for the same staff member (given as parameters: no token), with the same visibility
(ACC-1: sealed cases never, F2: an active employee of the directory, CASE-3: recusal by the MACs of the staff
member's circle, the team or an assignment) and filters, and the same answer: the total, and the page's rows with
what the queue shows of each (the next live deadline, overdue, content visible, separation flags, unread). Four
statements, each the best this schema allows:

1. the staff member's circle in the directory (themselves, their unit, everyone below them) and their status;
2. the small sets of case ids the queue tests cases against (recused, assigned, with an open violation);
3. the total (and, for the next-deadline order, how many have an unmet deadline), in parts that each read either a
   range of the narrow count index or a few rows by id;
4. the page by KEYSET: the ids of the `limit` rows after a cursor (the previous page's last row: `after_*`
   parameters; none: from the start), along the order's index, and the shown columns of those rows only
   (correlated subqueries, by id).
"""

# ruff: noqa: S608  (the statements are put together from constant SQL and placeholders; every value is bound)

from __future__ import annotations

import hashlib
import hmac
import uuid
from datetime import date
from typing import Any

ENDED = ("closed", "withdrawn")
NOT_SEALED = {True: "c.sealed = 0", False: "c.sealed = false"}  # by SQLite / not
# SQLite plans without statistics: each statement names its index (a walk of an order's, a range of the count's, or
# the cases by id when a small set drives it), as the best hand-written SQL for it would.
NEWEST, DUE, COUNT, BY_ID = (
    "ix_case_file_queue_newest",
    "ix_case_file_queue_due",
    "ix_case_file_queue_count",
    "sqlite_autoindex_case_file_1",
)
OUTLIVE = ("ministry_notification", "prevention_plan")  # the public body's duties outlive the case (is_live)


class _Params:
    """Placeholders of the driver's kind (:pN or $N, numbered: any order in the text) and values in its storage
    format."""

    def __init__(self, is_sqlite: bool) -> None:
        self.is_sqlite, self.values = is_sqlite, []  # type: ignore[var-annotated]

    def __call__(self, value: Any) -> str:
        if self.is_sqlite:
            if isinstance(value, uuid.UUID):
                value = value.hex
            elif isinstance(value, date):
                value = value.isoformat()
            elif isinstance(value, bool):
                value = int(value)
        self.values.append(value)
        return f":p{len(self.values)}" if self.is_sqlite else f"${len(self.values)}"

    def bound(self) -> dict[str, Any] | list[Any]:
        return {f"p{i}": v for i, v in enumerate(self.values, start=1)} if self.is_sqlite else self.values

    def many(self, values: list[Any]) -> str:
        return ", ".join(self(v) for v in values)


CIRCLE = """
    WITH RECURSIVE below(id, depth) AS (
        SELECT e.id, 1 FROM employee e
        WHERE e.supervisor_id = (SELECT id FROM employee WHERE employee_number = {number})
        UNION ALL
        SELECT e.id, b.depth + 1 FROM employee e JOIN below b ON e.supervisor_id = b.id WHERE b.depth < 500
    )
    SELECT employee_number, status FROM employee WHERE employee_number = {number}
    UNION SELECT employee_number, NULL FROM employee
          WHERE unit_id = (SELECT unit_id FROM employee WHERE employee_number = {number})
    UNION SELECT e.employee_number, NULL FROM employee e JOIN below b ON e.id = b.id
"""


class RawQueue:
    def __init__(self, connection: Any, is_sqlite: bool, master_key: bytes) -> None:
        self.connection, self.is_sqlite = connection, is_sqlite
        self._link_key = hmac.new(master_key, b"withu:link-mac", hashlib.sha256).digest()

    def _mac(self, number: str) -> str:
        return hmac.new(self._link_key, f"employee:{number}".encode(), hashlib.sha256).hexdigest()

    async def _fetch(self, sql: str, params: _Params) -> list[Any]:
        if self.is_sqlite:
            async with self.connection.execute(sql, params.bound()) as cursor:
                return list(await cursor.fetchall())
        return list(await self.connection.fetch(sql, *params.values))

    def _id(self, value: Any) -> uuid.UUID:
        return uuid.UUID(value) if isinstance(value, str) else value

    def _day(self, value: Any) -> date | None:
        return date.fromisoformat(value) if isinstance(value, str) else value

    async def page(self, q: dict[str, str], today: date) -> dict[str, Any]:
        """The queue's answer for the staff member and filters in `q` (GET /api/v1/cases's parameters, and user_id,
        role, staff_team, employee_number, after_due/after_opened/after_arrival/after_reference/after_part)."""
        empty = {"total": 0, "items": []}
        number, user_id, role = q["employee_number"], uuid.UUID(q["user_id"]), q["role"]
        # 1. the circle and F2
        p = _Params(self.is_sqlite)
        rows = await self._fetch(CIRCLE.format(number=p(number)), p)
        if not any(r[0] == number and r[1] == "active" for r in rows):
            return empty
        macs = sorted({self._mac(r[0]) for r in rows})
        # 2. the small sets
        head = role == "division_head"
        mine = q.get("mine") == "true"
        violations = q.get("violations")
        p = _Params(self.is_sqlite)
        parts = [
            f"SELECT 'r', case_id FROM protected_person WHERE employee_mac = {p(self._mac(number))}",
            f"SELECT 'r', id FROM case_file WHERE respondent_mac IN ({p.many(macs)})",
        ]
        if mine or not head:
            parts.append(f"SELECT 'a', case_id FROM case_assignment WHERE user_id = {p(user_id)}")
        if violations in ("true", "false"):
            parts.append(
                "SELECT 'v', o.case_id FROM separation_order o JOIN separation_violation v ON v.order_id = o.id "
                "WHERE o.status = 'active' AND v.resolved_on IS NULL"
            )
        sets: dict[str, set[uuid.UUID]] = {"r": set(), "a": set(), "v": set()}
        for name, case_id in await self._fetch(" UNION ALL ".join(parts), p):
            sets[name].add(self._id(case_id))
        within = ([sets["a"]] if mine else []) + ([sets["v"]] if violations == "true" else [])
        without = [s for s in [sets["r"], sets["v"] if violations == "false" else set()] if s]

        def base(p: _Params) -> list[str]:
            where = [NOT_SEALED[self.is_sqlite]]  # as written, so that the partial indexes apply
            for column in ("team", "status"):
                if q.get(column):
                    where.append(f"c.{column} = {p(q[column])}")
            if q.get("overdue") == "true":
                where.append(f"(c.met_late = {p(True)} OR c.next_due_on < {p(today)})")
            elif q.get("overdue") == "false":
                where.append(f"c.met_late = {p(False)} AND (c.next_due_on IS NULL OR c.next_due_on >= {p(today)})")
            return where

        def scope(p: _Params) -> list[str]:
            if head:
                return []
            assigned = f" OR c.id IN ({p.many(sorted(sets['a']))})" if sets["a"] else ""
            return [f"(c.team = {p(q['staff_team'])}{assigned})"]

        def ids_in(ids: set[uuid.UUID], p: _Params, negate: bool = False) -> str:
            return f"c.id {'NOT IN' if negate else 'IN'} ({p.many(sorted(ids))})"

        # 3. the total, and the cases with an unmet deadline
        by_due = q.get("sort") == "next_deadline"
        p = _Params(self.is_sqlite)
        counted = "count(*), count(c.next_due_on)" if by_due else "count(*), 0"
        counts: list[tuple[int, list[str], str]] = []
        if within:
            if any(not s for s in within):
                return empty
            inside = [ids_in(s, p) for s in within] + [ids_in(s, p, True) for s in without]
            counts.append((1, base(p) + scope(p) + inside, BY_ID))
        else:
            if head:
                counts.append((1, base(p), COUNT))
            else:
                counts.append((1, [*base(p), f"c.team = {p(q['staff_team'])}"], COUNT))
                if sets["a"]:
                    other = [f"c.team <> {p(q['staff_team'])}", ids_in(sets["a"], p)]
                    counts.append((1, [*base(p), *other], BY_ID))
            if without:
                counts.append((-1, base(p) + scope(p) + [ids_in(set().union(*without), p)], BY_ID))
        sql = " UNION ALL ".join(
            f"SELECT {sign}, {counted} FROM case_file c{self._indexed(index)} WHERE {' AND '.join(w)}"
            for sign, w, index in counts
        )
        total = with_due = 0
        for sign, n, n_due in await self._fetch(sql, p):
            total, with_due = total + sign * n, with_due + sign * n_due
        # 4. the page after the cursor
        limit = int(q.get("limit", "50"))
        cursor = self._cursor(q)
        items: list[dict[str, Any]] = []
        if by_due and (cursor is None or cursor[0] is not None):
            items = await self._rows(q, base, scope, ids_in, within, without, True, cursor, limit, user_id, today)
            cursor = None  # then the cases without an unmet deadline, from their start
        if len(items) < limit:
            part = "c.next_due_on IS NULL" if by_due else None
            items += await self._rows(
                q, base, scope, ids_in, within, without, False, cursor, limit - len(items), user_id, today, part
            )
        return {"total": total, "items": items}

    def _indexed(self, index: str) -> str:
        return f" INDEXED BY {index}" if self.is_sqlite else ""

    def _cursor(self, q: dict[str, str]) -> tuple[date | None, date, int, str] | None:
        if "after_reference" not in q:
            return None
        due = date.fromisoformat(q["after_due"]) if q.get("after_due") else None
        return due, date.fromisoformat(q["after_opened"]), int(q["after_arrival"]), q["after_reference"]

    async def _rows(
        self,
        q: dict[str, str],
        base: Any,
        scope: Any,
        ids_in: Any,
        within: list[set[uuid.UUID]],
        without: list[set[uuid.UUID]],
        by_due: bool,
        cursor: tuple[date | None, date, int, str] | None,
        limit: int,
        user_id: uuid.UUID,
        today: date,
        part: str | None = None,
    ) -> list[dict[str, Any]]:
        p = _Params(self.is_sqlite)
        where = base(p) + scope(p) + [ids_in(s, p) for s in within] + [ids_in(s, p, True) for s in without]
        if part:
            where.append(part)
        if by_due:
            where.append("c.next_due_on IS NOT NULL")
        if cursor is not None:
            due, opened, arrival, reference = cursor
            newer = (
                f"(c.opened_on < {p(opened)} OR (c.opened_on = {p(opened)} AND (c.arrival < {p(arrival)} "
                f"OR (c.arrival = {p(arrival)} AND c.reference > {p(reference)}))))"
            )
            if by_due:
                where.append(
                    f"c.next_due_on >= {p(due)} AND (c.next_due_on > {p(due)} OR (c.next_due_on = {p(due)} AND {newer}))"
                )
            else:
                where.append(f"c.opened_on <= {p(opened)} AND {newer}")
        order = "c.opened_on DESC, c.arrival DESC, c.reference"
        if by_due:
            order = "c.next_due_on, " + order
        me = p(user_id)
        if q["role"] == "division_head":
            readable = "1" if self.is_sqlite else "true"
        else:
            rule = [
                "NOT EXISTS (SELECT 1 FROM case_assignment a WHERE a.case_id = c.id)",
                f"EXISTS (SELECT 1 FROM case_assignment a WHERE a.case_id = c.id AND a.user_id = {me})",
            ]
            if q["role"] == "team_lead":
                rule.append(f"c.team = {p(q['staff_team'])}")
            readable = "(" + " OR ".join(rule) + ")"
        by_case = self._indexed("ix_separation_order_case_id")  # the row's orders, not every active one
        due_text = "d.kind || ' ' || d.due_on" if self.is_sqlite else "d.kind || ' ' || d.due_on::text"
        sql = f"""
            SELECT c.reference, c.status, c.team, c.category, c.org_kind, c.opened_on, c.met_late, c.next_due_on,
                   {readable},
                   (SELECT {due_text} FROM case_deadline d
                    WHERE d.case_id = c.id AND d.met_on IS NULL
                      AND (c.status NOT IN ('{ENDED[0]}', '{ENDED[1]}') OR d.kind IN ('{OUTLIVE[0]}', '{OUTLIVE[1]}'))
                    ORDER BY d.due_on LIMIT 1),
                   (SELECT count(*) FROM separation_order o{by_case} JOIN separation_violation v ON v.order_id = o.id
                    WHERE o.case_id = c.id AND o.status = 'active' AND v.resolved_on IS NULL),
                   EXISTS (SELECT 1 FROM separation_order o{by_case}
                           WHERE o.case_id = c.id AND o.status = 'active' AND o.awaiting_triage = {p(True)}),
                   EXISTS (SELECT 1 FROM case_message m
                           WHERE m.case_id = c.id AND m.author = 'reporter'
                             AND m.seq > coalesce((SELECT r.message_seq FROM case_read_marker r
                                                   WHERE r.case_id = c.id AND r.user_id = {me}), 0))
            FROM case_file c{self._indexed(BY_ID)}
            WHERE c.id IN (SELECT c.id FROM case_file c{self._indexed(BY_ID if within else DUE if by_due or part else NEWEST)}
                           WHERE {" AND ".join(where)}
                           ORDER BY {order}
                           LIMIT {p(limit)})
            ORDER BY {order}
        """
        items = []
        for r in await self._fetch(sql, p):
            next_due = self._day(r[7])
            readable_row = bool(r[8])
            kind, _, due = (r[9] or "").partition(" ")
            items.append(
                {
                    "reference": r[0],
                    "status": r[1],
                    "team": r[2],
                    "category": r[3],
                    "org_kind": r[4],
                    "opened_on": str(self._day(r[5])),
                    "overdue": bool(r[6]) or (next_due is not None and next_due < today),
                    "content_visible": readable_row,
                    "next_deadline": {"kind": kind, "due_on": due} if kind else None,
                    "open_violations": int(r[10]),
                    "separation_awaiting_triage": bool(r[11]),
                    "unread_messages": readable_row and bool(r[12]),
                }
            )
        return items
