"""The dashboard's registries (issue #7 item 5): the webhook delivery log for the staff who read the personnel
system's status (SEP-4: never a payload), and every contract's follow-up obligations for the case-team roles
(CON-1, CON-2; ACC-1: a case is named only to those who may see it, and nothing of its content). Both reads are
audited (AUD-1). The tests share one database: each looks only at its own rows."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from app.db.models import AuditEntry, DeliveryAttempt, OutboxMessage, WebhookSubscription
from app.domain.enums import ClientKind, OutboxStatus, Role, Team
from app.services import auth, clock, outbox
from tests.api.test_contracts import MEASURES, contractor_case, make_contractor, register, staff
from tests.builders import login, make_staff, separation_event
from tests.directory import machine_headers

DELIVERIES = "/api/v1/personnel/deliveries"
OBLIGATIONS = "/api/v1/obligations"
OPENED = "separation.order_opened"


async def audit_actors(uow_factory: Any, action: str, target: str | None = None) -> list[str | None]:
    """The actor ids of the audit entries with this action (and target)."""
    async with uow_factory() as uow:
        query = select(AuditEntry.actor_id).where(AuditEntry.action == action)
        if target is not None:
            query = query.where(AuditEntry.target == target)
        return list((await uow.session.scalars(query)).all())


async def personnel_system(uow_factory: Any, tag: str, url: str) -> uuid.UUID:
    """A personnel-system client named with the tag and an active subscription to `url`."""
    async with uow_factory() as uow:
        machine, _ = await auth.create_client(uow, f"Personnel system {tag}", ClientKind.hr_system, ["webhooks:manage"])
        subscription = WebhookSubscription(
            client_id=machine.id, url=url, secret="whsec_test", topics=[OPENED], active=True, created_at=clock.now()
        )
        uow.session.add(subscription)
        await uow.commit()
        return subscription.id


async def stop(uow_factory: Any, subscription_id: uuid.UUID) -> None:
    """Cleanup: the rows stay, but no worker of a later test claims them."""
    async with uow_factory() as uow:
        row = await uow.session.get(WebhookSubscription, subscription_id)
        assert row is not None
        row.active = False
        await uow.commit()


# --- the delivery log -------------------------------------------------------------------------------------------


async def test_sep_4_staff_read_the_delivery_log_without_payload_path_or_answer(client, uow_factory) -> None:
    """SEP-4, AUD-1: an HR officer reads every client's deliveries, newest first — client name, receiver host,
    topic, status, attempts and the last outcome as an HTTP status or a code — never the payload (it names the
    order), the URL's path, query or credentials, nor the receiver's answer. The read is audited."""
    tag = uuid.uuid4().hex[:8].upper()
    canary = f"SO-{tag[:5]}-Q{tag[5:]}Z"  # a valid order reference (the payload's schema), unique to this test
    url = f"http://127.0.0.1:9/hooks/PATH-CANARY-{tag}?token=QUERY-CANARY-{tag}"
    subscription_id = await personnel_system(uow_factory, tag, url)
    try:
        async with uow_factory() as uow:
            # A payload as the real event has it (tests/api/test_webhook_payloads.py validates every one in the
            # database), carrying canaries the log must never show.
            payload = {"reference": canary, "employee_numbers": [f"E-CANARY-{tag}", f"E-CANARY-{tag}-2"],
                       "opened_on": "2026-11-28"}  # fmt: skip
            await outbox.publish(uow, OPENED, payload)
            await uow.commit()
        async with uow_factory() as uow:
            messages = list(
                (
                    await uow.session.scalars(
                        select(OutboxMessage).where(OutboxMessage.subscription_id == subscription_id)
                    )
                ).all()
            )
            assert len(messages) == 1
            message = messages[0]
            now = clock.now()
            uow.session.add_all(
                [
                    DeliveryAttempt(
                        message_id=message.id,
                        attempted_at=now - timedelta(seconds=30),
                        status_code=None,
                        error="request failed (ConnectError)",
                        duration_ms=3,
                    ),
                    DeliveryAttempt(
                        message_id=message.id,
                        attempted_at=now,
                        status_code=500,
                        error=f"HTTP 500 BODY-CANARY-{tag}",
                        duration_ms=5,
                    ),
                ]
            )
            message.attempts = 2
            await uow.commit()
            event_id = str(message.id)

        hr = await make_staff(uow_factory, role=Role.hr_officer)
        hr_h = await login(client, hr)
        response = await client.get(DELIVERIES, params={"limit": 200}, headers=hr_h)
        assert response.status_code == 200, response.text
        page = response.json()
        assert set(page) == {"items", "total", "offset", "limit"}
        assert page["offset"] == 0 and page["limit"] == 200 and page["total"] >= 1
        ours = [d for d in page["items"] if d["id"] == event_id]
        assert len(ours) == 1, "the newest event is on the first page"
        item = ours[0]
        assert set(item) == {
            "id",
            "client_name",
            "client_kind",
            "url_host",
            "topic",
            "status",
            "attempts",
            "created_at",
            "next_attempt_at",
            "delivered_at",
            "last_attempt_at",
            "last_status_code",
            "last_error",
        }
        assert item["client_name"] == f"Personnel system {tag}" and item["client_kind"] == "hr_system"
        assert item["url_host"] == "127.0.0.1:9"
        assert item["topic"] == OPENED and item["status"] == "pending" and item["attempts"] == 2
        assert item["last_status_code"] == 500 and item["last_error"] == "http_status"
        assert item["delivered_at"] is None and item["next_attempt_at"] is not None
        for secret in (canary, "E-CANARY", "PATH-CANARY", "QUERY-CANARY", "BODY-CANARY", "whsec_", "payload"):
            assert secret not in response.text, secret
        created = [d["created_at"] for d in page["items"]]
        assert created == sorted(created, reverse=True), "newest first"
        assert (await audit_actors(uow_factory, "personnel.deliveries_read")).count(str(hr.id)) == 1

        delivered = await client.get(DELIVERIES, params={"status": "delivered", "limit": 200}, headers=hr_h)
        assert delivered.status_code == 200
        assert event_id not in {d["id"] for d in delivered.json()["items"]}
        assert {d["status"] for d in delivered.json()["items"]} <= {"delivered"}
        paged = await client.get(DELIVERIES, params={"offset": 1, "limit": 1}, headers=hr_h)
        assert paged.status_code == 200 and paged.json()["offset"] == 1 and len(paged.json()["items"]) <= 1
        assert (await client.get(DELIVERIES, params={"limit": 0}, headers=hr_h)).status_code == 422
        assert (await client.get(DELIVERIES, params={"status": "x"}, headers=hr_h)).status_code == 422
    finally:
        await stop(uow_factory, subscription_id)


async def test_sep_4_a_timeout_and_a_delivered_event_read_as_codes(client, uow_factory) -> None:
    """The last attempt's outcome: a timeout is `timeout` without a status; a delivered event has no next attempt."""
    tag = uuid.uuid4().hex[:8].upper()
    subscription_id = await personnel_system(uow_factory, tag, "https://hr.example.go.kr/withu")
    try:
        async with uow_factory() as uow:
            await outbox.publish(uow, OPENED, separation_event(OPENED))
            await outbox.publish(uow, OPENED, separation_event(OPENED))
            await uow.commit()
        async with uow_factory() as uow:
            timed_out, delivered = (
                await uow.session.scalars(
                    select(OutboxMessage)
                    .where(OutboxMessage.subscription_id == subscription_id)
                    .order_by(OutboxMessage.created_at, OutboxMessage.id)
                )
            ).all()
            now = clock.now()
            uow.session.add(
                DeliveryAttempt(
                    message_id=timed_out.id, attempted_at=now, status_code=None, error="timeout", duration_ms=9
                )
            )
            uow.session.add(
                DeliveryAttempt(message_id=delivered.id, attempted_at=now, status_code=204, error=None, duration_ms=4)
            )
            timed_out.attempts = delivered.attempts = 1
            delivered.status = OutboxStatus.delivered
            delivered.delivered_at = now
            await uow.commit()
            ids = {str(timed_out.id): "timeout", str(delivered.id): "delivered"}

        lead = await make_staff(uow_factory, role=Role.team_lead, team=Team.investigation)
        response = await client.get(DELIVERIES, params={"limit": 200}, headers=await login(client, lead))
        assert response.status_code == 200, response.text
        by_id = {d["id"]: d for d in response.json()["items"] if d["id"] in ids}
        assert len(by_id) == 2
        for event_id, kind in ids.items():
            item = by_id[event_id]
            assert item["url_host"] == "hr.example.go.kr"
            if kind == "timeout":
                assert item["last_error"] == "timeout" and item["last_status_code"] is None
            else:
                assert item["status"] == "delivered" and item["last_error"] is None
                assert item["last_status_code"] == 204 and item["next_attempt_at"] is None
                assert item["delivered_at"] is not None
    finally:
        await stop(uow_factory, subscription_id)


async def test_acc_1_delivery_log_for_the_status_roles_only(client, uow_factory) -> None:
    """The same roles as /personnel/status: HR officers, team leads, the division head and the sysadmin. Intake
    officers, investigators and the auditor get 403; anonymous callers and machine tokens 401."""
    assert (await client.get(DELIVERIES)).status_code == 401
    hr_system = await machine_headers(client, uow_factory, "webhooks:manage")
    assert (await client.get(DELIVERIES, headers=hr_system)).status_code == 401
    for role, team in ((Role.team_lead, Team.investigation), (Role.division_head, None), (Role.sysadmin, None)):
        member = await make_staff(uow_factory, role=role, team=team)
        assert (await client.get(DELIVERIES, headers=await login(client, member))).status_code == 200, role
    for role, team in (
        (Role.intake, Team.intake_counselling),
        (Role.investigator, Team.investigation),
        (Role.auditor, None),
    ):
        member = await make_staff(uow_factory, role=role, team=team)
        refused = await client.get(DELIVERIES, headers=await login(client, member))
        assert refused.status_code == 403, role
        assert refused.json()["code"] == "access-denied"
        assert str(member.id) not in await audit_actors(uow_factory, "personnel.deliveries_read")


# --- contract obligations ---------------------------------------------------------------------------------------


async def test_con_1_acc_1_obligations_name_the_case_only_to_those_who_may_see_it(client, uow_factory) -> None:
    """CON-1, CON-2, ACC-1, AUD-1: the case-team roles read every contract's obligations with their days and
    state. The lead of the case's team sees the case's reference; an investigator of another team sees the same
    obligation with no case id and no reference. Neither ever gets the measures, the review's reason or anything
    else of the case. Each read is audited (with the contract asked for)."""
    lead, lead_h = await staff(client, uow_factory, Role.team_lead)
    contractor = await make_contractor(client, uow_factory, webhook=False)
    contract = await register(client, lead_h, contractor)
    body, case_id = await contractor_case(client, lead_h, contract)
    reference = body["case_reference"]
    obligation = (await client.get(f"/api/v1/cases/{case_id}/obligations", headers=lead_h)).json()[0]
    recorded = await client.post(
        f"/api/v1/contractor/obligations/{obligation['id']}/measures", json=MEASURES, headers=contractor.headers
    )
    assert recorded.status_code == 200, recorded.text
    reason = "CANARY-REVIEW-REASON: the measures do not protect the victim."
    reviewed = await client.post(
        f"/api/v1/cases/{case_id}/obligations/{obligation['id']}/review",
        json={"accept": False, "reason": reason},
        headers=lead_h,
    )
    assert reviewed.status_code == 200, reviewed.text

    seen = await client.get(OBLIGATIONS, params={"contract_id": contract["id"]}, headers=lead_h)
    assert seen.status_code == 200, seen.text
    page = seen.json()
    assert page["total"] == 1 and page["offset"] == 0 and page["limit"] == 50
    item = page["items"][0]
    assert set(item) == {
        "id",
        "contract_id",
        "contract_number",
        "organisation_name",
        "case_id",
        "case_reference",
        "status",
        "opened_on",
        "due_on",
        "recorded_on",
        "reviewed_on",
    }
    assert item["id"] == obligation["id"] and item["contract_number"] == contract["number"]
    assert item["organisation_name"] == contract["organisation_name"]
    assert item["case_id"] == case_id and item["case_reference"] == reference
    assert item["status"] == "rejected" and item["due_on"] == obligation["due_on"]
    assert item["recorded_on"] is not None and item["reviewed_on"] is not None
    content = ("CANARY-CONTRACTOR-NARRATIVE", "CANARY-VICTIM", "CANARY-REVIEW", "external investigator", "suspended")
    for secret in content:
        assert secret not in seen.text, secret
    assert await audit_actors(uow_factory, "obligation.listed", contract["id"]) == [str(lead.id)]

    outsider, outsider_h = await staff(client, uow_factory, Role.investigator, Team.investigation)
    assert (await client.get(f"/api/v1/cases/{case_id}", headers=outsider_h)).status_code == 404
    hidden = await client.get(OBLIGATIONS, params={"contract_id": contract["id"]}, headers=outsider_h)
    assert hidden.status_code == 200, hidden.text
    other = hidden.json()["items"]
    assert [o["id"] for o in other] == [obligation["id"]]
    assert other[0]["case_id"] is None and other[0]["case_reference"] is None
    assert other[0]["status"] == "rejected" and other[0]["contract_number"] == contract["number"]
    for secret in (*content, reference, case_id):
        assert secret not in hidden.text, secret
    assert await audit_actors(uow_factory, "obligation.listed", contract["id"]) == [str(lead.id), str(outsider.id)]

    everything = await client.get(OBLIGATIONS, params={"limit": 200}, headers=outsider_h)
    assert everything.status_code == 200
    assert obligation["id"] in {o["id"] for o in everything.json()["items"]}
    assert reference not in everything.text and case_id not in everything.text
    filtered = await client.get(OBLIGATIONS, params={"contract_id": contract["id"], "status": "open"}, headers=lead_h)
    assert filtered.status_code == 200 and filtered.json() == {"items": [], "total": 0, "offset": 0, "limit": 50}


async def test_acc_1_obligations_for_the_case_team_roles_only(client, uow_factory) -> None:
    """The roles that read contracts: intake, investigators, team leads and the division head. HR officers, the
    auditor and the sysadmin get 403; anonymous callers and machine tokens 401; an unknown contract 404."""
    assert (await client.get(OBLIGATIONS)).status_code == 401
    portal = await machine_headers(client, uow_factory, "obligations:read", kind=ClientKind.contractor_portal)
    assert (await client.get(OBLIGATIONS, headers=portal)).status_code == 401
    for role, team in (
        (Role.intake, Team.intake_counselling),
        (Role.investigator, Team.investigation),
        (Role.team_lead, Team.victim_support_legal),
        (Role.division_head, None),
    ):
        member = await make_staff(uow_factory, role=role, team=team)
        assert (await client.get(OBLIGATIONS, headers=await login(client, member))).status_code == 200, role
    for role in (Role.hr_officer, Role.auditor, Role.sysadmin):
        member = await make_staff(uow_factory, role=role)
        refused = await client.get(OBLIGATIONS, headers=await login(client, member))
        assert refused.status_code == 403, role
        assert str(member.id) not in await audit_actors(uow_factory, "obligation.listed")
    lead = await make_staff(uow_factory, role=Role.team_lead, team=Team.intake_counselling)
    missing = await client.get(
        OBLIGATIONS, params={"contract_id": str(uuid.uuid4())}, headers=await login(client, lead)
    )
    assert missing.status_code == 404
