"""Issue 18 (ACC-1, ACC-2, DATA-1): case content that only its case team can open — per-case keys wrapped for each
reader, staff key pairs under their passwords and held per sign-in, the reporter's key from the receipt code, and
crypto-shredding. Both databases (the fixtures choose)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select, text

from app.db import case_keys as keys
from app.db.encryption import LOCKED, CaseFileCipher, cipher
from app.db.models import Base, Case, CaseKeyWrap, CaseMessage, EvidenceFile, Report, StaffSession, StaffUser
from app.domain.enums import Role, Team
from app.integrations.file_store import FileStore
from app.services import clock, retention
from tests.builders import Staff, case_id_for, inbox_headers, login, login_tokens, make_report, make_staff, move_case
from tests.conftest import database_url, sqlite_file_bytes

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d4944415478da63f8cfc0f01f0005000201a5f4a7e80000000049454e44ae426082"
)


def _canaries() -> dict[str, str]:
    tag = uuid.uuid4().hex[:12].upper()
    return {
        name: f"CANARY{name.upper()}{tag}"
        for name in ("narrative", "name", "email", "victim", "witness", "staffnote", "reply", "reportermsg", "file")
        + ("description",)
    }


async def _wraps(uow_factory, case_id: str) -> set[str]:  # type: ignore[no-untyped-def]
    async with uow_factory() as uow:
        return set(
            await uow.session.scalars(select(CaseKeyWrap.holder).where(CaseKeyWrap.case_id == uuid.UUID(case_id)))
        )


async def _scenario(client, uow_factory, canaries: dict[str, str]) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """A victim's confidential report with a handler, replies both ways and evidence from both sides."""
    lead = await make_staff(uow_factory, role=Role.team_lead, team=Team.intake_counselling)
    handler = await make_staff(uow_factory, role=Role.investigator, team=Team.intake_counselling)
    submitted = await make_report(
        client,
        reporter_kind="third_party",
        identity_mode="confidential",
        reporter={"name": canaries["name"], "email": f"{canaries['email'].lower()}@example.org"},
        victim={"name": canaries["victim"]},
        witnesses=[{"name": canaries["witness"]}],
        narrative=f"{canaries['narrative']}: he cornered me in the stairwell.",
    )
    reporter = await inbox_headers(client, submitted["receipt_code"])
    assert (
        await client.post("/api/v1/inbox/messages", json={"body": canaries["reportermsg"]}, headers=reporter)
    ).status_code == 201
    uploaded = await client.post(
        "/api/v1/inbox/evidence",
        headers=reporter,
        files={"file": ("note.txt", f"He wrote: {canaries['file']}\n".encode(), "text/plain")},
        data={"description": canaries["description"]},
    )
    assert uploaded.status_code == 201, uploaded.text
    lead_h = await login(client, lead)
    case_id = await case_id_for(client, lead_h, submitted["case_reference"])
    assigned = await client.post(f"/api/v1/cases/{case_id}/handlers", json={"user_id": str(handler.id)}, headers=lead_h)
    assert assigned.status_code == 201, assigned.text
    handler_h = await login(client, handler)
    for body, internal in ((canaries["staffnote"], True), (canaries["reply"], False)):
        sent = await client.post(
            f"/api/v1/cases/{case_id}/messages", json={"body": body, "internal": internal}, headers=handler_h
        )
        assert sent.status_code == 201, sent.text
    return {
        "case_id": case_id,
        "lead": lead,
        "handler": handler,
        "handler_h": handler_h,
        "reporter": reporter,
        "code": submitted["receipt_code"],
        "reference": submitted["case_reference"],
    }


async def _raw_dump(uow_factory) -> bytes:  # type: ignore[no-untyped-def]
    """Every table's rows as stored, without the app's types: what a database dump holds."""
    parts: list[bytes] = []
    async with uow_factory() as uow:
        for table in Base.metadata.sorted_tables:
            for row in (await uow.session.execute(text(f'SELECT * FROM "{table.name}"'))).all():  # noqa: S608
                for value in row:
                    parts.append(bytes(value) if isinstance(value, (bytes, memoryview)) else str(value).encode())
    return b"\n".join(parts)


async def test_acc_1_acc_2_the_readers_read_and_a_stolen_server_reveals_no_case_content(
    client, uow_factory, app
) -> None:  # type: ignore[no-untyped-def]
    """Issue 18, point 1: with the database, the evidence store, the configuration and every key file on the server —
    but no signed-in reader — no narrative, message, identity or evidence file decrypts. The readers, meanwhile,
    read all of it through the API."""
    canaries = _canaries()
    world = await _scenario(client, uow_factory, canaries)
    case_id = world["case_id"]
    read = await client.get(f"/api/v1/cases/{case_id}", headers=world["handler_h"])
    assert read.status_code == 200, read.text
    for name in ("narrative", "name", "victim", "witness", "staffnote", "reply", "reportermsg"):
        assert canaries[name] in read.text, name
    inbox = await client.get("/api/v1/inbox", headers=world["reporter"])
    assert canaries["reply"] in inbox.text and canaries["staffnote"] not in inbox.text

    # The thief's copy: every row as stored, every evidence file, and the server's own keys (master key, JWT secret).
    settings = app.state.runtime.settings
    stolen = await _raw_dump(uow_factory)
    files = [p.read_bytes() for p in settings.evidence_dir.rglob("*") if p.is_file()]
    if database_url().startswith("sqlite"):
        stolen += sqlite_file_bytes()
    for name, canary in canaries.items():
        assert canary.lower().encode() not in stolen.lower(), f"in the database: {name}"
        assert not any(canary.lower().encode() in f.lower() for f in files), f"in the evidence store: {name}"

    # Decrypting with what the server holds: a unit of work with the master key and nobody signed in.
    async with uow_factory() as uow:
        reports = (await uow.session.scalars(select(Report).where(Report.case_id == uuid.UUID(case_id)))).all()
        messages = (
            await uow.session.scalars(select(CaseMessage).where(CaseMessage.case_id == uuid.UUID(case_id)))
        ).all()
        evidence = (
            await uow.session.scalars(select(EvidenceFile).where(EvidenceFile.case_id == uuid.UUID(case_id)))
        ).all()
        case = await uow.session.get(Case, uuid.UUID(case_id))
        assert case is not None and case.content_key is not None
        assert {r.narrative is LOCKED and r.identity is LOCKED and r.details is LOCKED for r in reports} == {True}
        assert messages and {m.body is LOCKED for m in messages} == {True}
        assert evidence and {e.description is LOCKED for e in evidence} == {True}
        for row in evidence:
            for store_cipher in (cipher(), CaseFileCipher(case.id, case.content_key)):
                try:
                    FileStore(settings.evidence_dir, store_cipher).get(row.stored_name)
                except Exception:  # noqa: BLE001, S112 - every way of opening it must fail
                    continue
                raise AssertionError("an evidence file opened with the server's keys")
        # The wraps: a staff member's private key is sealed under their password, a sign-in's under the secret in
        # its tokens; neither the master key nor the JWT secret opens one.
        server_secrets = [
            keys.reporter_key(settings.jwt_secret),
            keys.password_key(settings.jwt_secret, b"0" * 16, keys.PasswordKdf(1, 1024, 1)),
            bytes(32),
        ]
        sealed = [
            (u.id, bytes(u.sealed_private_key))
            for u in (await uow.session.scalars(select(StaffUser))).all()
            if u.sealed_private_key
        ] + [
            (s.user_id, bytes(s.sealed_private_key))
            for s in (await uow.session.scalars(select(StaffSession))).all()
            if s.sealed_private_key
        ]
        assert sealed
        for user_id, blob in sealed:
            for secret in server_secrets:
                try:
                    keys.unlock_private_key(blob, secret, user_id)
                except keys.KeyUnavailable:
                    continue
                raise AssertionError("a private key opened with a key the server holds")


async def test_acc_1_wraps_follow_the_readers_assignment_adds_the_handler_and_drops_the_team(
    client, uow_factory
) -> None:  # type: ignore[no-untyped-def]
    """Issue 18, point 2 (ACC-1, F13): at submission the routed team's members, its lead and the division head hold
    wraps, and the reporter; another team and content-blind roles none. Assigning a handler leaves the handler, the
    lead and the division head; removing the handler drops theirs."""
    lead = await make_staff(uow_factory, role=Role.team_lead, team=Team.intake_counselling)
    member = await make_staff(uow_factory, role=Role.intake, team=Team.intake_counselling)
    outsider = await make_staff(uow_factory, role=Role.intake, team=Team.investigation)
    head = await make_staff(uow_factory, role=Role.division_head)
    auditor = await make_staff(uow_factory, role=Role.auditor)
    submitted = await make_report(client, narrative="CANARY-WRAPS: at the office.")
    lead_h = await login(client, lead)
    case_id = await case_id_for(client, lead_h, submitted["case_reference"])
    wraps = await _wraps(uow_factory, case_id)
    for staff in (lead, member, head):
        assert keys.staff_holder(staff.id) in wraps
    for staff in (outsider, auditor):
        assert keys.staff_holder(staff.id) not in wraps
    assert [h for h in wraps if h.startswith("reporter:")]

    handler = await make_staff(uow_factory, role=Role.investigator, team=Team.intake_counselling)
    assigned = await client.post(f"/api/v1/cases/{case_id}/handlers", json={"user_id": str(handler.id)}, headers=lead_h)
    assert assigned.status_code == 201
    wraps = await _wraps(uow_factory, case_id)
    assert {keys.staff_holder(s.id) for s in (lead, head, handler)} <= wraps
    assert keys.staff_holder(member.id) not in wraps
    handler_h = await login(client, handler)
    assert (await client.get(f"/api/v1/cases/{case_id}", headers=handler_h)).status_code == 200
    assert (await client.get(f"/api/v1/cases/{case_id}", headers=await login(client, member))).status_code == 404

    second = await make_staff(uow_factory, role=Role.investigator, team=Team.intake_counselling)
    assert (
        await client.post(f"/api/v1/cases/{case_id}/handlers", json={"user_id": str(second.id)}, headers=lead_h)
    ).status_code == 201
    removed = await client.delete(f"/api/v1/cases/{case_id}/handlers/{handler.id}", headers=lead_h)
    assert removed.status_code == 204, removed.text
    assert keys.staff_holder(handler.id) not in await _wraps(uow_factory, case_id)


async def test_acc_1_a_new_reader_waits_for_a_colleague_who_holds_the_key(client, uow_factory) -> None:  # type: ignore[no-untyped-def]
    """Issue 18: a reader who joined after the case came in gets 409 `case-key-not-shared` (never the content, never
    a 500) until someone who holds the key signs in (their waiting request is answered then) or opens the case."""
    lead = await make_staff(uow_factory, role=Role.team_lead, team=Team.intake_counselling)
    submitted = await make_report(client, narrative="CANARY-LATE-READER: at the office.")
    newcomer = await make_staff(uow_factory, role=Role.intake, team=Team.intake_counselling)
    newcomer_h = await login(client, newcomer)
    case_id = await case_id_for(client, newcomer_h, submitted["case_reference"])
    waiting = await client.get(f"/api/v1/cases/{case_id}", headers=newcomer_h)
    assert waiting.status_code == 409 and waiting.json()["code"] == "case-key-not-shared"
    assert waiting.headers["content-type"].startswith("application/problem+json")
    assert "CANARY-LATE-READER" not in waiting.text
    # The lead, who holds the key, signs in: the waiting reader's request is answered at sign-in.
    lead_h = await login(client, lead)
    opened = await client.get(f"/api/v1/cases/{case_id}", headers=newcomer_h)
    assert opened.status_code == 200 and "CANARY-LATE-READER" in opened.text
    # Another newcomer: a holder opening the case shares it too.
    second = await make_staff(uow_factory, role=Role.division_head)
    second_h = await login(client, second)
    assert (await client.get(f"/api/v1/cases/{case_id}", headers=second_h)).status_code == 409
    assert (await client.get(f"/api/v1/cases/{case_id}", headers=lead_h)).status_code == 200
    assert (await client.get(f"/api/v1/cases/{case_id}", headers=second_h)).status_code == 200


async def test_acc_1_a_password_change_keeps_the_key_and_an_enrolment_again_loses_the_wraps(
    client, uow_factory
) -> None:  # type: ignore[no-untyped-def]
    """Issue 18, point 3: a password change seals the same private key under the new password (the cases stay
    readable, from the next sign-in); a sign-in whose token lacks the key secret is asked to sign in again."""
    head = await make_staff(uow_factory, role=Role.division_head)
    submitted = await make_report(client, narrative="CANARY-PASSWORD: at the office.")
    head_h = await login(client, head)
    case_id = await case_id_for(client, head_h, submitted["case_reference"])
    new_password = "a brand new passphrase for the head"
    changed = await client.post(
        "/api/v1/auth/password",
        json={"current_password": head.password, "new_password": new_password},
        headers=head_h,
    )
    assert changed.status_code == 204, changed.text
    moved = Staff(head.id, head.email, new_password, head.totp_secret, head.role, head.team, head.employee_number)
    again = await login_tokens(client, moved, offset_steps=1)
    again_h = {"Authorization": f"Bearer {again['access_token']}"}
    read = await client.get(f"/api/v1/cases/{case_id}", headers=again_h)
    assert read.status_code == 200 and "CANARY-PASSWORD" in read.text
    # The refresh token carries the key secret too: a refreshed sign-in still opens the case.
    refreshed = await client.post("/api/v1/auth/refresh", json={"refresh_token": again["refresh_token"]})
    assert refreshed.status_code == 200, refreshed.text
    refreshed_h = {"Authorization": f"Bearer {refreshed.json()['access_token']}"}
    assert (await client.get(f"/api/v1/cases/{case_id}", headers=refreshed_h)).status_code == 200
    # Without the secret (the refresh token's opaque part alone), the sign-in holds no key.
    opaque = again["refresh_token"].split(".")[0]
    bare = await client.post("/api/v1/auth/refresh", json={"refresh_token": opaque})
    assert bare.status_code in (200, 401), bare.text
    if bare.status_code == 200:
        keyless = {"Authorization": f"Bearer {bare.json()['access_token']}"}
        answer = await client.get(f"/api/v1/cases/{case_id}", headers=keyless)
        assert answer.status_code == 401 and answer.json()["code"] == "sign-in-again"


async def test_data_1_destroying_the_wraps_makes_the_content_unrecoverable(client, uow_factory, app) -> None:  # type: ignore[no-untyped-def]
    """Issue 18, point 7 (DATA-1, crypto-shredding): a copy of the case's ciphertext kept from before (a backup, a
    disk block) can no longer be opened once the case's wraps are destroyed — by no reader's key, by the reporter's
    receipt code, or by the server's."""
    canaries = _canaries()
    world = await _scenario(client, uow_factory, canaries)
    case_id = world["case_id"]
    async with uow_factory() as uow:
        kept = [
            bytes(blob)
            for blob in (
                await uow.session.scalars(
                    text("SELECT body FROM case_message WHERE case_id = :c").bindparams(c=uuid.UUID(case_id))
                )
            ).all()
        ]
        private_keys = []
        for staff in (world["lead"], world["handler"]):
            user = await uow.session.get(StaffUser, staff.id)
            lock = keys.password_key(staff.password, bytes(user.key_salt), _kdf(app))
            private_keys.append((staff.id, keys.unlock_private_key(bytes(user.sealed_private_key), lock, staff.id)))
    assert kept
    await move_case(client, uow_factory, world["handler_h"], case_id, "withdrawn", reason="The reporter withdrew.")
    async with uow_factory() as uow:
        case = await uow.session.get(Case, uuid.UUID(case_id))
        case.closed_on = clock.now().date().replace(year=clock.now().year - 20)
        await uow.commit()
    async with uow_factory() as uow:
        await retention.run_retention(uow, clock.now().date())
        await uow.commit()

    assert await _wraps(uow_factory, case_id) == set()
    async with uow_factory() as uow:
        every_wrap = (await uow.session.execute(select(CaseKeyWrap.case_id, CaseKeyWrap.sealed))).all()
    opened = []
    for wrap_case, sealed in every_wrap:
        for user_id, private in private_keys:
            try:
                opened.append(keys.unwrap(private, wrap_case, keys.staff_holder(user_id), bytes(sealed)))
            except keys.KeyUnavailable:
                continue
    for key in opened:
        for blob in kept:
            try:
                key.decrypt(blob, "case_message.body")
            except keys.KeyUnavailable:
                continue
            raise AssertionError("a kept ciphertext opened after its case's wraps were destroyed")
    assert (await client.post("/api/v1/inbox/session", json={"receipt_code": world["code"]})).status_code == 410


def _kdf(app: Any) -> keys.PasswordKdf:
    s = app.state.runtime.settings
    return keys.PasswordKdf(s.argon2_time_cost, s.argon2_memory_kib, s.argon2_parallelism)


async def test_acc_1_a_sign_in_keeps_its_private_key_only_until_it_ends(client, uow_factory) -> None:  # type: ignore[no-untyped-def]
    """Issue 18, point 3: while signed in, the sign-in's row holds the private key sealed under a secret the server
    does not keep; signing out, or signing out everywhere, drops it."""
    head = await make_staff(uow_factory, role=Role.division_head)
    first = await login(client, head)
    second = {"Authorization": f"Bearer {(await login_tokens(client, head, offset_steps=1))['access_token']}"}

    async def held() -> list[bool]:
        async with uow_factory() as uow:
            rows = (await uow.session.scalars(select(StaffSession).where(StaffSession.user_id == head.id))).all()
            return sorted(r.sealed_private_key is not None for r in rows)

    assert await held() == [True, True]
    assert (await client.post("/api/v1/auth/logout", headers=first)).status_code == 204
    assert await held() == [False, True]
    assert (await client.post("/api/v1/auth/logout-all", headers=second)).status_code == 204
    assert await held() == [False, False]


async def test_acc_1_case_3_a_member_who_becomes_recused_loses_the_wrap(client, uow_factory) -> None:  # type: ignore[no-untyped-def]
    """Issue 18, point 2 (CASE-3): a team member who holds a wrap and becomes recused (here: the directory now says
    they are in the respondent's unit) loses it at the next request of a colleague who holds the key; the API
    refuses them at once (404)."""
    from tests.directory import make_org

    org = await make_org(uow_factory, units={"office": None}, people={"resp": ("office", None), "member": (None, None)})
    lead = await make_staff(uow_factory, role=Role.team_lead, team=Team.intake_counselling)
    member = await make_staff(
        uow_factory, role=Role.intake, team=Team.intake_counselling, employee_number=org.employees["member"]
    )
    submitted = await make_report(
        client, respondent={"employee_number": org.employees["resp"]}, narrative="CANARY-RECUSAL: at the office."
    )
    lead_h = await login(client, lead)
    case_id = await case_id_for(client, lead_h, submitted["case_reference"])
    assert keys.staff_holder(member.id) in await _wraps(uow_factory, case_id)
    async with uow_factory() as uow:  # the member moves into the respondent's unit
        from app.db.models import Employee

        employee = await uow.session.get(Employee, org.ids["member"])
        employee.unit_id = org.ids["unit:office"]
        await uow.commit()
    member_h = await login(client, member)
    assert (await client.get(f"/api/v1/cases/{case_id}", headers=member_h)).status_code == 404
    assert (await client.get(f"/api/v1/cases/{case_id}", headers=lead_h)).status_code == 200
    assert keys.staff_holder(member.id) not in await _wraps(uow_factory, case_id)
