"""Driving the reporter's app the way a person does: by the texts they see, in either language."""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from playwright.async_api import BrowserContext, Page

from tests.e2e.browser import ROOT, axe_violations

EXIT_HOST = "www.weather.go.kr"
EXIT_URL = "https://www.weather.go.kr/w/index.do"
NARRATIVE = {
    "ko": "회식 자리에서 팀장이 동료의 몸을 여러 번 만지고 성적인 농담을 했습니다.",
    "en": "At the team dinner the manager touched a colleague several times and made sexual jokes.",
}


@cache
def texts(lang: str) -> dict[str, str]:
    return dict(json.loads((ROOT / "pwa" / "i18n" / f"{lang}.json").read_text(encoding="utf-8")))


class Reporter:
    """A page of the app in one language; `taps` counts every click and check, the way a person taps."""

    def __init__(self, page: Page, lang: str) -> None:
        self.page = page
        self.lang = lang
        self.taps = 0

    def t(self, key: str, **values: str) -> str:
        text = texts(self.lang)[key]
        for name, value in values.items():
            text = text.replace("{" + name + "}", value)
        return text

    async def open(self) -> None:
        await self.page.goto("/")
        await self.heading(self.t("home.title"))

    async def heading(self, text: str) -> None:
        await self.page.get_by_role("heading", level=1, name=text).wait_for()

    async def tap(self, key: str, role: str = "button", **values: str) -> None:
        await self.page.get_by_role(role, name=self.t(key, **values), exact=True).click()  # type: ignore[arg-type]
        self.taps += 1

    async def leave_receipt(self, key: str = "receipt.saved") -> None:
        """INT-4, issue 14: leaving the receipt (`key`: "I have saved the code" or "Open my inbox now") is confirmed
        in an in-page dialog first, since the code is shown only now."""
        await self.tap(key)
        await self.page.get_by_role("dialog", name=self.t("receipt.leave.title")).wait_for()
        await self.tap("receipt.leave.go")

    async def choose(self, selector: str) -> None:
        await self.page.check(selector)
        self.taps += 1

    async def write(self, kind: str, mode: str, narrative: str | None = None) -> None:
        """From the start page to the narrative written: the reporter kind, the identity mode, then the text."""
        await self.tap("home.report")
        await self.choose(f"#kind-{kind}")
        await self.choose(f"#mode-{mode}")
        await self.tap("next")
        await self.page.fill("#f-narrative", NARRATIVE[self.lang] if narrative is None else narrative)

    async def sign_in(self, receipt_code: str, case_reference: str) -> None:
        """From the start page into the inbox of `case_reference` with its receipt code (CASE-4)."""
        await self.tap("home.followup")
        await self.page.fill("#receipt", receipt_code)
        await self.tap("followup.open")
        await self.heading(self.t("inbox.title", ref=case_reference))

    async def switch_language(self) -> None:
        await self.page.click("#lang-toggle")
        self.lang = "en" if self.lang == "ko" else "ko"
        await self.page.locator(f"html[lang={self.lang}]").wait_for(state="attached")

    async def accessible(self, screen: str) -> None:
        violations = await axe_violations(self.page)
        assert not violations, f"{screen} ({self.lang}): {violations}"


async def open_app(new_context: Any, device: str, lang: str) -> Reporter:
    """A new browser context on a `device`, its browser set to `lang`, with the start page open."""
    context = await new_context(device=device, locale="ko-KR" if lang == "ko" else "en-US")
    reporter = Reporter(await context.new_page(), lang)
    await reporter.open()
    return reporter


async def storage_of(page: Page) -> dict[str, Any]:
    """What the origin keeps in the browser: IndexedDB databases, Cache Storage, both storages, service workers."""
    return dict(
        await page.evaluate(
            """async () => ({
              databases: (await indexedDB.databases()).map((d) => d.name),
              caches: await caches.keys(),
              local: Object.keys(localStorage),
              session: Object.keys(sessionStorage),
              workers: (await navigator.serviceWorker.getRegistrations()).length,
            })"""
        )
    )


async def indexeddb_dump(page: Page) -> str:
    """Every record WithU keeps in IndexedDB, as text (ArrayBuffers as their bytes), to look for plain text."""
    return str(
        await page.evaluate(
            """async () => {
              if (!(await indexedDB.databases()).some((d) => d.name === "withu")) return "";
              const db = await new Promise((ok, no) => { const r = indexedDB.open("withu"); r.onsuccess = () => ok(r.result); r.onerror = no; });
              const out = [];
              for (const name of db.objectStoreNames) {
                const all = await new Promise((ok) => { const r = db.transaction(name).objectStore(name).getAll(); r.onsuccess = () => ok(r.result); });
                for (const v of all) out.push(JSON.stringify(v, (k, x) => x instanceof ArrayBuffer ? new TextDecoder().decode(x) : x));
              }
              db.close();
              return out.join("\\n");
            }"""
        )
    )


async def worker_ready(page: Page) -> None:
    await page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    await page.wait_for_function("navigator.serviceWorker.controller !== null || !!navigator.serviceWorker.ready")


async def stub_exit_site(context: BrowserContext) -> None:
    """The quick exit's neutral page, answered here: nothing leaves the machine."""

    async def weather(route: Any) -> None:
        await route.fulfill(
            status=200, content_type="text/html", body="<!doctype html><title>날씨</title><h1>날씨</h1>"
        )

    await context.route(f"https://{EXIT_HOST}/**", weather)
