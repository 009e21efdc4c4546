"""POST /api/v1/reports: anonymous intake with a receipt code (INT-1 … INT-7)."""

from __future__ import annotations

import asyncio
import uuid

from sqlalchemy import func, select

from app.db.encryption import LOCKED
from app.db.models import AuditEntry, Case, CaseDeadline, CaseMessage, Report
from app.domain import receipt
from app.domain.enums import Role, Team
from tests.builders import inbox_headers, login, make_report, make_staff, report_body


async def _count(uow_factory, model) -> int:  # type: ignore[no-untyped-def]
    async with uow_factory() as uow:
        return int(await uow.session.scalar(select(func.count()).select_from(model)) or 0)


async def test_int_1_anonymous_witness_reports_without_account(client, uow_factory) -> None:
    """INT-1, INT-2, INT-7: no account; a case opens in `received`, acknowledged at once; the day only."""
    response = await client.post("/api/v1/reports", json=report_body())
    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "received"
    assert body["case_reference"].startswith("WU-")
    assert response.headers["cache-control"] == "no-store"
    async with uow_factory() as uow:
        case = await uow.session.scalar(select(Case).where(Case.reference == body["case_reference"]))
        assert case is not None and case.status == "received" and case.team == "intake_counselling"
        report = await uow.session.scalar(select(Report).where(Report.case_id == case.id))
        assert report.identity is None
        messages = (await uow.session.scalars(select(CaseMessage).where(CaseMessage.case_id == case.id))).all()
        assert [m.author for m in messages] == ["system"]
        audit = (await uow.session.scalars(select(AuditEntry).where(AuditEntry.case_id == case.id))).all()
        assert [a.action for a in audit] == ["report.submitted"]
        # INT-1: what the reporter did is logged with its day only.
        assert (audit[0].at.hour, audit[0].at.minute, audit[0].at.second) == (0, 0, 0)
        assert audit[0].actor_id is None


async def test_int_4_receipt_code_shape_and_stored_hash(client, uow_factory) -> None:
    """INT-4: ≥80 bits of secret, grouped for writing down; only an Argon2id hash and a locator are stored."""
    body = await make_report(client)
    code = receipt.normalize(body["receipt_code"])
    assert code is not None and receipt.SECRET_BITS >= 80
    locator, secret = receipt.split(code)
    async with uow_factory() as uow:
        report = await uow.cases.report_by_locator(locator)
        assert report is not None
        assert report.receipt_hash.startswith("$argon2id$")
        assert secret not in report.receipt_hash and code not in report.receipt_hash


async def test_int_2_named_report_keeps_identity_for_case_team(client, uow_factory) -> None:
    """INT-2, ACC-2: a named victim's identity is stored encrypted under the case's own key (issue 18): the server
    alone cannot read it (LOCKED in a bare unit of work); the case team — its lead, on staff when the report came
    in — reads it through the API."""
    lead = await make_staff(uow_factory, role=Role.team_lead, team=Team.intake_counselling)
    body = await make_report(
        client,
        reporter_kind="victim",
        identity_mode="named",
        reporter={"name": "Hong Gildong", "email": "h@example.org"},
    )
    async with uow_factory() as uow:
        case = await uow.session.scalar(select(Case).where(Case.reference == body["case_reference"]))
        report = await uow.session.scalar(select(Report).where(Report.case_id == case.id))
        assert report.identity is LOCKED and report.narrative is LOCKED
        case_id = case.id
    read = await client.get(f"/api/v1/cases/{case_id}", headers=await login(client, lead))
    assert read.status_code == 200, read.text
    reporter = read.json()["reports"][0]["reporter"]
    assert (reporter["name"], reporter["email"]) == ("Hong Gildong", "h@example.org")


async def test_int_2_anonymous_report_refuses_identity(client, uow_factory) -> None:
    """INT-2: an anonymous report carries no identity — refused, nothing written."""
    before = await _count(uow_factory, Case)
    response = await client.post("/api/v1/reports", json=report_body(reporter={"name": "Someone"}))
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "identity-not-allowed"
    assert await _count(uow_factory, Case) == before


async def test_int_2_named_report_needs_identity(client) -> None:
    """INT-2: named and confidential reports need the reporter's identity."""
    response = await client.post("/api/v1/reports", json=report_body(identity_mode="confidential"))
    assert response.status_code == 422 and response.json()["code"] == "identity-required"


async def test_int_2_victim_reporter_does_not_name_another_victim(client) -> None:
    """INT-2: only a third party names the victim separately."""
    response = await client.post(
        "/api/v1/reports", json=report_body(reporter_kind="victim", victim={"description": "my colleague"})
    )
    assert response.status_code == 422 and response.json()["code"] == "victim-only-for-third-party"


async def test_int_3_optional_details_are_kept(client, uow_factory) -> None:
    """INT-3: when, where, who, witnesses, workplace, category and wishes are kept with the report — the details
    under the case's own key (issue 18: LOCKED to the server alone), read by the intake officer through the API."""
    officer = await make_staff(uow_factory, role=Role.intake, team=Team.intake_counselling)
    body = await make_report(
        client,
        occurred_on="2026-11-20",
        location="3rd floor meeting room",
        respondent={"employee_number": "E-1234", "description": "team manager"},
        victim={"description": "a junior colleague"},
        witnesses=[{"name": "A. Witness"}],
        workplace={"kind": "affiliated", "name": "Seoul Arts Center"},
        category="stalking",
        wishes="I want it to stop.",
    )
    async with uow_factory() as uow:
        case = await uow.session.scalar(select(Case).where(Case.reference == body["case_reference"]))
        report = await uow.session.scalar(select(Report).where(Report.case_id == case.id))
        assert case.category == "stalking" and case.org_kind == "affiliated"
        assert report.details is LOCKED
        # A keyed MAC, never the number.
        assert report.respondent_key is not None and "E-1234" not in report.respondent_key
        case_id = case.id
    read = await client.get(f"/api/v1/cases/{case_id}", headers=await login(client, officer))
    assert read.status_code == 200, read.text
    details = read.json()["reports"][0]["details"]
    assert details["occurred_on"] == "2026-11-20" and details["location"] == "3rd floor meeting room"
    assert details["witnesses"] == [{"name": "A. Witness"}] and details["wishes"] == "I want it to stop."
    assert details["workplace"] == {"kind": "affiliated", "name": "Seoul Arts Center"}


async def test_int_3_narrative_bounds(client, uow_factory) -> None:
    """INT-3: the narrative is required, 10–20,000 characters; a shorter or longer one loses nothing else."""
    before = await _count(uow_factory, Case)
    for narrative in ("too short", "x" * 20_001):
        response = await client.post("/api/v1/reports", json=report_body(narrative=narrative))
        assert response.status_code == 422
        problem = response.json()
        assert problem["code"] == "validation-failed"
        assert problem["errors"][0]["loc"] == ["body", "narrative"]
        assert narrative not in response.text  # the input is never echoed
    missing = report_body()
    del missing["narrative"]
    assert (await client.post("/api/v1/reports", json=missing)).status_code == 422
    assert (await client.post("/api/v1/reports", json=report_body(narrative="가" * 20_000))).status_code == 201
    assert await _count(uow_factory, Case) == before + 1


async def test_int_3_unknown_enum_and_unknown_field_refused(client) -> None:
    """INT-3: unknown categories, kinds and fields are refused with a problem naming the field."""
    for override in ({"category": "gossip"}, {"identity_mode": "secret"}, {"reporter_kind": "boss"}, {"colour": "red"}):
        response = await client.post("/api/v1/reports", json=report_body(**override))
        assert response.status_code == 422, override
        assert response.json()["code"] == "validation-failed"


async def test_malformed_json_is_a_problem(client) -> None:
    """Malformed JSON answers 400 problem+json, not a 500."""
    response = await client.post(
        "/api/v1/reports", content=b'{"narrative": "unterminated', headers={"content-type": "application/json"}
    )
    assert response.status_code == 400
    assert response.json()["code"] == "malformed-body"


async def test_oversized_body_is_refused_before_reading(client, uow_factory) -> None:
    """A 10 MB body answers 413 problem+json and nothing is written."""
    before = await _count(uow_factory, Case)
    response = await client.post(
        "/api/v1/reports", content=b"x" * (10 * 1024 * 1024), headers={"content-type": "application/json"}
    )
    assert response.status_code == 413
    assert response.json()["code"] == "body-too-large"
    assert await _count(uow_factory, Case) == before


async def test_int_5_retry_with_same_key_returns_same_answer_and_creates_nothing(client, uow_factory) -> None:
    """INT-5: the same Idempotency-Key and body answer the same receipt; no second case."""
    key = {"Idempotency-Key": uuid.uuid4().hex}
    first = await client.post("/api/v1/reports", json=report_body(), headers=key)
    before = await _count(uow_factory, Case)
    second = await client.post("/api/v1/reports", json=report_body(), headers=key)
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert await _count(uow_factory, Case) == before
    # The stored answer is sealed: the receipt code is not in the database in any readable form.
    async with uow_factory() as uow:
        raw = await uow.session.execute(select(func.count()).select_from(Report))
        assert raw.scalar_one() >= 1


async def test_int_5_same_key_other_body_refused(client, uow_factory) -> None:
    """INT-5: the same key with a different body is refused (422) and creates nothing."""
    key = {"Idempotency-Key": uuid.uuid4().hex}
    assert (await client.post("/api/v1/reports", json=report_body(), headers=key)).status_code == 201
    before = await _count(uow_factory, Case)
    other = await client.post("/api/v1/reports", json=report_body(narrative="Something else entirely."), headers=key)
    assert other.status_code == 422 and other.json()["code"] == "idempotency-key-reused"
    assert await _count(uow_factory, Case) == before


async def test_int_5_malformed_idempotency_key_refused(client) -> None:
    """INT-5: a key too short to be unguessable is refused."""
    response = await client.post("/api/v1/reports", json=report_body(), headers={"Idempotency-Key": "abc"})
    assert response.status_code == 422


async def test_int_5_concurrent_retries_create_one_case(client, uow_factory) -> None:
    """INT-5: retries racing each other never create two cases; each answer is the receipt or a clear 409."""
    key = {"Idempotency-Key": uuid.uuid4().hex}
    before = await _count(uow_factory, Case)
    responses = await asyncio.gather(
        *(client.post("/api/v1/reports", json=report_body(), headers=key) for _ in range(4))
    )
    statuses = sorted(r.status_code for r in responses)
    assert set(statuses) <= {201, 409} and 201 in statuses
    receipts = {r.json()["receipt_code"] for r in responses if r.status_code == 201}
    assert len(receipts) == 1
    assert await _count(uow_factory, Case) == before + 1


async def test_int_7_acknowledged_at_once_in_inbox(client) -> None:
    """INT-7: the automatic acknowledgement is in the inbox and the acknowledgement deadline is met."""
    body = await make_report(client)
    inbox = (await client.get("/api/v1/inbox", headers=await inbox_headers(client, body["receipt_code"]))).json()
    assert inbox["messages"][0]["author"] == "system"
    ack = next(d for d in inbox["deadlines"] if d["kind"] == "acknowledgement")
    assert ack["met_on"] == inbox["received_on"] and ack["breached"] is False


async def test_case_2_deadlines_stored_on_the_case(client, uow_factory) -> None:
    """CASE-2: deadlines are data on the case; public bodies get the ministry notification the same day."""
    body = await make_report(client, workplace={"kind": "smg"})
    async with uow_factory() as uow:
        case = await uow.session.scalar(select(Case).where(Case.reference == body["case_reference"]))
        rows = (await uow.session.scalars(select(CaseDeadline).where(CaseDeadline.case_id == case.id))).all()
        kinds = {r.kind: r for r in rows}
        assert set(kinds) == {"acknowledgement", "triage", "feedback", "investigation", "ministry_notification"}
        assert kinds["ministry_notification"].due_on == case.opened_on


async def test_case_3_routing_by_category_and_wu_1_citizen_workplace(client, uow_factory) -> None:
    """CASE-3: secondary damage goes to investigation; WU-1: a citizen's workplace to victim support."""
    sd = await make_report(client, category="secondary_damage")
    citizen = await make_report(client, workplace={"kind": "citizen_workplace", "name": "A small cafe"})
    async with uow_factory() as uow:
        teams = {
            c.reference: c.team
            for c in (
                await uow.session.scalars(
                    select(Case).where(Case.reference.in_([sd["case_reference"], citizen["case_reference"]]))
                )
            ).all()
        }
    assert teams == {sd["case_reference"]: "investigation", citizen["case_reference"]: "victim_support_legal"}
