"""The batch separation check as ONE hand-written SQL statement over a VALUES list (RAW_BATCH), the baseline of
bench/check_batch.py. Written apart from the app's code (app/services/separation_batch.py, the batch look-ups in
app/db/repositories/separation.py) on purpose: the baseline must not be the app's code — its MACs and decryption are
bench/raw_check.py's own (written out from the storage format).

What it answers: for each placement of a draft list, what the single check would answer once every other placement
of the list is applied (docs/api.md, "Check a whole placement list"): a problem code (`unknown-reference`,
`employee-not-active`, `cycle`) or the refusals (order reference, reason). Orders name their people by MAC and
encrypted id only (security review F3), so the orders cannot be joined to the directory in SQL: before the statement
they are read — every active order (`all`), or those naming a mover or anyone below a mover who gets a new
supervisor (`mac`: one walk down, then a look-up by MAC) — and their ids decrypted here; they go into RAW_BATCH as a
second VALUES list. The placements are inlined as literals (a 10,000-row VALUES list: more values than either
driver's bound-parameter limit).
"""

from __future__ import annotations

import time
from typing import Any

from raw_check import RawQuery

# The directory after the whole list is applied ("applied": every placement whose employee exists and has not left
# and whose unit, supervisor and assignment exist). `nodes`: every order person and new supervisor and everyone
# above them, each with their effective supervisor (the applied new one, else the stored one; one index look-up
# each); `chain`: (start, someone above the start), each pair once (UNION: finite with cycles too), walked over
# `nodes` alone — walking the employee table at every step instead, PostgreSQL (estimating billions of rows) sorted
# it at every step, and SQLite was no faster. A placement is concerned by an order when its employee is one of the
# two, or, with a new supervisor, above one of them. Output: one row per problem (idx, code) and per refusal (idx,
# NULL, reference, reason) of a placement without a problem.
RAW_BATCH = """
    WITH RECURSIVE
    batch(idx, employee_number, unit, supervisor, assignment) AS (VALUES {placements}),
    orders(reference, victim_id, respondent_id) AS (VALUES {orders}),
    placed AS MATERIALIZED (
        SELECT b.idx, m.id AS mover, m.status, b.unit, u.id AS unit_id, b.supervisor, s.id AS sup_id,
               b.assignment, a.id AS assignment_id
        FROM batch b
        LEFT JOIN employee m ON m.employee_number = b.employee_number
        LEFT JOIN org_unit u ON u.external_id = b.unit
        LEFT JOIN employee s ON s.employee_number = b.supervisor
        LEFT JOIN assignment a ON a.external_id = b.assignment
    ),
    applied AS MATERIALIZED (
        SELECT idx, mover, unit_id, sup_id, assignment_id FROM placed
        WHERE mover IS NOT NULL AND status <> 'retired'
          AND (unit IS NULL OR unit_id IS NOT NULL) AND (supervisor IS NULL OR sup_id IS NOT NULL)
          AND (assignment IS NULL OR assignment_id IS NOT NULL)
    ),
    people AS MATERIALIZED (SELECT victim_id AS id FROM orders UNION SELECT respondent_id FROM orders),
    starts AS MATERIALIZED (
        SELECT id FROM people UNION SELECT sup_id FROM placed WHERE sup_id IS NOT NULL AND mover IS NOT NULL
    ),
    nodes(id, sup) AS (
        SELECT s.id, COALESCE(a.sup_id, e.supervisor_id)
        FROM starts s JOIN employee e ON e.id = s.id LEFT JOIN applied a ON a.mover = s.id
        UNION
        SELECT n.sup, COALESCE(a.sup_id, (SELECT e.supervisor_id FROM employee e WHERE e.id = n.sup))
        FROM nodes n LEFT JOIN applied a ON a.mover = n.sup
        WHERE n.sup IS NOT NULL
    ),
    chain(start, id) AS (
        SELECT n.id, n.sup FROM nodes n JOIN starts s ON s.id = n.id
        UNION
        SELECT c.start, n.sup FROM chain c JOIN nodes n ON n.id = c.id
    ),
    unit_now AS MATERIALIZED (
        SELECT p.id, COALESCE(a.unit_id, e.unit_id) AS unit_id
        FROM people p JOIN employee e ON e.id = p.id LEFT JOIN applied a ON a.mover = p.id
    ),
    held AS MATERIALIZED (
        SELECT m.employee_id, m.assignment_id FROM assignment_member m JOIN people p ON p.id = m.employee_id
        WHERE m.member = {true}
        UNION
        SELECT a.mover, a.assignment_id FROM applied a JOIN people p ON p.id = a.mover
        WHERE a.assignment_id IS NOT NULL
    ),
    connected AS MATERIALIZED (
        SELECT o.reference, o.victim_id, o.respondent_id, 'separated-same-unit' AS reason
        FROM orders o JOIN unit_now v ON v.id = o.victim_id JOIN unit_now r ON r.id = o.respondent_id
        WHERE v.unit_id = r.unit_id
        UNION
        SELECT o.reference, o.victim_id, o.respondent_id, 'separated-chain-of-command'
        FROM orders o JOIN chain c ON c.start = o.victim_id AND c.id = o.respondent_id
        UNION
        SELECT o.reference, o.victim_id, o.respondent_id, 'separated-chain-of-command'
        FROM orders o JOIN chain c ON c.start = o.respondent_id AND c.id = o.victim_id
        UNION
        SELECT o.reference, o.victim_id, o.respondent_id, 'separated-shared-assignment'
        FROM orders o JOIN held v ON v.employee_id = o.victim_id
             JOIN held r ON r.employee_id = o.respondent_id AND r.assignment_id = v.assignment_id
    ),
    cycles AS MATERIALIZED (
        SELECT p.idx FROM placed p JOIN chain c ON c.start = p.sup_id AND c.id = p.mover
        UNION SELECT idx FROM placed WHERE sup_id = mover
    ),
    problem AS MATERIALIZED (
        SELECT p.idx, CASE
            WHEN p.mover IS NULL THEN 'unknown-reference'
            WHEN p.status = 'retired' THEN 'employee-not-active'
            WHEN (p.unit IS NOT NULL AND p.unit_id IS NULL) OR (p.supervisor IS NOT NULL AND p.sup_id IS NULL)
                THEN 'unknown-reference'
            WHEN p.idx IN (SELECT idx FROM cycles) THEN 'cycle'
            WHEN p.assignment IS NOT NULL AND p.assignment_id IS NULL THEN 'unknown-reference'
        END AS code
        FROM placed p
    ),
    moved_above AS MATERIALIZED (
        SELECT a.mover AS person, a.idx FROM applied a JOIN people p ON p.id = a.mover
        UNION
        SELECT c.start, a.idx FROM chain c JOIN applied a ON a.mover = c.id
        WHERE a.sup_id IS NOT NULL AND c.start IN (SELECT id FROM people)
    ),
    concern AS (
        SELECT m.idx, c.reference, c.reason FROM connected c JOIN moved_above m ON m.person = c.victim_id
        UNION
        SELECT m.idx, c.reference, c.reason FROM connected c JOIN moved_above m ON m.person = c.respondent_id
    )
    SELECT idx, code, NULL AS reference, NULL AS reason FROM problem WHERE code IS NOT NULL
    UNION ALL
    SELECT c.idx, NULL, c.reference, c.reason FROM concern c JOIN problem p ON p.idx = c.idx WHERE p.code IS NULL
"""

# The orders named by a MAC in the list: two index look-ups, then by primary key; the status read, not filtered on.
ORDERS_BY_MAC = """
    SELECT reference, victim_id, respondent_id, status FROM separation_order WHERE id IN (
        SELECT id FROM separation_order WHERE victim_mac IN (VALUES {macs})
        UNION SELECT id FROM separation_order WHERE respondent_mac IN (VALUES {macs})
    )
"""
ALL_ORDERS = "SELECT reference, victim_id, respondent_id, status FROM separation_order WHERE status = 'active'"
# Everyone below the listed employees in the stored chain of command, the employees included, each once.
BELOW = """
    WITH RECURSIVE down(id) AS (
        SELECT id FROM employee WHERE employee_number IN (VALUES {numbers})
        UNION
        SELECT e.id FROM down d JOIN employee e ON e.supervisor_id = d.id
    )
    SELECT e.employee_number FROM down d JOIN employee e ON e.id = d.id
"""
REASONS = ("separated-same-unit", "separated-chain-of-command", "separated-shared-assignment")


def literal(value: str | None) -> str:
    """A string literal (the benchmark's own keys; anything unusual is quoted safely all the same)."""
    if value is None:
        return "NULL"
    return "'" + value.replace("'", "''") + "'"


class RawBatch(RawQuery):
    """RAW_BATCH on a driver connection of the server's kind (aiosqlite or asyncpg): the orders read first (one
    statement, or two for `mac`), then the one statement. `check` returns, per placement in order, a problem code or
    the sorted refusals."""

    def __init__(self, driver_connection: Any, is_sqlite: bool, master_key: bytes, orders: str = "all") -> None:
        super().__init__(driver_connection, is_sqlite, master_key)
        self.orders = orders
        self.last_statement_seconds = 0.0

    async def _rows(self, sql: str) -> list[Any]:
        if self.is_sqlite:
            return list(await self.connection.execute_fetchall(sql))
        return list(await self.connection.fetch(sql))

    def _uuid(self, value: object) -> str:
        return f"'{value}'" if self.is_sqlite else f"'{value}'::uuid"

    async def read_orders(self, placements: list[dict[str, str]]) -> list[tuple[str, object, object]]:
        if self.orders == "all":
            found = await self._rows(ALL_ORDERS)
        else:
            numbers = {p["employee_number"] for p in placements}
            supervised = [p["employee_number"] for p in placements if p.get("supervisor")]
            if supervised:
                values = ", ".join(f"({literal(n)})" for n in supervised)
                numbers |= {str(r[0]) for r in await self._rows(BELOW.format(numbers=values))}
            macs = ", ".join(f"('{self._mac(n)}')" for n in sorted(numbers))
            found = await self._rows(ORDERS_BY_MAC.format(macs=macs))
        return [
            (str(r[0]), self._ref(r[1], "victim_id"), self._ref(r[2], "respondent_id"))
            for r in found
            if r[3] == "active"
        ]

    async def check(self, placements: list[dict[str, str]]) -> list[Any]:  # type: ignore[override]
        orders = await self.read_orders(placements)
        rows = ", ".join(
            f"({i}, {literal(p['employee_number'])}, {literal(p.get('unit'))}, {literal(p.get('supervisor'))}, "
            f"{literal(p.get('assignment'))})"
            for i, p in enumerate(placements)
        )
        null_id = "NULL" if self.is_sqlite else "NULL::uuid"
        order_rows = (
            ", ".join(
                f"({literal(reference)}, {self._uuid(victim)}, {self._uuid(respondent)})"
                for reference, victim, respondent in orders
            )
            or f"(NULL, {null_id}, {null_id})"
        )
        sql = RAW_BATCH.format(placements=rows, orders=order_rows, true="1" if self.is_sqlite else "true")
        started = time.perf_counter()
        found = await self._rows(sql)
        self.last_statement_seconds = time.perf_counter() - started
        answers: list[Any] = [[] for _ in placements]
        for idx, code, reference, reason in found:
            if code is not None:
                answers[idx] = str(code)
            else:
                answers[idx].append((str(reference), str(reason)))
        return [a if isinstance(a, str) else sorted(set(a), key=lambda r: (r[0], REASONS.index(r[1]))) for a in answers]
