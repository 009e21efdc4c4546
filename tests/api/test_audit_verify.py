"""AUD-1: `withu audit verify` walks the hash chain and detects a modified, removed or forged entry."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from sqlalchemy import text

from app.cli import migrate
from app.db.engine import make_engine, make_sessionmaker
from app.db.uow import UnitOfWork
from app.services import audit
from app.services.actors import SystemActor
from tests.conftest import MASTER_KEY, make_settings

WITHU = str(Path(sys.executable).parent / "withu")


def verify_cli(url: str, *extra: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "WITHU_DATABASE_URL": url,
        "WITHU_MASTER_KEY": MASTER_KEY,
        "WITHU_ENVIRONMENT": "test",
        "WITHU_JWT_SECRET": "test-jwt-secret-" + "x" * 32,
    }
    return subprocess.run([WITHU, "audit", "verify", *extra], env=env, capture_output=True, text=True, timeout=60)  # noqa: S603


async def _own_chain(entries: int) -> str:
    """A database of its own (tampering must not break the shared test database's chain)."""
    url = f"sqlite+aiosqlite:///{Path(tempfile.mkdtemp()) / 'audit.db'}"
    settings = make_settings(database_url=url)
    await asyncio.to_thread(migrate, settings)
    engine = make_engine(url)
    async with UnitOfWork(make_sessionmaker(engine), settings) as uow:
        for i in range(entries):
            await audit.record(uow, SystemActor(), f"test.entry_{i}")
        await uow.commit()
    await engine.dispose()
    return url


async def _tamper(url: str, *statements: str) -> None:
    # A database administrator with full rights: drop the append-only guard, then change history.
    engine = make_engine(url)
    async with engine.begin() as conn:
        await conn.execute(text("DROP TRIGGER audit_entry_no_update"))
        await conn.execute(text("DROP TRIGGER audit_entry_no_delete"))
        for statement in statements:
            await conn.execute(text(statement))
    await engine.dispose()


async def test_aud_1_verify_accepts_an_intact_chain() -> None:
    """AUD-1: an intact chain verifies (exit 0) with its entry count."""
    url = await _own_chain(5)
    result = verify_cli(url)
    assert result.returncode == 0, result.stderr
    assert "intact: 5 entries" in result.stdout


async def test_aud_1_verify_detects_a_modified_entry() -> None:
    """AUD-1: changing any field of an entry breaks the chain (exit 1, the entry named)."""
    url = await _own_chain(5)
    await _tamper(url, "UPDATE audit_entry SET action = 'case.read' WHERE seq = 3")
    result = verify_cli(url)
    assert result.returncode == 1
    assert "BROKEN at entry 3: entry was modified" in result.stderr


async def test_aud_1_verify_detects_a_removed_entry() -> None:
    """AUD-1: deleting an entry leaves a gap that is detected."""
    url = await _own_chain(5)
    await _tamper(url, "DELETE FROM audit_entry WHERE seq = 2")
    result = verify_cli(url)
    assert result.returncode == 1 and "entry 2 is missing" in result.stderr


async def test_aud_1_verify_detects_a_recomputed_entry_hash() -> None:
    """AUD-1: re-hashing a modified entry still breaks the link to the next one."""
    url = await _own_chain(4)
    engine = make_engine(url)
    async with engine.connect() as conn:
        row = (await conn.execute(text("SELECT * FROM audit_entry WHERE seq = 2"))).mappings().one()
    await engine.dispose()
    from datetime import UTC, datetime

    from app.db.models import AuditEntry
    from app.domain.audit_chain import entry_hash

    forged = AuditEntry(
        seq=2,
        at=datetime.fromisoformat(str(row["at"])).replace(tzinfo=UTC),
        actor_kind=row["actor_kind"],
        actor_id=row["actor_id"],
        action="forged.action",
        case_id=None,
        target=None,
    )
    new_hash = entry_hash(row["prev_hash"], forged.chained_fields())
    await _tamper(url, f"UPDATE audit_entry SET action = 'forged.action', hash = '{new_hash}' WHERE seq = 2")  # noqa: S608
    result = verify_cli(url)
    assert result.returncode == 1 and "BROKEN at entry 3: previous hash does not match" in result.stderr


async def test_aud_1_anchor_detects_a_log_cut_short() -> None:
    """AUD-1: deleting the newest entries leaves a valid-looking chain; the recorded head (anchor) catches it."""
    url = await _own_chain(5)
    first = verify_cli(url)
    head = first.stdout.strip().splitlines()[-1].rsplit(" ", 1)[-1]
    assert head.startswith("5:")
    await _tamper(url, "DELETE FROM audit_entry WHERE seq >= 4")
    assert verify_cli(url).returncode == 0  # the chain alone cannot tell
    result = verify_cli(url, "--anchor", head)
    assert result.returncode == 1 and "anchored entry is missing" in result.stderr
