"""The app's own floor (issue 17, docs/performance.md "The app's own floor"): what every request pays besides its
own work — liveness without a unit of work, routing order, a unit of work that gives back nothing it never took,
the machine token's signature checked once per token (revocation and deactivation still read on every request),
SQLite in one trip to aiosqlite's thread per statement, and PostgreSQL's BEGIN as the pool's liveness check. Each
test shows that a rule's answer is unchanged: SEP-4's check, ACC-1's refusals, AUD-1's transactions."""

from __future__ import annotations

import asyncio
import itertools
import re
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import aiosqlite
import httpx
import pytest
from fastapi.routing import APIRoute
from sqlalchemy import event, exc, text
from sqlalchemy.engine import make_url

from app.db.engine import make_engine
from app.domain.enums import Role, Team
from app.main import create_app
from app.services import auth, clock
from app.services.security import issue_jwt
from tests.api.test_database_pool import postgresql_url
from tests.builders import login, make_staff
from tests.conftest import make_settings
from tests.directory import machine_headers

CHECK_URL = "/api/v1/separation/check"
UNKNOWN_PERSON = {"employee_number": "E-NOBODY-FLOOR"}  # a check that reaches the statement: 422 unknown-reference


@contextmanager
def _checkouts(application: Any) -> Iterator[list[int]]:
    """Counts the pool's checkouts of the app's engine (one per unit of work that touches the database)."""
    counted = [0]

    def on_checkout(*_: Any) -> None:
        counted[0] += 1

    target = application.state.runtime.engine.sync_engine
    event.listen(target, "checkout", on_checkout)
    try:
        yield counted
    finally:
        event.remove(target, "checkout", on_checkout)


# --- liveness -----------------------------------------------------------------------------------------------


async def test_liveness_takes_no_database_connection_and_keeps_the_edge(app, client) -> None:
    """GET /api/v1/health answers `{"status": "ok"}` without a unit of work (no connection is taken from the pool),
    with every edge property of any API answer: security headers, no-store, a trace id; readiness still asks the
    database (one checkout)."""
    with _checkouts(app) as counted:
        response = await client.get("/api/v1/health")
        assert counted[0] == 0
        ready = await client.get("/api/v1/ready")
        assert ready.status_code == 200 and counted[0] == 1
    assert response.status_code == 200 and response.json() == {"status": "ok"}
    assert response.headers["content-type"] == "application/json"
    assert response.headers["cache-control"] == "no-store" and response.headers["x-trace-id"]
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]


# --- routing order ------------------------------------------------------------------------------------------


def _segments_can_meet(a: APIRoute, b: APIRoute) -> bool:
    """Whether one path could match both templates (single-segment parameters match any literal)."""
    sa, sb = a.path_format.strip("/").split("/"), b.path_format.strip("/").split("/")
    return len(sa) == len(sb) and all(
        x == y or x.startswith("{") or y.startswith("{") for x, y in zip(sa, sb, strict=True)
    )


def test_no_path_belongs_to_two_routers(app) -> None:
    """The routers are included hot paths first (app/main.py); that changes no answer only because no request path
    can match routes of two routers, whatever the method (else the first router would take it, or give the 405's
    Allow header). A template's parameter is taken to match any literal, so this errs on the side of overlap."""
    groups = []
    for route in app.router.routes:
        included = getattr(route, "original_router", None)
        groups.append([r for r in (included.routes if included else [route]) if isinstance(r, APIRoute)])
    shared = [
        (a.path, b.path)
        for first, second in itertools.combinations(groups, 2)
        for a in first
        for b in second
        if _segments_can_meet(a, b)
    ]
    assert shared == []
    within = [(a.path, b.path) for g in groups for a, b in itertools.combinations(g, 2) if _segments_can_meet(a, b)]
    assert ("/api/v1/manual/case_team", "/api/v1/manual/{role}") in within  # the check does see overlaps


# --- the machine token, verified once per token -------------------------------------------------------------


async def _check_status(client: httpx.AsyncClient, headers: dict[str, str]) -> int:
    response = await client.post(CHECK_URL, json=UNKNOWN_PERSON, headers=headers)
    return response.status_code


async def test_sep_4_remembered_token_still_expires(app, client, uow_factory) -> None:
    """SEP-4/ACC-1: a machine token whose signature was verified once is refused once it expires (its `exp` is
    read on every request), with 401 invalid-token as before."""
    headers = await machine_headers(client, uow_factory, "separation:check")
    claims = auth._machine_claims(_Uow(app), headers["Authorization"].split()[1])
    short = issue_jwt(
        app.state.runtime.settings,
        auth.MACHINE_AUDIENCE,
        str(claims["sub"]),
        clock.now(),
        timedelta(seconds=2),
        scope="separation:check",
        kind="hr_system",
    )
    bearer = {"Authorization": f"Bearer {short}"}
    assert await _check_status(client, bearer) == 422  # accepted: the check ran (unknown employee)
    assert (short, app.state.runtime.settings.jwt_secret, auth.MACHINE_AUDIENCE) in auth._verified_tokens
    await asyncio.sleep(2.1)
    response = await client.post(CHECK_URL, json=UNKNOWN_PERSON, headers=bearer)
    assert response.status_code == 401 and response.json()["code"] == "invalid-token"


async def test_sep_4_remembered_token_of_a_deactivated_client_is_refused_at_once(app, client, uow_factory) -> None:
    """SEP-4/ACC-1: deactivating a client refuses its token from the next request on, on the check (whose statement
    reads the client) and on an endpoint that looks the client up, although the token's signature is remembered."""
    headers = await machine_headers(client, uow_factory, "separation:check", "separation:read")
    assert await _check_status(client, headers) == 422
    assert (await client.get("/api/v1/separation/orders", headers=headers)).status_code == 200
    client_id = str(auth._machine_claims(_Uow(app), headers["Authorization"].split()[1])["sub"])
    async with uow_factory() as uow:
        (await uow.staff.client(client_id)).active = False
        await uow.commit()
    for response in (
        await client.post(CHECK_URL, json=UNKNOWN_PERSON, headers=headers),
        await client.get("/api/v1/separation/orders", headers=headers),
    ):
        assert response.status_code == 401 and response.json()["code"] == "invalid-token"


async def test_acc_1_a_token_remembered_under_one_signing_key_is_refused_under_another(client, uow_factory) -> None:
    """ACC-1: what was verified is remembered per signing key: a server with another JWT secret refuses the token."""
    headers = await machine_headers(client, uow_factory, "separation:check")
    assert await _check_status(client, headers) == 422
    other = create_app(make_settings(jwt_secret="another-jwt-secret-" + "y" * 32))
    try:
        transport = httpx.ASGITransport(app=other, client=("203.0.113.8", 50000))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
            response = await c.post(CHECK_URL, json=UNKNOWN_PERSON, headers=headers)
    finally:
        await other.state.runtime.engine.dispose()
    assert response.status_code == 401 and response.json()["code"] == "invalid-token"


async def test_remembered_tokens_are_bounded_and_invalid_ones_never_remembered(app) -> None:
    """At most VERIFIED_TOKENS_MAX tokens are remembered (the oldest goes first); a token that fails
    verification is refused every time and never remembered."""
    settings = app.state.runtime.settings
    uow = _Uow(app)
    tokens = [
        issue_jwt(
            settings, auth.MACHINE_AUDIENCE, f"c{i}", clock.now(), timedelta(minutes=5), scope="", kind="hr_system"
        )
        for i in range(auth.VERIFIED_TOKENS_MAX + 5)
    ]
    for i, token in enumerate(tokens):
        assert auth._machine_claims(uow, token)["sub"] == f"c{i}"
    assert len(auth._verified_tokens) == auth.VERIFIED_TOKENS_MAX
    assert (tokens[0], settings.jwt_secret, auth.MACHINE_AUDIENCE) not in auth._verified_tokens
    assert (tokens[-1], settings.jwt_secret, auth.MACHINE_AUDIENCE) in auth._verified_tokens
    forged = tokens[-1][:-2] + ("AA" if not tokens[-1].endswith("AA") else "BB")
    for _ in range(2):
        with pytest.raises(auth.InvalidToken):
            auth._machine_claims(uow, forged)
    assert all(key[0] != forged for key in auth._verified_tokens)


async def test_acc_1_a_remembered_staff_token_ends_with_sign_out_deactivation_and_expiry(
    app, client, uow_factory
) -> None:
    """ACC-1: a staff access token whose signature was verified once is refused from the next request on after its
    session is signed out, after "sign out everywhere", once the account is deactivated, and once it expires; and
    it is never taken for a machine token (the audience is part of what is remembered)."""
    me = "/api/v1/auth/me"
    settings = app.state.runtime.settings
    for ending in ("logout", "logout-all", "deactivated", "expired"):
        staff = await make_staff(uow_factory, role=Role.team_lead, team=Team.intake_counselling)
        headers = await login(client, staff)
        token = headers["Authorization"].split()[1]
        if ending == "expired":
            claims = auth._verified_claims(_Uow(app), token, auth.STAFF_AUDIENCE)
            token = issue_jwt(
                settings, auth.STAFF_AUDIENCE, str(claims["sub"]), clock.now(), timedelta(seconds=2), sid=claims["sid"]
            )
            headers = {"Authorization": f"Bearer {token}"}
        assert (await client.get(me, headers=headers)).status_code == 200
        assert (token, settings.jwt_secret, auth.STAFF_AUDIENCE) in auth._verified_tokens
        assert await _check_status(client, headers) == 401  # a staff token is no machine token
        if ending in ("logout", "logout-all"):
            assert (await client.post(f"/api/v1/auth/{ending}", headers=headers)).status_code == 204
        elif ending == "deactivated":
            async with uow_factory() as uow:
                (await uow.staff.user(staff.id)).active = False
                await uow.commit()
        else:
            await asyncio.sleep(2.1)
        response = await client.get(me, headers=headers)
        assert response.status_code == 401, ending


async def test_the_start_is_out_of_the_collectors_reach_and_requests_still_collected(app) -> None:
    """Issue 17: once the service has started (its lifespan), what the start built is frozen (`gc.freeze`), so a
    full collection no longer walks it; cyclic garbage made afterwards is still collected."""
    import gc
    import weakref

    gc.unfreeze()
    try:
        async with app.router.lifespan_context(app):
            frozen = gc.get_freeze_count()
            assert frozen > 50_000  # modules, models, schemas, routes: the bulk of the heap

            class Node:
                pass

            cycle = Node()
            cycle.self = cycle  # type: ignore[attr-defined]
            gone = weakref.ref(cycle)
            del cycle
            gc.collect()
            assert gone() is None
            assert gc.get_freeze_count() >= frozen
    finally:
        gc.unfreeze()


class _Uow:
    """What `_machine_claims` reads of a unit of work: the settings."""

    def __init__(self, application: Any) -> None:
        self.settings = application.state.runtime.settings


# --- the unit of work ---------------------------------------------------------------------------------------


async def test_aud_1_unit_of_work_gives_back_only_what_it_took(app, uow_factory) -> None:
    """AUD-1's transactions unchanged: a unit of work that never touched the database takes no connection and
    commits nothing; one that added an entity (not yet flushed) still writes it on commit; one that wrote and did
    not commit is rolled back."""
    from app.db.models import Organisation
    from app.domain.enums import OrgKind

    external_id = f"FLOOR-{uuid.uuid4().hex[:8]}"
    with _checkouts(app) as counted:
        async with uow_factory() as uow:
            await uow.commit()
        assert counted[0] == 0
        async with uow_factory() as uow:
            uow.session.add(Organisation(external_id=external_id, name="Floor test", kind=OrgKind.smg))
            await uow.commit()  # no statement ran before: the commit must still flush the added entity
        assert counted[0] == 1
    async with uow_factory() as uow:
        await uow.session.execute(
            text("UPDATE organisation SET name = 'never' WHERE external_id = :e"), {"e": external_id}
        )
    async with uow_factory() as uow:
        name = (
            await uow.session.execute(text("SELECT name FROM organisation WHERE external_id = :e"), {"e": external_id})
        ).scalar()
    assert name == "Floor test"


# --- SQLite: one trip per statement -------------------------------------------------------------------------


async def test_sqlite_one_trip_to_the_driver_thread_per_statement_same_results() -> None:
    """app/db/sqlite_driver.py: every statement is one call on aiosqlite's thread (SQLAlchemy's adapter makes four),
    and its results are sqlite3's: rows, rowcount, lastrowid, column names; executemany; constraint errors as
    SQLAlchemy's IntegrityError with the connection still usable; streamed results; BEGIN IMMEDIATE and COMMIT."""
    path = Path(tempfile.mkdtemp()) / "trips.db"
    engine = make_engine(f"sqlite+aiosqlite:///{path}")
    trips = [0]
    original = aiosqlite.Connection._execute

    async def counting(self: aiosqlite.Connection, fn: Any, *args: Any, **kwargs: Any) -> Any:
        trips[0] += 1
        return await original(self, fn, *args, **kwargs)

    aiosqlite.Connection._execute = counting  # type: ignore[method-assign]
    try:
        async with engine.begin() as conn:
            await conn.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT UNIQUE)"))
        async with engine.connect() as conn:
            await conn.execute(text("SELECT 1"))  # the connection is made and set up
            await conn.rollback()
            trips[0] = 0
            many = await conn.execute(text("INSERT INTO t (name) VALUES (:n)"), [{"n": "a"}, {"n": "b"}, {"n": "c"}])
            assert trips[0] == 2 and many.rowcount == 3  # BEGIN IMMEDIATE, then the executemany
            one = await conn.execute(text("INSERT INTO t (name) VALUES ('d')"))
            assert one.lastrowid == 4 and one.rowcount == 1 and trips[0] == 3
            rows = await conn.execute(text("SELECT id, name AS label FROM t ORDER BY id"))
            assert list(rows.keys()) == ["id", "label"] and rows.all() == [(1, "a"), (2, "b"), (3, "c"), (4, "d")]
            assert trips[0] == 4
            updated = await conn.execute(text("UPDATE t SET name = name || '!' WHERE id > 2"))
            assert updated.rowcount == 2 and trips[0] == 5
            with pytest.raises(exc.IntegrityError):
                await conn.execute(text("INSERT INTO t (name) VALUES ('a')"))
            assert (await conn.execute(text("SELECT count(*) FROM t"))).scalar() == 4  # still usable
            await conn.commit()
        async with engine.connect() as conn:
            streamed = await conn.stream(text("SELECT name FROM t ORDER BY id"))
            assert [r[0] async for r in streamed] == ["a", "b", "c!", "d!"]
    finally:
        aiosqlite.Connection._execute = original  # type: ignore[method-assign]
        await engine.dispose()


# --- PostgreSQL: BEGIN as the liveness check ----------------------------------------------------------------


async def _state_of(url: str, pid: int) -> str:
    import asyncpg

    other = await asyncpg.connect(make_url(url).set(drivername="postgresql").render_as_string(hide_password=False))
    try:
        return str(await other.fetchval("SELECT state FROM pg_stat_activity WHERE pid = $1", pid))
    finally:
        await other.close()


async def test_postgresql_service_engine_begins_on_checkout_and_rolls_back_what_is_given_back() -> None:
    """The service's engine (`begin_on_checkout`): a connection is handed out inside a transaction (its BEGIN was
    the liveness check), statements run in it and a rollback undoes them; a connection given back unused is rolled
    back by the pool; an autocommit connection has no transaction; a live connection is reused."""
    url = postgresql_url()
    engine = make_engine(url, begin_on_checkout=True)
    table = f"floor_{uuid.uuid4().hex[:8]}"
    try:
        async with engine.connect() as conn:
            pid = (await conn.get_raw_connection()).driver_connection.get_server_pid()
            assert await _state_of(url, pid) == "idle in transaction"  # BEGIN sent at checkout, nothing else
        assert await _state_of(url, pid) == "idle"  # rolled back when given back
        async with engine.begin() as conn:
            await conn.execute(text(f"CREATE TABLE {table} (x int)"))
        async with engine.connect() as conn:
            await conn.execute(text(f"INSERT INTO {table} VALUES (1)"))  # noqa: S608 (the test's own name)
            await conn.rollback()
            assert (await conn.execute(text(f"SELECT count(*) FROM {table}"))).scalar() == 0  # noqa: S608
            await conn.commit()
        auto = await engine.connect()
        try:
            auto = await auto.execution_options(isolation_level="AUTOCOMMIT")
            assert (await auto.execute(text("SELECT 1"))).scalar() == 1
            pid = (await auto.get_raw_connection()).driver_connection.get_server_pid()
            assert await _state_of(url, pid) == "idle"  # no transaction left open in autocommit
        finally:
            await auto.close()
        pids = set()
        for _ in range(3):
            async with engine.connect() as conn:
                pids.add((await conn.execute(text("SELECT pg_backend_pid()"))).scalar())
        assert len(pids) == 1
    finally:
        async with engine.begin() as conn:
            await conn.execute(text(f"DROP TABLE IF EXISTS {table}"))
        await engine.dispose()


async def test_postgresql_service_engine_replaces_dead_connections_before_use() -> None:
    """Every pooled connection of the service's engine killed by the server (as by a restart): the next units of
    work still succeed, each on a new connection — as with the pre-ping it replaces."""
    import asyncpg

    url = postgresql_url()
    engine = make_engine(url, pool_size=3, begin_on_checkout=True)
    try:
        conns = [await engine.connect() for _ in range(3)]
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
                await conn.commit()
    finally:
        await engine.dispose()


def test_the_service_engine_is_the_one_that_begins_on_checkout() -> None:
    """app.db.engine.engine_for (the API, the worker, the CLI) asks for BEGIN on checkout; make_engine's default
    (benchmarks and scripts that take the raw driver connection) keeps SQLAlchemy's pre-ping."""
    source = (Path(__file__).resolve().parents[2] / "app" / "db" / "engine.py").read_text()
    service = source.split("def engine_for", 1)[1].split("\ndef ", 1)[0]
    assert re.search(r"begin_on_checkout=True", service)
    assert "begin_on_checkout: bool = False" in source
