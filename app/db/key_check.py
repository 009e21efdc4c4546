"""ACC-2: a process starts only with the master key its database's encrypted data is written under (reliability
review, finding 5). Without this check a development server whose key file went missing made a new key, came up
healthy, stored new reports under it and answered 500 for every older one: two keys in one database."""

from __future__ import annotations

import hmac

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from app.db.encryption import cipher
from app.db.models.key_check import KeyCheck

ROW = 1


class WrongMasterKey(Exception):
    def __init__(self) -> None:
        super().__init__(
            "the master key does not match the one this database's data is encrypted with: set WITHU_MASTER_KEY "
            "(or WITHU_MASTER_KEY_FILE) to that key; the service does not start with another"
        )


async def verify_master_key(engine: AsyncEngine) -> None:
    """Compare the configured key's check value with the stored one; store it if there is none yet (a new
    database, or one from before the check). Raises WrongMasterKey on a mismatch."""
    expected = cipher().key_check
    for _attempt in range(2):  # two processes starting on a new database: one stores, the other compares
        async with engine.connect() as connection:
            stored = await connection.scalar(select(KeyCheck.value).where(KeyCheck.id == ROW))
            if stored is not None:
                if not hmac.compare_digest(stored, expected):
                    raise WrongMasterKey()
                return
            try:
                await connection.execute(insert(KeyCheck).values(id=ROW, value=expected))
                await connection.commit()
                return
            except IntegrityError:
                await connection.rollback()
