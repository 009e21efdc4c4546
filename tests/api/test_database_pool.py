"""The engine's pool: a connection is clean when it is handed out again (SQLite's reset on return rolls back only
an open transaction), and on PostgreSQL a dead one is replaced before a request uses it (after a restart or a cut
connection: the pre-ping)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url

from app.db.engine import make_engine
from tests.conftest import database_url


def postgresql_url() -> str:
    """PostgreSQL for these tests in either run: the run's database, or the throwaway one scripts/test-all.sh
    makes (WITHU_TEST_PG_URL, exported for the SQLite run too)."""
    url = database_url() if database_url().startswith("postgresql") else os.environ.get("WITHU_TEST_PG_URL", "")
    assert url.startswith("postgresql"), "these tests need PostgreSQL: set WITHU_TEST_PG_URL (scripts/test-all.sh does)"
    return url


async def test_sqlite_connection_returned_inside_a_transaction_is_rolled_back() -> None:
    """The pool skips the rollback on return only when no transaction is open: one left open is rolled back."""
    engine = make_engine(f"sqlite+aiosqlite:///{Path(tempfile.mkdtemp()) / 'pool.db'}")
    try:
        async with engine.begin() as conn:
            await conn.execute(text("CREATE TABLE t (x INTEGER)"))
        async with engine.connect() as conn:
            driver = (await conn.get_raw_connection()).driver_connection
            await driver.execute("BEGIN IMMEDIATE")  # behind SQLAlchemy's back: it thinks no transaction is open
            await driver.execute("INSERT INTO t VALUES (1)")
            assert driver.in_transaction
        assert not driver.in_transaction  # rolled back when it went back to the pool
        async with engine.connect() as conn:
            assert (await conn.execute(text("SELECT count(*) FROM t"))).scalar() == 0
    finally:
        await engine.dispose()


async def test_postgresql_live_pooled_connection_is_reused() -> None:
    """The ping on checkout passes on a live connection: the pool hands the same server connection out again (a
    ping that always failed would replace it every time, and every request would still be answered)."""
    engine = make_engine(postgresql_url())
    try:
        pids = []
        for _ in range(3):
            async with engine.connect() as conn:
                pids.append((await conn.execute(text("SELECT pg_backend_pid()"))).scalar())
        assert len(set(pids)) == 1
    finally:
        await engine.dispose()


async def test_postgresql_dead_pooled_connections_are_replaced_before_use() -> None:
    """Every pooled connection killed by the server (as by a restart): the next uses still succeed (pre-ping)."""
    import asyncpg

    url = postgresql_url()
    engine = make_engine(url, pool_size=3)
    try:
        conns = [await engine.connect() for _ in range(3)]  # three connections in the pool
        pids = [(await c.execute(text("SELECT pg_backend_pid()"))).scalar() for c in conns]
        for c in conns:
            await c.close()
        killer = await asyncpg.connect(make_url(url).set(drivername="postgresql").render_as_string(hide_password=False))
        try:
            killed = await killer.fetchval(
                "SELECT count(pg_terminate_backend(pid)) FROM unnest($1::int[]) AS pid", pids
            )
        finally:
            await killer.close()
        assert killed == 3
        for _ in range(5):
            async with engine.connect() as conn:
                assert (await conn.execute(text("SELECT 1"))).scalar() == 1
                assert (await conn.execute(text("SELECT pg_backend_pid()"))).scalar() not in pids
    finally:
        await engine.dispose()
