"""Issue 14 in a real browser, phone size (390×844), both languages: "Check and send" lists everything that will be
sent, each with an "edit" that goes to it, and says "Sending…" (INT-3); the receipt code (INT-4) is confirmed before
the screen is left, saved as a file, printed alone, and opens the inbox at once without being retyped or stored; the
inbox (CASE-4) marks a new reply and moves to it, shows the acknowledgement (INT-7) in the reader's language only,
and says that signing out withdraws nothing."""

from __future__ import annotations

import asyncio
import io
import re
from typing import Any

import pytest
from PIL import Image
from playwright.async_api import Locator, expect

from tests.e2e.reporter import NARRATIVE, Reporter, indexeddb_dump, open_app, storage_of

PHONE = "iPhone 13"  # 390×844
LANGS = ["ko", "en"]
HANGUL = re.compile("[\uac00-\ud7a3]")


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (20, 20), "navy").save(out, "PNG")
    return out.getvalue()


async def fill(r: Reporter, values: dict[str, str]) -> None:
    for key, value in values.items():
        await r.page.fill(f"#f-{key}", value)


def edit_button(r: Reporter, label: str) -> Locator:
    """The "edit" of one row of "Check and send": named "Edit: <the row's label>"."""
    name = re.compile(rf"^{re.escape(r.t('review.edit'))}\s*:\s*{re.escape(r.t(label))}$")
    return r.page.get_by_role("button", name=name)


async def receipt_of(r: Reporter) -> tuple[str, str]:
    """On the receipt: its code and case number."""
    await r.heading(r.t("receipt.title"))
    code = (await r.page.locator("#receipt-code").text_content() or "").strip()
    match = re.search(r"WU-[0-9A-Z]{5}-[0-9A-Z]{5}", await r.page.locator(".printable").inner_text())
    assert code and match
    return code, match.group(0)


@pytest.mark.parametrize("lang", LANGS)
async def test_int_3_check_and_send_lists_every_input_with_an_edit_and_says_sending(
    new_context, screenshot, lang: str
) -> None:
    """INT-3 (issue 14): everything typed is listed before sending, each row with an "edit" that opens its step with
    the focus on that input; sending shows "Sending…" on a disabled button and in the live region."""
    r = await open_app(new_context, PHONE, lang)
    page = r.page
    await r.tap("home.report")
    await r.choose("#kind-third_party")
    await r.choose("#mode-confidential")
    who = {"name": "Dana Lee", "email": "dana@example.org", "phone": "010-1234-5678", "employee_number": "E-501"}
    await fill(r, who)
    await r.tap("next")
    await page.fill("#f-narrative", NARRATIVE[lang])
    await page.get_by_text(r.t("report.details")).click()
    await page.select_option("#f-category", "sexual_harassment")
    await page.select_option("#f-workplace_kind", "contractor")
    what = {
        "occurred_on": "2026-03-02", "occurred_when": "After the team dinner", "location": "Meeting room 3",
        "respondent_name": "Park", "respondent_number": "E-777", "respondent_description": "Team manager",
        "victim_name": "Kim", "victim_number": "E-778", "victim_description": "A new colleague",
        "witnesses": "The driver", "witness_numbers": "E-779", "helper_numbers": "E-780, E-781",
        "workplace_name": "Clean Co.", "workplace_unit": "Floor staff", "contract_number": "C-2026-9",
        "wishes": "That it stops",
    }  # fmt: skip
    await fill(r, what)
    await page.check("#f-escrow")
    await page.set_input_files("#files", files=[{"name": "note.png", "mimeType": "image/png", "buffer": png()}])
    await r.tap("next")

    await r.heading(r.t("report.review.title"))
    summary = page.locator("dl.review")
    typed = [v for k, v in {**who, **what}.items() if k != "occurred_on"]
    for text in [
        *typed,
        r.t("kind.third_party"),
        r.t("mode.confidential"),
        NARRATIVE[lang],
        "E-780, E-781",
        r.t("category.sexual_harassment"),
        r.t("workplace.contractor"),
        "note.png",
        r.t("details.escrow"),
    ]:
        await expect(summary).to_contain_text(text)
    rows = await summary.locator("dt").count()
    assert rows >= 25 and await summary.get_by_role("button").count() == rows
    await r.accessible("check and send")
    await screenshot(page, f"check-and-send-{lang}")

    # "Edit" goes to the input itself, on its step, and back again.
    await edit_button(r, "details.location").click()
    await r.heading(r.t("report.what.title"))
    await expect(page.locator("#f-location")).to_be_focused()
    await page.fill("#f-location", "Meeting room 4")
    await r.tap("next")
    await expect(summary).to_contain_text("Meeting room 4")
    await edit_button(r, "report.mode.legend").click()
    await r.heading(r.t("report.who.title"))
    await expect(page.locator("#mode-confidential")).to_be_focused()
    await r.tap("next")
    await r.tap("next")

    # Sending: the answer is held back until the button and the live region have said "Sending…".
    release = asyncio.Event()

    async def held(route: Any) -> None:
        await release.wait()
        await route.continue_()

    await page.route("**/api/v1/reports", held)
    await r.tap("report.send")
    sending = page.locator("#send")
    await expect(sending).to_have_text(r.t("report.sending"))
    await expect(sending).to_be_disabled()
    await expect(page.locator("#status")).to_have_text(r.t("report.sending"))
    release.set()
    await receipt_of(r)


@pytest.mark.parametrize("lang", LANGS)
async def test_int_4_receipt_is_confirmed_saved_printed_and_opens_the_inbox(new_context, screenshot, lang: str) -> None:
    """INT-4 (issue 14): the receipt code is saved as a file made in the browser, printed alone, confirmed in a
    dialog before the screen is left, and "Open my inbox now" signs in with it — never typed again, never stored.
    INT-7: the acknowledgement in the inbox is in the reader's language only."""
    r = await open_app(new_context, PHONE, lang)
    page = r.page
    await r.write("victim", "anonymous")
    await r.tap("next")
    await r.tap("report.send")
    code, reference = await receipt_of(r)
    await r.accessible("receipt")
    await screenshot(page, f"receipt-{lang}")

    # Save as a file: a download holding the code and how to use it.
    async with page.expect_download() as download:
        await r.tap("receipt.file")
    saved = await download.value
    assert saved.suggested_filename == r.t("receipt.file.name")
    text = open(await saved.path(), encoding="utf-8").read()  # noqa: ASYNC230, PTH123 - a small local file
    assert code in text and reference in text and r.t("receipt.instructions") in text
    await expect(page.get_by_role("status").filter(has_text=r.t("receipt.file.saved"))).to_be_visible()

    # Print: only the code and the instructions.
    await page.emulate_media(media="print")
    await expect(page.locator("#receipt-code")).to_be_visible()
    await expect(page.get_by_text(r.t("receipt.instructions"))).to_be_visible()
    for hidden in (
        page.get_by_role("heading", level=1),
        page.locator("#quick-exit"),
        page.locator("#lang-toggle"),
        page.get_by_text(r.t("receipt.once")),
        page.get_by_role("button", name=r.t("receipt.print")),
    ):
        await expect(hidden).to_be_hidden()
    await page.emulate_media(media="screen")

    # Leaving asks first; "Back to the code" (focused) keeps it on screen.
    await r.tap("receipt.saved")
    dialog = page.get_by_role("dialog", name=r.t("receipt.leave.title"))
    await expect(dialog).to_be_visible()
    await expect(dialog).to_contain_text(r.t("receipt.leave.body"))
    await expect(dialog.get_by_role("button", name=r.t("receipt.leave.stay"))).to_be_focused()
    await r.accessible("leave confirmation")
    await screenshot(page, f"receipt-confirm-{lang}", full_page=False)
    await r.tap("receipt.leave.stay")
    await expect(dialog).to_be_hidden()
    await expect(page.locator("#receipt-code")).to_have_text(code)

    # Open my inbox now: signed in with the code just shown.
    await r.leave_receipt("receipt.openInbox")
    await r.heading(r.t("inbox.title", ref=reference))
    messages = page.locator("ol.messages")
    await expect(messages).to_contain_text(r.t("system.acknowledgement"))
    other = "en" if lang == "ko" else "ko"
    await expect(messages).not_to_contain_text(Reporter(page, other).t("system.acknowledgement"))
    if lang == "en":
        assert not HANGUL.search(await messages.inner_text())
    await r.accessible("inbox opened from the receipt")
    assert code not in await page.content()
    stored = await storage_of(page)
    assert stored["local"] in ([], ["withu.lang"]) and stored["session"] == []
    assert code not in await indexeddb_dump(page)


@pytest.mark.parametrize("lang", LANGS)
async def test_case_4_inbox_marks_a_new_reply_and_sign_out_withdraws_nothing(
    new_context, screenshot, api, lang: str
) -> None:
    """CASE-4 (issue 14): a reply of the case team after the reporter's last message is marked "new", and the focus
    goes to it; the status and the day read without repeating "received"; signing out says it withdraws nothing."""
    receipt = await api.submit_report(reporter_kind="victim", identity_mode="anonymous")
    token = await api.inbox_token(receipt["receipt_code"])
    asked = await api.client.post(
        "/inbox/messages", json={"body": "Can I talk to someone?"}, headers={"Authorization": f"Bearer {token}"}
    )
    assert asked.status_code == 201, asked.text
    await api.post_case_message(receipt["case_reference"], "Yes: we can meet on Tuesday at 10.")

    r = await open_app(new_context, PHONE, lang)
    page = r.page
    await r.tap("home.followup")
    await page.fill("#receipt", receipt["receipt_code"])
    await r.tap("followup.open")
    await r.heading(r.t("inbox.title", ref=receipt["case_reference"]))
    new = page.locator("ol.messages li.new")
    await expect(new).to_have_count(1)
    await expect(new).to_contain_text("Yes: we can meet on Tuesday at 10.")
    await expect(new).to_contain_text(r.t("inbox.new"))
    await expect(new).to_be_focused()
    await expect(new).to_be_in_viewport()
    await expect(page.get_by_text(r.t("inbox.newCount", n="1"))).to_be_visible()
    await expect(page.locator("ol.messages li.from-reporter")).not_to_contain_text(r.t("inbox.new"))
    await expect(page.locator("ol.messages li.from-system")).to_contain_text(r.t("system.acknowledgement"))
    facts = await page.locator("dl.review").inner_text()
    assert facts.count(r.t("status.received")) == 1 and r.t("inbox.received") in facts
    await r.accessible("inbox with a new reply")
    await screenshot(page, f"inbox-new-reply-{lang}", full_page=False)

    await expect(page.get_by_text(r.t("inbox.signout.note"))).to_be_visible()
    await r.tap("inbox.signout")
    await r.heading(r.t("home.title"))
    inbox = await api.client.get("/inbox", headers={"Authorization": f"Bearer {token}"})
    assert inbox.json()["status"] == "received"  # nothing was withdrawn
