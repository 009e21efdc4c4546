"""Issue #7's size bar: all the JavaScript the dashboard can load — the shell, every screen and the chart library
(uPlot, loaded by the statistics screen) — is at most 90 KB gzipped (level 9), measured in the real browser while
signed-in staff visit every screen. No request leaves the origin (the `new_context` fixture fails the test)."""

from __future__ import annotations

import asyncio
import gzip
from urllib.parse import urlsplit

import pytest
from playwright.async_api import Request

from tests.e2e.browser import keep_table
from tests.e2e.dashboard import Staff, make_person

KB = 1024
JS_BUDGET = 90 * KB
# Who visits which screens: between them, every screen of the dashboard.
VISITS = {
    "division_head": ["queue", "approvals", "registries", "statistics", "case/{case}", "password"],
    "auditor": ["audit", "statistics"],
    "sysadmin": ["users", "registries"],
}


async def test_dashboard_javascript_fits_90_kb_gzipped(
    new_context, api, live_server, capsys: pytest.CaptureFixture[str]
) -> None:
    case = await api.case_by_reference(str(live_server.demo_case_reference))
    sizes: dict[str, tuple[int, int]] = {}  # path -> (raw bytes, gzip -9 bytes)
    failed: list[str] = []
    pending: list[asyncio.Task[None]] = []

    async def measure(request: Request) -> None:
        response = await request.response()
        path = urlsplit(request.url).path
        guard_origin = urlsplit(live_server.base_url).netloc
        if response is None or urlsplit(request.url).netloc != guard_origin:
            return
        if not (path.startswith("/admin/") or path.startswith("/js/")):
            return
        if "javascript" not in response.headers.get("content-type", ""):
            return
        if not response.ok:
            failed.append(f"{path} answered {response.status}")
            return
        if path not in sizes:
            body = await response.body()
            sizes[path] = (len(body), len(gzip.compress(body, compresslevel=9, mtime=0)))

    for role, routes in VISITS.items():
        context = await new_context(device="desktop", locale="ko-KR")
        context.on("requestfinished", lambda request: pending.append(asyncio.ensure_future(measure(request))))
        staff = Staff(await context.new_page(), await make_person(api, role), "ko")
        await staff.sign_in()
        for route in routes:
            await staff.page.goto(f"/admin/#/{route.format(case=case['id'])}")
            await staff.page.locator("main h1").first.wait_for()
            if route == "statistics":
                await staff.page.locator(".chart-box canvas").first.wait_for()
            await new_context.guard(staff.page.context).wait_quiet()
    await asyncio.gather(*pending)

    total = sum(packed for _, packed in sizes.values())
    lines = ["the dashboard's JavaScript, every screen visited (gzip -9)", f"{'raw':>9} {'gzip':>9}  path"]
    for path, (raw, packed) in sorted(sizes.items(), key=lambda item: -item[1][1]):
        lines.append(f"{raw:>9,} {packed:>9,}  {path}")
    lines.append(
        f"{sum(raw for raw, _ in sizes.values()):>9,} {total:>9,}  total in {len(sizes)} files (budget {JS_BUDGET:,} B)"
    )
    lines.extend(f"FAILED: {f}" for f in failed)
    table = keep_table("dashboard-js-budget.txt", lines, capsys)

    assert failed == [], table
    assert "/admin/vendor/uplot/uPlot.esm.js" in sizes, f"the statistics screen did not load uPlot\n{table}"
    assert {"/admin/js/main.js", "/admin/js/screens/statistics.js", "/admin/js/screens/users.js"} <= set(sizes), table
    assert total <= JS_BUDGET, table
