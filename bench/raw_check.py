"""The separation check as ONE hand-written SQL statement (RAW_CHECK), the baseline of bench/separation_check.py,
and the way both of its measurements run it: in the benchmark's own process (RawQuery on a driver connection) and
behind a bare HTTP endpoint (bench/bare_app.py, POST /raw-check). Written apart from the app's own statement
(app.db.repositories.separation) on purpose: the baseline must not be the app's code.
"""

from __future__ import annotations

import re
from typing import Any

# --- the check as one hand-written query ---------------------------------------------------------------------

# The same question as app.services.separation.check_placement, answered in one statement that runs on both
# databases: the active orders of the mover (with a new supervisor: of anyone below the mover too), each side's
# unit, transitive chain of command and assignments as they would be after the placement, and one row per order
# and reason. The chain walks "effective supervisors": the mover's is the proposed supervisor. Written for both
# planners: one-row lookups are scalar subqueries (index lookups, never hash joins over the employee table);
# CROSS JOIN fixes SQLite's join order (without ANALYZE statistics it would scan every active order through the
# status index; PostgreSQL plans it as an inner join); the subtree branch runs only with a new supervisor.
RAW_CHECK = """
    WITH RECURSIVE
    mover AS MATERIALIZED (SELECT id FROM employee WHERE employee_number = :employee),
    new_unit AS MATERIALIZED (SELECT id FROM org_unit WHERE external_id = :unit),
    new_assignment AS MATERIALIZED (SELECT id FROM assignment WHERE external_id = :assignment),
    new_supervisor AS MATERIALIZED (SELECT id FROM employee WHERE employee_number = :supervisor),
    below(id, depth) AS (
        SELECT e.id, 1 FROM employee e
        WHERE e.supervisor_id = (SELECT id FROM mover) AND EXISTS (SELECT 1 FROM new_supervisor)
        UNION ALL
        SELECT e.id, b.depth + 1 FROM below b CROSS JOIN employee e WHERE e.supervisor_id = b.id AND b.depth < 500
    ),
    orders AS MATERIALIZED (
        SELECT o.reference, o.victim_id, o.respondent_id FROM separation_order o
        WHERE o.victim_id = (SELECT id FROM mover) AND o.status = 'active'
        UNION
        SELECT o.reference, o.victim_id, o.respondent_id FROM separation_order o
        WHERE o.respondent_id = (SELECT id FROM mover) AND o.status = 'active'
        UNION
        SELECT o.reference, o.victim_id, o.respondent_id FROM below b CROSS JOIN separation_order o
        WHERE o.victim_id = b.id AND o.status = 'active' AND EXISTS (SELECT 1 FROM new_supervisor)
        UNION
        SELECT o.reference, o.victim_id, o.respondent_id FROM below b CROSS JOIN separation_order o
        WHERE o.respondent_id = b.id AND o.status = 'active' AND EXISTS (SELECT 1 FROM new_supervisor)
    ),
    chain(person, id, depth) AS (
        SELECT p.id,
               CASE WHEN p.id = (SELECT id FROM mover) AND EXISTS (SELECT 1 FROM new_supervisor)
                    THEN (SELECT id FROM new_supervisor)
                    ELSE (SELECT e.supervisor_id FROM employee e WHERE e.id = p.id) END,
               1
        FROM (SELECT victim_id AS id FROM orders UNION SELECT respondent_id FROM orders) p
        UNION ALL
        SELECT c.person,
               CASE WHEN c.id = (SELECT id FROM mover) AND EXISTS (SELECT 1 FROM new_supervisor)
                    THEN (SELECT id FROM new_supervisor)
                    ELSE (SELECT e.supervisor_id FROM employee e WHERE e.id = c.id) END,
               c.depth + 1
        FROM chain c WHERE c.id IS NOT NULL AND c.depth < 500
    )
    SELECT o.reference, 'separated-same-unit' FROM orders o
    WHERE CASE WHEN o.victim_id = (SELECT id FROM mover) AND EXISTS (SELECT 1 FROM new_unit)
               THEN (SELECT id FROM new_unit)
               ELSE (SELECT e.unit_id FROM employee e WHERE e.id = o.victim_id) END
        = CASE WHEN o.respondent_id = (SELECT id FROM mover) AND EXISTS (SELECT 1 FROM new_unit)
               THEN (SELECT id FROM new_unit)
               ELSE (SELECT e.unit_id FROM employee e WHERE e.id = o.respondent_id) END
    UNION
    SELECT o.reference, 'separated-chain-of-command' FROM orders o
        JOIN chain c ON c.person = o.victim_id AND c.id = o.respondent_id
    UNION
    SELECT o.reference, 'separated-chain-of-command' FROM orders o
        JOIN chain c ON c.person = o.respondent_id AND c.id = o.victim_id
    UNION
    SELECT o.reference, 'separated-shared-assignment' FROM orders o
    WHERE EXISTS (SELECT 1 FROM assignment_member v CROSS JOIN assignment_member r
                  WHERE v.employee_id = o.victim_id AND v.member = :member
                    AND r.assignment_id = v.assignment_id AND r.employee_id = o.respondent_id AND r.member = :member)
       OR EXISTS (SELECT 1 FROM new_assignment a CROSS JOIN assignment_member m
                  WHERE m.assignment_id = a.id AND m.member = :member
                    AND (o.victim_id = (SELECT id FROM mover) AND m.employee_id = o.respondent_id
                         OR o.respondent_id = (SELECT id FROM mover) AND m.employee_id = o.victim_id))
"""
RAW_PARAMS = ("employee", "unit", "assignment", "supervisor", "member")


class RawQuery:
    """RAW_CHECK on a connection of the same driver as the server's (aiosqlite or asyncpg), straight on the driver:
    one statement, one round trip, its own implicit transaction (autocommit), results fetched."""

    def __init__(self, driver_connection: Any, is_sqlite: bool) -> None:
        self.connection, self.is_sqlite = driver_connection, is_sqlite
        self.sql = RAW_CHECK
        if not is_sqlite:  # asyncpg numbers its parameters
            for i, name in enumerate(RAW_PARAMS, start=1):
                self.sql = re.sub(rf":{name}\b", f"${i}", self.sql)

    async def prepare(self) -> None:
        if not self.is_sqlite:
            # The planner's row estimates for recursive CTEs are in the millions, far above jit_above_cost: with
            # JIT on, every execution would spend ~100 ms compiling. Off for this connection, as for OLTP work.
            await self.connection.execute("SET jit = off")

    async def check(self, body: dict[str, str]) -> list[tuple[str, str]]:
        params: dict[str, Any] = {
            "employee": body["employee_number"],
            "unit": body.get("unit"),
            "assignment": body.get("assignment"),
            "supervisor": body.get("supervisor"),
            "member": True,
        }
        if self.is_sqlite:
            rows = await self.connection.execute_fetchall(self.sql, params)
        else:
            rows = await self.connection.fetch(self.sql, *(params[name] for name in RAW_PARAMS))
        return [(str(r[0]), str(r[1])) for r in rows]
