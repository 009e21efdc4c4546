"""The async engine: SQLite (WAL, synchronous=FULL, foreign keys, serialised writers) or PostgreSQL."""

from __future__ import annotations

import asyncio
import os
import weakref
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlalchemy.ext.asyncio import AsyncSession as AsyncSession

_SERIAL_LOCKS: weakref.WeakKeyDictionary[Any, asyncio.Lock] = weakref.WeakKeyDictionary()


def make_engine(url: str, *, foreign_keys: bool = True, **kwargs: Any) -> AsyncEngine:
    """`foreign_keys=False` only for migrations: SQLite alters a table by copying it, and the copy's DROP TABLE
    fails while other tables point at it (migrations check the keys afterwards instead)."""
    if url.startswith("sqlite"):
        _ensure_sqlite_dir(url)
        # The pool's reset on return is done by _configure_sqlite's "reset" listener (only when a transaction is
        # still open), not by an unconditional rollback.
        kwargs.setdefault("pool_reset_on_return", None)
        engine = create_async_engine(url, connect_args={"timeout": 30}, **kwargs)
        _configure_sqlite(engine, foreign_keys)
        # SQLite has one writer at a time and its busy handler is not fair: under load a waiting writer can be
        # overtaken until its timeout runs out (a 500). Units of work of this process queue on a FIFO lock
        # instead; other processes (the worker) still meet the busy timeout, rarely.
        _SERIAL_LOCKS[engine.sync_engine] = asyncio.Lock()
        return engine
    if url.startswith("postgresql+asyncpg"):
        # JIT off: the planner's row estimates for recursive CTEs (chains of command, the separation check) are in
        # the millions, far above jit_above_cost, and each execution would spend ~100 ms compiling a plan that
        # then runs in about a millisecond. This is OLTP work; JIT never pays here.
        connect_args = dict(kwargs.pop("connect_args", {}))
        connect_args.setdefault("server_settings", {}).setdefault("jit", "off")
        kwargs["connect_args"] = connect_args
    # pool_pre_ping stays: after a database restart a pooled connection is dead, and the ping replaces it before a
    # request uses it. It costs about 0.15-0.2 ms per request here (docs/performance.md); a one-query ping of our
    # own saved only ~0.04 ms of that.
    return create_async_engine(url, pool_pre_ping=True, **kwargs)


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)


def _ensure_sqlite_dir(url: str) -> None:
    """The database's directory, and the database file itself created owner-only (0600) before SQLite opens it: the
    WAL and shared-memory files SQLite creates beside it take the database file's permissions. Files an earlier
    version left readable by others are made owner-only too (security review F3)."""
    path = url.split(":///", 1)[-1] if ":///" in url else ""
    if not path or path == ":memory:" or path.startswith("file:"):
        return
    database = Path(path)
    database.parent.mkdir(parents=True, exist_ok=True)
    os.close(os.open(database, os.O_RDWR | os.O_CREAT, 0o600))
    for file in (database, Path(f"{database}-wal"), Path(f"{database}-shm"), Path(f"{database}-journal")):
        if file.exists() and file.stat().st_mode & 0o077:
            file.chmod(0o600)


def _configure_sqlite(engine: AsyncEngine, foreign_keys: bool) -> None:
    # SQLAlchemy's documented pysqlite recipe: the driver must not manage transactions itself. Each
    # transaction begins IMMEDIATE, so writers queue on the busy timeout instead of failing when a read
    # snapshot is upgraded to a write (which a hash-chained audit log does on every request).
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute(f"PRAGMA foreign_keys={'ON' if foreign_keys else 'OFF'}")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    # Reset on return, as pool_reset_on_return="rollback" would, but only if a transaction is still open. A unit
    # of work has always committed or rolled back before it returns its connection, and SQLAlchemy's default
    # then still sends a rollback: a no-op for SQLite, yet a round trip to aiosqlite's thread on every request.
    # SQLite itself says whether a transaction is open (sqlite3's in_transaction, read without a round trip).
    @event.listens_for(engine.sync_engine, "reset")
    def _on_reset(dbapi_connection: Any, _record: Any, reset_state: Any) -> None:
        if not reset_state.asyncio_safe:
            return  # as the default: no I/O while the connection is being garbage-collected
        if getattr(getattr(dbapi_connection, "driver_connection", None), "in_transaction", True):
            dbapi_connection.rollback()


def serial_lock(sessionmaker: async_sessionmaker[AsyncSession]) -> asyncio.Lock | None:
    """The FIFO lock units of work take on an SQLite engine; None on PostgreSQL."""
    bind = sessionmaker.kw.get("bind")
    return _SERIAL_LOCKS.get(bind.sync_engine) if bind is not None else None
