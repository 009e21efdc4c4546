"""Issue #6's bar: axe-core finds 0 violations (WCAG 2.2 A/AA) on every screen of the reporter's app, in both
languages, on a phone and on a desktop; the page's language follows the switch."""

from __future__ import annotations

import pytest
from playwright.async_api import expect

from tests.e2e.reporter import NARRATIVE, Reporter


@pytest.mark.parametrize(
    ("device", "lang"), [("Pixel 7", "ko"), ("Pixel 7", "en"), ("desktop", "ko"), ("desktop", "en")]
)
async def test_every_screen_has_no_axe_violations(new_context, screenshot, api, device: str, lang: str) -> None:
    receipt = await api.submit_report(reporter_kind="victim", identity_mode="anonymous")
    await api.post_case_message(receipt["case_reference"], "We have read your report.")
    context = await new_context(device=device, locale="ko-KR" if lang == "ko" else "en-US")
    page = await context.new_page()
    r = Reporter(page, lang)
    await r.open()
    assert await page.get_attribute("html", "lang") == lang
    screens = ["start"]
    await r.accessible("start")

    await r.tap("home.report")
    await r.choose("#kind-third_party")
    await r.choose("#mode-named")
    await r.tap("next")  # refused: the name is missing, an alert is shown
    await expect(page.get_by_role("alert")).to_be_visible()
    await r.accessible("who with an error")
    await page.fill("#f-name", "Kim")
    await r.tap("next")
    await page.fill("#f-narrative", NARRATIVE[lang])
    await page.get_by_text(r.t("report.details")).click()
    await page.select_option("#f-workplace_kind", "citizen_workplace")
    await page.check("#support-counselling")
    await r.accessible("what, details open")
    await screenshot(page, "what-details")
    await r.tap("next")
    await r.accessible("review")
    await r.tap("report.send")
    await r.heading(r.t("receipt.title"))
    await r.tap("receipt.copy")
    await r.accessible("receipt")
    await r.tap("receipt.saved")
    await page.get_by_role("dialog").wait_for()
    await r.accessible("leaving the receipt, confirmation")
    await r.tap("receipt.leave.go")
    screens += ["who", "what", "review", "receipt"]

    await r.tap("home.followup")
    await r.accessible("follow-up")
    await page.fill("#receipt", receipt["receipt_code"])
    await r.tap("followup.open")
    await r.heading(r.t("inbox.title", ref=receipt["case_reference"]))
    await r.accessible("inbox")
    await r.tap("inbox.signout")
    screens += ["follow-up", "inbox"]

    await r.tap("home.manual")
    await expect(page.get_by_role("heading", level=2).first).to_be_visible()
    await r.accessible("guide")
    await r.tap("back")
    await r.tap("home.device")
    await r.accessible("this device")
    await r.tap("device.erase.button")
    await r.accessible("erase confirmation")
    await r.tap("device.erase.confirm")
    await r.heading(r.t("device.erased.title"))
    await r.accessible("erased")
    screens += ["guide", "device", "erased"]
    await screenshot(page, "erased")
    assert len(screens) == 10
