"""Security review F4 and F11 in a real browser against a live server: a team lead confirms a possible escrow match in
the approvals inbox (CASE-8), sees an anonymous report's separation order flagged in the queue and confirms it on the
case's protection tab (SEP-1); both screens pass axe."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from playwright.async_api import expect

from tests.e2e.browser import StaffApi
from tests.e2e.dashboard import hr_token, make_person, signed_in
from tests.e2e.test_dashboard_cases import open_case


async def directory(api: StaffApi) -> dict[str, str]:
    """A respondent and a victim in one unit, and the team lead's own entry in another (not a party, not in the
    respondent's unit or chain: CASE-3)."""
    tag = uuid.uuid4().hex[:6].upper()
    n = {k: f"E-{tag}-{i}" for i, k in enumerate(["respondent", "victim", "lead"])}
    snapshot = {
        "as_of": datetime.now(UTC).isoformat(),
        "organisations": [{"id": "SMG", "name": "Seoul Metropolitan Government", "kind": "smg"}],
        "units": [
            {"id": f"U-{tag}-A", "organisation": "SMG", "name": "Parks bureau"},
            {"id": f"U-{tag}-B", "organisation": "SMG", "name": "Gender equality division"},
        ],
        "employees": [
            {"employee_number": n["respondent"], "organisation": "SMG", "unit": f"U-{tag}-A", "status": "active"},
            {"employee_number": n["victim"], "organisation": "SMG", "unit": f"U-{tag}-A", "status": "active"},
            {"employee_number": n["lead"], "organisation": "SMG", "unit": f"U-{tag}-B", "status": "active"},
        ],
    }
    token = await hr_token(api)
    synced = await api.client.post(
        "/personnel/sync", params={"mode": "upsert"}, json=snapshot, headers={"Authorization": f"Bearer {token}"}
    )
    assert synced.status_code == 200, synced.text
    return n


async def test_f4_f11_a_team_lead_confirms_an_escrow_match_and_an_anonymous_order(new_context, api, screenshot) -> None:
    """CASE-8, F4: an anonymous report naming the person of an escrow report leaves a content-free possible match in
    the approvals inbox; the lead confirms it. SEP-1, F11: the second report (an anonymous third party naming the
    victim too) opened an order, flagged in the queue as awaiting triage; the lead confirms it on the case."""
    people = await directory(api)
    await api.submit_report(escrow=True, respondent={"employee_number": people["respondent"]})
    second = await api.submit_report(
        victim={"employee_number": people["victim"]}, respondent={"employee_number": people["respondent"]}
    )
    lead_person = await make_person(api, "team_lead", "intake_counselling", employee_number=people["lead"])
    lead = await signed_in(new_context, lead_person)

    await lead.page.goto("/admin/#/approvals")
    await lead.heading(lead.t("approvals.title"))
    match = lead.page.locator("li", has=lead.page.get_by_role("heading", name=lead.t("approvals.escrow.match"))).first
    await expect(match).to_be_visible()
    await expect(match).not_to_contain_text(people["respondent"])
    await lead.accessible("approvals with a possible escrow match")
    await screenshot(lead.page, "1-escrow-match")
    await match.get_by_role("button", name=lead.t("approvals.escrow.confirm")).click()
    await expect(lead.page.get_by_role("status")).to_have_text(lead.t("approvals.escrow.confirmed"))

    ref = second["case_reference"]
    case_id = (await api.case_by_reference(ref))["id"]
    handler = await api.post(f"/cases/{case_id}/handlers", staff="head", json={"user_id": lead_person.id})
    assert handler.status_code == 201, handler.text
    await lead.page.goto("/admin/#/queue?mine=true")  # the lead's own cases: this one
    row = lead.page.locator("table.queue tbody tr", has=lead.page.get_by_role("link", name=ref))
    await expect(row).to_contain_text(lead.t("queue.flagTriageOrder"))
    await open_case(lead, case_id, ref, "protection")
    await expect(lead.page.get_by_text(lead.t("case.sep.awaiting"))).to_be_visible()
    await lead.accessible("protection with an order awaiting triage")
    await screenshot(lead.page, "2-order-awaiting-triage")
    await lead.page.get_by_role("button", name=lead.t("case.sep.confirm"), exact=True).click()
    await expect(lead.page.locator(".notice").first).to_have_text(lead.t("case.sep.confirmed"))
    await expect(lead.page.get_by_text(lead.t("case.sep.awaiting"))).to_have_count(0)
    orders = (await api.get(f"/cases/{case_id}/separation", staff="head")).json()["orders"]
    assert [o["awaiting_triage"] for o in orders] == [False]
