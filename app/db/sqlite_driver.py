"""SQLite through aiosqlite with one trip to the driver's thread per statement (docs/performance.md, "The app's own
floor (issue 17)").

aiosqlite runs every sqlite3 call on a thread of its own; each call is a trip there and back (a queue put, a wake-up,
a callback on the event loop: 40-90 µs on this kind of machine, more under load). SQLAlchemy's adapter makes four
trips per statement (make a cursor, execute, fetch all rows, close the cursor), so `BEGIN IMMEDIATE`, two SELECTs and
a COMMIT took eleven. The cursor here does the same four steps in ONE function on that thread and keeps what they
returned (rows, description, rowcount, lastrowid): the same statements, parameters, results and errors, in the same
order on the same sqlite3 connection, in a quarter of the trips. Server-side (streaming) cursors stay SQLAlchemy's.

Used by app.db.engine.make_engine for every `sqlite+aiosqlite` URL (`module=`, SQLAlchemy's documented way to hand
a dialect its DBAPI module)."""

from __future__ import annotations

import collections
import sqlite3
from collections.abc import Sequence
from typing import Any

import aiosqlite
from sqlalchemy.dialects.sqlite.aiosqlite import (
    AsyncAdapt_aiosqlite_connection,
    AsyncAdapt_aiosqlite_cursor,
    AsyncAdapt_aiosqlite_dbapi,
)
from sqlalchemy.util import EMPTY_DICT, await_only

_Outcome = tuple[Any, int, Any, list[Any]]  # description, rowcount, lastrowid, rows


def _run(connection: sqlite3.Connection, operation: str, parameters: Any, many: bool) -> _Outcome:
    """On aiosqlite's thread: what SQLAlchemy's adapter does in four trips (cursor, execute, fetchall, close)."""
    cursor = connection.cursor()
    try:
        if many:
            cursor.executemany(operation, parameters)
        elif parameters is None:
            cursor.execute(operation)
        else:
            cursor.execute(operation, parameters)
        rows = cursor.fetchall() if cursor.description else []
        return cursor.description, cursor.rowcount, cursor.lastrowid, rows
    finally:
        cursor.close()


class OneHopCursor(AsyncAdapt_aiosqlite_cursor):
    """A buffered cursor whose execute is one trip to aiosqlite's thread; fetches read the rows kept from it."""

    __slots__ = ("_description", "_rowcount", "_lastrowid", "arraysize")

    def __init__(self, adapt_connection: AsyncAdapt_aiosqlite_connection) -> None:
        # No driver cursor is made here (SQLAlchemy's adapter makes one now: a trip); _run makes and closes its own.
        self._adapt_connection = adapt_connection
        self._connection = adapt_connection._connection
        self._cursor = None
        self._soft_closed_memoized = EMPTY_DICT
        self._rows = collections.deque()
        self._description: Any = None
        self._rowcount = -1
        self._lastrowid: Any = None
        self.arraysize = 1

    @property
    def description(self) -> Any:
        return self._description

    @property
    def rowcount(self) -> int:
        return self._rowcount

    @property
    def lastrowid(self) -> Any:
        return self._lastrowid

    async def _async_soft_close(self) -> None:
        """Nothing to close: the driver's cursor was closed on its thread, and the description is kept."""

    def close(self) -> None:
        self._rows.clear()

    def execute(self, operation: Any, parameters: Any = None) -> Any:
        try:
            return await_only(self._one_trip(operation, parameters, many=False))
        except Exception as error:
            self._adapt_connection._handle_exception(error)

    def executemany(self, operation: Any, seq_of_parameters: Sequence[Any]) -> Any:
        try:
            return await_only(self._one_trip(operation, seq_of_parameters, many=True))
        except Exception as error:
            self._adapt_connection._handle_exception(error)

    async def _one_trip(self, operation: Any, parameters: Any, *, many: bool) -> None:
        async with self._adapt_connection._execute_mutex:
            connection: aiosqlite.Connection = self._connection  # type: ignore[assignment]
            # aiosqlite's own way to run a function on its thread (what its cursor methods do); _conn raises
            # "no active connection" when closed, which the dialect reads as a disconnect.
            outcome: _Outcome = await connection._execute(lambda: _run(connection._conn, operation, parameters, many))
        self._description, self._rowcount, self._lastrowid, rows = outcome
        self._rows = collections.deque(rows)

    def setinputsizes(self, *inputsizes: Any) -> None:
        """sqlite3 ignores input sizes."""


class OneHopConnection(AsyncAdapt_aiosqlite_connection):
    __slots__ = ()
    _cursor_cls = OneHopCursor


class OneHopDBAPI(AsyncAdapt_aiosqlite_dbapi):
    """SQLAlchemy's aiosqlite DBAPI module, whose connections make OneHopCursors."""

    def connect(self, *arg: Any, **kw: Any) -> OneHopConnection:
        adapted = super().connect(*arg, **kw)
        return OneHopConnection(self, adapted._connection)


def dbapi() -> OneHopDBAPI:
    return OneHopDBAPI(aiosqlite, sqlite3)
