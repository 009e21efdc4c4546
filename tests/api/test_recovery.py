"""Issue 18, point 5 (ACC-1, ACC-2, AUD-1): recovery without a single escrow holder. The recovery key's private half
is split among named officers (`withu recovery init`); given enough shares, `withu recovery grant` gives a case's
key back to an account that reads the case under ACC-1 now — never to anyone else, never with too few or the wrong
shares. Every use is audited and shown to the division head. Both databases (the fixtures choose)."""

from __future__ import annotations

import base64
import os
import secrets
import stat
import subprocess
import sys
import uuid
from datetime import date
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from sqlalchemy import select

from app.db import case_keys as keys
from app.db import recovery_shares
from app.db.models import AuditEntry
from app.domain.enums import Role, Team
from app.services import case_keys
from app.services.recovery import CASE_RESTORED, CaseOutcome, NewRecoveryKey, RecoveryRefused, create_key, grant, status
from tests.builders import Staff, case_id_for, login, login_tokens, make_report, make_staff

HOLDERS = ["Officer Ana", "Officer Ben", "Officer Cy"]


async def _init(uow_factory) -> NewRecoveryKey:  # type: ignore[no-untyped-def]
    """`withu recovery init --replace` as the command runs it (the test database is shared: a key may exist)."""
    async with uow_factory() as uow:
        made = await create_key(uow, HOLDERS, 2, replace=True)
        await uow.commit()
    return made


async def _grant(uow_factory, shares: list[str], references: list[str], email: str, key_id: str | None = None):  # type: ignore[no-untyped-def]
    """`withu recovery grant` as the command runs it: one unit of work, committed only if nothing was refused."""
    async with uow_factory() as uow:
        outcomes: list[CaseOutcome] = await grant(uow, shares, references, email, key_id)
        await uow.commit()
    return outcomes


async def _wraps(uow_factory, case_id: str) -> dict[str, bytes]:  # type: ignore[no-untyped-def]
    async with uow_factory() as uow:
        return await uow.keys.wraps(uuid.UUID(case_id))


async def _restorations(uow_factory, case_id: str) -> list[tuple[str | None, str, date]]:  # type: ignore[no-untyped-def]
    """The case's `recovery.case_restored` entries: (target, actor kind, day)."""
    async with uow_factory() as uow:
        rows = await uow.session.execute(
            select(AuditEntry.target, AuditEntry.actor_kind, AuditEntry.at).where(
                AuditEntry.case_id == uuid.UUID(case_id), AuditEntry.action == CASE_RESTORED
            )
        )
        return [(target, kind, at.date()) for target, kind, at in rows.all()]


async def _lose_key_pair(uow_factory, staff: Staff) -> None:  # type: ignore[no-untyped-def]
    """The staff member is enrolled again (a forgotten password): a new key pair, the old one's wraps gone."""
    async with uow_factory() as uow:
        user = await uow.staff.user(staff.id)
        await case_keys.give_key_pair(uow, user, staff.password)
        await uow.commit()


async def _refused(uow_factory, shares: list[str], reference: str, email: str, says: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(RecoveryRefused) as refused:
        await _grant(uow_factory, shares, [reference], email)
    assert says in str(refused.value), str(refused.value)
    assert "\n" not in str(refused.value)
    assert not any(share in str(refused.value) for share in shares)


async def test_acc_2_recovery_gives_a_reader_who_lost_their_key_the_case_back(client, uow_factory) -> None:  # type: ignore[no-untyped-def]
    """ACC-2: a team lead whose key pair was replaced gets 409 `case-key-not-shared`; 2 of 3 shares give the case's
    key back to them and the narrative reads again. One share, shares of another key, forged shares of this key:
    refused, nothing written. AUD-1: the restoration is audited and shown to the division head only."""
    lead = await make_staff(uow_factory, role=Role.team_lead, team=Team.intake_counselling)
    outsider = await make_staff(uow_factory, role=Role.intake, team=Team.investigation)
    made = await _init(uow_factory)
    assert [holder for holder, _ in made.shares] == HOLDERS
    shares = [share for _, share in made.shares]
    submitted = await make_report(client, narrative="CANARY-RECOVERY-7Q: in the lift after the meeting.")
    reference = submitted["case_reference"]
    case_id = await case_id_for(client, await login(client, lead), reference)
    assert keys.recovery_holder(made.key_id) in await _wraps(uow_factory, case_id)

    await _lose_key_pair(uow_factory, lead)
    tokens = await login_tokens(client, lead, offset_steps=1)
    lead_h = {"Authorization": f"Bearer {tokens['access_token']}"}
    waiting = await client.get(f"/api/v1/cases/{case_id}", headers=lead_h)
    assert waiting.status_code == 409 and waiting.json()["code"] == "case-key-not-shared", waiting.text
    assert keys.staff_holder(lead.id) not in await _wraps(uow_factory, case_id)

    before = await _wraps(uow_factory, case_id)
    await _refused(uow_factory, shares[:1], reference, lead.email, "needs 2 shares")
    other_private = X25519PrivateKey.generate()
    other_id = recovery_shares.key_id_for(keys.public_of(other_private))
    foreign = recovery_shares.split(other_private.private_bytes_raw(), 2, 3, other_id)
    await _refused(uow_factory, foreign[:2], reference, lead.email, f"of recovery key {other_id}, not of key")
    forged = recovery_shares.split(secrets.token_bytes(32), 2, 3, made.key_id)  # this key's id, another secret
    await _refused(uow_factory, forged[:2], reference, lead.email, f"do not give recovery key {made.key_id}")
    await _refused(uow_factory, [shares[0], shares[0]], reference, lead.email, "same share twice")
    assert await _wraps(uow_factory, case_id) == before
    assert await _restorations(uow_factory, case_id) == []

    # A target who does not read the case under ACC-1: refused for that case, no wrap for them.
    (not_reader,) = await _grant(uow_factory, [shares[0], shares[2]], [reference], outsider.email)
    assert not not_reader.restored and f"not a reader of {reference}: assign them first" in not_reader.message
    assert keys.staff_holder(outsider.id) not in await _wraps(uow_factory, case_id)
    assert await _restorations(uow_factory, case_id) == []

    (restored,) = await _grant(uow_factory, [shares[2], shares[0]], [reference], lead.email)
    assert restored.restored, restored.message
    read = await client.get(f"/api/v1/cases/{case_id}", headers=lead_h)
    assert read.status_code == 200 and "CANARY-RECOVERY-7Q" in read.text, read.text
    (entry,) = await _restorations(uow_factory, case_id)
    assert entry[:2] == (str(lead.id), "system")

    head = await make_staff(uow_factory, role=Role.division_head)
    shown = await client.get("/api/v1/recovery", headers=await login(client, head))
    assert shown.status_code == 200, shown.text
    body = shown.json()
    assert body["key"]["id"] == made.key_id and body["key"]["threshold"] == 2 and body["key"]["holders"] == HOLDERS
    assert body["uses"][0] == {
        "on": entry[2].isoformat(),
        "action": CASE_RESTORED,
        "case_reference": reference,
        "key_id": None,
        "for": "Test team_lead",
    }
    assert {"action": "recovery.key_created", "key_id": made.key_id}.items() <= body["uses"][1].items()
    assert not any(share in shown.text for share in shares)
    for role in (Role.sysadmin, Role.hr_officer):
        denied = await client.get(
            "/api/v1/recovery", headers=await login(client, await make_staff(uow_factory, role=role))
        )
        assert denied.status_code == 403, denied.text
        assert denied.headers["content-type"].startswith("application/problem+json")


async def test_acc_2_recovery_a_case_from_before_the_key_is_wrapped_when_a_reader_opens_it(client, uow_factory) -> None:  # type: ignore[no-untyped-def]
    """ACC-2: a case that came in before the key says so at grant; once a reader opens it, it carries the key's wrap
    (`status` counts it). A retired key keeps opening the cases wrapped for it (`--key`)."""
    lead = await make_staff(uow_factory, role=Role.team_lead, team=Team.intake_counselling)
    first = await _init(uow_factory)
    older = await make_report(client, narrative="CANARY-RECOVERY-OLD: by the printer.")
    replaced = await _init(uow_factory)
    assert replaced.retired == [first.key_id]
    shares = [share for _, share in replaced.shares]
    lead_h = await login(client, lead)
    case_id = await case_id_for(client, lead_h, older["case_reference"])
    async with uow_factory() as uow:
        before = await status(uow)
    assert before.key is not None and before.key.id == replaced.key_id and before.cases_wrapped < before.cases_with_key

    (missing,) = await _grant(uow_factory, shares[1:], [older["case_reference"]], lead.email)
    assert not missing.restored and f"no wrap for recovery key {replaced.key_id}" in missing.message
    assert keys.recovery_holder(replaced.key_id) not in await _wraps(uow_factory, case_id)

    assert (await client.get(f"/api/v1/cases/{case_id}", headers=lead_h)).status_code == 200  # a reader opens it
    assert keys.recovery_holder(replaced.key_id) in await _wraps(uow_factory, case_id)
    async with uow_factory() as uow:
        after = await status(uow)
    assert after.cases_wrapped == before.cases_wrapped + 1 and after.cases_with_key == before.cases_with_key
    (now_restored,) = await _grant(uow_factory, shares[:2], [older["case_reference"]], lead.email)
    assert now_restored.restored, now_restored.message

    old_shares = [share for _, share in first.shares]
    with pytest.raises(RecoveryRefused, match=f"--key {first.key_id}"):
        await _grant(uow_factory, old_shares[:2], [older["case_reference"]], lead.email)
    (by_old_key,) = await _grant(uow_factory, old_shares[1:], [older["case_reference"]], lead.email, first.key_id)
    assert by_old_key.restored, by_old_key.message  # retiring a key leaves its wraps: only shredding destroys them
    (unknown,) = await _grant(uow_factory, shares[:2], ["WU-NO-SUCH-CASE"], lead.email)
    assert not unknown.restored and "no case WU-NO-SUCH-CASE" in unknown.message


def _withu(args: list[str], stdin: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "WITHU_ENVIRONMENT": "development",
        "WITHU_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/cli.db",
        "WITHU_MASTER_KEY": (tmp_path / "master.key").read_text(),
        "WITHU_EVIDENCE_DIR": str(tmp_path / "evidence"),
    }
    return subprocess.run(  # noqa: S603
        [sys.executable, "-m", "app.cli", *args], input=stdin, capture_output=True, text=True, env=env, timeout=120
    )


def test_acc_2_recovery_commands_print_each_share_once_and_refuse_without_enough(tmp_path: Path) -> None:
    """ACC-2 through the real `withu` command: `recovery init` prints each holder's share once with a warning and
    writes one QR code each (0600); a second key is refused without --replace; `grant` with one share, or for an
    unknown account, is refused in one line (exit 2, no traceback, no share echoed); `status` shows the key."""
    (tmp_path / "master.key").write_text(base64.b64encode(secrets.token_bytes(32)).decode())
    assert _withu(["migrate"], "", tmp_path).returncode == 0
    assert "no active recovery key" in _withu(["recovery", "status"], "", tmp_path).stdout
    holders = [arg for name in HOLDERS for arg in ("--holder", name)]
    qr_dir = tmp_path / "qr"
    made = _withu(["recovery", "init", *holders, "--threshold", "2", "--qr-dir", str(qr_dir)], "", tmp_path)
    assert made.returncode == 0, made.stderr
    shares = [line.strip() for line in made.stdout.splitlines() if line.strip().startswith("WITHU-RK1-")]
    assert len(shares) == 3 and len(set(shares)) == 3
    assert all(name in made.stdout for name in HOLDERS) and "ONCE" in made.stdout and "next time" in made.stdout
    key_id, _ = recovery_shares.combine(shares[:2])
    files = sorted(qr_dir.iterdir())
    assert len(files) == 3 and all(stat.S_IMODE(f.stat().st_mode) == 0o600 for f in files)
    assert all(f.read_text().lstrip().startswith(("<?xml", "<svg")) for f in files)

    shown = _withu(["recovery", "status"], "", tmp_path)
    assert f"recovery key {key_id}: 2 of 3 shares" in shown.stdout and HOLDERS[1] in shown.stdout

    again = _withu(["recovery", "init", *holders, "--threshold", "2"], "", tmp_path)
    assert again.returncode == 2 and f"recovery key {key_id} is active" in again.stderr
    assert len(again.stderr.strip().splitlines()) == 1 and "WITHU-RK1-" not in again.stdout

    grant_args = ["recovery", "grant", "--case", "WU-ANY", "--to", "nobody@example.org"]
    for stdin, says in ((shares[0] + "\n", "needs 2 shares"), ("\n".join(shares[:2]) + "\n", "no staff account")):
        refused = _withu(grant_args, stdin, tmp_path)
        assert refused.returncode == 2 and says in refused.stderr, refused.stderr
        assert "Traceback" not in refused.stderr and not any(s in refused.stderr + refused.stdout for s in shares)

    replaced = _withu(["recovery", "init", *holders, "--threshold", "3", "--replace"], "", tmp_path)
    assert replaced.returncode == 0 and f"Retired recovery key {key_id}" in replaced.stdout, replaced.stderr
    assert "3 of 3 shares" in _withu(["recovery", "status"], "", tmp_path).stdout
    assert _withu(["audit", "verify"], "", tmp_path).returncode == 0
