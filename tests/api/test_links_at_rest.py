"""ACC-2 (security review F3): a database dump without the master key says neither who the victim, witness,
reporter or respondent of a case or a separation order is, nor when to the second an order opened; the database
files are owner-only.

The dump is read as the reviewer read it: with a plain driver connection (sqlite3 in a child process, or asyncpg),
no key and none of the app's column types."""

from __future__ import annotations

import asyncio
import base64
import json
import re
import stat
import subprocess
import sys
import tempfile
import uuid
from datetime import date, datetime
from pathlib import Path
from typing import Any

import asyncpg
from sqlalchemy import text

from app.db.engine import make_engine
from app.settings import Settings
from tests.builders import make_report
from tests.conftest import database_url
from tests.directory import Org, machine_headers, make_org

# The reviewer's joins (F3): who is the victim of which case, who are the two people of which order.
REVIEW_JOINS = {
    "parties": "SELECT c.reference, p.role, e.employee_number FROM protected_person p"
    " JOIN employee e ON e.id = p.employee_id JOIN case_file c ON c.id = p.case_id",
    "orders": "SELECT o.reference, v.employee_number, r.employee_number FROM separation_order o"
    " JOIN employee v ON v.id = o.victim_id JOIN employee r ON r.id = o.respondent_id",
    "respondents": "SELECT c.reference, e.employee_number FROM case_file c JOIN employee e"
    " ON e.id = c.respondent_employee_id",
}
# Where an employee's id and number belong: the personnel directory, as the personnel system sends it.
DIRECTORY = {"employee", "org_unit", "assignment", "assignment_member", "personnel_event", "organisation"}

_SQLITE_DUMP = r"""
import json, sqlite3, sys
con = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True)
joins = json.loads(sys.argv[2])
tables = {}
for (name,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall():
    cursor = con.execute(f'SELECT * FROM "{name}"')
    columns = [d[0] for d in cursor.description]
    tables[name] = [{c: (v.hex() if isinstance(v, bytes) else v) for c, v in zip(columns, row)} for row in cursor]
found = {}
for key, sql in joins.items():
    try:
        found[key] = [list(r) for r in con.execute(sql).fetchall()]
    except sqlite3.Error as exc:
        found[key] = f"error: {exc}"
json.dump({"tables": tables, "joins": found}, sys.stdout, default=str)
"""


def _plain(value: Any) -> Any:
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, uuid.UUID):
        return value.hex
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


async def raw_dump() -> dict[str, Any]:
    """Every row of every table, and what the reviewer's joins return, read without the key."""
    url = database_url()
    if url.startswith("sqlite"):
        path = url.split(":///", 1)[1]
        done = await asyncio.to_thread(
            subprocess.run,
            [sys.executable, "-c", _SQLITE_DUMP, path, json.dumps(REVIEW_JOINS)],
            capture_output=True,
            check=True,
        )
        return json.loads(done.stdout)
    connection = await asyncpg.connect(url.replace("postgresql+asyncpg", "postgresql"))
    try:
        names = [
            r[0]
            for r in await connection.fetch(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"
            )
        ]
        tables = {}
        for name in names:
            rows = await connection.fetch(f'SELECT * FROM "{name}"')  # noqa: S608 (the database's own table names)
            tables[name] = [{k: _plain(v) for k, v in r.items()} for r in rows]
        joins: dict[str, Any] = {}
        for key, sql in REVIEW_JOINS.items():
            try:
                joins[key] = [[_plain(v) for v in r] for r in await connection.fetch(sql)]
            except asyncpg.PostgresError as exc:  # uuid = bytea: the join cannot even be written
                joins[key] = f"error: {exc}"
        return {"tables": tables, "joins": joins}
    finally:
        await connection.close()


def _finer_than_a_day(value: Any) -> bool:
    match = re.fullmatch(r"\d{4}-\d\d-\d\d[ T](\d\d):(\d\d):(\d\d)(\.\d+)?([+-]\d\d:?\d\d|Z)?", str(value))
    return match is not None and (match.group(1, 2, 3) != ("00", "00", "00") or float(match.group(4) or 0) > 0)


async def test_acc_2_f3_a_dump_without_the_key_names_no_party_of_a_case_or_order(client, uow_factory) -> None:
    """ACC-2 (F3): after a confidential victim report naming the victim (the reporter's employee number), the
    respondent and a witness — which opens a separation order, announced to a webhook subscriber — no table outside
    the personnel directory holds the employee id or number of any of them, the reviewer's joins recover nothing,
    the MACs that name them appear nowhere in the directory, and neither the order nor its audit entry carries a
    time finer than a day."""
    org: Org = await make_org(
        uow_factory,
        units={"U-RESP": None, "U-VICT": None},
        people={"boss": ("U-RESP", None), "resp": ("U-RESP", "boss"), "vict": ("U-VICT", "boss"), "wit": ("U-RESP", "boss")},
    )
    hr = await machine_headers(client, uow_factory, "webhooks:manage")
    subscribed = await client.post(
        "/api/v1/webhooks/subscriptions",
        json={"url": "http://127.0.0.1:9/hook", "topics": ["separation.order_opened"]},
        headers=hr,
    )
    assert subscribed.status_code == 201, subscribed.text
    report = await make_report(
        client,
        reporter_kind="victim",
        identity_mode="confidential",
        reporter={"name": "VICTIM-NAME", "email": "victim@example.org", "employee_number": org.employees["vict"]},
        respondent={"employee_number": org.employees["resp"]},
        witnesses=[{"employee_number": org.employees["wit"]}],
    )
    async with uow_factory() as uow:
        case = await uow.cases.case_by_reference(report["case_reference"])
        assert case is not None
        (order,) = await uow.separation.orders_for_case(case.id)
        # The app, with the key, still reads the links back.
        assert (order.victim_id, order.respondent_id) == (org.ids["vict"], org.ids["resp"])
        assert case.respondent_employee_id == org.ids["resp"]
        assert set(await uow.cases.party_ids(case.id)) == {org.ids["vict"], org.ids["wit"]}
        case_id, order_reference = case.id, order.reference

    dump = await raw_dump()
    tables: dict[str, list[dict[str, Any]]] = dump["tables"]

    # The reviewer's joins: no row (or a type error: the join cannot be written).
    for key, rows in dump["joins"].items():
        assert rows == [] or str(rows).startswith("error"), (key, rows)

    # No id or number of the three outside the directory.
    people = {org.ids[n].hex for n in ("vict", "resp", "wit")} | {str(org.ids[n]) for n in ("vict", "resp", "wit")}
    numbers = {org.employees[n] for n in ("vict", "resp", "wit")}
    for table, rows in tables.items():
        if table in DIRECTORY:
            continue
        for row in rows:
            for column, value in row.items():
                shown = str(value)
                assert not any(p in shown for p in people | numbers), (table, column)

    # The MACs naming them (in the case, its protected persons, the order) join nothing in the directory.
    case_row = next(r for r in tables["case_file"] if r["reference"] == report["case_reference"])
    order_row = next(r for r in tables["separation_order"] if r["reference"] == order_reference)
    macs = {case_row["respondent_mac"], order_row["victim_mac"], order_row["respondent_mac"]} | {
        r["employee_mac"] for r in tables["protected_person"] if r["case_id"] in (case_id.hex, str(case_id))
    }
    assert len(macs) == 3 and None not in macs  # victim, respondent, witness
    directory_values = {str(v) for t in DIRECTORY for r in tables.get(t, []) for v in r.values()}
    assert not macs & directory_values

    # The day only, for the order and for the audit entry of its opening.
    assert not [c for c, v in order_row.items() if _finer_than_a_day(v)], order_row
    opened = [r for r in tables["audit_entry"] if r["target"] == order_reference]
    assert opened and not [r for r in opened if _finer_than_a_day(r["at"])], opened


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


async def test_acc_2_f3_sqlite_files_and_the_key_file_are_owner_only(tmp_path: Path) -> None:
    """ACC-2 (F3): the SQLite database, its WAL and shared-memory files, and a key file the app writes, are
    readable and writable by their owner only (0600) — also a database file an earlier version left world-readable."""
    database = tmp_path / "withu.db"
    engine = make_engine(f"sqlite+aiosqlite:///{database}")
    try:
        async with engine.begin() as conn:
            await conn.execute(text("CREATE TABLE t (x INTEGER)"))
            await conn.execute(text("INSERT INTO t VALUES (1)"))
        files = [database, Path(f"{database}-wal"), Path(f"{database}-shm")]
        assert all(f.exists() for f in files)
        assert {f.name: _mode(f) for f in files} == {f.name: 0o600 for f in files}
    finally:
        await engine.dispose()

    older = Path(tempfile.mkdtemp()) / "older.db"
    older.touch(mode=0o644)
    older.chmod(0o644)
    engine = make_engine(f"sqlite+aiosqlite:///{older}")
    await engine.dispose()
    assert _mode(older) == 0o600

    key_file = tmp_path / "keys" / "master.key"
    settings = Settings(environment="development", master_key=None, master_key_file=key_file)
    key = settings.load_master_key()
    assert len(key) == 32 and base64.b64decode(key_file.read_text()) == key
    assert _mode(key_file) == 0o600
