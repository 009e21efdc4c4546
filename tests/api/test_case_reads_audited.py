"""AUD-1 (security review F15): every read of case content writes an audit entry naming the case. The routes are
taken from the OpenAPI document, so a new one is walked without anyone remembering to add it here."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import httpx

from app.domain.audit_view import summary_code
from app.domain.enums import Role, Team
from tests.api.test_contracts import make_contractor, register
from tests.builders import case_id_for, inbox_headers, login, make_report, make_staff, move_case
from tests.directory import make_org

REASON = "Needed for the hearing next week, as agreed."


def case_routes(app: Any) -> list[str]:
    """Every GET operation whose path names a case: `/cases/{case_id}` and everything under it."""
    paths = app.openapi()["paths"]
    return sorted(p for p, ops in paths.items() if "get" in ops and "{case_id}" in p)


def approval_routes(app: Any) -> list[str]:
    """Every GET operation under /approvals/ whose items name a case (`case_id`): the approvals inboxes show the
    reasons of proposals and requests, which are case content."""
    spec = app.openapi()
    schemas = spec["components"]["schemas"]
    found = []
    for path, ops in spec["paths"].items():
        if not path.startswith("/api/v1/approvals/") or "get" not in ops:
            continue
        body = ops["get"]["responses"]["200"]["content"]["application/json"]["schema"]
        item = body.get("items", body)
        ref = item.get("$ref", "")
        if "case_id" in schemas.get(ref.rsplit("/", 1)[-1], {}).get("properties", {}):
            found.append(path)
    return sorted(found)


def query_for(app: Any, path: str) -> dict[str, str]:
    """Values for the operation's required query parameters (its enum's first value); other kinds fail loudly, so
    that a new route with a required parameter is given one here rather than skipped."""
    params = {}
    for p in app.openapi()["paths"][path]["get"].get("parameters", []):
        if p["in"] == "path":
            assert p["name"] == "case_id", f"{path}: the walk has no value for {p['name']}; add one"
        elif p.get("required"):
            schema = p["schema"]
            assert "enum" in schema or "$ref" in schema, f"{path}: the walk has no value for {p['name']}; add one"
            params[p["name"]] = schema["enum"][0] if "enum" in schema else "en"
    return params


async def entries_for(uow_factory, case_id: str) -> list[tuple[int, str]]:  # type: ignore[no-untyped-def]
    async with uow_factory() as uow:
        return [(e.seq, e.action) for e in await uow.audit.for_case(uuid.UUID(case_id))]


@dataclass
class Prepared:
    case_id: str
    lead: dict[str, str]  # a team lead of the case's team who is one of its handlers


async def prepared_case(client, uow_factory) -> Prepared:  # type: ignore[no-untyped-def]
    """A case with something in every part: reports naming two employees (a separation order, SEP-1) at a
    commissioned organisation (an obligation, CON-1), evidence, a measure, a disclosure request, an ambassador,
    a confirmed substantiated finding (head measures, SAN-4), the victim's opinion, a sanction proposal, a legal hold
    (DATA-1)."""
    org = await make_org(uow_factory, units={"U": None, "V": None}, people={"resp": ("U", None), "victim": ("V", None)})
    lead_staff = await make_staff(uow_factory, role=Role.team_lead, team=Team.intake_counselling)
    lead = await login(client, lead_staff)
    # Issue 18: the case's readers exist before its report comes in, so its key is wrapped for them at submission.
    handler_staff = await make_staff(uow_factory, role=Role.intake, team=Team.intake_counselling)
    head = await login(client, await make_staff(uow_factory, role=Role.division_head))
    contractor = await make_contractor(client, uow_factory)
    contract = await register(client, lead, contractor)
    body = await make_report(
        client,
        reporter_kind="victim",
        identity_mode="confidential",
        reporter={"name": "A victim", "employee_number": org.employees["victim"]},
        respondent={"employee_number": org.employees["resp"]},
        workplace={"kind": "contractor", "name": "Cleaning Co", "contract_number": contract["number"]},
    )
    case_id = await case_id_for(client, lead, body["case_reference"])
    url = f"/api/v1/cases/{case_id}"

    async def ok(response: httpx.Response) -> dict[str, Any]:
        assert response.status_code in (200, 201), response.text
        return response.json()

    await ok(await client.post(f"{url}/handlers", json={"user_id": str(lead_staff.id)}, headers=lead))
    await ok(await client.post(f"{url}/handlers", json={"user_id": str(handler_staff.id)}, headers=lead))
    handler = await login(client, handler_staff)
    await ok(await client.post(f"{url}/messages", json={"body": "We have started."}, headers=lead))
    await ok(
        await client.post(
            f"{url}/evidence", headers=lead, files={"file": ("note.txt", b"Notes of the first call.", "text/plain")}
        )
    )
    await ok(await client.post(f"{url}/measures", json={"kind": "paid_leave", "note": "two weeks"}, headers=lead))
    await ok(await client.post(f"{url}/disclosures", json={"reason": REASON}, headers=head))
    await ok(await client.post(f"{url}/legal-hold", json={"reason": "A court asked us to keep it."}, headers=head))
    ambassador = await ok(
        await client.post(
            "/api/v1/ambassadors", json={"public_name": f"Ambassador {uuid.uuid4().hex[:8]}"}, headers=lead
        )
    )
    await ok(await client.post(f"{url}/ambassador", json={"ambassador_id": ambassador["id"]}, headers=lead))
    for to in ("triaged", "investigating"):
        await move_case(client, uow_factory, lead, case_id, to)
    await move_case(client, uow_factory, lead, case_id, "decided", finding="substantiated")
    victim = await inbox_headers(client, body["receipt_code"])
    await ok(await client.post("/api/v1/inbox/victim-opinion", json={"text": "Move them away."}, headers=victim))
    await ok(await client.post(f"{url}/sanctions", json={"level": "reprimand", "reason": REASON}, headers=handler))
    return Prepared(case_id, lead)


async def test_aud_1_every_case_route_audits_its_read(client, app, uow_factory) -> None:
    """AUD-1, F15: every GET under /cases/{case_id}, called by a handler of a case with data in every part, answers
    200 with something in it and adds at least one entry naming the case — each a read in the log's summary."""
    routes = case_routes(app)
    assert {
        "/api/v1/cases/{case_id}",
        "/api/v1/cases/{case_id}/measures",
        "/api/v1/cases/{case_id}/head-measures",
    } <= set(routes)
    prepared = await prepared_case(client, uow_factory)
    unaudited = []
    for path in routes:
        before = await entries_for(uow_factory, prepared.case_id)
        response = await client.get(
            path.replace("{case_id}", prepared.case_id), params=query_for(app, path), headers=prepared.lead
        )
        assert response.status_code == 200, (path, response.text)
        assert response.json() not in ([], {}, None), f"{path}: the prepared case has nothing here"
        added = (await entries_for(uow_factory, prepared.case_id))[len(before) :]
        if not added:
            unaudited.append(path)
        assert all(summary_code(action).endswith(".read") for _, action in added), (path, added)
    assert unaudited == []


async def test_aud_1_every_approvals_inbox_audits_each_case_it_shows(client, app, uow_factory) -> None:
    """AUD-1, F15: the approvals inboxes that list proposals and requests of cases (with their reasons) write a read
    entry for each case they show."""
    routes = approval_routes(app)
    assert {"/api/v1/approvals/sanctions", "/api/v1/approvals/decision-proposals"} <= set(routes)
    prepared = await prepared_case(client, uow_factory)
    handler = await make_staff(uow_factory, role=Role.intake, team=Team.intake_counselling)  # a reader at submission
    waiting = await make_report(client)
    lead = prepared.lead
    other_id = await case_id_for(client, lead, waiting["case_reference"])
    assigned = await client.post(f"/api/v1/cases/{other_id}/handlers", json={"user_id": str(handler.id)}, headers=lead)
    assert assigned.status_code == 201, assigned.text
    handler_h = await login(client, handler)
    etag = (await client.get(f"/api/v1/cases/{other_id}", headers=handler_h)).headers["etag"]
    proposed = await client.post(
        f"/api/v1/cases/{other_id}/decision-proposals",
        json={"to": "withdrawn", "reason": "The reporter asked to stop."},
        headers={**handler_h, "If-Match": etag},
    )
    assert proposed.status_code == 201, proposed.text
    ours = (prepared.case_id, other_id)
    for path in routes:
        before = {case_id: len(await entries_for(uow_factory, case_id)) for case_id in ours}
        response = await client.get(path, headers=lead)
        assert response.status_code == 200, (path, response.text)
        shown = {item["case_id"] for item in response.json()} & set(ours)
        assert shown, f"{path}: nothing of the prepared cases is waiting here"
        for case_id in shown:
            added = (await entries_for(uow_factory, case_id))[before[case_id] :]
            assert added, f"{path}: showing case {case_id} was not audited"
            assert all(summary_code(action).endswith(".read") for _, action in added), (path, added)
