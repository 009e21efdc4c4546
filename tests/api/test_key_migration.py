"""Issue 18, point 8 (ACC-2): `withu migrate` moves cases from the master key to their own keys, in batches,
resumably, without a plaintext copy on disk; the reporters of moved cases get their key at their next visit. Both
databases (the fixtures choose)."""

from __future__ import annotations

import uuid

from sqlalchemy import LargeBinary, column, delete, select, table, update

from app.db import case_keys as keys
from app.db.encryption import VERSION, cipher
from app.db.models import Case, CaseKeyWrap, EvidenceFile, Report
from app.domain.enums import Role, Team
from app.integrations.file_store import FileStore
from app.services import key_migration
from app.services.cases import load_visible_case
from tests.builders import case_id_for, inbox_headers, login, login_tokens, make_report, make_staff
from tests.conftest import database_url, sqlite_file_bytes


async def _as_before_case_keys(uow_factory, app, case_id: uuid.UUID, reader) -> None:  # type: ignore[no-untyped-def]
    """Put a case back as it was stored before per-case keys: content and files under the master key, no content
    key, no wraps, no stored facts. (Done as one of its readers, who can open it.)"""
    async with uow_factory() as uow:
        actor = reader
        case = await load_visible_case(uow, actor, case_id)
        key = uow.keyring.get(case.id)
        assert key is not None
        for model in key_migration.CASE_CONTENT:
            names = model.__case_content__
            raw = table(model.__tablename__, column("id"), column("case_id"), *(column(n, LargeBinary) for n in names))
            for row in (await uow.session.execute(select(raw).where(raw.c.case_id == case.id))).all():
                values = {}
                for name in names:
                    blob = getattr(row, name)
                    if blob is not None and bytes(blob)[:1] in (keys.BY_READER, keys.BY_ANYONE):
                        context = model.__table__.c[name].type.context
                        values[name] = cipher().encrypt(key.decrypt(bytes(blob), context), context)
                if values:
                    await uow.session.execute(update(raw).where(raw.c.id == row.id).values(**values))
        store = FileStore(app.state.runtime.settings.evidence_dir, cipher())
        for row in (await uow.session.scalars(select(EvidenceFile).where(EvidenceFile.case_id == case.id))).all():
            context = f"evidence:{row.stored_name}"
            plaintext = key.decrypt(store.raw(row.stored_name), context)
            store.remove(row.stored_name)
            store.put(row.stored_name, plaintext)
        await uow.session.execute(delete(CaseKeyWrap).where(CaseKeyWrap.case_id == case.id))
        await uow.session.execute(update(Report).where(Report.case_id == case.id).values(facts=None))
        await uow.session.execute(update(Case).where(Case.id == case.id).values(content_key=None))
        await uow.commit()


async def _staff_actor(client, uow_factory, staff):  # type: ignore[no-untyped-def]
    """The StaffActor of a fresh sign-in of `staff`, as a request would build it (with the sign-in's key secret)."""
    from app.services.auth import staff_from_token

    headers = await login(client, staff)
    async with uow_factory() as uow:
        return await staff_from_token(uow, headers["Authorization"].split(" ", 1)[1]), headers


async def test_acc_2_migrate_moves_old_cases_to_their_own_keys_in_resumable_batches(client, uow_factory, app) -> None:  # type: ignore[no-untyped-def]
    """Two cases stored under the master key move one batch at a time (a batch of one: each run moves one more and
    the last moves none); their values and evidence files are then under the case's key, the master-key files are
    gone, the readers read them through the API, and neither the database nor the store ever held the plaintext."""
    tag = uuid.uuid4().hex[:10].upper()
    lead = await make_staff(uow_factory, role=Role.team_lead, team=Team.intake_counselling)
    cases = []
    for n in range(2):
        submitted = await make_report(client, narrative=f"CANARY-MIGRATE-{tag}-{n}: at the office.")
        reporter = await inbox_headers(client, submitted["receipt_code"])
        uploaded = await client.post(
            "/api/v1/inbox/evidence",
            headers=reporter,
            files={"file": ("n.txt", f"CANARY-FILE-{tag}-{n}\n".encode(), "text/plain")},
        )
        assert uploaded.status_code == 201, uploaded.text
        cases.append(submitted)
    actor, lead_h = await _staff_actor(client, uow_factory, lead)
    ids = [uuid.UUID(await case_id_for(client, lead_h, c["case_reference"])) for c in cases]
    for case_id in ids:
        await _as_before_case_keys(uow_factory, app, case_id, actor)
    async with uow_factory() as uow:
        for case_id in ids:
            assert (await uow.session.get(Case, case_id)).content_key is None
    old_names = await _stored_names(uow_factory, ids)
    store = FileStore(app.state.runtime.settings.evidence_dir, cipher())
    assert all(store.raw(n)[:1] == VERSION for n in old_names)
    # Before the move, the old cases still read (under the master key) — no downtime.
    assert (await client.get(f"/api/v1/cases/{ids[0]}", headers=lead_h)).status_code == 200

    moved = 0
    while True:
        async with uow_factory() as uow:
            batch = await key_migration.migrate_batch(uow, limit=1)
            await uow.commit()
            key_migration.remove_old_files(uow, batch.old_files)
        if batch.cases == 0:
            break
        assert batch.cases == 1
        moved += 1
    assert moved >= 2  # other tests' old cases may exist; ours are among them
    async with uow_factory() as uow:
        assert await key_migration.remaining(uow) == 0
        for case_id in ids:
            case = await uow.session.get(Case, case_id)
            assert case.content_key is not None
            report = (await uow.session.scalars(select(Report).where(Report.case_id == case_id))).one()
            assert report.facts is not None and report.narrative is not None
        holders = set(await uow.session.scalars(select(CaseKeyWrap.holder).where(CaseKeyWrap.case_id.in_(ids))))
    assert any(h.startswith("reporter-pending:") for h in holders)
    assert keys.staff_holder(lead.id) in holders
    new_names = await _stored_names(uow_factory, ids)
    assert not set(new_names) & set(old_names)
    assert not any(store.exists(n) for n in old_names)
    assert all(store.raw(n)[:1] != VERSION for n in new_names)
    for n, case_id in enumerate(ids):
        read = await client.get(f"/api/v1/cases/{case_id}", headers=lead_h)
        assert read.status_code == 200 and f"CANARY-MIGRATE-{tag}-{n}" in read.text
    files = [p.read_bytes() for p in app.state.runtime.settings.evidence_dir.rglob("*") if p.is_file()]
    assert not any(f"CANARY-FILE-{tag}".encode() in f for f in files)
    if database_url().startswith("sqlite"):
        assert f"CANARY-MIGRATE-{tag}".encode() not in sqlite_file_bytes()

    # The reporter's next visit: the pending wrap becomes a wrap under their receipt code, and goes.
    reporter = await inbox_headers(client, cases[0]["receipt_code"])
    inbox = await client.get("/api/v1/inbox", headers=reporter)
    assert inbox.status_code == 200, inbox.text
    async with uow_factory() as uow:
        holders = set(await uow.session.scalars(select(CaseKeyWrap.holder).where(CaseKeyWrap.case_id == ids[0])))
    assert not any(h.startswith("reporter-pending:") for h in holders)
    assert any(h.startswith("reporter:") for h in holders)


async def _stored_names(uow_factory, ids: list[uuid.UUID]) -> list[str]:  # type: ignore[no-untyped-def]
    async with uow_factory() as uow:
        return list(
            (await uow.session.scalars(select(EvidenceFile.stored_name).where(EvidenceFile.case_id.in_(ids)))).all()
        )


async def test_acc_2_a_reader_without_a_key_pair_reads_a_moved_case_and_drop_pending_ends_the_servers_copy(
    client, uow_factory, app
) -> None:  # type: ignore[no-untyped-def]
    """An account from before per-case keys has no key pair when the cases move: it gets one at its next sign-in and
    reads the moved case from the copy kept under the master key ("staff-pending"), which gives it a wrap of its own;
    `withu migrate --drop-pending` then ends every such copy — the readers who have a wrap still read."""
    from app.db.models import StaffUser

    tag = uuid.uuid4().hex[:10].upper()
    lead = await make_staff(uow_factory, role=Role.team_lead, team=Team.intake_counselling)
    submitted = await make_report(client, narrative=f"CANARY-PENDING-{tag}: at the office.")
    actor, lead_h = await _staff_actor(client, uow_factory, lead)
    case_id = uuid.UUID(await case_id_for(client, lead_h, submitted["case_reference"]))
    await _as_before_case_keys(uow_factory, app, case_id, actor)
    async with uow_factory() as uow:  # the account as it was before per-case keys
        await uow.session.execute(
            update(StaffUser)
            .where(StaffUser.id == lead.id)
            .values(public_key=None, sealed_private_key=None, key_salt=None)
        )
        await uow.commit()
    while True:
        async with uow_factory() as uow:
            batch = await key_migration.migrate_batch(uow)
            await uow.commit()
        if batch.cases == 0:
            break
    async with uow_factory() as uow:
        holders = set(await uow.session.scalars(select(CaseKeyWrap.holder).where(CaseKeyWrap.case_id == case_id)))
    assert "staff-pending" in holders and keys.staff_holder(lead.id) not in holders

    again = await login_tokens(client, lead, offset_steps=1)  # the key pair is made now, from the password
    lead_h = {"Authorization": f"Bearer {again['access_token']}"}
    read = await client.get(f"/api/v1/cases/{case_id}", headers=lead_h)
    assert read.status_code == 200 and f"CANARY-PENDING-{tag}" in read.text
    async with uow_factory() as uow:
        holders = set(await uow.session.scalars(select(CaseKeyWrap.holder).where(CaseKeyWrap.case_id == case_id)))
        assert keys.staff_holder(lead.id) in holders
        assert await key_migration.drop_pending(uow) >= 1
        await uow.commit()
    async with uow_factory() as uow:
        holders = set(await uow.session.scalars(select(CaseKeyWrap.holder).where(CaseKeyWrap.case_id == case_id)))
    assert not {h for h in holders if "pending" in h}
    assert (await client.get(f"/api/v1/cases/{case_id}", headers=lead_h)).status_code == 200
