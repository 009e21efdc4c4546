"""Migrations: the same revisions build SQLite and PostgreSQL, go down and up again, and match the models."""

from __future__ import annotations

import asyncio
import tempfile
import uuid
from datetime import date
from pathlib import Path

import asyncpg
import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

from app.cli import ROOT
from app.db.engine import make_engine
from app.db.models import Base
from tests.conftest import database_url


def alembic_config(url: str) -> Config:
    config = Config(str(ROOT / "alembic.ini"))
    config.attributes["database_url"] = url
    return config


async def _tables(url: str) -> set[str]:
    engine = make_engine(url)
    async with engine.connect() as conn:
        names = await conn.run_sync(lambda c: set(inspect(c).get_table_names()))
    await engine.dispose()
    return names


async def _drift(url: str) -> list[object]:
    engine = make_engine(url)
    async with engine.connect() as conn:
        diff = await conn.run_sync(
            lambda c: compare_metadata(MigrationContext.configure(c, opts={"compare_type": True}), Base.metadata)
        )
    await engine.dispose()
    return diff


@pytest.fixture
async def scratch_url():  # type: ignore[no-untyped-def]
    """An empty database of the same kind as the test database."""
    url = database_url()
    if url.startswith("sqlite"):
        yield f"sqlite+aiosqlite:///{Path(tempfile.mkdtemp()) / 'scratch.db'}"
        return
    base, _, _ = url.rpartition("/")
    name = f"withu_scratch_{uuid.uuid4().hex[:8]}"
    admin_dsn = base.replace("postgresql+asyncpg", "postgresql") + "/postgres"
    conn = await asyncpg.connect(admin_dsn)
    await conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{base}/{name}"
    finally:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.close()


async def test_migrations_build_downgrade_and_rebuild(scratch_url: str) -> None:
    """Every revision goes up and down cleanly; the result matches the models (no drift)."""
    config = alembic_config(scratch_url)
    await _run(command.upgrade, config, "head")
    assert {"case_file", "report", "audit_entry", "staff_user", "team"} <= await _tables(scratch_url)
    assert await _drift(scratch_url) == []
    await _run(command.downgrade, config, "base")
    assert await _tables(scratch_url) <= {"alembic_version"}
    await _run(command.upgrade, config, "head")
    assert await _drift(scratch_url) == []


async def test_the_test_database_has_no_drift(settings) -> None:  # type: ignore[no-untyped-def]
    """`alembic check`: the models and the migrations agree on this database."""
    assert await _drift(database_url()) == []


async def test_aud_1_audit_log_is_append_only_in_the_database(uow_factory) -> None:
    """AUD-1: the database itself refuses to change or delete audit entries."""
    from app.services import audit

    async with uow_factory() as uow:
        await audit.record(uow, None, "test.append_only")
        await uow.commit()
    for statement in ("UPDATE audit_entry SET action = 'x'", "DELETE FROM audit_entry"):
        async with uow_factory() as uow:
            with pytest.raises(Exception, match="append-only"):
                await uow.session.execute(text(statement))


async def _run(fn, config: Config, revision: str) -> None:  # type: ignore[no-untyped-def]
    # Alembic's env.py runs its own event loop: run it in a thread.
    await asyncio.to_thread(fn, config, revision)


async def test_migrations_upgrade_a_database_that_already_holds_cases(scratch_url: str) -> None:
    """An installation upgrades with its data: a database at the first revision holding a case, its report and a
    message reaches head with every row and key intact (SQLite alters tables by copying them)."""
    config = alembic_config(scratch_url)
    await _run(command.upgrade, config, "0001")
    sqlite = scratch_url.startswith("sqlite")
    case_id, report_id, message_id = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()

    def key(value: uuid.UUID) -> object:
        return value.hex if sqlite else value

    engine = make_engine(scratch_url)
    async with engine.begin() as conn:
        await conn.execute(
            text(
                "INSERT INTO case_file (id, reference, status, team, category, opened_on, received_at, version) "
                "VALUES (:id, 'WU-UPGRD-00001', 'received', 'intake_counselling', 'other', :day, :blob, 1)"
            ),
            {"id": key(case_id), "day": date(2026, 11, 1), "blob": b"\x01sealed"},
        )
        await conn.execute(
            text(
                "INSERT INTO report (id, case_id, reporter_kind, identity_mode, locator, receipt_hash, receipt_failures,"
                " narrative, details, received_on) VALUES (:id, :case, 'victim', 'anonymous', 'UPGRADE1', 'x', 0,"
                " :blob, :blob, :day)"
            ),
            {"id": key(report_id), "case": key(case_id), "blob": b"\x01sealed", "day": date(2026, 11, 1)},
        )
        await conn.execute(
            text(
                "INSERT INTO case_message (id, case_id, seq, author, internal, body, sent_on)"
                " VALUES (:id, :case, 1, 'system', false, :blob, :day)"
            ),
            {"id": key(message_id), "case": key(case_id), "blob": b"\x01sealed", "day": date(2026, 11, 1)},
        )
    await engine.dispose()

    await _run(command.upgrade, config, "head")

    engine = make_engine(scratch_url)
    async with engine.connect() as conn:
        for table in ("case_file", "report", "case_message"):
            assert (await conn.execute(text(f"SELECT count(*) FROM {table}"))).scalar_one() == 1  # noqa: S608
        origin = (await conn.execute(text("SELECT origin, sealed FROM case_file"))).one()
        assert origin[0] == "report" and not origin[1]
    await engine.dispose()
    assert await _drift(scratch_url) == []
