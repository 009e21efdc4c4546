"""INT-1 (security review F6): no exact time of a reporter's activity reaches anyone.

Everything written in a reporter's request — the anonymous submission, the inbox session and everything done
with an inbox token — carries its day only: every audit entry (the system's too, such as `case.linked`,
`case.released_from_escrow` and `separation.order_opened`), every event queued and its delivery-log row. Those
entries go to the audit log's reporter chain, so the main chain's numbers cannot bracket them; the case
timeline shows no sequence numbers; `separation.order_opened` waits a random delay before delivery."""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import datetime, timedelta
from typing import Any

import httpx
import pydantic
import pytest
from sqlalchemy import func, select, text

from app.cli import migrate
from app.db.engine import make_engine
from app.db.models import AuditEntry, OutboxMessage
from app.db.uow import UnitOfWork
from app.domain.audit_chain import MAIN_CHAIN, REPORTER_CHAIN
from app.domain.enums import Role, Team
from app.main import create_app
from app.services import clock, outbox
from app.settings import Settings
from app.worker import run_once
from tests.api.test_webhooks import OPENED, deactivate, make_client_headers, messages_of, subscribe
from tests.api.test_worker import receiver
from tests.builders import case_id_for, inbox_headers, login, make_report, make_staff, separation_event
from tests.conftest import TEST_DIR, make_settings
from tests.directory import Org, make_org

ENTRIES = "/api/v1/audit/entries"
VERIFY = "/api/v1/audit/verification"


def is_midnight(at: str | datetime) -> bool:
    """True when a time says its day only (midnight UTC)."""
    moment = datetime.fromisoformat(at.replace("Z", "+00:00")) if isinstance(at, str) else at
    return (moment.hour, moment.minute, moment.second, moment.microsecond) == (0, 0, 0, 0)


@pytest.fixture
async def org(uow_factory) -> Org:  # type: ignore[no-untyped-def]
    return await make_org(
        uow_factory,
        units={"A": None, "B": None},
        people={"victim": ("A", None), "other": ("B", None), "resp": ("A", None)},
    )


def victim_report(org: Org, victim: str = "victim", **extra: Any) -> dict[str, Any]:
    """A victim reporting in confidence, naming the respondent: the order opens at once (SEP-1)."""
    return {
        "reporter_kind": "victim",
        "identity_mode": "confidential",
        "reporter": {"name": "VICTIM-NAME", "email": f"{victim}@example.org", "employee_number": org.employees[victim]},
        "respondent": {"employee_number": org.employees["resp"]},
        **extra,
    }


async def entries_of(uow_factory: Any, case_id: str) -> list[AuditEntry]:
    async with uow_factory() as uow:
        rows = await uow.audit.for_case(uuid.UUID(case_id))
        uow.session.expunge_all()
        return rows


async def test_int_1_f6_every_entry_written_in_a_reporter_request_carries_its_day(client, uow_factory, org) -> None:
    """INT-1, F6: the submission, the order it opens, the link to an earlier report naming the same person (and
    that report's release from escrow), the inbox session, its reads and messages — every audit entry written
    in those requests, the system's included, carries its day only and sits in the reporter chain."""
    sealed = await make_report(client, **victim_report(org, "other", escrow=True))
    report = await make_report(client, **victim_report(org))
    inbox = await inbox_headers(client, report["receipt_code"])
    assert (await client.get("/api/v1/inbox", headers=inbox)).status_code == 200
    sent = await client.post("/api/v1/inbox/messages", json={"body": "one more thing"}, headers=inbox)
    assert sent.status_code == 201
    lead_h = await login(client, await make_staff(uow_factory, role=Role.team_lead, team=Team.intake_counselling))
    case_id = await case_id_for(client, lead_h, report["case_reference"])
    released_id = await case_id_for(client, lead_h, sealed["case_reference"])

    entries = await entries_of(uow_factory, case_id) + await entries_of(uow_factory, released_id)
    actions = {e.action for e in entries}
    expected = {"report.submitted", "case.linked", "case.released_from_escrow", "separation.order_opened"}
    assert expected | {"inbox.opened", "inbox.read", "message.from_reporter"} <= actions
    written_by_reporter_requests = [e for e in entries if e.actor_kind != "staff"]
    assert {e.actor_kind for e in written_by_reporter_requests} >= {"anonymous", "reporter", "system"}
    for entry in written_by_reporter_requests:
        assert is_midnight(entry.at), (entry.action, entry.at)
        assert entry.chain == REPORTER_CHAIN, entry.action


async def test_int_1_f6_the_case_timeline_shows_no_time_and_no_seq_of_a_reporter(client, uow_factory, org) -> None:
    """INT-1, F6 (the review's reproduction): in the case timeline, `report.submitted` and the
    `separation.order_opened` of the same request both say midnight; no entry carries a sequence number; the
    reporter's entries of a day come first, ordered by action — never between the staff's exactly timed ones. (The
    team lead is on staff before the report comes in, so its key is wrapped for them: issue 18.)"""
    lead_h = await login(client, await make_staff(uow_factory, role=Role.team_lead, team=Team.intake_counselling))
    report = await make_report(client, **victim_report(org))
    case_id = await case_id_for(client, lead_h, report["case_reference"])
    assert (await client.get(f"/api/v1/cases/{case_id}", headers=lead_h)).status_code == 200
    inbox = await inbox_headers(client, report["receipt_code"])
    assert (await client.post("/api/v1/inbox/messages", json={"body": "later"}, headers=inbox)).status_code == 201

    response = await client.get(f"/api/v1/cases/{case_id}/timeline", headers=lead_h)
    assert response.status_code == 200, response.text
    items = response.json()["items"]
    assert all("seq" not in item for item in items)
    by_action = {item["action"]: item for item in items}
    for action in ("report.submitted", "separation.order_opened", "inbox.opened", "message.from_reporter"):
        assert by_action[action]["at"].endswith("T00:00:00Z"), (action, by_action[action]["at"])
    staff = [i for i in items if i["actor"]["kind"] == "staff"]
    assert staff and not any(is_midnight(i["at"]) for i in staff)
    reporter_part = items[: len(items) - len(staff)]
    assert {i["actor"]["kind"] for i in reporter_part} <= {"anonymous", "reporter", "system"}
    assert [i["action"] for i in reporter_part] == sorted(i["action"] for i in reporter_part)
    assert items[len(reporter_part) :] == staff  # the message written after the staff's read is not after it


async def test_int_1_f6_the_auditor_cannot_bracket_a_report_between_exactly_timed_entries(
    client, uow_factory, org
) -> None:
    """INT-1, F6: the auditor's search shows each entry's chain and number, but what a reporter's request wrote is
    numbered in the reporter chain: the main chain runs on from the staff entry before the report to the one
    after it without a gap, and the report's entries are listed after every exactly timed entry of their day
    (newest first), never between two of them. (The team lead signs in before the report comes in, so its key is
    wrapped for them — issue 18 — and before the main chain's head is read.)"""
    auditor = await make_staff(uow_factory, role=Role.auditor)
    headers = await login(client, auditor)
    lead_h = await login(client, await make_staff(uow_factory, role=Role.team_lead, team=Team.intake_counselling))
    # The main chain's head, read from the table: the search's newest-first order by time would put entries that
    # other tests stamped with a fixed future clock first.
    async with uow_factory() as uow:
        head = await uow.session.scalar(select(func.max(AuditEntry.seq)).where(AuditEntry.chain == MAIN_CHAIN))
    report = await make_report(client, **victim_report(org))
    await client.get(ENTRIES, params={"limit": 1}, headers=headers)
    async with uow_factory() as uow:
        main_in_between = (
            await uow.session.execute(
                select(AuditEntry.seq, AuditEntry.action)
                .where(AuditEntry.chain == MAIN_CHAIN, AuditEntry.seq > head)
                .order_by(AuditEntry.seq)
            )
        ).all()
    case_id = await case_id_for(client, lead_h, report["case_reference"])

    # Only the auditor's first search was chained in the main chain in between: nothing of the report.
    assert [(seq, action) for seq, action in main_in_between] == [(head + 1, "audit.searched")]

    assert (await client.get(f"/api/v1/cases/{case_id}", headers=lead_h)).status_code == 200  # exact, later
    page = (await client.get(ENTRIES, params={"case_id": case_id}, headers=headers)).json()["items"]
    report_entries = [e for e in page if e["actor_kind"] != "staff"]
    assert {e["action"] for e in report_entries} >= {"report.submitted", "separation.order_opened"}
    assert all(e["chain"] == REPORTER_CHAIN and e["at"].endswith("T00:00:00Z") for e in report_entries)
    assert [e["actor_kind"] == "staff" for e in page] == [True] * (len(page) - len(report_entries)) + [False] * len(
        report_entries
    )


async def test_int_1_f6_webhook_payload_and_delivery_logs_show_the_day_only(client, uow_factory, org) -> None:
    """INT-1, F6 (the review's reproduction): the HR system's `separation.order_opened` for a report says the day
    only in its payload's `created_at`; its own delivery log and the staff's show the event created at midnight
    too; the payload still names the order (SEP-4)."""
    headers = await make_client_headers(client, uow_factory)
    subscription = await subscribe(client, headers, "http://127.0.0.1:9/hook", [OPENED])
    try:
        await make_report(client, **victim_report(org))
        [queued] = await messages_of(uow_factory, subscription["id"])
        deliveries = (
            await client.get(
                "/api/v1/webhooks/deliveries", params={"subscription_id": subscription["id"]}, headers=headers
            )
        ).json()["items"]
        hr_h = await login(client, await make_staff(uow_factory, role=Role.hr_officer))
        staff_log = (await client.get("/api/v1/personnel/deliveries", params={"limit": 200}, headers=hr_h)).json()
    finally:
        await deactivate(uow_factory, [subscription["id"]])
    assert queued.payload["created_at"].endswith("T00:00:00+00:00")
    assert sorted(queued.payload["data"]["employee_numbers"]) == sorted(
        [org.employees["victim"], org.employees["resp"]]
    )
    assert is_midnight(queued.created_at)
    [row] = deliveries
    assert row["id"] == str(queued.id) and row["created_at"].endswith("T00:00:00Z")
    [staff_row] = [r for r in staff_log["items"] if r["id"] == str(queued.id)]
    assert staff_row["created_at"].endswith("T00:00:00Z")


async def test_int_1_every_payload_says_its_day_only(client, uow_factory) -> None:
    """INT-1 (docs/webhooks.md): whatever request queues it, an event's payload `created_at` is its day."""
    headers = await make_client_headers(client, uow_factory)
    subscription = await subscribe(client, headers, "http://127.0.0.1:9/hook", ["separation.order_lifted"])
    try:
        async with uow_factory() as uow:
            await outbox.publish(uow, "separation.order_lifted", separation_event("separation.order_lifted"))
            await uow.commit()
        [queued] = await messages_of(uow_factory, subscription["id"])
    finally:
        await deactivate(uow_factory, [subscription["id"]])
    assert queued.payload["created_at"] == clock.day_start(queued.created_at).isoformat()
    assert queued.created_at != clock.day_start(queued.created_at)  # outside a reporter's request: its time


async def test_int_1_f6_order_opened_is_delivered_after_a_random_delay(
    app, client, uow_factory, monkeypatch, settings
) -> None:
    """INT-1, F6: `separation.order_opened` is not sent before a random delay of up to
    WITHU_ORDER_OPENED_DELAY_MAX_MINUTES (drawn with `secrets.randbelow`, one draw per event for all its
    subscriptions): a worker whose clock is a second short of it sends nothing, at it the event goes out."""
    delayed = settings.model_copy(update={"order_opened_delay_max_minutes": 60})
    drawn: list[int] = []

    def randbelow(n: int) -> int:
        drawn.append(n)
        return 1234

    monkeypatch.setattr(outbox.secrets, "randbelow", randbelow)
    headers = await make_client_headers(client, uow_factory)
    worker_settings = settings.model_copy(update={"webhook_timeout_seconds": 1.0, "worker_lease_seconds": 30})
    async with receiver() as server:
        subscription = await subscribe(client, headers, server.url, [OPENED])
        server.secret = subscription["secret"]
        try:
            start = clock.now()
            async with UnitOfWork(app.state.runtime.sessionmaker, delayed) as uow:
                await outbox.publish(uow, OPENED, separation_event(OPENED))
                await uow.commit()
            [queued] = await messages_of(uow_factory, subscription["id"])
            not_before = queued.next_attempt_at
            assert drawn == [60 * 60 + 1]  # uniform over 0 … 3600 seconds
            assert timedelta(seconds=1234) <= not_before - start < timedelta(seconds=1235)
            early = await run_once(worker_settings, now=lambda: not_before - timedelta(seconds=1))
            assert str(queued.id) not in early.delivered_ids and not server.for_events({str(queued.id)})
            due = await run_once(worker_settings, now=lambda: not_before)
            assert str(queued.id) in due.delivered_ids
            [got] = server.for_events({str(queued.id)})
            assert json.loads(got.body)["created_at"].endswith("T00:00:00+00:00")
        finally:
            await deactivate(uow_factory, [subscription["id"]])


async def test_int_1_order_opened_delay_is_bounded_and_random(app, settings) -> None:
    """INT-1: the delay setting takes 0 … 1440 minutes, an hour by default; real draws stay within it and differ
    from event to event; 0 (the tests' setting) sends at once."""
    assert Settings.model_fields["order_opened_delay_max_minutes"].default == 60
    for bad in (-1, 1441):
        with pytest.raises(pydantic.ValidationError):
            make_settings(order_opened_delay_max_minutes=bad)
    delayed = settings.model_copy(update={"order_opened_delay_max_minutes": 1})
    delays = []
    async with UnitOfWork(app.state.runtime.sessionmaker, delayed) as uow:
        for _ in range(12):
            start = clock.now()
            delays.append(outbox.not_before(uow, OPENED, start) - start)
    assert all(timedelta(0) <= d <= timedelta(minutes=1) for d in delays)
    assert len(set(delays)) > 1
    async with UnitOfWork(app.state.runtime.sessionmaker, settings) as uow:
        start = clock.now()
        assert outbox.not_before(uow, OPENED, start) == start


async def test_aud_1_int_1_both_chains_verify_and_a_changed_reporter_entry_is_found() -> None:
    """AUD-1, INT-1: on a database of its own, the verification walks both chains and reports both heads; a
    reporter-chain entry changed behind the application's back is reported with its chain and number; the
    reporter chain's head works as an anchor."""
    settings = make_settings(database_url=f"sqlite+aiosqlite:///{TEST_DIR}/chains-{uuid.uuid4().hex}.db")
    await asyncio.to_thread(migrate, settings)
    app = create_app(settings)
    try:
        transport = httpx.ASGITransport(app=app, client=("203.0.113.8", 50000))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            runtime = app.state.runtime
            auditor = await make_staff(lambda: UnitOfWork(runtime.sessionmaker, settings), role=Role.auditor)
            headers = await login(client, auditor)
            report = await make_report(client)
            await inbox_headers(client, report["receipt_code"])
            intact = (await client.post(VERIFY, headers=headers)).json()
            assert intact["valid"] is True and intact["reporter_head_seq"] == 2 and intact["head_seq"] > 0
            anchored = await client.post(
                VERIFY,
                json={"reporter_anchor_seq": 2, "reporter_anchor_hash": intact["reporter_head_hash"]},
                headers=headers,
            )
            assert anchored.json()["valid"] is True
            engine = make_engine(settings.database_url)
            async with engine.begin() as conn:  # a database administrator with full rights
                await conn.execute(text("DROP TRIGGER audit_entry_no_update"))
                await conn.execute(
                    text("UPDATE audit_entry SET action = 'case.read' WHERE chain = 'reporter' AND seq = 1")
                )
            await engine.dispose()
            broken = (await client.post(VERIFY, headers=headers)).json()
            assert (broken["valid"], broken["first_broken_chain"], broken["first_broken_seq"]) == (
                False,
                REPORTER_CHAIN,
                1,
            )
            assert broken["reason"] == "entry was modified"
            async with UnitOfWork(runtime.sessionmaker, settings) as uow:
                main = (await uow.session.scalars(select(AuditEntry.seq).where(AuditEntry.chain == MAIN_CHAIN))).all()
                assert sorted(main) == list(range(1, len(main) + 1))
    finally:
        await app.state.runtime.engine.dispose()


async def test_int_1_outbox_rows_of_reporter_requests_are_not_ordered_by_time(client, uow_factory, org) -> None:
    """INT-1: the outbox row of an event queued in a reporter's request is created "at midnight", so the delivery
    logs (newest first) list it after every event of the same day queued by staff or the personnel system."""
    headers = await make_client_headers(client, uow_factory)
    subscription = await subscribe(client, headers, "http://127.0.0.1:9/hook", [OPENED])
    try:
        await publish_now(uow_factory)
        await make_report(client, **victim_report(org))
        await publish_now(uow_factory)
        rows: list[OutboxMessage] = await messages_of(uow_factory, subscription["id"])
        log = (
            await client.get(
                "/api/v1/webhooks/deliveries", params={"subscription_id": subscription["id"]}, headers=headers
            )
        ).json()["items"]
    finally:
        await deactivate(uow_factory, [subscription["id"]])
    assert len(rows) == 3 and sum(is_midnight(r.created_at) for r in rows) == 1
    assert [is_midnight(item["created_at"]) for item in log] == [False, False, True]


async def publish_now(uow_factory: Any) -> None:
    async with uow_factory() as uow:
        await outbox.publish(uow, OPENED, separation_event(OPENED))
        await uow.commit()
