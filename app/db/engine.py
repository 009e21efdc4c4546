"""The async engine: SQLite (WAL, synchronous=FULL, foreign keys, serialised writers) or PostgreSQL."""

from __future__ import annotations

import asyncio
import os
import weakref
from pathlib import Path
from typing import Any

from sqlalchemy import event, exc
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlalchemy.ext.asyncio import AsyncSession as AsyncSession
from sqlalchemy.util import await_only

from app.db import sqlite_driver
from app.settings import Settings

# per SQLite engine: the FIFO writer lock of this process, and how long a writer waits for it (the busy timeout)
_SERIAL_LOCKS: weakref.WeakKeyDictionary[Any, tuple[asyncio.Lock, float]] = weakref.WeakKeyDictionary()
WRITER_TURN = "withu_writer_turn"  # the execution option that carries a unit of work's WriterTurn to its connection
CONNECT_TIMEOUT_SECONDS = 5.0  # the defaults of WITHU_DATABASE_CONNECT_TIMEOUT_SECONDS and _STATEMENT_TIMEOUT_
STATEMENT_TIMEOUT_SECONDS = 15.0


def make_engine(
    url: str,
    *,
    foreign_keys: bool = True,
    connect_timeout: float = CONNECT_TIMEOUT_SECONDS,
    statement_timeout: float = STATEMENT_TIMEOUT_SECONDS,
    begin_on_checkout: bool = False,
    **kwargs: Any,
) -> AsyncEngine:
    """`foreign_keys=False` only for migrations: SQLite alters a table by copying it, and the copy's DROP TABLE
    fails while other tables point at it (migrations check the keys afterwards instead).

    `begin_on_checkout` (PostgreSQL with asyncpg; the service's engine, `engine_for`): a pooled connection is handed
    out with its transaction already begun, and that BEGIN is the liveness check instead of the pre-ping (see
    _begin_on_checkout). Only for engines whose connections are used through SQLAlchemy transactions (units of
    work): a caller that takes the raw driver connection would find a transaction open that nobody commits.

    Nothing waits on the database for ever (reliability review, finding 3): a connection is made within
    `connect_timeout` seconds (a pooled one handed out within it too), a statement answers within
    `statement_timeout` seconds (PostgreSQL), and an SQLite writer waits at most that long for its turn."""
    if url.startswith("sqlite"):
        _ensure_sqlite_dir(url)
        # The pool's reset on return is done by _configure_sqlite's "reset" listener (only when a transaction is
        # still open), not by an unconditional rollback.
        kwargs.setdefault("pool_reset_on_return", None)
        # One trip to aiosqlite's thread per statement instead of SQLAlchemy's four (app/db/sqlite_driver.py).
        kwargs.setdefault("module", sqlite_driver.dbapi())
        engine = create_async_engine(url, connect_args={"timeout": statement_timeout}, **kwargs)
        _configure_sqlite(engine, foreign_keys, statement_timeout)
        # SQLite has one writer at a time and its busy handler is not fair: under load a waiting writer can be
        # overtaken until its timeout runs out (a 500). Units of work of this process queue on a FIFO lock
        # instead (see WriterTurn); other processes (the worker) still meet the busy timeout, rarely.
        _SERIAL_LOCKS[engine.sync_engine] = (asyncio.Lock(), statement_timeout)
        return engine
    if url.startswith("postgresql+asyncpg"):
        # JIT off: the planner's row estimates for recursive CTEs (chains of command, the separation check) are in
        # the millions, far above jit_above_cost, and each execution would spend ~100 ms compiling a plan that
        # then runs in about a millisecond. This is OLTP work; JIT never pays here.
        connect_args = dict(kwargs.pop("connect_args", {}))
        server_settings = connect_args.setdefault("server_settings", {})
        server_settings.setdefault("jit", "off")
        # The server ends a statement that runs too long; the client gives up on a server that stops answering.
        server_settings.setdefault("statement_timeout", str(int(statement_timeout * 1000)))
        connect_args.setdefault("timeout", connect_timeout)
        connect_args.setdefault("command_timeout", statement_timeout)
        kwargs["connect_args"] = connect_args
        kwargs.setdefault("pool_timeout", connect_timeout)
        if begin_on_checkout:
            engine = create_async_engine(url, **kwargs)
            _begin_on_checkout(engine)
            return engine
    # pool_pre_ping: after a database restart a pooled connection is dead, and the ping replaces it before it is
    # used. asyncpg's ping is three round trips (BEGIN, ";", ROLLBACK) on every checkout; the service's engine uses
    # _begin_on_checkout instead (docs/performance.md, "The app's own floor (issue 17)").
    return create_async_engine(url, pool_pre_ping=True, **kwargs)


def _begin_on_checkout(engine: AsyncEngine) -> None:
    """The pre-ping and the transaction's BEGIN in one round trip. SQLAlchemy's asyncpg adapter begins a transaction
    lazily, with the first statement; here every connection the pool hands out sends its BEGIN at once, and a
    connection that cannot (the server restarted, or ended it) is dropped and the checkout retried on a new one,
    as the pre-ping would (DisconnectionError: SQLAlchemy's documented way for a checkout listener to do so). The
    first statement then runs in that transaction, and a unit of work pays one round trip for BEGIN instead of
    four (BEGIN, ";", ROLLBACK, BEGIN). A connection given back with the transaction still open is rolled back by
    the pool's reset, as before; one set to autocommit rolls it back first (set_isolation_level)."""

    @event.listens_for(engine.sync_engine, "checkout")
    def _on_checkout(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
        try:
            if dbapi_connection.autocommit:
                dbapi_connection.ping()  # no transaction to begin: the adapter's one-statement ping
            elif dbapi_connection._transaction is None:  # (the pool's reset rolls back what a user left open)
                await_only(dbapi_connection._start_transaction())
        except Exception as error:
            raise exc.DisconnectionError(f"BEGIN on checkout failed: {type(error).__name__}") from error


def engine_for(settings: Settings) -> AsyncEngine:
    """The service's engine, with the timeouts its settings give."""
    return make_engine(
        settings.database_url,
        connect_timeout=settings.database_connect_timeout_seconds,
        statement_timeout=settings.database_statement_timeout_seconds,
        begin_on_checkout=True,
    )


def is_unavailable(error: BaseException) -> bool:
    """The database cannot be reached or did not answer in time (a 503, never a 500): refused or lost connections,
    timeouts, a server that is starting up or shutting down, SQLite's busy timeout."""
    if isinstance(error, (exc.OperationalError, exc.InterfaceError, exc.TimeoutError, exc.DisconnectionError)):
        return True
    if isinstance(error, exc.DBAPIError):
        sqlstate = getattr(error.orig, "sqlstate", None) or getattr(error.orig, "pgcode", None) or ""
        # 08: connection exception; 53: insufficient resources; 57: operator intervention (shutdown, starting
        # up, statement timeout)
        if error.connection_invalidated or sqlstate[:2] in ("08", "53", "57"):
            return True
        return error.orig is not None and error.orig is not error and is_unavailable(error.orig)
    # asyncpg raises these itself while it connects (refused, reset, no answer within the connect timeout)
    return isinstance(error, (ConnectionError, TimeoutError))


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
    # Created only when missing: opening and closing an existing database file would drop every SQLite lock this
    # process holds on it (POSIX advisory locks are per process), and another process could then take the WAL away
    # from our open connections (sqlite.org, "How To Corrupt An SQLite Database File", 2.2).
    if not database.exists():
        try:
            os.close(os.open(database, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600))
        except FileExistsError:
            pass
    for file in (database, Path(f"{database}-wal"), Path(f"{database}-shm"), Path(f"{database}-journal")):
        if file.exists() and file.stat().st_mode & 0o077:
            file.chmod(0o600)


def _configure_sqlite(engine: AsyncEngine, foreign_keys: bool, busy_timeout: float) -> None:
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
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout * 1000)}")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Any) -> None:
        turn = conn.get_execution_options().get(WRITER_TURN)
        if turn is not None:
            turn.take()
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


class WriterTurn:
    """One unit of work's turn at this process's SQLite writer lock (reliability review, finding 1). It is taken
    when the unit of work's transaction begins, that is at its first statement, and given back when the transaction
    ends: never while a request's body is still being read, nor while a hash computed before the first statement
    runs (a report's receipt code, INT-4). A writer that waits longer than the busy timeout gets a TimeoutError
    (the database is unavailable: 503)."""

    def __init__(self, lock: asyncio.Lock, timeout: float) -> None:
        self._lock, self._timeout, self.held = lock, timeout, False

    def take(self) -> None:
        """Called by the connection's "begin" event, inside SQLAlchemy's greenlet: awaits the lock there."""
        if not self.held:
            await_only(asyncio.wait_for(self._lock.acquire(), self._timeout))
            self.held = True

    def give_back(self) -> None:
        if self.held:
            self.held = False
            self._lock.release()


def writer_turn(sessionmaker: async_sessionmaker[AsyncSession]) -> WriterTurn | None:
    """A new turn at the FIFO lock of an SQLite engine for one unit of work; None on PostgreSQL."""
    bind = sessionmaker.kw.get("bind")
    writers = _SERIAL_LOCKS.get(bind.sync_engine) if bind is not None else None
    return WriterTurn(*writers) if writers is not None else None
