"""ACC-2 and INT-1/INT-4: no log line and no database column holds report text, identities, receipt codes or
client addresses in plain text. Canary strings are written through the API, then every sink is searched."""

from __future__ import annotations

import logging
import uuid

import httpx
from sqlalchemy import select, text

from app.db.encryption import LOCKED
from app.db.models import Base, CaseMessage, Report
from app.domain import receipt
from app.domain.enums import Role, Team
from tests.builders import case_id_for, inbox_headers, login, make_staff
from tests.conftest import database_url, sqlite_file_bytes

CLIENT_IP = "203.0.113.77"


async def _all_stored_values(uow_factory) -> list[str]:  # type: ignore[no-untyped-def]
    """Every value of every column of every table, read raw (no decryption), as text."""
    values: list[str] = []
    async with uow_factory() as uow:
        for table in Base.metadata.sorted_tables:
            rows = (await uow.session.execute(text(f"SELECT * FROM {table.name}"))).all()  # noqa: S608
            for row in rows:
                for value in row:
                    if isinstance(value, bytes | memoryview):
                        values.append(bytes(value).decode("latin-1"))
                    elif value is not None:
                        values.append(str(value))
    return values


async def test_acc_2_int_1_int_4_canaries_never_stored_or_logged_in_plain_text(app, uow_factory, caplog) -> None:
    """ACC-2, INT-1, INT-4: narrative, reporter identity, messages, receipt code and IP appear in no sink. Issue 18:
    the server's own keys do not read the case's content either — a unit of work without a reader's sign-in loads it
    as LOCKED — while the team lead, who reads the case, reads it through the API."""
    tag = uuid.uuid4().hex[:12]
    canaries = {
        "narrative": f"CANARYNARRATIVE{tag} he cornered me in the stairwell",
        "name": f"CANARYNAME{tag}",
        "email": f"canary{tag}@example.org",
        "respondent": f"CANARYRESPONDENT{tag}",
        "message": f"CANARYMESSAGE{tag}",
        "reply": f"CANARYREPLY{tag}",
    }
    caplog.set_level(logging.DEBUG)
    lead = await make_staff(uow_factory, role=Role.team_lead, team=Team.intake_counselling)
    transport = httpx.ASGITransport(app=app, client=(CLIENT_IP, 41000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        submitted = await client.post(
            "/api/v1/reports",
            headers={"Idempotency-Key": uuid.uuid4().hex},
            json={
                "reporter_kind": "victim",
                "identity_mode": "confidential",
                "narrative": canaries["narrative"],
                "reporter": {"name": canaries["name"], "email": canaries["email"]},
                "respondent": {"name": canaries["respondent"]},
            },
        )
        assert submitted.status_code == 201
        code = submitted.json()["receipt_code"]
        reporter = await inbox_headers(client, code)
        await client.post("/api/v1/inbox/messages", json={"body": canaries["message"]}, headers=reporter)
        staff = await login(client, lead)
        case_id = await case_id_for(client, staff, submitted.json()["case_reference"])
        case = (await client.get(f"/api/v1/cases/{case_id}", headers=staff)).json()
        assert case["reports"][0]["reporter"]["name"] == canaries["name"]  # readable to the team, through the API
        await client.post(f"/api/v1/cases/{case_id}/messages", json={"body": canaries["reply"]}, headers=staff)
        # A failed receipt entry must not log the entered code either.
        await client.post("/api/v1/inbox/session", json={"receipt_code": code[:-1] + "Z"})

    normalized = receipt.normalize(code)
    assert normalized is not None
    secrets_to_find = [*canaries.values(), code, normalized, receipt.split(normalized)[1], CLIENT_IP]

    stored = "\n".join(await _all_stored_values(uow_factory))
    assert stored  # the search had something to search
    for secret in secrets_to_find:
        assert secret not in stored, f"found in the database: {secret[:20]}…"

    if database_url().startswith("sqlite"):
        raw = sqlite_file_bytes()
        for secret in secrets_to_find:
            assert secret.encode() not in raw, f"found in the SQLite file: {secret[:20]}…"

    async with uow_factory() as uow:  # the server alone, as the worker: the master key opens no case content
        reports = (await uow.session.scalars(select(Report).where(Report.case_id == uuid.UUID(case_id)))).all()
        messages = (
            await uow.session.scalars(select(CaseMessage).where(CaseMessage.case_id == uuid.UUID(case_id)))
        ).all()
        assert len(reports) == 1 and len(messages) >= 2  # the reporter's, the team's (and any automatic notice)
        assert reports[0].narrative is LOCKED and reports[0].identity is LOCKED and reports[0].details is LOCKED
        assert all(m.body is LOCKED for m in messages)

    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "POST /api/v1/reports 201" in logged  # the access log did run
    for secret in secrets_to_find:
        assert secret not in logged, f"found in the logs: {secret[:20]}…"
