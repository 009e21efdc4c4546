"""Backup and restore, drilled (reliability review, findings 2 and 4; issue 15, "Build and prove" 3).

On SQLite and on PostgreSQL (a database of its own on the tests' server: PG_ADMIN_URL as scripts/pg.sh sets it,
else the server of WITHU_TEST_PG_URL, else 127.0.0.1:5432): a real `withu serve` is seeded with confidential reports,
each with a reporter's message and a file uploaded through the inbox, while two writers keep submitting; `withu backup`
runs in the middle of it. The backup is restored with `withu restore` into a new database and a new evidence folder,
a new server starts on it, and the drill proves: every report acknowledged before the backup began opens its inbox
with its receipt code and its narrative reads to staff (INT-7), every file downloads with the same bytes, the audit
chain verifies (AUD-1), and the master key is in no file of the backup while restore refuses to run without one
(ACC-2)."""

from __future__ import annotations

import asyncio
import base64
import json
import shutil
import subprocess
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from tests.chaos import fleet
from tests.e2e import live_server as live
from tests.e2e.browser import StaffApi

# Two server start-ups (one migrates and seeds) and four `withu` commands: about 20-30 s per database on a quiet
# machine, several times that on a loaded one (the first test of each database carries the drill's setup).
pytestmark = pytest.mark.timeout(300)
GENEROUS = {"rate_upload": live.GENEROUS_RATE, "rate_upload_sender": live.GENEROUS_RATE}
SEEDED, WRITERS, LOAD_BEFORE_BACKUP = 6, 2, 1.5
REASON = "Checking that the restored backup is complete."


@dataclass
class Report:
    receipt: str
    reference: str
    narrative: str
    evidence_id: str | None = None
    evidence: bytes | None = None


@dataclass
class Drill:
    backup: Path
    master_key: str
    acknowledged_before: list[Report]
    restored: live.LiveServer
    refusals: dict[str, subprocess.CompletedProcess[str]] = field(default_factory=dict)


def _seed(client: httpx.Client, i: int) -> Report:
    """A confidential report, the reporter's message and a file through the inbox."""
    narrative = f"Drill narrative {i} {uuid.uuid4().hex}: the manager cornered me in the archive."
    made = client.post(
        "/reports",
        headers={"Idempotency-Key": str(uuid.uuid4())},
        json={
            "reporter_kind": "victim",
            "identity_mode": "confidential",
            "reporter": {"name": f"Reporter {i}", "email": f"r{i}@example.org"},
            "category": "sexual_harassment",
            "narrative": narrative,
        },
    )
    assert made.status_code == 201, made.text
    report = Report(made.json()["receipt_code"], made.json()["case_reference"], narrative)
    session = client.post("/inbox/session", json={"receipt_code": report.receipt})
    assert session.status_code == 200, session.text
    inbox = {"Authorization": f"Bearer {session.json()['access_token']}"}
    said = client.post("/inbox/messages", headers=inbox, json={"body": f"More details {i}"})
    assert said.status_code == 201, said.text
    report.evidence = f"Evidence note {i} {uuid.uuid4().hex}\n".encode()
    sent = client.post("/inbox/evidence", headers=inbox, files={"file": ("note.txt", report.evidence, "text/plain")})
    assert sent.status_code == 201, sent.text
    report.evidence_id = sent.json()["id"]
    return report


def _write_until(base_url: str, stop: threading.Event, acks: list[tuple[float, Report]]) -> None:
    """Submit anonymous reports one after another; each acknowledgement with the moment it arrived."""
    with httpx.Client(base_url=base_url, timeout=30) as client:
        while not stop.is_set():
            narrative = f"Writer narrative {uuid.uuid4().hex}: remarks at the team dinner."
            made = client.post(
                "/reports",
                headers={"Idempotency-Key": str(uuid.uuid4())},
                json={**live_report(), "narrative": narrative},
            )
            if made.status_code == 201:
                body = made.json()
                acks.append((time.monotonic(), Report(body["receipt_code"], body["case_reference"], narrative)))


def live_report() -> dict[str, str]:
    return {"reporter_kind": "third_party", "identity_mode": "anonymous", "category": "sexual_harassment"}


@pytest.fixture(scope="module", params=fleet.ENGINES)
def drill(request: pytest.FixtureRequest) -> Iterator[Drill]:
    engine = request.param
    folder = Path(tempfile.mkdtemp(prefix=f"withu-drill-{engine}-"))
    databases = ExitStack()  # each dropped on the way out (fleet.fresh_database)
    servers: list[live.LiveServer] = []
    try:
        old_url = databases.enter_context(fleet.fresh_database(engine, folder / "old"))
        first = live.start(folder / "old", **GENEROUS, database_url=old_url)
        servers.append(first)
        with httpx.Client(base_url=first.url("/api/v1"), timeout=30) as client:
            seeded = [_seed(client, i) for i in range(SEEDED)]
        stop, acks = threading.Event(), []  # type: ignore[var-annotated]
        writers = [
            threading.Thread(target=_write_until, args=(first.url("/api/v1"), stop, acks)) for _ in range(WRITERS)
        ]
        for writer in writers:
            writer.start()
        time.sleep(LOAD_BEFORE_BACKUP)
        began = time.monotonic()
        backup = folder / "backup"
        made = fleet.run_withu(first.env, first.workdir, "backup", str(backup))
        time.sleep(0.3)  # the writers go on a little after the backup too
        stop.set()
        for writer in writers:
            writer.join(timeout=30)
        assert made.returncode == 0, made.stderr
        before = seeded + [report for t, report in acks if t < began]
        assert len(before) > SEEDED, "no report was acknowledged while the writers ran"
        first.stop()

        new = folder / "new"
        new.mkdir()
        target = {
            **GENEROUS,
            "database_url": databases.enter_context(fleet.fresh_database(engine, new)),
            "master_key": first.env["WITHU_MASTER_KEY"],
            "evidence_dir": str(new / "evidence"),
        }
        refusals = {
            "no key": fleet.run_withu(live.server_env(new, **{**target, "master_key": ""}), new, "restore", str(backup))
        }
        restored = fleet.run_withu(live.server_env(new, **target), new, "restore", str(backup))
        assert restored.returncode == 0, restored.stderr
        refusals["not empty"] = fleet.run_withu(live.server_env(new, **target), new, "restore", str(backup))
        second = live.serve(new, live.server_env(new, **target), first.staff)  # migrated and seeded: restored
        servers.append(second)
        yield Drill(backup, first.env["WITHU_MASTER_KEY"], before, second, refusals)
    finally:
        for server in servers:
            server.stop()
        databases.close()
        shutil.rmtree(folder, ignore_errors=True)


async def _check_restored(server: live.LiveServer, reports: list[Report]) -> list[str]:
    """Every report as its reporter and as staff would see it on the restored server; what is wrong, if anything."""
    wrong: list[str] = []
    api = StaffApi(server)
    try:
        for report in reports:
            session = await api.post("/inbox/session", json={"receipt_code": report.receipt})
            if session.status_code != 200:
                wrong.append(f"{report.reference}: inbox session {session.status_code}")
                continue
            inbox = await api.get("/inbox", headers={"Authorization": f"Bearer {session.json()['access_token']}"})
            if inbox.status_code != 200 or inbox.json()["case_reference"] != report.reference:
                wrong.append(f"{report.reference}: inbox {inbox.status_code}")
            found = await api.get("/cases", staff="lead-intake", params={"reference": report.reference})
            items = found.json().get("items", []) if found.status_code == 200 else []
            if len(items) != 1:
                wrong.append(f"{report.reference}: staff find {found.status_code} {len(items)}")
                continue
            case = await api.get(f"/cases/{items[0]['id']}", staff="lead-intake")
            if case.status_code != 200 or report.narrative not in json.dumps(case.json(), ensure_ascii=False):
                wrong.append(f"{report.reference}: staff read {case.status_code}")
            if report.evidence_id:
                got = await api.post(
                    f"/cases/{items[0]['id']}/evidence/{report.evidence_id}/download",
                    staff="lead-intake",
                    json={"reason": REASON},
                )
                if got.status_code != 200 or got.content != report.evidence:
                    wrong.append(f"{report.reference}: evidence {got.status_code}")
    finally:
        await api.aclose()
    return wrong


def test_int_7_every_report_acknowledged_before_the_backup_is_restored(drill: Drill) -> None:
    """INT-7 (findings 2, 4): every report acknowledged before `withu backup` began, while writers kept submitting,
    opens its inbox with its receipt code on the restored server, staff read its narrative, and every file uploaded
    through the inbox downloads with its original bytes."""
    assert asyncio.run(_check_restored(drill.restored, drill.acknowledged_before)) == []


def test_aud_1_the_audit_chain_verifies_after_restore(drill: Drill) -> None:
    """AUD-1: `withu audit verify` on the restored database (after the drill's reads were audited too)."""
    assert "audit chain intact" in drill.restored.withu("audit", "verify")


def test_acc_2_the_master_key_is_never_in_the_backup(drill: Drill) -> None:
    """ACC-2: neither the key's bytes nor its base64 appear in any file of the backup; the README says it is kept
    apart; restore refuses to run without a key configured, and refuses a target that holds data (one line, exit
    2, no traceback)."""
    key = base64.b64decode(drill.master_key)
    files = [p for p in drill.backup.rglob("*") if p.is_file()]
    assert {p.name for p in files} >= {"manifest.json", "README.txt"}
    for path in files:
        content = path.read_bytes()
        assert key not in content and drill.master_key.encode() not in content, path
    assert "master key is NOT in this backup" in (drill.backup / "README.txt").read_text()
    for reason, expected in (("no key", "no master key configured"), ("not empty", "already holds data")):
        refused = drill.refusals[reason]
        assert refused.returncode == 2 and expected in refused.stderr, refused.stderr
        assert len(refused.stderr.strip().splitlines()) == 1 and "Traceback" not in refused.stderr
