"""Alembic, async: the same migrations build SQLite and PostgreSQL (the URL comes from WITHU_DATABASE_URL)."""

from __future__ import annotations

import asyncio
import os
from typing import Any

from alembic import context
from sqlalchemy.engine import Connection
from sqlalchemy.types import TypeDecorator

from app.db.engine import make_engine
from app.db.models import Base
from app.settings import Settings

config = context.config
target_metadata = Base.metadata


def database_url() -> str:
    # The URL alone: migrating needs no secrets, so it is read without the rest of the settings (which refuse
    # placeholder secrets in production, the default environment).
    default = Settings.model_fields["database_url"].default
    return config.attributes.get("database_url") or os.environ.get("WITHU_DATABASE_URL") or default


def render_item(type_: str, obj: Any, autogen_context: Any) -> str | bool:
    # Encrypted and UTC columns are plain binary and timestamp columns in the database.
    if type_ == "type" and isinstance(obj, TypeDecorator):
        return f"sa.{obj.impl!r}"
    return False


def configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_item=render_item,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )


def run_sync(connection: Connection) -> None:
    configure(connection)
    with context.begin_transaction():
        context.run_migrations()
        if connection.dialect.name == "sqlite":
            # Foreign keys were off so tables could be copied; the result must still hold every key.
            broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            if broken:
                raise RuntimeError(f"migration left {len(broken)} broken foreign keys, first: {broken[0]}")


async def run_async() -> None:
    engine = make_engine(database_url(), foreign_keys=False)
    async with engine.connect() as connection:
        await connection.run_sync(run_sync)
    await engine.dispose()


if context.is_offline_mode():
    context.configure(url=database_url(), target_metadata=target_metadata, literal_binds=True, render_item=render_item)
    with context.begin_transaction():
        context.run_migrations()
elif (connection := config.attributes.get("connection")) is not None:
    run_sync(connection)
else:
    asyncio.run(run_async())
