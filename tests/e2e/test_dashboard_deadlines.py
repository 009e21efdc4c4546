"""Issue 13 (CASE-2) in a real browser against a live server: the team lead records the ministry notification as
done on the case's deadlines, with the ministry's receipt number; a message marked as feedback on the outcome meets
the feedback deadline (a plain reply does not)."""

from __future__ import annotations

from playwright.async_api import expect

from tests.e2e.dashboard import make_person, signed_in


async def test_case_2_the_lead_records_the_ministry_notification_as_done(new_context, api) -> None:
    """CASE-2: the public body's duty is recorded as done — who, the day, the reference — and is then shown met;
    the feedback deadline is met by the message marked as feedback. The lead of the team a sexual-harassment report
    is routed to (CASE-3) is a reader when it comes in, so its key is shared with them at submission."""
    lead = await make_person(api, "team_lead", "intake_counselling", name="Lead Deadlines")
    receipt = await api.submit_report(workplace={"kind": "smg"})
    case = await api.case_by_reference(receipt["case_reference"])
    assert case["team"] == "intake_counselling"
    staff = await signed_in(new_context, lead)
    page = staff.page
    await page.goto(f"/admin/#/case/{case['id']}")
    await staff.heading(staff.t("case.title", ref=case["reference"]))

    ministry = staff.t("case.deadline.ministry_notification")
    await page.get_by_label(staff.t("case.deadline.reference.ministry_notification")).fill("MOGEF-2026-0113")
    await page.get_by_role("button", name=staff.t("case.deadline.recordDone", what=ministry)).click()
    await expect(page.locator(".notice").first).to_have_text(staff.t("case.deadline.recorded"))
    line = page.locator(".deadlines li", has_text=ministry)
    await expect(line).to_contain_text("MOGEF-2026-0113")
    await expect(line).to_contain_text(staff.t("case.deadline.metBy", who="Lead Deadlines"))
    await expect(line.get_by_role("button")).to_have_count(0)
    read = (await api.get(f"/cases/{case['id']}", staff="head")).json()
    recorded = next(d for d in read["deadlines"] if d["kind"] == "ministry_notification")
    assert recorded["met_on"] is not None and recorded["reference"] == "MOGEF-2026-0113"

    await page.get_by_role("link", name=staff.t("case.tab.messages")).click()
    await page.get_by_label(staff.t("case.msg.body")).fill("The investigation is finished; here is the outcome.")
    await page.get_by_label(staff.t("case.msg.asFeedback")).check()
    await page.get_by_role("button", name=staff.t("case.msg.send")).click()
    await expect(page.locator(".notice").first).to_have_text(staff.t("case.msg.sent"))
    read = (await api.get(f"/cases/{case['id']}", staff="head")).json()
    feedback = next(d for d in read["deadlines"] if d["kind"] == "feedback")
    assert feedback["met_on"] is not None and feedback["met_by"] == "Lead Deadlines"
