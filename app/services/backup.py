"""`withu backup` and `withu restore` (reliability review, findings 2 and 4; docs/operations.md).

A backup folder holds the database (SQLite: a copy made with SQLite's online backup API, consistent while the
server keeps writing; PostgreSQL: `pg_dump -Fc`), the evidence store's files, a manifest (sizes and SHA-256 of every
file) and a README.txt. Never the master key (ACC-2): it is kept apart (docs/deployment.md), and `restore` refuses
to run until one is configured, then checks that it is the restored data's key.

The database is copied first, the evidence after it: a file is written before its row commits, so every row of the
copy finds its file among the files copied later (files are written atomically: a plain copy of a completed file is
consistent). Files without a row in the copy are removed by the worker's orphan sweep after a restore.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import inspect
from sqlalchemy.engine import make_url

from app.db import encryption
from app.db.engine import engine_for
from app.db.key_check import verify_master_key
from app.settings import Settings

MANIFEST, README = "manifest.json", "README.txt"
SQLITE_FILE, PG_FILE, EVIDENCE = "withu.db", "withu.dump", "evidence"
FORMAT = 1
README_TEXT = """WithU backup, made {created} by `withu backup` ({engine}).

  {database}    the database
  evidence/     the evidence store's files (encrypted; same layout as WITHU_EVIDENCE_DIR)
  manifest.json the size and SHA-256 of every file here; `withu restore` checks them first

The master key is NOT in this backup, on purpose: everything encrypted here (narratives, identities, messages,
evidence) is unreadable without it. Keep the key apart from the backups (another medium, other people) and bring
it to the restore: `withu restore` refuses to run without WITHU_MASTER_KEY or WITHU_MASTER_KEY_FILE.

Restore into an empty database and an empty evidence folder:  withu restore THIS_FOLDER
(docs/operations.md, "Backup and restore").
"""


class BackupError(Exception):
    """A backup or restore that cannot go on: said in one line."""


@dataclass(frozen=True)
class Summary:
    engine: str
    database_bytes: int
    evidence_files: int
    evidence_bytes: int


def backup(settings: Settings, dest: Path) -> Summary:
    """Write a backup of the configured database and evidence store into `dest` (new or empty)."""
    if dest.exists() and (not dest.is_dir() or any(dest.iterdir())):
        raise BackupError(f"{dest} is not an empty folder: give a new folder for each backup")
    dest.mkdir(mode=0o700, parents=True, exist_ok=True)
    if settings.is_sqlite:
        engine, database = "sqlite", dest / SQLITE_FILE
        _sqlite_copy(_sqlite_path(settings), database, make_wal=False)
    else:
        engine, database = "postgresql", dest / PG_FILE
        _pg("pg_dump", settings, "--format=custom", "--file", str(database))
    os.chmod(database, 0o600)
    evidence = _copy_evidence(settings.evidence_dir, dest / EVIDENCE)
    created = datetime.now(UTC).isoformat(timespec="seconds")
    manifest = {
        "format": FORMAT,
        "created_at": created,
        "engine": engine,
        "database": {"file": database.name, **_fingerprint(database)},
        "evidence": evidence,
    }
    _write(dest / MANIFEST, json.dumps(manifest, indent=1) + "\n")
    _write(dest / README, README_TEXT.format(created=created, engine=engine, database=f"{database.name:<13}"))
    return Summary(engine, database.stat().st_size, len(evidence), sum(e["size"] for e in evidence.values()))


def restore(settings: Settings, src: Path, *, force: bool = False) -> Summary:
    """Restore the backup in `src` into the configured database and evidence store. Refuses without a configured
    master key, on a damaged backup, on another engine's backup, and on a target that holds data unless `force`."""
    if not settings.master_key and not settings.master_key_file.exists():
        raise BackupError(
            "no master key configured: set WITHU_MASTER_KEY or WITHU_MASTER_KEY_FILE to the key kept apart from the "
            "backups (it is never in them); without it the restored data cannot be read"
        )
    manifest = _checked_manifest(src)
    engine = "sqlite" if settings.is_sqlite else "postgresql"
    if manifest["engine"] != engine:
        raise BackupError(f"this is a {manifest['engine']} backup; WITHU_DATABASE_URL names a {engine} database")
    if not force:
        if asyncio.run(_has_tables(settings)):
            raise BackupError("the database already holds data: restore into an empty one, or pass --force")
        if settings.evidence_dir.exists() and any(p.is_file() for p in settings.evidence_dir.rglob("*")):
            raise BackupError(f"the evidence store {settings.evidence_dir} is not empty: pass --force to add to it")
    database = src / manifest["database"]["file"]
    if engine == "sqlite":
        _sqlite_copy(database, _sqlite_path(settings), make_wal=True)
    else:
        # Into an empty database plain pg_restore exits 0 (`--clean` alone exits 1 there: the review's 269 errors);
        # over existing data --clean --if-exists. One transaction: a failed restore leaves nothing half-done.
        clean = ["--clean", "--if-exists"] if force else []
        target = ["--dbname", make_url(settings.database_url).database or ""]
        _pg("pg_restore", settings, "--no-owner", "--no-acl", "--single-transaction", *clean, *target, str(database))
    files = manifest["evidence"]
    for name in files:
        target = settings.evidence_dir / name
        target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        shutil.copyfile(src / EVIDENCE / name, target)
        os.chmod(target, 0o600)
    asyncio.run(verify_key(settings))
    return Summary(engine, manifest["database"]["size"], len(files), sum(e["size"] for e in files.values()))


def _sqlite_path(settings: Settings) -> Path:
    return Path(make_url(settings.database_url).database or "")


def _sqlite_copy(source: Path, target: Path, *, make_wal: bool) -> None:
    """SQLite's online backup API, in one step: one read transaction, so the copy is the database as of one
    moment, including what is still only in the WAL (a `cp` of the file alone loses acknowledged reports)."""
    if not source.is_file():
        raise BackupError(f"no SQLite database at {source}")
    target.parent.mkdir(parents=True, exist_ok=True)
    os.close(os.open(target, os.O_RDWR | os.O_CREAT, 0o600))
    with closing(sqlite3.connect(source, timeout=30)) as reader, closing(sqlite3.connect(target, timeout=30)) as writer:
        reader.backup(writer)
        writer.execute(f"PRAGMA journal_mode={'WAL' if make_wal else 'DELETE'}")  # a backup is one file
        check = writer.execute("PRAGMA integrity_check").fetchone()[0]
    if check != "ok":
        raise BackupError(f"the copied database fails SQLite's integrity check: {check}")


def _pg(tool: str, settings: Settings, *args: str) -> None:
    """Run pg_dump or pg_restore against the configured database: its address from WITHU_DATABASE_URL, passed in
    libpq's environment variables (the password never on a command line)."""
    url = make_url(settings.database_url)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    for name, value in (
        ("PGHOST", url.host),
        ("PGPORT", url.port),
        ("PGUSER", url.username),
        ("PGPASSWORD", url.password),
        ("PGDATABASE", url.database),
        ("PGSSLMODE", url.query.get("sslmode") or url.query.get("ssl")),
    ):
        if value is not None:
            env[name] = str(value)
    try:
        done = subprocess.run([tool, "--no-password", *args], env=env, capture_output=True, text=True, check=False)  # noqa: S603
    except FileNotFoundError:
        raise BackupError(
            f"{tool} not found: install the PostgreSQL client tools (same major version as the server)"
        ) from None
    if done.returncode != 0:
        lines = [line for line in done.stderr.splitlines() if line.strip()] or [f"exit status {done.returncode}"]
        raise BackupError(f"{tool} failed: {lines[0]}")


def _copy_evidence(store: Path, target: Path) -> dict[str, dict[str, int | str]]:
    """Copy every completed file of the store (not the temporary files of writes in progress); their fingerprints
    by path relative to the store."""
    copied: dict[str, dict[str, int | str]] = {}
    target.mkdir(mode=0o700)
    if not store.is_dir():
        return copied
    for path in sorted(store.glob("*/*")):
        if path.name.startswith(".") or not path.is_file():
            continue
        name = f"{path.parent.name}/{path.name}"
        (target / path.parent.name).mkdir(mode=0o700, exist_ok=True)
        try:
            shutil.copyfile(path, target / name)
        except FileNotFoundError:  # removed meanwhile (an orphan swept, a rolled-back upload): nothing to keep
            continue
        os.chmod(target / name, 0o600)
        copied[name] = _fingerprint(target / name)
    return copied


def _checked_manifest(src: Path) -> dict:  # type: ignore[type-arg]
    try:
        manifest = json.loads((src / MANIFEST).read_text())
    except (OSError, ValueError):
        raise BackupError(f"{src} holds no readable {MANIFEST}: not a `withu backup` folder") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{src}: backup format {manifest.get('format')!r} is not {FORMAT}")
    expected = {manifest["database"]["file"]: manifest["database"]}
    expected.update({f"{EVIDENCE}/{name}": print_ for name, print_ in manifest["evidence"].items()})
    for name, print_ in expected.items():
        path = src / name
        if not path.is_file() or _fingerprint(path) != {"size": print_["size"], "sha256": print_["sha256"]}:
            raise BackupError(f"{src}: {name} is missing or differs from the manifest: the backup is damaged")
    return manifest  # type: ignore[no-any-return]


def _fingerprint(path: Path) -> dict[str, int | str]:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return {"size": path.stat().st_size, "sha256": digest.hexdigest()}


def _write(path: Path, text: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(text)


async def _has_tables(settings: Settings) -> bool:
    engine = engine_for(settings)
    try:
        async with engine.connect() as connection:
            return bool(await connection.run_sync(lambda sync: inspect(sync).get_table_names()))
    finally:
        await engine.dispose()


async def verify_key(settings: Settings) -> None:
    """ACC-2: the configured master key must be the database's, e.g. the restored data's (WrongMasterKey otherwise)."""
    encryption.configure(settings.load_master_key())
    engine = engine_for(settings)
    try:
        await verify_master_key(engine)
    finally:
        await engine.dispose()
