"""DATA-1: the worker destroys a closed case's content after its retention period, under every exception the rule
names; a destroyed case answers as destroyed (410), statistics and the audit chain stay; the purges."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import LargeBinary, select, type_coerce

from app.db.encryption import LOCKED, cipher
from app.db.models import (
    AuditEntry,
    Base,
    Case,
    CaseKeyWrap,
    CaseMessage,
    EnrolmentLink,
    EvidenceFile,
    IdempotencyRecord,
    OutboxMessage,
    Report,
    StaffSession,
)
from app.domain.enums import OutboxStatus, Role, Team
from app.integrations.file_store import FileStore
from app.services import audit, clock, retention
from tests.api.test_privacy import _all_stored_values
from tests.api.test_sanctions import propose, subscribe, world
from tests.builders import case_id_for, inbox_headers, login, make_report, make_staff, move_case
from tests.conftest import database_url, sqlite_file_bytes

LONG_AGO = date(2015, 1, 5)  # a closing day whose retention period (5 years, the watch 3) ended long ago
TINY_TEXT = b"a plain text note kept as evidence\n"


async def run_job(uow_factory) -> retention.RetentionRunResult:  # type: ignore[no-untyped-def]
    async with uow_factory() as uow:
        result = await retention.run_retention(uow, clock.now().date())
        await uow.commit()
    return result


async def close_long_ago(uow_factory, case_id: str) -> None:  # type: ignore[no-untyped-def]
    """The closing day moved back, as if the case had closed years ago (nothing else about it changes)."""
    async with uow_factory() as uow:
        case = await uow.session.get(Case, uuid.UUID(case_id))
        assert case is not None and case.closed_on is not None
        case.closed_on = LONG_AGO
        await uow.commit()


async def destroyed_on(uow_factory, case_id: str) -> date | None:  # type: ignore[no-untyped-def]
    async with uow_factory() as uow:
        case = await uow.session.get(Case, uuid.UUID(case_id))
        assert case is not None
        return case.content_destroyed_on


async def server_readable_values(uow_factory) -> str:  # type: ignore[no-untyped-def]
    """Every value of every row of every model as the server alone reads it — the master key, no reader's sign-in
    (the worker): issue 18, case content loads as LOCKED, never as text."""
    values: list[str] = []
    async with uow_factory() as uow:
        for mapper in Base.registry.mappers:
            for row in (await uow.session.scalars(select(mapper.class_))).all():
                values.extend(str(getattr(row, attr.key)) for attr in mapper.column_attrs)
    return "\n".join(values)


async def sealed_content(uow_factory, case_id: str) -> list[bytes]:  # type: ignore[no-untyped-def]
    """The case's content as stored (ciphertexts, not opened): its reports' narrative, identity and details, its
    messages, its files' descriptions, and the wraps of its key."""
    case = uuid.UUID(case_id)
    columns = (
        (Report.__table__.c.narrative, Report.case_id),
        (Report.__table__.c.identity, Report.case_id),
        (Report.__table__.c.details, Report.case_id),
        (CaseMessage.__table__.c.body, CaseMessage.case_id),
        (EvidenceFile.__table__.c.description, EvidenceFile.case_id),
        (CaseKeyWrap.sealed, CaseKeyWrap.case_id),
    )
    blobs: list[bytes] = []
    async with uow_factory() as uow:
        for column, owner in columns:
            raw = (await uow.session.scalars(select(type_coerce(column, LargeBinary)).where(owner == case))).all()
            blobs.extend(bytes(b) for b in raw if b is not None and len(b) > 1)  # not the one-byte empty value
    return blobs


async def test_data_1_worker_destroys_the_content_of_a_case_closed_past_its_period(client, uow_factory, app) -> None:  # type: ignore[no-untyped-def]
    """DATA-1: narrative, identity, messages and evidence (rows and files) go — every ciphertext of the case's content
    and every wrap of its key leave the database (issue 18: the server never could read them; the division head did,
    through the API); the case answers 410 to staff and to the receipt code; statistics and the audit chain stay
    and verify; the destruction is audited."""
    tag = uuid.uuid4().hex[:12]
    canaries = [f"CANARYNARRATIVE{tag}", f"CANARYNAME{tag}", f"CANARYMESSAGE{tag}", f"CANARYREPLY{tag}"]
    head_user = await make_staff(uow_factory, role=Role.division_head)  # a reader when the report comes in
    submitted = await make_report(
        client,
        reporter_kind="victim",
        identity_mode="confidential",
        reporter={"name": canaries[1]},
        narrative=f"{canaries[0]} he cornered me in the stairwell.",
    )
    code = submitted["receipt_code"]
    reporter = await inbox_headers(client, code)
    assert (
        await client.post("/api/v1/inbox/messages", json={"body": canaries[2]}, headers=reporter)
    ).status_code == 201
    uploaded = await client.post(
        "/api/v1/inbox/evidence", headers=reporter, files={"file": ("note.txt", TINY_TEXT, "text/plain")}
    )
    assert uploaded.status_code == 201, uploaded.text
    head = await login(client, head_user)
    case_id = await case_id_for(client, head, submitted["case_reference"])
    assert (await client.post(f"/api/v1/cases/{case_id}/messages", json={"body": canaries[3]}, headers=head)).is_success
    await move_case(client, uow_factory, head, case_id, "withdrawn", reason="The reporter withdrew the report.")
    await close_long_ago(uow_factory, case_id)
    async with uow_factory() as uow:
        stored_names = [r.stored_name for r in await uow.evidence.for_case(uuid.UUID(case_id))]
    store = FileStore(app.state.runtime.settings.evidence_dir, cipher())
    assert stored_names and all(store.exists(name) for name in stored_names)
    today = clock.now().date()
    window = {"from": today.replace(day=1).isoformat(), "to": today.isoformat()}
    stats_before = (await client.get("/api/v1/statistics/cases", params=window, headers=head)).json()
    read = (await client.get(f"/api/v1/cases/{case_id}", headers=head)).json()  # a reader reads the content
    assert canaries[0] in read["reports"][0]["narrative"]
    server_view = await server_readable_values(uow_factory)
    assert not any(canary in server_view for canary in canaries)  # the server alone cannot
    async with uow_factory() as uow:
        reports = (await uow.session.scalars(select(Report).where(Report.case_id == uuid.UUID(case_id)))).all()
        assert [r.narrative for r in reports] == [LOCKED]  # there, and sealed under the case's own key
    sealed = await sealed_content(uow_factory, case_id)
    assert len(sealed) >= 6  # narrative, identity, details, two messages, wraps (the head's, the reporter's)
    with pytest.raises(ValueError, match="unknown ciphertext version"):
        store.get(stored_names[0])  # the master key opens no case's file either

    result = await run_job(uow_factory)

    assert result.destroyed >= 1
    assert await destroyed_on(uow_factory, case_id) == today
    everything = await server_readable_values(uow_factory)
    for canary in canaries:
        assert canary not in everything, f"still stored: {canary[:20]}"
    assert await sealed_content(uow_factory, case_id) == []  # the messages and the wraps are gone, the rest empty
    raw_values = "\n".join(await _all_stored_values(uow_factory))
    for blob in sealed:
        assert blob.decode("latin-1") not in raw_values, "a ciphertext of the destroyed content is still stored"
    if database_url().startswith("sqlite"):
        raw = sqlite_file_bytes()
        assert all(canary.encode() not in raw for canary in canaries)
    assert not any(store.exists(name) for name in stored_names)  # the files went after the commit
    async with uow_factory() as uow:
        assert await uow.evidence.for_case(uuid.UUID(case_id)) == []
        reports = (await uow.session.scalars(select(Report).where(Report.case_id == uuid.UUID(case_id)))).all()
        assert [(r.narrative, r.identity) for r in reports] == [("", None)]  # emptied, not merely locked
        assert await uow.keys.wraps(uuid.UUID(case_id)) == {}  # nobody, no recovery officer, opens its key again
        entries = (await uow.session.scalars(select(AuditEntry).where(AuditEntry.case_id == uuid.UUID(case_id)))).all()
        assert "case.content_destroyed" in {e.action for e in entries}
        report = await audit.verify(uow)
    assert report.main.broken is None and report.reporter.broken is None

    staff_read = await client.get(f"/api/v1/cases/{case_id}", headers=head)
    assert staff_read.status_code == 410 and staff_read.json()["code"] == "case-content-destroyed"
    assert staff_read.headers["content-type"].startswith("application/problem+json")
    assert (await client.get(f"/api/v1/cases/{case_id}/evidence", headers=head)).status_code == 410
    inbox = await client.post("/api/v1/inbox/session", json={"receipt_code": code})
    assert inbox.status_code == 410 and inbox.json()["code"] == "case-content-destroyed"
    assert (await client.get("/api/v1/inbox", headers=reporter)).status_code == 410  # a token from before
    wrong = await client.post(
        "/api/v1/inbox/session", json={"receipt_code": code[:-1] + ("Z" if code[-1] != "Z" else "Y")}
    )
    assert wrong.status_code != 410  # only the right code learns it was destroyed
    stats_after = (await client.get("/api/v1/statistics/cases", params=window, headers=head)).json()
    assert stats_after == stats_before
    queue = (await client.get("/api/v1/cases", params={"q": submitted["case_reference"]}, headers=head)).json()
    assert queue is not None  # the queue still answers (it lists no content)
    await run_job(uow_factory)  # not destroyed twice
    async with uow_factory() as uow:
        actions = (
            await uow.session.scalars(select(AuditEntry.action).where(AuditEntry.case_id == uuid.UUID(case_id)))
        ).all()
    assert list(actions).count("case.content_destroyed") == 1


async def test_data_1_a_case_inside_its_period_is_kept(client, uow_factory) -> None:  # type: ignore[no-untyped-def]
    """DATA-1: a case closed today keeps its content (the period and the RET-1 watch run from its closing)."""
    head = await login(client, await make_staff(uow_factory, role=Role.division_head))  # a reader from submission
    submitted = await make_report(client)
    case_id = await case_id_for(client, head, submitted["case_reference"])
    await move_case(client, uow_factory, head, case_id, "withdrawn", reason="The reporter withdrew the report.")
    await run_job(uow_factory)
    assert await destroyed_on(uow_factory, case_id) is None
    assert (await client.get(f"/api/v1/cases/{case_id}", headers=head)).status_code == 200


async def _closed_world(client, uow_factory) -> Any:  # type: ignore[no-untyped-def]
    """A substantiated case naming two employees (so an order is active, SEP-1), closed years ago."""
    w = await world(client, uow_factory)
    await move_case(client, uow_factory, w.lead, w.case_id, "closed")
    await close_long_ago(uow_factory, w.case_id)
    return w


async def test_data_1_an_active_separation_order_keeps_the_content(client, uow_factory) -> None:  # type: ignore[no-untyped-def]
    """DATA-1, SEP-6, CASE-9: closing does not lift the order, and while it is active the content stays."""
    w = await _closed_world(client, uow_factory)
    await run_job(uow_factory)
    assert await destroyed_on(uow_factory, w.case_id) is None
    orders = (await client.get(f"/api/v1/cases/{w.case_id}/separation", headers=w.lead)).json()["orders"]
    lifted = await client.post(
        f"/api/v1/cases/{w.case_id}/separation/orders/{orders[0]['id']}/lift",
        json={"reason": "Not needed any more: both have left the unit."},
        headers=w.lead,
    )
    assert lifted.status_code == 204, lifted.text
    await run_job(uow_factory)
    assert await destroyed_on(uow_factory, w.case_id) == clock.now().date()


async def test_data_1_a_pending_sanction_keeps_the_content(client, uow_factory) -> None:  # type: ignore[no-untyped-def]
    """DATA-1, SAN-2: a sanction proposed and not decided keeps the content, even with no order active."""
    w = await _closed_world(client, uow_factory)
    orders = (await client.get(f"/api/v1/cases/{w.case_id}/separation", headers=w.lead)).json()["orders"]
    await client.post(
        f"/api/v1/cases/{w.case_id}/separation/orders/{orders[0]['id']}/lift",
        json={"reason": "Not needed any more: both have left the unit."},
        headers=w.lead,
    )
    proposed = await propose(client, w.handler, w.case_id, level="reprimand")
    assert proposed.status_code == 201, proposed.text
    await run_job(uow_factory)
    assert await destroyed_on(uow_factory, w.case_id) is None


async def test_data_1_a_legal_hold_keeps_the_content_until_lifted(client, uow_factory) -> None:  # type: ignore[no-untyped-def]
    """DATA-1: the division head's legal hold (with a reason, audited) keeps the content; lifted, it goes. Only the
    division head sets or lifts one."""
    head = await login(client, await make_staff(uow_factory, role=Role.division_head))  # readers from submission
    lead = await login(client, await make_staff(uow_factory, role=Role.team_lead, team=Team.intake_counselling))
    submitted = await make_report(client)
    case_id = await case_id_for(client, head, submitted["case_reference"])
    url = f"/api/v1/cases/{case_id}/legal-hold"
    reason = {"reason": "Court case 2026-가합-1234 asks us to keep it."}
    assert (await client.post(url, json=reason, headers=lead)).status_code == 403
    assert (await client.post(url, json={"reason": "short"}, headers=head)).status_code == 422
    none = await client.get(url, headers=head)
    assert none.status_code == 200 and none.json() is None
    held = await client.post(url, json=reason, headers=head)
    assert held.status_code == 201, held.text
    assert (await client.post(url, json=reason, headers=head)).json()["code"] == "legal-hold-set"
    assert (await client.get(url, headers=lead)).json()["reason"] == reason["reason"]
    await move_case(client, uow_factory, head, case_id, "withdrawn", reason="The reporter withdrew the report.")
    await close_long_ago(uow_factory, case_id)
    await run_job(uow_factory)
    assert await destroyed_on(uow_factory, case_id) is None

    lift = {"reason": "The court case ended with a final judgment."}
    assert (await client.post(f"{url}/lift", json=lift, headers=lead)).status_code == 403
    lifted = await client.post(f"{url}/lift", json=lift, headers=head)
    assert lifted.status_code == 200 and lifted.json()["lifted_on"] is not None
    assert (await client.post(f"{url}/lift", json=lift, headers=head)).json()["code"] == "no-legal-hold"
    async with uow_factory() as uow:
        actions = {
            e.action
            for e in (
                await uow.session.scalars(select(AuditEntry).where(AuditEntry.case_id == uuid.UUID(case_id)))
            ).all()
        }
    assert {"case.legal_hold_set", "case.legal_hold_lifted"} <= actions
    await run_job(uow_factory)
    assert await destroyed_on(uow_factory, case_id) == clock.now().date()
    assert (await client.get(url, headers=head)).status_code == 410


async def test_data_1_purges_what_has_no_reason_to_stay(client, uow_factory) -> None:  # type: ignore[no-untyped-def]
    """DATA-1 (and INT-5): expired idempotency records, used or expired enrolment links, ended staff sign-ins and
    webhook payloads delivered long ago are removed; live ones stay."""
    now = clock.now()
    user = await make_staff(uow_factory, role=Role.intake, team=Team.intake_counselling)
    await login(client, user)  # a live sign-in
    async with uow_factory() as uow:
        live_key, old_key = uuid.uuid4().hex, uuid.uuid4().hex
        for key, expires in ((live_key, now + timedelta(hours=1)), (old_key, now - timedelta(minutes=1))):
            uow.idempotency.add(
                IdempotencyRecord(
                    key_hash=key, request_mac="m", response_status=201, sealed_response=b"x", expires_at=expires
                )
            )
        links = {}
        for name, expires, used in (
            ("live", now + timedelta(hours=1), None),
            ("expired", now - timedelta(minutes=1), None),
            ("used", now + timedelta(hours=1), now),
        ):
            link = EnrolmentLink(
                user_id=user.id, token_hash=uuid.uuid4().hex, created_at=now, expires_at=expires, used_at=used
            )
            uow.session.add(link)
            links[name] = link
        ended = StaffSession(user_id=user.id, created_at=now - timedelta(days=2), last_used_at=now - timedelta(days=2))
        uow.session.add(ended)
        await uow.session.flush()
        link_ids = {name: link.id for name, link in links.items()}
        ended_id = ended.id
        await uow.commit()
    subscription = await subscribe(client, uow_factory, "separation.order_opened")
    async with uow_factory() as uow:
        sent = {}
        for name, delivered in (("old", now - timedelta(days=8)), ("recent", now - timedelta(days=1))):
            message = OutboxMessage(
                subscription_id=subscription,
                topic="separation.order_opened",
                payload=_envelope(name, delivered),
                status=OutboxStatus.delivered,
                attempts=1,
                next_attempt_at=delivered,
                created_at=delivered,
                delivered_at=delivered,
            )
            uow.session.add(message)
            sent[name] = message
        await uow.session.flush()
        message_ids = {name: m.id for name, m in sent.items()}
        await uow.commit()

    result = await run_job(uow_factory)

    assert result.idempotency_records >= 1 and result.enrolment_links >= 2 and result.staff_sessions >= 1
    assert result.payloads >= 1
    async with uow_factory() as uow:
        assert await uow.session.get(IdempotencyRecord, live_key) is not None
        assert await uow.session.get(IdempotencyRecord, old_key) is None
        assert await uow.session.get(EnrolmentLink, link_ids["live"]) is not None
        assert await uow.session.get(EnrolmentLink, link_ids["expired"]) is None
        assert await uow.session.get(EnrolmentLink, link_ids["used"]) is None
        assert await uow.session.get(StaffSession, ended_id) is None
        live = (await uow.session.scalars(select(StaffSession).where(StaffSession.user_id == user.id))).all()
        assert len(live) == 1  # the sign-in in use stays
        old = await uow.session.get(OutboxMessage, message_ids["old"])
        assert old is not None and old.payload is None and old.status == OutboxStatus.delivered  # the log keeps it
        recent = await uow.session.get(OutboxMessage, message_ids["recent"])
        assert recent is not None and recent.payload == _envelope("recent", recent.delivered_at)


def _envelope(name: str, delivered: datetime) -> dict[str, object]:
    """An event as the outbox holds it (it validates against docs/webhook-payloads.schema.json, which
    tests/api/test_webhook_payloads.py checks for every row of the run)."""
    reference = "SO-" + ("OLD00" if name == "old" else "RECNT") + "-00001"
    return {
        "id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"retention-{name}")),
        "type": "separation.order_opened",
        "created_at": delivered.replace(hour=0, minute=0, second=0, microsecond=0).isoformat(),
        "data": {"reference": reference, "employee_numbers": ["E-1", "E-2"], "opened_on": delivered.date().isoformat()},
    }
