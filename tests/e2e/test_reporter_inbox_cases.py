"""Issue 14, SD-2 and CASE-4 in the reporter's inbox: the messages of a secondary-damage case reported through the
inbox say which case they belong to; the reporter chooses the case to write to (the original by default); once that
case is closed it can be read, not written to. In both languages, on a phone."""

from __future__ import annotations

import pytest
from playwright.async_api import expect

from tests.e2e.reporter import open_app
from tests.e2e.test_dashboard_cases import move

TEXTS = {
    "en": ("Thank you for your report.", "Who mocked you, and where?", "In the canteen, on Monday."),
    "ko": ("신고해 주셔서 감사합니다.", "누가 어디에서 조롱했나요?", "월요일에 구내식당에서요."),
}


async def reported_with_secondary_damage(api) -> tuple[dict, str, str]:  # type: ignore[no-untyped-def]
    """A report, secondary damage reported through its inbox (SD-2); returns the receipt, the inbox token and the
    secondary-damage case's reference."""
    receipt = await api.submit_report(reporter_kind="victim", identity_mode="anonymous")
    token = await api.inbox_token(receipt["receipt_code"])
    sd = await api.client.post(
        "/inbox/secondary-damage",
        json={"narrative": "Colleagues mock me since I reported."},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert sd.status_code == 201, sd.text
    return receipt, token, sd.json()["case_reference"]


@pytest.mark.parametrize("lang", ["en", "ko"])
async def test_sd_2_each_message_names_its_case_and_the_reporter_writes_to_the_one_chosen(
    new_context, screenshot, api, lang: str
) -> None:
    """SD-2, CASE-4: the team's message on the secondary-damage case is marked "your secondary-damage report <case
    number>", the original's "your report <case number>"; the reply goes to the case chosen (default: the original)."""
    thanks, question, answer = TEXTS[lang]
    receipt, token, sd_ref = await reported_with_secondary_damage(api)
    reference = receipt["case_reference"]
    await api.post_case_message(reference, thanks)
    await api.post_case_message(sd_ref, question)

    r = await open_app(new_context, "Pixel 7", lang)
    page = r.page
    await r.sign_in(receipt["receipt_code"], reference)
    await expect(page.locator("ol.messages li", has_text=question)).to_contain_text(r.t("inbox.case.sd", ref=sd_ref))
    await expect(page.locator("ol.messages li", has_text=thanks)).to_contain_text(r.t("inbox.case.own", ref=reference))
    about = page.get_by_label(r.t("inbox.writeAbout"))
    await expect(about).to_have_value(reference)
    await expect(page.locator(f"#sd-case-{sd_ref}")).to_contain_text(r.t("status.received"))
    await r.accessible("inbox with a secondary-damage case")
    await screenshot(page, "inbox-two-cases")

    await about.select_option(sd_ref)
    await page.fill("#message", answer)
    await r.tap("inbox.send")
    await expect(page.get_by_role("status").filter(has_text=r.t("inbox.sent"))).to_be_visible()
    inbox = (await api.client.get("/inbox", headers={"Authorization": f"Bearer {token}"})).json()
    assert [(m["body"], m["case_reference"]) for m in inbox["messages"] if m["author"] == "reporter"] == [
        (answer, sd_ref)
    ]
    await expect(page.locator("ol.messages li", has_text=answer)).to_contain_text(r.t("inbox.case.sd", ref=sd_ref))


@pytest.mark.parametrize("lang", ["en", "ko"])
async def test_case_4_a_closed_secondary_damage_case_is_read_only(new_context, screenshot, api, lang: str) -> None:
    """CASE-4: once the secondary-damage case is closed, its messages stay readable, it is no longer offered as a
    case to write to, and it says so; the original case can still be written to."""
    _, question, _ = TEXTS[lang]
    receipt, token, sd_ref = await reported_with_secondary_damage(api)
    await api.post_case_message(sd_ref, question)
    sd_case = await api.case_by_reference(sd_ref)
    for to, extra in (("triaged", {}), ("investigating", {}), ("decided", {"finding": "not_substantiated"})):
        await move(api, sd_case["id"], to, **extra)
    await move(api, sd_case["id"], "closed")

    r = await open_app(new_context, "iPhone 13", lang)
    page = r.page
    await r.sign_in(receipt["receipt_code"], receipt["case_reference"])
    await expect(page.locator("ol.messages li", has_text=question)).to_contain_text(r.t("inbox.case.sd", ref=sd_ref))
    card = page.locator(f"#sd-case-{sd_ref}")
    await expect(card).to_contain_text(r.t("status.closed"))
    await expect(card).to_contain_text(r.t("inbox.readonly.sd"))
    options = await page.locator("#message-case option").evaluate_all("(all) => all.map((o) => o.value)")
    assert options == [receipt["case_reference"]]
    await expect(page.locator("#message")).to_be_visible()
    await r.accessible("inbox with a closed secondary-damage case")
    await screenshot(page, "closed-secondary-damage")
    refused = await api.client.post(
        "/inbox/messages",
        json={"body": "One more thing.", "case_reference": sd_ref},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert refused.status_code == 409 and refused.json()["code"] == "case-closed"
