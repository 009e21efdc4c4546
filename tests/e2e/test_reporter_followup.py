"""Issue #6 after sending: coming back with the receipt code (CASE-4), answering the case team, accepting a measure
(CASE-7), adding evidence (ACC-2), reporting secondary damage (SD-2); and the guide (MAN-1)."""

from __future__ import annotations

import io

from PIL import Image
from playwright.async_api import expect

from tests.e2e.browser import cache_storage
from tests.e2e.reporter import Reporter, open_app


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), "teal").save(out, "PNG")
    return out.getvalue()


async def test_case_4_follow_up_with_the_receipt_code_and_talk_with_the_case_team(new_context, screenshot, api) -> None:
    receipt = await api.submit_report(
        reporter_kind="victim", identity_mode="confidential", reporter={"name": "Alex Kim"}
    )
    reference = receipt["case_reference"]
    await api.post_case_message(reference, "Thank you for reporting. Would paid leave help you?")
    case = await api.case_by_reference(reference)
    offered = await api.post(f"/cases/{case['id']}/measures", staff="lead-intake", json={"kind": "paid_leave"})
    assert offered.status_code == 201, offered.text

    r = await open_app(new_context, "Pixel 7", "en")
    page = r.page
    await r.tap("home.followup")
    await r.heading(r.t("followup.title"))
    await r.accessible("receipt login")
    await screenshot(page, "1-login")
    # As people type or paste it: lower case, spaces instead of hyphens (INT-4).
    await page.fill("#receipt", receipt["receipt_code"].lower().replace("-", " "))
    await r.tap("followup.open")
    await r.heading(r.t("inbox.title", ref=reference))
    await expect(page.get_by_text("Would paid leave help you?")).to_be_visible()
    await r.accessible("inbox")
    await screenshot(page, "2-inbox")

    # The measure: accepted by the victim, as the team sees it.
    await r.tap("measure.accept")
    await expect(page.get_by_role("status").filter(has_text=r.t("measure.accepted"))).to_be_visible()
    measures = await api.get(f"/cases/{case['id']}/measures", staff="lead-intake")
    assert [m["status"] for m in measures.json()] == ["accepted"]

    # A reply reaches the case team.
    await page.fill("#message", "Yes, paid leave would help. I can talk on Tuesday.")
    await r.tap("inbox.send")
    await expect(page.get_by_role("status").filter(has_text=r.t("inbox.sent"))).to_be_visible()
    read = await api.get(f"/cases/{case['id']}", staff="lead-intake")
    assert "Yes, paid leave would help. I can talk on Tuesday." in [m["body"] for m in read.json()["messages"]]

    # CASE-6: the victim's view on discipline, recorded for the team.
    await page.fill("#opinion", "A written warning is not enough; they should not manage anyone.")
    await r.tap("opinion.send")
    await expect(page.get_by_role("status").filter(has_text=r.t("opinion.sent"))).to_be_visible()
    opinions = await api.get(f"/cases/{case['id']}/victim-opinion", staff="lead-intake")
    assert [o["recorded_by"] for o in opinions.json()] == ["victim"]

    # A file: cleaned and stored with the case.
    await page.set_input_files("#inbox-files", files=[{"name": "photo.png", "mimeType": "image/png", "buffer": png()}])
    await r.tap("files.send")
    await expect(page.get_by_text(f"photo.png: {r.t('files.sent')}")).to_be_visible()
    evidence = await api.get(f"/cases/{case['id']}/evidence", staff="lead-intake")
    assert len(evidence.json()["items"]) == 1

    # Secondary damage: a case of its own, linked, followed here (SD-2).
    await page.check("#sd-ridicule")
    await page.fill("#sd-narrative", "Since I reported, colleagues laugh at me in meetings.")
    await r.tap("sd.send")
    await expect(page.get_by_role("status").filter(has_text="WU-")).to_be_visible()
    await expect(page.get_by_text(r.t("status.received"), exact=False).last).to_be_visible()
    inbox = await api.client.get(
        "/inbox", headers={"Authorization": f"Bearer {await api.inbox_token(receipt['receipt_code'])}"}
    )
    assert len(inbox.json()["secondary_damage_cases"]) == 1
    await screenshot(page, "3-after")

    # In Korean, the same inbox.
    await r.switch_language()
    await r.heading(r.t("inbox.title", ref=reference))
    await r.accessible("inbox ko")
    await screenshot(page, "4-inbox-ko")

    # No API answer was kept in Cache Storage along the way.
    stored = await cache_storage(page)
    assert [u for urls in stored.values() for u in urls if "/api/" in u] == []

    await r.tap("inbox.signout")
    await r.heading(r.t("home.title"))


async def test_case_4_a_wrong_receipt_code_is_refused_in_words(new_context, screenshot) -> None:
    r = await open_app(new_context, "iPhone 13", "ko")
    page = r.page
    await r.tap("home.followup")
    await page.fill("#receipt", "0000-0000-0000-0000-0000-0000-0000")
    await r.tap("followup.open")
    await expect(page.get_by_role("alert")).to_have_text(r.t("err.receipt"))
    await r.accessible("refused")
    await screenshot(page, "refused")


async def test_man_1_guide_for_each_role_in_both_languages(new_context, screenshot) -> None:
    for device, lang in (("Pixel 7", "ko"), ("desktop", "en")):
        context = await new_context(device=device, locale="ko-KR" if lang == "ko" else "en-US")
        page = await context.new_page()
        r = Reporter(page, lang)
        await r.open()
        await r.tap("home.manual")
        await r.heading(r.t("manual.title"))
        for role in ("victim", "witness", "manager"):
            await r.tap(f"manual.role.{role}")
            await expect(page.locator(f"#role-{role}")).to_have_attribute("aria-pressed", "true")
            await expect(page.get_by_role("heading", level=2).first).to_be_visible()
            await r.accessible(f"guide {role}")
            await screenshot(page, f"{lang}-{role}")
