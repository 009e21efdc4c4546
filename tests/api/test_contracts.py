"""Commissioned organisations (CON-1, CON-2): contracts, follow-up obligations, the contractor's own view,
the deadline scan with a frozen date, and cancellation confirmed by a second person."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from jsonschema import Draft202012Validator
from sqlalchemy import select, update

from app.cli import ROOT
from app.db.models import (
    Case,
    CaseDeadline,
    Contract,
    Obligation,
    Organisation,
    OutboxMessage,
    WebhookSubscription,
)
from app.domain.enums import ClientKind, DeadlineKind, OrgKind, Role, Team
from app.domain.escalation import NotificationKind
from app.services import auth, clock, contracts
from app.services.deadlines import scan_deadlines
from tests.builders import NARRATIVE, case_id_for, login, make_report, make_staff

CANARY = "CANARY-CONTRACTOR-NARRATIVE"
MEASURES = {
    "investigation": "An external investigator interviewed both parties.",
    "protection_of_victim": "Separate shifts; paid leave offered.",
    "discipline": "The supervisor was suspended for one month.",
}
TOPICS = ["contract.cancellation_initiated", "contract.cancelled"]
PAYLOAD_SCHEMA = json.loads((ROOT / "docs" / "webhook-payloads.schema.json").read_text())


@dataclass
class Contractor:
    organisation: str
    client_id: str
    client_pk: uuid.UUID
    headers: dict[str, str]


async def staff(client, uow_factory, role: Role, team: Team | None = Team.intake_counselling):  # type: ignore[no-untyped-def]
    member = await make_staff(uow_factory, role=role, team=team)
    return member, await login(client, member)


async def make_contractor(
    client, uow_factory, *, scopes: tuple[str, ...] = ("obligations:read", "obligations:write"), webhook: bool = True
) -> Contractor:  # type: ignore[no-untyped-def]
    """A commissioned organisation in the directory, its portal client (signed in), and a webhook subscription."""
    tag = uuid.uuid4().hex[:8]
    async with uow_factory() as uow:
        organisation = Organisation(external_id=f"CON-{tag}", name=f"Cleaning Co {tag}", kind=OrgKind.contractor)
        uow.session.add(organisation)
        machine, secret = await auth.create_client(uow, f"portal {tag}", ClientKind.contractor_portal, list(scopes))
        if webhook:
            uow.session.add(
                WebhookSubscription(
                    client_id=machine.id,
                    url=f"http://127.0.0.1:9/contractor/{tag}",
                    secret="whsec_test",
                    topics=TOPICS,
                    active=True,
                    created_at=clock.now(),
                )
            )
        await uow.commit()
        ids = (organisation.external_id, machine.client_id, machine.id)
    token = await client.post(
        "/api/v1/oauth/token",
        data={"grant_type": "client_credentials", "client_id": ids[1], "client_secret": secret},
    )
    assert token.status_code == 200, token.text
    return Contractor(ids[0], ids[1], ids[2], {"Authorization": f"Bearer {token.json()['access_token']}"})


async def register(client, headers, contractor: Contractor) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    response = await client.post(
        "/api/v1/contracts",
        json={
            "organisation": contractor.organisation,
            "number": f"smg-2026-{uuid.uuid4().hex[:8]}",
            "title": "Cleaning of City Hall annex",
            "client_id": contractor.client_id,
        },
        headers=headers,
    )
    assert response.status_code == 201, response.text
    return response.json()


async def contractor_case(client, headers, contract: dict[str, Any]) -> tuple[dict[str, Any], str]:  # type: ignore[no-untyped-def]
    body = await make_report(
        client,
        narrative=f"{NARRATIVE} {CANARY}",
        reporter_kind="victim",
        identity_mode="confidential",
        reporter={"name": "CANARY-VICTIM-NAME"},
        workplace={"kind": "contractor", "name": "Cleaning Co", "contract_number": contract["number"].lower()},
    )
    return body, await case_id_for(client, headers, body["case_reference"])


async def outbox_for(uow_factory, client_pk: uuid.UUID) -> list[tuple[str, dict[str, Any]]]:  # type: ignore[no-untyped-def]
    async with uow_factory() as uow:
        rows = await uow.session.execute(
            select(OutboxMessage.topic, OutboxMessage.payload)
            .join(WebhookSubscription, WebhookSubscription.id == OutboxMessage.subscription_id)
            .where(WebhookSubscription.client_id == client_pk)
            .order_by(OutboxMessage.created_at)
        )
        return [(t, p) for t, p in rows.all()]


async def test_con_1_a_report_naming_the_contract_opens_the_obligation_and_the_contractor_records(
    client, uow_factory
) -> None:
    """CON-1: the obligation opens with the report, due 30 days (config) later; the contractor sees only the
    obligation — never the narrative, the case reference or the victim — records its measures; the team accepts."""
    _, lead_h = await staff(client, uow_factory, Role.team_lead)
    contractor = await make_contractor(client, uow_factory)
    contract = await register(client, lead_h, contractor)
    body, case_id = await contractor_case(client, lead_h, contract)

    obligations = (await client.get(f"/api/v1/cases/{case_id}/obligations", headers=lead_h)).json()
    assert len(obligations) == 1
    obligation = obligations[0]
    assert obligation["status"] == "open" and obligation["contract_number"] == contract["number"]
    assert date.fromisoformat(obligation["due_on"]) == date.fromisoformat(obligation["opened_on"]) + timedelta(days=30)

    seen = await client.get("/api/v1/contractor/obligations", headers=contractor.headers)
    assert seen.status_code == 200
    view = seen.json()
    assert [o["id"] for o in view["obligations"]] == [obligation["id"]]
    assert set(view["obligations"][0]) == {
        "id",
        "contract_number",
        "status",
        "opened_on",
        "due_on",
        "recorded_on",
        "what_to_record",
    }
    for secret in (CANARY, "CANARY-VICTIM", body["case_reference"], case_id, "Cleaning Co"):
        assert secret not in seen.text
    assert [c["status"] for c in view["contracts"]] == ["active"]

    url = f"/api/v1/contractor/obligations/{obligation['id']}/measures"
    recorded = await client.post(url, json=MEASURES, headers=contractor.headers)
    assert recorded.status_code == 200, recorded.text
    assert recorded.json()["status"] == "measures_recorded" and CANARY not in recorded.text
    twice = await client.post(url, json=MEASURES, headers=contractor.headers)
    assert twice.status_code == 409 and twice.json()["code"] == "obligation-not-open"
    missing_part = await client.post(url, json={"investigation": "done"}, headers=contractor.headers)
    assert missing_part.status_code == 422

    team_view = (await client.get(f"/api/v1/cases/{case_id}/obligations", headers=lead_h)).json()[0]
    assert team_view["measures"] == MEASURES
    reviewed = await client.post(
        f"/api/v1/cases/{case_id}/obligations/{obligation['id']}/review", json={"accept": True}, headers=lead_h
    )
    assert reviewed.status_code == 200 and reviewed.json()["status"] == "accepted"
    async with uow_factory() as uow:
        raw = await uow.session.scalar(
            select(Obligation.__table__.c.measures).where(Obligation.id == uuid.UUID(obligation["id"]))
        )
        actions = [e.action for e in await uow.audit.for_case(uuid.UUID(case_id))]
    assert b"external investigator" not in raw  # ACC-2: encrypted at rest
    assert {"obligation.opened", "obligation.measures_recorded", "obligation.accepted"} <= set(actions)
    assert (await client.get(f"/api/v1/contracts/{contract['id']}", headers=lead_h)).json()["status"] == "active"


async def test_con_2_a_contractor_that_does_nothing_reaches_cancellation(client, uow_factory) -> None:
    """CON-2 with a frozen date: nothing recorded by the due day → the scan marks the obligation overdue and
    initiates cancellation; a second person confirms; the contract is cancelled; the organisation is told by
    webhook and in its listing. Cancelling it again is 409."""
    _, lead_h = await staff(client, uow_factory, Role.team_lead)
    _, investigator_h = await staff(client, uow_factory, Role.investigator)
    _, hr_h = await staff(client, uow_factory, Role.hr_officer, None)
    contractor = await make_contractor(client, uow_factory)
    contract = await register(client, lead_h, contractor)
    _, case_id = await contractor_case(client, lead_h, contract)
    obligation = (await client.get(f"/api/v1/cases/{case_id}/obligations", headers=lead_h)).json()[0]
    due = date.fromisoformat(obligation["due_on"])

    async with uow_factory() as uow:
        await contracts.scan_obligations(uow, due)  # the due day itself still counts
        await uow.commit()
    assert (await client.get(f"/api/v1/cases/{case_id}/obligations", headers=lead_h)).json()[0]["status"] == "open"
    assert (await client.get(f"/api/v1/contracts/{contract['id']}", headers=lead_h)).json()["status"] == "active"

    for _ in range(2):  # the scan is idempotent: a second run changes nothing more (one notice, below)
        async with uow_factory() as uow:
            result = await contracts.scan_obligations(uow, due + timedelta(days=1))
            await uow.commit()
    assert result.overdue == 0
    assert (await client.get(f"/api/v1/cases/{case_id}/obligations", headers=lead_h)).json()[0]["status"] == "overdue"

    initiated = (await client.get(f"/api/v1/contracts/{contract['id']}", headers=lead_h)).json()
    assert initiated["status"] == "cancellation_initiated"
    assert initiated["cancellation_ground"] == "measures_overdue" and initiated["initiated_automatically"] is True
    assert initiated["you_may_confirm"] is True
    pending = (await client.get("/api/v1/approvals/contracts", headers=lead_h)).json()
    assert contract["id"] in {c["id"] for c in pending}
    view = (await client.get("/api/v1/contractor/obligations", headers=contractor.headers)).json()
    assert view["obligations"][0]["status"] == "overdue"
    assert view["contracts"][0]["status"] == "cancellation_initiated"
    late = await client.post(
        f"/api/v1/contractor/obligations/{obligation['id']}/measures", json=MEASURES, headers=contractor.headers
    )
    assert late.status_code == 409 and late.json()["code"] == "obligation-not-open"

    confirm_url = f"/api/v1/contracts/{contract['id']}/cancellation/confirm"
    assert (await client.post(confirm_url)).status_code == 401
    assert (await client.post(confirm_url, headers=hr_h)).status_code == 403
    assert (await client.post(confirm_url, headers=investigator_h)).status_code == 403
    confirmed = await client.post(confirm_url, headers=lead_h)
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json()["status"] == "cancelled" and confirmed.json()["cancelled_on"] is not None
    twice = await client.post(confirm_url, headers=lead_h)
    assert twice.status_code == 409 and twice.json()["code"] == "contract-cancelled"
    initiate_again = await client.post(
        f"/api/v1/contracts/{contract['id']}/cancellation",
        json={"reason": "Cancel it once more, please."},
        headers=lead_h,
    )
    assert initiate_again.status_code == 409 and initiate_again.json()["code"] == "contract-cancelled"

    view = (await client.get("/api/v1/contractor/obligations", headers=contractor.headers)).json()
    assert view["contracts"][0]["status"] == "cancelled" and view["contracts"][0]["cancelled_on"] is not None
    sent = await outbox_for(uow_factory, contractor.client_pk)
    assert [t for t, _ in sent] == ["contract.cancellation_initiated", "contract.cancelled"]
    initiated_event = sent[0][1]
    assert initiated_event["type"] == "contract.cancellation_initiated"
    assert initiated_event["data"] == {
        "contract_number": contract["number"],
        "status": "cancellation_initiated",
        "ground": "measures_overdue",
        "initiated_on": (due + timedelta(days=1)).isoformat(),
        "obligation_id": obligation["id"],
    }
    assert sent[1][1]["data"]["status"] == "cancelled"
    validator = Draft202012Validator(PAYLOAD_SCHEMA, format_checker=Draft202012Validator.FORMAT_CHECKER)
    for _, payload in sent:
        validator.validate(payload)  # the published schema (docs/webhook-payloads.schema.json)
    assert case_id not in str(sent) and CANARY not in str(sent)


async def test_con_2_rejected_measures_initiate_cancellation_and_the_initiator_cannot_confirm(
    client, uow_factory
) -> None:
    """CON-2: the team rejects the measures as inadequate (with a reason) → cancellation initiated by that
    person, who cannot confirm it (four eyes); the division head confirms."""
    lead, lead_h = await staff(client, uow_factory, Role.team_lead)
    _, head_h = await staff(client, uow_factory, Role.division_head, None)
    contractor = await make_contractor(client, uow_factory, webhook=False)
    contract = await register(client, lead_h, contractor)
    _, case_id = await contractor_case(client, lead_h, contract)
    obligation = (await client.get(f"/api/v1/cases/{case_id}/obligations", headers=lead_h)).json()[0]
    review_url = f"/api/v1/cases/{case_id}/obligations/{obligation['id']}/review"
    early = await client.post(review_url, json={"accept": True}, headers=lead_h)
    assert early.status_code == 409 and early.json()["code"] == "obligation-not-awaiting-review"
    await client.post(
        f"/api/v1/contractor/obligations/{obligation['id']}/measures", json=MEASURES, headers=contractor.headers
    )
    no_reason = await client.post(review_url, json={"accept": False}, headers=lead_h)
    assert no_reason.status_code == 422 and no_reason.json()["code"] == "rejection-reason-required"
    rejected = await client.post(
        review_url, json={"accept": False, "reason": "No independent investigation took place."}, headers=lead_h
    )
    assert rejected.status_code == 200 and rejected.json()["status"] == "rejected"

    state = (await client.get(f"/api/v1/contracts/{contract['id']}", headers=lead_h)).json()
    assert state["status"] == "cancellation_initiated" and state["cancellation_ground"] == "measures_rejected"
    assert state["initiated_automatically"] is False and state["you_may_confirm"] is False
    own = await client.post(f"/api/v1/contracts/{contract['id']}/cancellation/confirm", headers=lead_h)
    assert own.status_code == 403 and own.json()["code"] == "four-eyes"
    pending = {c["id"]: c for c in (await client.get("/api/v1/approvals/contracts", headers=head_h)).json()}
    assert pending[contract["id"]]["you_may_confirm"] is True
    confirmed = await client.post(f"/api/v1/contracts/{contract['id']}/cancellation/confirm", headers=head_h)
    assert confirmed.status_code == 200 and confirmed.json()["status"] == "cancelled"
    view = (await client.get("/api/v1/contractor/obligations", headers=contractor.headers)).json()
    assert view["obligations"][0]["status"] == "rejected"
    assert "independent investigation" not in str(view)  # the team's reason stays with the team
    async with uow_factory() as uow:
        assert lead.id == (await uow.session.get(Contract, uuid.UUID(contract["id"]))).cancellation_initiated_by


async def test_con_1_a_contractor_reading_another_contractors_obligation_is_not_found(client, uow_factory) -> None:
    """CON-1, ACC-1: a contractor sees only its own contracts' obligations; another's answers 404 like a
    missing one; scopes are enforced; anonymous 401."""
    _, lead_h = await staff(client, uow_factory, Role.team_lead)
    owner = await make_contractor(client, uow_factory)
    other = await make_contractor(client, uow_factory)
    read_only = await make_contractor(client, uow_factory, scopes=("obligations:read",))
    contract = await register(client, lead_h, owner)
    await register(client, lead_h, read_only)
    _, case_id = await contractor_case(client, lead_h, contract)
    obligation_id = (await client.get(f"/api/v1/cases/{case_id}/obligations", headers=lead_h)).json()[0]["id"]

    others_view = (await client.get("/api/v1/contractor/obligations", headers=other.headers)).json()
    assert others_view == {"contracts": [], "obligations": []}
    foreign = await client.post(
        f"/api/v1/contractor/obligations/{obligation_id}/measures", json=MEASURES, headers=other.headers
    )
    missing = await client.post(
        f"/api/v1/contractor/obligations/{uuid.uuid4()}/measures", json=MEASURES, headers=other.headers
    )
    assert foreign.status_code == missing.status_code == 404
    assert foreign.json()["code"] == missing.json()["code"] == "not-found"
    no_scope = await client.post(
        f"/api/v1/contractor/obligations/{obligation_id}/measures", json=MEASURES, headers=read_only.headers
    )
    assert no_scope.status_code == 403 and no_scope.json()["code"] == "scope-not-allowed"
    assert (await client.get("/api/v1/contractor/obligations")).status_code == 401
    assert (await client.get("/api/v1/contractor/obligations", headers=lead_h)).status_code == 401  # staff token
    async with uow_factory() as uow:
        hr_client, secret = await auth.create_client(uow, "hr", ClientKind.hr_system, ["separation:check"])
        hr_client_id = hr_client.client_id
        await uow.commit()
    hr_token = await client.post(
        "/api/v1/oauth/token",
        data={"grant_type": "client_credentials", "client_id": hr_client_id, "client_secret": secret},
    )
    hr_h = {"Authorization": f"Bearer {hr_token.json()['access_token']}"}
    assert (await client.get("/api/v1/contractor/obligations", headers=hr_h)).status_code == 403
    still_open = (await client.get(f"/api/v1/cases/{case_id}/obligations", headers=lead_h)).json()[0]
    assert still_open["status"] == "open" and still_open["measures"] is None


async def test_con_1_the_case_team_links_the_contract(client, uow_factory) -> None:
    """CON-1: without a contract number the team links the contract; the obligation opens then. A case at
    another kind of workplace, a cancelled contract, twice: refused. Roles: 401, 403, 404."""
    _, lead_h = await staff(client, uow_factory, Role.team_lead)
    _, intake_h = await staff(client, uow_factory, Role.intake)
    _, other_team_h = await staff(client, uow_factory, Role.intake, Team.prevention_education)
    _, hr_h = await staff(client, uow_factory, Role.hr_officer, None)
    contractor = await make_contractor(client, uow_factory, webhook=False)
    contract = await register(client, lead_h, contractor)
    unknown_number = await make_report(client, workplace={"kind": "contractor", "contract_number": "NO-SUCH-1"})
    case_id = await case_id_for(client, intake_h, unknown_number["case_reference"])
    assert (await client.get(f"/api/v1/cases/{case_id}/obligations", headers=intake_h)).json() == []

    url = f"/api/v1/cases/{case_id}/contract"
    payload = {"contract_id": contract["id"]}
    assert (await client.post(url, json=payload)).status_code == 401
    assert (await client.post(url, json=payload, headers=hr_h)).status_code == 404  # ACC-1: content-blind, hidden
    assert (await client.post(url, json=payload, headers=other_team_h)).status_code == 404
    assert (await client.post(url, json={"contract_id": str(uuid.uuid4())}, headers=intake_h)).status_code == 404
    linked = await client.post(url, json=payload, headers=intake_h)
    assert linked.status_code == 201 and linked.json()["status"] == "open"
    twice = await client.post(url, json=payload, headers=intake_h)
    assert twice.status_code == 409 and twice.json()["code"] == "duplicate"

    smg = await make_report(client, workplace={"kind": "smg"})
    smg_id = await case_id_for(client, intake_h, smg["case_reference"])
    wrong = await client.post(f"/api/v1/cases/{smg_id}/contract", json=payload, headers=intake_h)
    assert wrong.status_code == 422 and wrong.json()["code"] == "workplace-not-contractor"

    unsaid = await make_report(client)
    unsaid_id = await case_id_for(client, intake_h, unsaid["case_reference"])
    await client.post(
        f"/api/v1/contracts/{contract['id']}/cancellation",
        json={"reason": "Repeated failures on record."},
        headers=lead_h,
    )
    _, head_h = await staff(client, uow_factory, Role.division_head, None)
    await client.post(f"/api/v1/contracts/{contract['id']}/cancellation/confirm", headers=head_h)
    cancelled = await client.post(f"/api/v1/cases/{unsaid_id}/contract", json=payload, headers=intake_h)
    assert cancelled.status_code == 409 and cancelled.json()["code"] == "contract-cancelled"
    second_contract = await register(client, lead_h, await make_contractor(client, uow_factory, webhook=False))
    ok = await client.post(
        f"/api/v1/cases/{unsaid_id}/contract", json={"contract_id": second_contract["id"]}, headers=intake_h
    )
    assert ok.status_code == 201
    async with uow_factory() as uow:
        assert (await uow.session.get(Case, uuid.UUID(unsaid_id))).org_kind == "contractor"


async def case_deadlines(client, headers, case_id: str) -> dict[str, dict[str, Any]]:  # type: ignore[no-untyped-def]
    response = await client.get(f"/api/v1/cases/{case_id}", headers=headers)
    assert response.status_code == 200, response.text
    return {d["kind"]: d for d in response.json()["deadlines"]}


async def test_con_1_a_contractor_case_without_a_contract_on_record_gets_a_link_step(client, uow_factory) -> None:
    """CON-1 (rules audit defect 18): a contractor case without a contract number, or with one not on record, gets
    a "link the contract" deadline due `contract_link_days` (config) after the receipt — on the case, in the
    deadline queue and escalated like any deadline. A case naming its contract, or at another workplace, has none."""
    _, lead_h = await staff(client, uow_factory, Role.team_lead)
    contract = await register(client, lead_h, await make_contractor(client, uow_factory, webhook=False))
    link_days = 3  # the default of WITHU_CONTRACT_LINK_DAYS
    unsaid = await make_report(client, workplace={"kind": "contractor", "name": "Cleaning Co"})
    unknown = await make_report(client, workplace={"kind": "contractor", "contract_number": "NO-SUCH-2"})
    for body in (unsaid, unknown):
        case_id = await case_id_for(client, lead_h, body["case_reference"])
        step = (await case_deadlines(client, lead_h, case_id))["contract_link"]
        opened = await _opened_on(uow_factory, case_id)
        assert date.fromisoformat(step["due_on"]) == opened + timedelta(days=link_days)
        assert step["met_on"] is None
    _, named_id = await contractor_case(client, lead_h, contract)
    smg = await case_id_for(client, lead_h, (await make_report(client, workplace={"kind": "smg"}))["case_reference"])
    for case_id in (named_id, smg):
        assert "contract_link" not in await case_deadlines(client, lead_h, case_id)

    # Overdue: listed in the queue, flagged; the scan escalates it to the team lead.
    case_id = await case_id_for(client, lead_h, unsaid["case_reference"])
    today = clock.now().date()
    await _backdate_step(uow_factory, case_id, today - timedelta(days=5))
    page = (await client.get("/api/v1/deadlines", headers=lead_h, params={"limit": 200})).json()
    listed = [i for i in page["items"] if i["case_id"] == case_id and i["kind"] == "contract_link"]
    assert len(listed) == 1 and listed[0]["state"] == "overdue" and listed[0]["escalated"] is True
    async with uow_factory() as uow:
        await scan_deadlines(uow, today)
        await uow.commit()
        kinds = {n.kind for n in await uow.notifications.notices_of_case(uuid.UUID(case_id))}
    assert {NotificationKind.deadline_overdue, NotificationKind.deadline_escalated} <= kinds


async def test_con_1_linking_meets_the_step_and_counts_the_follow_up_from_the_report(client, uow_factory) -> None:
    """CON-1: linking the contract meets the "link the contract" step (late here: flagged as breached, never
    hidden) and opens the follow-up obligation due `contractor_follow_up_days` after the day of the report — not
    after the day of the link."""
    _, lead_h = await staff(client, uow_factory, Role.team_lead)
    contract = await register(client, lead_h, await make_contractor(client, uow_factory, webhook=False))
    body = await make_report(client, workplace={"kind": "contractor"})
    case_id = await case_id_for(client, lead_h, body["case_reference"])
    today = clock.now().date()
    reported = today - timedelta(days=10)  # the report came in ten days ago
    async with uow_factory() as uow:
        await uow.session.execute(update(Case).where(Case.id == uuid.UUID(case_id)).values(opened_on=reported))
        await uow.commit()
    await _backdate_step(uow_factory, case_id, reported + timedelta(days=3))

    linked = await client.post(
        f"/api/v1/cases/{case_id}/contract", json={"contract_id": contract["id"]}, headers=lead_h
    )
    assert linked.status_code == 201, linked.text
    assert linked.json()["due_on"] == (reported + timedelta(days=30)).isoformat()
    step = (await case_deadlines(client, lead_h, case_id))["contract_link"]
    assert step["met_on"] == today.isoformat() and step["breached"] is True
    page = (await client.get("/api/v1/deadlines", headers=lead_h, params={"limit": 200})).json()
    assert not [i for i in page["items"] if i["case_id"] == case_id and i["kind"] == "contract_link"]


async def _opened_on(uow_factory, case_id: str) -> date:  # type: ignore[no-untyped-def]
    async with uow_factory() as uow:
        case = await uow.session.get(Case, uuid.UUID(case_id))
        assert case is not None
        return case.opened_on


async def _backdate_step(uow_factory, case_id: str, due: date) -> None:  # type: ignore[no-untyped-def]
    async with uow_factory() as uow:
        await uow.session.execute(
            update(CaseDeadline)
            .where(CaseDeadline.case_id == uuid.UUID(case_id), CaseDeadline.kind == DeadlineKind.contract_link)
            .values(due_on=due)
        )
        await uow.commit()


async def test_con_contract_registry_roles_and_bad_input(client, uow_factory) -> None:
    """Team leads and the division head register contracts and initiate cancellation; the case team reads;
    hr_officer, auditor, sysadmin 403; a non-contractor organisation or client 422; a duplicate number 409."""
    _, lead_h = await staff(client, uow_factory, Role.team_lead)
    _, intake_h = await staff(client, uow_factory, Role.intake)
    contractor = await make_contractor(client, uow_factory, webhook=False)
    body = {
        "organisation": contractor.organisation,
        "number": f"SMG-{uuid.uuid4().hex[:6]}",
        "title": "Security services",
        "client_id": contractor.client_id,
    }
    assert (await client.post("/api/v1/contracts", json=body)).status_code == 401
    assert (await client.post("/api/v1/contracts", json=body, headers=intake_h)).status_code == 403
    for role in (Role.hr_officer, Role.auditor, Role.sysadmin):
        _, h = await staff(client, uow_factory, role, None)
        assert (await client.post("/api/v1/contracts", json=body, headers=h)).status_code == 403
        assert (await client.get("/api/v1/contracts", headers=h)).status_code == 403
        assert (await client.get("/api/v1/approvals/contracts", headers=h)).status_code == 403
    created = await client.post("/api/v1/contracts", json=body, headers=lead_h)
    assert created.status_code == 201 and created.json()["number"] == body["number"].upper()
    duplicate = await client.post("/api/v1/contracts", json=body, headers=lead_h)
    assert duplicate.status_code == 409 and duplicate.json()["code"] == "duplicate"
    assert created.json()["id"] in {c["id"] for c in (await client.get("/api/v1/contracts", headers=intake_h)).json()}

    async with uow_factory() as uow:
        smg = Organisation(external_id=f"SMG-{uuid.uuid4().hex[:8]}", name="A city office", kind=OrgKind.smg)
        uow.session.add(smg)
        hr_client, _ = await auth.create_client(uow, "hr", ClientKind.hr_system, ["separation:check"])
        await uow.commit()
        smg_id, hr_client_id = smg.external_id, hr_client.client_id
    for wrong in ({"organisation": smg_id}, {"client_id": hr_client_id}):
        response = await client.post(
            "/api/v1/contracts", json={**body, "number": f"X-{uuid.uuid4().hex[:6]}", **wrong}, headers=lead_h
        )
        assert response.status_code == 422 and response.json()["code"] == "not-a-contractor"
    unknown = await client.post(
        "/api/v1/contracts", json={**body, "number": "X-1", "organisation": "NO-SUCH-ORG"}, headers=lead_h
    )
    assert unknown.status_code == 422 and unknown.json()["code"] == "unknown-party"
    assert (await client.get(f"/api/v1/contracts/{uuid.uuid4()}", headers=lead_h)).status_code == 404

    url = f"/api/v1/contracts/{created.json()['id']}/cancellation"
    reason = {"reason": "Repeated failures to protect staff."}
    assert (await client.post(url, json=reason, headers=intake_h)).status_code == 403
    first = await client.post(url, json=reason, headers=lead_h)
    assert first.status_code == 200 and first.json()["status"] == "cancellation_initiated"
    second = await client.post(url, json=reason, headers=lead_h)
    assert second.status_code == 409 and second.json()["code"] == "cancellation-already-initiated"
    not_initiated = await client.post(
        f"/api/v1/contracts/{(await register(client, lead_h, contractor))['id']}/cancellation/confirm", headers=lead_h
    )
    assert not_initiated.status_code == 409 and not_initiated.json()["code"] == "cancellation-not-initiated"
