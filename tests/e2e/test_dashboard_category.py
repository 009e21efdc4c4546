"""Issue 13 (SD-3) in a real browser against a live server: the team lead corrects a case filed under the wrong
category. Into secondary damage it applies at once (the floor of SD-3 now holds); out of secondary damage it would
remove the floor, so it waits for a second person."""

from __future__ import annotations

from playwright.async_api import expect

from tests.e2e.dashboard import make_person, signed_in


async def test_sd_3_the_lead_corrects_the_category_and_lowering_the_floor_waits(new_context, api) -> None:
    """SD-3, CASE-3: a correction with a reason applies at once and is routed by the table (secondary damage goes
    to the investigation team: the division head, who heads every team, still reads it); the correction back out of
    secondary damage only proposes (Approvals), the category unchanged until a second person confirms. The head
    is a reader when the report comes in, so its key is shared with them at submission."""
    head = await make_person(api, "division_head", name="Head Category")
    receipt = await api.submit_report(category="sexual_harassment")
    case = await api.case_by_reference(receipt["case_reference"])
    staff = await signed_in(new_context, head)
    page = staff.page

    async def correct(to: str) -> None:
        await page.goto(f"/admin/#/case/{case['id']}")
        await staff.heading(staff.t("case.title", ref=case["reference"]))
        await page.get_by_label(staff.t("case.category.to")).select_option(to)
        await page.get_by_label(staff.t("case.category.reason")).fill("Colleagues ridicule her since she reported.")
        await page.get_by_role("button", name=staff.t("case.category.submit")).click()

    await correct("secondary_damage")
    await expect(page.get_by_role("status").filter(has_text=staff.t("case.category.corrected"))).to_be_visible()
    read = (await api.get(f"/cases/{case['id']}", staff="head")).json()
    assert (read["category"], read["team"]) == ("secondary_damage", "investigation")

    await correct("sexual_harassment")
    await expect(page.get_by_role("status").filter(has_text=staff.t("case.category.proposed"))).to_be_visible()
    read = (await api.get(f"/cases/{case['id']}", staff="head")).json()
    assert read["category"] == "secondary_damage"  # unchanged until a second person confirms
    waiting = (await api.get(f"/cases/{case['id']}/decision-proposals", staff="head")).json()
    assert [(p["kind"], p["category"], p["status"]) for p in waiting] == [("category", "sexual_harassment", "proposed")]
