"""SEP-5 in a real browser against a live server: a personnel change that connects a separated pair is flagged in
words in the team lead's queue at once (and the filter finds it); the lead records its resolution on the case's
protection tab and the flag goes. The queue passes axe."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from playwright.async_api import expect

from tests.e2e.browser import StaffApi
from tests.e2e.dashboard import hr_token, make_person, signed_in
from tests.e2e.test_dashboard_cases import open_case


async def apart(api: StaffApi) -> tuple[dict[str, str], dict[str, str]]:
    """Victim in unit A, respondent in unit B, the team lead's own entry in unit C (not a party, not in the
    respondent's unit or chain: CASE-3). Returns the employee numbers and the personnel system's headers."""
    tag = uuid.uuid4().hex[:6].upper()
    n = {k: f"E-{tag}-{i}" for i, k in enumerate(["victim", "respondent", "lead"])}
    snapshot = {
        "as_of": datetime.now(UTC).isoformat(),
        "organisations": [{"id": f"ORG-{tag}", "name": f"Org {tag}", "kind": "smg"}],
        "units": [{"id": f"U-{tag}-{u}", "organisation": f"ORG-{tag}", "name": f"Unit {u}"} for u in "ABC"],
        "employees": [
            {"employee_number": n[k], "organisation": f"ORG-{tag}", "unit": f"U-{tag}-{u}", "status": "active"}
            for k, u in (("victim", "A"), ("respondent", "B"), ("lead", "C"))
        ],
    }
    headers = {"Authorization": f"Bearer {await hr_token(api)}"}
    synced = await api.client.post("/personnel/sync", params={"mode": "upsert"}, json=snapshot, headers=headers)
    assert synced.status_code == 200, synced.text
    return n | {"unit_a": f"U-{tag}-A"}, headers


async def test_sep_5_a_violation_is_marked_in_the_queue_and_a_team_lead_resolves_it(
    new_context, api, screenshot
) -> None:
    """SEP-5: the respondent is transferred into the victim's unit; the lead's queue marks the case "Separation
    order violated (1)" in words; with the violations filter it is listed; the lead records how it was resolved and
    the mark is gone. The lead is a reader of the intake team's case when the report comes in, so its key is
    shared with them at submission."""
    people, hr = await apart(api)
    lead_person = await make_person(api, "team_lead", "intake_counselling", employee_number=people["lead"])
    body = await api.submit_report(
        victim={"employee_number": people["victim"]}, respondent={"employee_number": people["respondent"]}
    )
    ref = body["case_reference"]
    event = {
        "event_id": f"ev-{uuid.uuid4().hex}",
        "employee_number": people["respondent"],
        "kind": "transfer",
        "effective_at": datetime.now(UTC).isoformat(),
        "data": {"unit": people["unit_a"]},
    }
    moved = await api.client.post("/personnel/events", json=[event], headers=hr)
    assert moved.status_code == 200, moved.text
    lead = await signed_in(new_context, lead_person)

    await lead.page.goto("/admin/#/queue?violations=true")
    await lead.heading(lead.t("queue.title"))
    row = lead.page.locator("table.queue tbody tr", has=lead.page.get_by_role("link", name=ref))
    await expect(row).to_contain_text(lead.t("queue.flagViolations", n="1"))
    await lead.accessible("queue with a separation violation")
    await screenshot(lead.page, "1-queue-violation")

    case_id = (await api.case_by_reference(ref))["id"]
    await open_case(lead, case_id, ref, "protection")
    resolve = lead.page.locator("form", has=lead.page.get_by_role("heading", name=lead.t("case.sep.violation.resolve")))
    await resolve.get_by_label(lead.t("case.sep.violation.reason")).fill("The transfer was reversed the same day.")
    await resolve.get_by_role("button", name=lead.t("case.sep.violation.submit"), exact=True).click()
    await expect(lead.page.locator(".notice").first).to_have_text(lead.t("case.sep.violation.done"))
    await screenshot(lead.page, "2-violation-resolved")

    await lead.page.goto("/admin/#/queue?violations=true")
    await lead.heading(lead.t("queue.title"))
    await expect(lead.page.get_by_role("link", name=ref)).to_have_count(0)
