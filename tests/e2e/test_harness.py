"""The browser-test harness works: the live server, Chromium, the origin guard, service-worker traffic, the
staff API helpers."""

from __future__ import annotations

from pathlib import Path

from playwright.async_api import Browser, Playwright, Route

from tests.e2e.browser import ContextFactory, StaffApi, axe_violations, cache_storage
from tests.e2e.live_server import LiveServer


async def test_docs_page_loads_from_the_origin_only(new_context, screenshot) -> None:
    context = await new_context(device="desktop", locale="en-US")
    page = await context.new_page()
    response = await page.goto("/docs")
    assert response is not None and response.ok
    await page.locator(".swagger-ui .info .title").wait_for()
    guard = new_context.guard(context)
    await guard.wait_quiet()
    await screenshot(page, "docs")

    paths = {r.url.split("/", 3)[3] for r in guard.requests}
    assert {"docs", "docs/assets/swagger-ui-bundle.js", "docs/init.js", "openapi.json"} <= paths, paths
    assert guard.foreign == []
    assert guard.console_errors == []
    assert guard.page_errors == []


async def test_origin_guard_records_cross_origin_requests(
    new_context, playwright: Playwright, browser: Browser, live_server: LiveServer
) -> None:
    # A host the test stubs and allows: recorded, and it does not fail the test.
    context = await new_context(allow_hosts=("cdn.example.test",))

    async def stub(route: Route) -> None:
        await route.fulfill(status=200, content_type="text/html", body="<!doctype html><title>stub</title><p>stub")

    await context.route("https://cdn.example.test/**", stub)
    page = await context.new_page()
    await page.goto("/docs")
    await page.goto("https://cdn.example.test/page.html")
    assert await page.title() == "stub"
    guard = new_context.guard(context)
    assert [r.url for r in guard.foreign] == ["https://cdn.example.test/page.html"]
    assert guard.violations() == []

    # A deliberate fetch to a host nobody allowed, from the stub page (which has no CSP): the verdict given at
    # teardown names it and only it. Checked on a factory of our own, so that this test itself does not fail;
    # a route aborts the fetch, so nothing leaves the machine.
    own = ContextFactory(playwright, browser, live_server)
    leaky = await own(device="iPhone 13", allow_hosts=("cdn.example.test",))
    await leaky.route("https://cdn.example.test/**", stub)
    await leaky.route("https://tracker.example.invalid/**", lambda route: route.abort())
    leaky_page = await leaky.new_page()
    await leaky_page.goto("https://cdn.example.test/page.html")
    failed = await leaky_page.evaluate(
        "() => fetch('https://tracker.example.invalid/beacon', {mode: 'no-cors'}).then(() => false, () => true)"
    )
    assert failed
    leaks = await own.close()
    assert len(leaks) == 1 and leaks[0].startswith("GET https://tracker.example.invalid/beacon"), leaks


SW_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>sw probe</title>
<script type="module" src="/probe.js"></script></head><body><main><h1>sw probe</h1></main></body></html>"""
SW_PROBE = "navigator.serviceWorker.register('/sw.js');\n"
SW = """self.addEventListener('install', (e) => e.waitUntil(
  caches.open('probe-v1').then((c) => c.addAll(['/precached.txt'])).then(() => self.skipWaiting())));
self.addEventListener('activate', (e) => e.waitUntil(self.clients.claim()));
"""


async def test_service_worker_fetches_are_recorded(new_context, spawn_live_server, tmp_path: Path) -> None:
    """The budget test counts a service worker's precache fetches: the guard must see them."""
    pwa = tmp_path / "pwa"
    pwa.mkdir()
    (pwa / "index.html").write_text(SW_PAGE)
    (pwa / "probe.js").write_text(SW_PROBE)
    (pwa / "sw.js").write_text(SW)
    (pwa / "precached.txt").write_text("cached by the service worker\n")
    server = await spawn_live_server(pwa_dir=str(pwa))

    context = await new_context(server=server)
    page = await context.new_page()
    await page.goto("/")
    await page.evaluate("() => navigator.serviceWorker.ready.then(() => true)")
    guard = new_context.guard(context)
    await guard.wait_quiet()

    by_worker = [r.url for r in guard.requests if r.by_service_worker]
    assert server.url("/precached.txt") in by_worker, guard.requests
    assert await cache_storage(page) == {"probe-v1": [server.url("/precached.txt")]}
    assert guard.violations() == []


async def test_staff_api_signs_in_reads_cases_and_writes_to_the_reporter(
    api: StaffApi, live_server: LiveServer
) -> None:
    response = await api.get("/cases", staff="lead-intake")
    assert response.status_code == 200, response.text
    assert live_server.demo_case_reference in [c["reference"] for c in response.json()["items"]]

    first = await api.token("lead-intake")
    assert await api.token("lead-intake") == first  # cached: no second sign-in within the TOTP window
    renewed = await api.token("lead-intake", renew=True)  # through /auth/refresh
    assert renewed != first
    assert (await api.get("/auth/me", staff="lead-intake")).json()["email"] == "lead-intake@demo.withu.local"

    assert live_server.demo_case_reference and live_server.demo_receipt_code
    case = await api.case_by_reference(live_server.demo_case_reference)
    assert case["team"] == "intake_counselling"
    await api.post_case_message(live_server.demo_case_reference, "We have read your report. (harness test)")
    inbox = await api.get(
        "/inbox", headers={"Authorization": f"Bearer {await api.inbox_token(live_server.demo_receipt_code)}"}
    )
    assert inbox.status_code == 200, inbox.text
    assert "We have read your report. (harness test)" in [m["body"] for m in inbox.json()["messages"]]

    report = await api.submit_report(reporter_kind="victim", identity_mode="anonymous")
    assert (await api.case_by_reference(report["case_reference"]))["status"] == "received"


BAD_PAGE = """<!doctype html><html><head><title>axe probe</title></head><body>
<main><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw="><button></button></main></body></html>"""
GOOD_PAGE = """<!doctype html><html lang="en"><head><title>axe probe</title></head><body>
<main><h1>Probe</h1><img alt="A dot" src="data:image/gif;base64,R0lGODlhAQABAAAAACw="><button>Send</button></main>
</body></html>"""


async def test_axe_reports_wcag_violations_readably(new_context) -> None:
    context = await new_context(device="Pixel 7", locale="en-US")
    page = await context.new_page()
    await page.set_content(BAD_PAGE)
    violations = await axe_violations(page)
    assert {"image-alt", "button-name", "html-has-lang"} <= {v["id"] for v in violations}, violations
    report = str(violations)
    assert "image-alt (critical)" in report and "button-name" in report and "\n    img:" in report, report

    await page.set_content(GOOD_PAGE)
    violations = await axe_violations(page)
    assert not violations, violations
