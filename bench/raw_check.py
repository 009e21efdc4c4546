"""The separation check as hand-written SQL (RAW_CHECK and the look-ups before it), the baseline of
bench/separation_check.py, and the way both of its measurements run it: in the benchmark's own process (RawQuery on
a driver connection) and behind a bare HTTP endpoint (bench/bare_app.py, POST /raw-check). Written apart from the
app's own statements (app.db.repositories.separation) on purpose: the baseline must not be the app's code — not
even its cryptography, which is written out here from the storage format (app/db/encryption.py, app/db/links.py).
"""

from __future__ import annotations

import hashlib
import hmac
import uuid
from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

# --- the check as hand-written queries -----------------------------------------------------------------------

# An order names its two people by MAC (HMAC-SHA256 of "employee:<number>" under a key derived from the master key)
# and by encrypted ids only (security review F3), so the check cannot be one statement: the orders concerned are
# found by the MACs of the mover (and, with a new supervisor, of everyone below the mover: SUBTREE first), their ids
# decrypted here, and RAW_CHECK answers over them. Three round trips with a new supervisor, two without.
SUBTREE = """
    WITH RECURSIVE down(id, depth) AS (
        SELECT id, 0 FROM employee WHERE employee_number = {employee}
        UNION ALL
        SELECT e.id, d.depth + 1 FROM down d CROSS JOIN employee e WHERE e.supervisor_id = d.id AND d.depth < 500
    )
    SELECT e.employee_number FROM down d CROSS JOIN employee e WHERE e.id = d.id
"""
# By primary key from two MAC index look-ups; the status is read, not filtered on (with it, SQLite without
# statistics walks every active order through the status index instead).
ORDERS = """
    SELECT reference, victim_id, respondent_id, status FROM separation_order
    WHERE id IN (
        SELECT id FROM separation_order WHERE victim_mac IN ({victims})
        UNION SELECT id FROM separation_order WHERE respondent_mac IN ({respondents})
    )
"""
# Each side's unit, transitive chain of command and assignments as they would be after the placement, one row per
# order and reason. The chain walks "effective supervisors": the mover's is the proposed supervisor. One-row lookups
# are scalar subqueries (index lookups, never hash joins over the employee table).
RAW_CHECK = """
    WITH RECURSIVE
    mover AS MATERIALIZED (SELECT id FROM employee WHERE employee_number = {employee}),
    new_unit AS MATERIALIZED (SELECT id FROM org_unit WHERE external_id = {unit}),
    new_assignment AS MATERIALIZED (SELECT id FROM assignment WHERE external_id = {assignment}),
    new_supervisor AS MATERIALIZED (SELECT id FROM employee WHERE employee_number = {supervisor}),
    orders(reference, victim_id, respondent_id) AS MATERIALIZED ({orders}),
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
                  WHERE v.employee_id = o.victim_id AND v.member = {member}
                    AND r.assignment_id = v.assignment_id AND r.employee_id = o.respondent_id AND r.member = {member})
       OR EXISTS (SELECT 1 FROM new_assignment a CROSS JOIN assignment_member m
                  WHERE m.assignment_id = a.id AND m.member = {member}
                    AND (o.victim_id = (SELECT id FROM mover) AND m.employee_id = o.respondent_id
                         OR o.respondent_id = (SELECT id FROM mover) AND m.employee_id = o.victim_id))
"""


NO_ORDERS = {True: "SELECT NULL, NULL, NULL WHERE 1 = 0", False: "SELECT NULL, NULL::uuid, NULL::uuid WHERE false"}


class _Params:
    """Positional parameters in the driver's own style: ? (sqlite3) or $1, $2, … (asyncpg)."""

    def __init__(self, is_sqlite: bool) -> None:
        self.is_sqlite, self.values = is_sqlite, []  # type: ignore[var-annotated]

    def __call__(self, value: Any, cast: str | None = None) -> str:
        self.values.append(value)
        mark = "?" if self.is_sqlite else f"${len(self.values)}"
        return f"CAST({mark} AS {cast})" if cast and not self.is_sqlite else mark


class RawQuery:
    """The check on a connection of the same driver as the server's (aiosqlite or asyncpg), straight on the driver:
    each statement one round trip in its own implicit transaction (autocommit), results fetched. `master_key`: the
    server's (32 bytes), for the MACs and the encrypted ids of the orders."""

    def __init__(self, driver_connection: Any, is_sqlite: bool, master_key: bytes) -> None:
        self.connection, self.is_sqlite = driver_connection, is_sqlite
        self._link_key = hmac.new(master_key, b"withu:link-mac", hashlib.sha256).digest()
        self._master = AESGCM(master_key)

    async def prepare(self) -> None:
        if not self.is_sqlite:
            # The planner's row estimates for recursive CTEs are in the millions, far above jit_above_cost: with
            # JIT on, every execution would spend ~100 ms compiling. Off for this connection, as for OLTP work.
            await self.connection.execute("SET jit = off")

    def _mac(self, number: str) -> str:
        return hmac.new(self._link_key, f"employee:{number}".encode(), hashlib.sha256).hexdigest()

    def _id(self, blob: bytes, context: str) -> uuid.UUID:
        """An encrypted id: version byte, wrapped data key (nonce + AES-GCM), value (nonce + AES-GCM)."""
        aad, blob = context.encode(), bytes(blob)
        wrapped, value = blob[1:61], blob[61:]
        data_key = self._master.decrypt(wrapped[:12], wrapped[12:], aad)
        return uuid.UUID(AESGCM(data_key).decrypt(value[:12], value[12:], aad).decode())

    async def _fetch(self, sql: str, params: _Params) -> list[Any]:
        if self.is_sqlite:
            return list(await self.connection.execute_fetchall(sql, params.values))
        return list(await self.connection.fetch(sql, *params.values))

    async def check(self, body: dict[str, str]) -> list[tuple[str, str]]:
        numbers = [body["employee_number"]]
        if body.get("supervisor") is not None:
            p = _Params(self.is_sqlite)
            numbers += [r[0] for r in await self._fetch(SUBTREE.format(employee=p(body["employee_number"])), p)]
        p = _Params(self.is_sqlite)
        macs = sorted({self._mac(n) for n in numbers})
        victims = ", ".join(p(m) for m in macs)  # in text order: sqlite3's ? are positional
        found = await self._fetch(ORDERS.format(victims=victims, respondents=", ".join(p(m) for m in macs)), p)
        p = _Params(self.is_sqlite)
        sql = RAW_CHECK.format(
            employee=p(body["employee_number"]),
            unit=p(body.get("unit")),
            assignment=p(body.get("assignment")),
            supervisor=p(body.get("supervisor")),
            member="1" if self.is_sqlite else "true",
            orders=" UNION ALL ".join(
                f"SELECT {p(reference, 'varchar')}, {p(self._ref(v, 'victim_id'), 'uuid')}, "
                f"{p(self._ref(r, 'respondent_id'), 'uuid')}"
                for reference, v, r, status in found
                if status == "active"
            )
            or NO_ORDERS[self.is_sqlite],
        )
        return [(str(r[0]), str(r[1])) for r in await self._fetch(sql, p)]

    def _ref(self, blob: bytes, column: str) -> object:
        """A decrypted id as the employee table stores it: 32 hex digits (SQLite) or a uuid (PostgreSQL)."""
        value = self._id(blob, f"separation_order.{column}")
        return value.hex if self.is_sqlite else value
