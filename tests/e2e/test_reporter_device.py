"""Issue #6 on the device: quick exit and Back, drafts (off by default, encrypted, 7 days), the outbox that sends a
report exactly once when the connection returns, the app and the guide offline, and "erase this device"."""

from __future__ import annotations

import asyncio

from playwright.async_api import expect

from tests.e2e.browser import cache_storage
from tests.e2e.reporter import (
    EXIT_HOST,
    EXIT_URL,
    NARRATIVE,
    Reporter,
    indexeddb_dump,
    open_app,
    storage_of,
    stub_exit_site,
)


async def saved_draft(page, within: float = 10.0, settled: float = 1.0) -> str:  # type: ignore[no-untyped-def]
    """The sealed draft once the app has written its last version: it saves 0.4 s after each change, each time with
    a fresh IV, so the draft is final once it has stayed the same for `settled` seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    last, since = "", loop.time()
    while True:
        dump = await indexeddb_dump(page)
        if dump != last:
            last, since = dump, loop.time()
        elif "expires" in dump and loop.time() - since >= settled:
            return dump
        assert loop.time() < deadline, "no draft was saved"
        await asyncio.sleep(0.1)


async def test_quick_exit_leaves_at_once_and_back_does_not_return(new_context, screenshot) -> None:
    context = await new_context(device="Pixel 7", locale="ko-KR", allow_hosts=(EXIT_HOST,))
    await stub_exit_site(context)
    page = await context.new_page()
    r = Reporter(page, "ko")
    await r.open()
    await r.tap("home.report")
    await r.choose("#kind-victim")
    await screenshot(page, "before")
    await page.click("#quick-exit")
    await page.wait_for_url(EXIT_URL)
    await page.go_back()
    assert "127.0.0.1" not in page.url  # the page before WithU (here: the new tab's blank page)
    await screenshot(page, "after-back")


async def test_quick_exit_by_pressing_shift_three_times(new_context) -> None:
    context = await new_context(device="desktop", locale="en-US", allow_hosts=(EXIT_HOST,))
    await stub_exit_site(context)
    page = await context.new_page()
    r = Reporter(page, "en")
    await r.open()
    await r.tap("home.followup")
    await page.fill("#receipt", "ABCD")
    for _ in range(3):
        await page.keyboard.press("Shift")
    await page.wait_for_url(EXIT_URL)
    await page.go_back()
    assert "127.0.0.1" not in page.url


async def test_a_page_brought_back_shows_nothing_that_was_written(new_context) -> None:
    r = await open_app(new_context, "Pixel 7", "en")
    page = r.page
    await r.write("victim", "anonymous")
    await page.goto("/offline/manual.en.json")
    await page.go_back()
    await r.heading(r.t("home.title"))
    assert NARRATIVE["en"] not in await page.content()


async def test_drafts_are_off_by_default_and_encrypted_when_on(new_context, screenshot) -> None:
    r = await open_app(new_context, "iPhone 13", "en")
    page = r.page
    await r.write("victim", "anonymous")
    await page.wait_for_timeout(800)
    assert await indexeddb_dump(page) == ""  # off: nothing kept
    assert (await storage_of(page))["databases"] == []

    await page.reload()
    await r.heading(r.t("home.title"))
    await r.tap("home.device")
    await page.check("#drafts-on")
    await r.accessible("device")
    await screenshot(page, "drafts-on")
    await r.tap("back")
    await r.write("victim", "anonymous")
    await expect(page.get_by_text(r.t("drafts.on.note"))).to_be_visible()
    dump = await saved_draft(page)
    assert dump and "expires" in dump
    assert "team dinner" not in dump  # sealed with AES-GCM, not plain text
    assert (await storage_of(page))["local"] == ["withu.drafts"]  # a preference, nothing about the report

    # Back after a reload: the draft is there again.
    await page.reload()
    await r.heading(r.t("home.title"))
    await r.tap("home.report")
    await r.heading(r.t("report.who.title"))
    await expect(page.locator("#kind-victim")).to_be_checked()  # the draft is read and shown asynchronously
    await r.tap("next")
    await expect(page.locator("#f-narrative")).to_have_value(NARRATIVE["en"])


async def test_offline_report_waits_and_goes_out_exactly_once(new_context, screenshot, api) -> None:
    before = (await api.get("/cases", staff="head", params={"limit": 1})).json()["total"]
    r = await open_app(new_context, "Pixel 7", "ko")
    page, context = r.page, r.page.context
    await page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    await new_context.guard(context).wait_quiet()
    await r.write("third_party", "anonymous")
    await r.tap("next")

    await context.set_offline(True)
    await r.tap("report.send")
    await r.heading(r.t("queued.title"))
    await r.accessible("queued")
    await screenshot(page, "1-queued")
    assert NARRATIVE["ko"] not in await indexeddb_dump(page)

    # Still offline, the app opens again from the service worker's cache, and the report still waits.
    await page.reload()
    await r.heading(r.t("home.title"))
    await screenshot(page, "2-offline-reload")
    assert (await api.get("/cases", staff="head", params={"limit": 1})).json()["total"] == before

    # The connection returns: sent once, its receipt shown.
    await context.set_offline(False)
    await r.heading(r.t("receipt.title"))
    await screenshot(page, "3-sent")
    code = (await page.locator("#receipt-code").text_content() or "").strip()
    await r.leave_receipt()
    await r.heading(r.t("home.title"))
    # Another reload and another "online": nothing more goes out.
    await page.reload()
    await r.heading(r.t("home.title"))
    await page.evaluate("dispatchEvent(new Event('online'))")
    await new_context.guard(context).wait_quiet()
    assert (await api.get("/cases", staff="head", params={"limit": 1})).json()["total"] == before + 1
    assert await api.inbox_token(code)
    assert await outbox_size(page) == 0


async def outbox_size(page) -> int:  # type: ignore[no-untyped-def]
    return int(
        await page.evaluate(
            """() => new Promise((ok) => { const r = indexedDB.open("withu");
                 r.onsuccess = () => { const q = r.result.transaction("outbox").objectStore("outbox").count();
                                       q.onsuccess = () => { r.result.close(); ok(q.result); }; }; })"""
        )
    )


async def test_the_guide_reads_offline_and_no_api_answer_is_cached(new_context, screenshot) -> None:
    r = await open_app(new_context, "Pixel 7", "en")
    page, context = r.page, r.page.context
    await page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    await new_context.guard(context).wait_quiet()
    await context.set_offline(True)
    await page.reload()
    await r.heading(r.t("home.title"))
    await r.tap("home.manual")
    await expect(page.get_by_role("heading", level=2).first).to_be_visible()
    await screenshot(page, "guide-offline")
    stored = await cache_storage(page)
    urls = [u for names in stored.values() for u in names]
    assert any(u.endswith("/offline/manual.en.json") for u in urls)
    assert [u for u in urls if "/api/" in u] == []


async def test_erase_this_device_leaves_nothing(new_context, screenshot) -> None:
    r = await open_app(new_context, "iPhone 13", "ko")
    page = r.page
    await page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    await r.switch_language()
    await r.tap("home.device")
    await page.check("#drafts-on")
    await r.tap("back")
    await r.write("victim", "anonymous")
    await saved_draft(page)
    before = await storage_of(page)
    assert before["databases"] == ["withu"] and before["caches"] and before["workers"] == 1

    await r.tap("back")
    await r.tap("back")
    await r.tap("home.device")
    await r.tap("device.erase.button")
    await r.accessible("erase confirm")
    await screenshot(page, "1-confirm")
    await r.tap("device.erase.confirm")
    await r.heading(r.t("device.erased.title"))
    await screenshot(page, "2-erased")
    assert await storage_of(page) == {"databases": [], "caches": [], "local": [], "session": [], "workers": 0}
