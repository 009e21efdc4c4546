"""Issue #6's size budget, measured in the real browser: what the first load of the start page fetches from the
origin (the service worker's precache included), gzipped at level 9: JS ≤ 35 KB, CSS ≤ 15 KB, all ≤ 120 KB.
And no API response is stored in Cache Storage."""

from __future__ import annotations

import asyncio
import gzip
from urllib.parse import urlsplit

import httpx
import pytest
from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Request, Response

from tests.e2e.browser import cache_storage, keep_table

KB = 1024
JS_BUDGET, CSS_BUDGET, TOTAL_BUDGET = 35 * KB, 15 * KB, 120 * KB
SW_SETTLED_JS = """async () => {
  if (!('serviceWorker' in navigator)) return 'unsupported';
  for (let waited = 0; waited < 3000; waited += 100) {  // the app may register its worker after the load event
    if (await navigator.serviceWorker.getRegistration()) {
      await navigator.serviceWorker.ready;
      return 'active';
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return 'none';
}"""


def kind_of(response: Response) -> str:
    content_type = response.headers.get("content-type", "").split(";")[0].strip()
    if "javascript" in content_type:
        return "js"
    if content_type == "text/css":
        return "css"
    return "other"


async def test_first_load_fits_the_budget(new_context, capsys: pytest.CaptureFixture[str]) -> None:
    context = await new_context(device="Pixel 7")
    guard = new_context.guard(context)
    sizes: dict[str, tuple[str, int, int, str]] = {}  # url -> (kind, raw bytes, gzip bytes, fetched by)
    unreadable: list[str] = []
    repeated: list[str] = []
    seen: set[str] = set()
    failed: list[str] = []

    async def measure(request: Request) -> None:
        # Read each body as soon as it has arrived: a body is gone once its page or worker moves on.
        response = await request.response()
        if response is None or guard.is_foreign(request.url):
            return  # foreign requests fail the test anyway
        if not 200 <= response.status < 300:
            failed.append(f"{request.method} {urlsplit(request.url).path} answered {response.status}")
            return
        if response.from_service_worker:
            return  # answered from the worker's cache: nothing more came over the network
        if request.url in seen:
            repeated.append(request.url)
            return
        seen.add(request.url)
        by = "service worker" if request.service_worker is not None else "page"
        try:
            body = await response.body()
        except PlaywrightError as exc:
            unreadable.append(f"{request.url}: {exc.message.splitlines()[0]}")
            return
        length = int(response.headers.get("content-length") or 0)
        if len(body) != length and request.method == "GET" and by == "service worker":
            # Chromium keeps no body of a worker's fetch for the debugger: measure the same URL once more.
            async with httpx.AsyncClient() as client:
                again = await client.get(request.url)
            body, by = again.content, "service worker*"
        if len(body) != length:
            unreadable.append(f"{request.url}: {len(body)} bytes read, content-length {length}")
        sizes[request.url] = (kind_of(response), len(body), len(gzip.compress(body, compresslevel=9, mtime=0)), by)

    pending: list[asyncio.Task[None]] = []
    context.on("requestfinished", lambda request: pending.append(asyncio.ensure_future(measure(request))))
    page = await context.new_page()
    first = await page.goto("/")
    assert first is not None and first.ok, f"GET / answered {first and first.status}"
    await guard.wait_quiet()
    worker = await page.evaluate(SW_SETTLED_JS)  # a registered service worker installs (precaches), then activates
    await guard.wait_quiet()
    await asyncio.gather(*pending)

    totals = {kind: sum(s[2] for s in sizes.values() if s[0] == kind) for kind in ("js", "css", "other")}
    total = sum(totals.values())
    lines = [f"first load of / on a Pixel 7 (service worker: {worker}; gzip -9)", f"{'raw':>9} {'gzip':>9}  kind   by"]
    for url, (kind, raw, packed, by) in sorted(sizes.items(), key=lambda item: (item[1][0], item[0])):
        lines.append(f"{raw:>9,} {packed:>9,}  {kind:<5}  {by:<14} {urlsplit(url).path}")
    lines.append("(* a service worker's fetch: Chromium keeps no body of it, so the URL was fetched again to measure)")
    lines.append(
        f"JS {totals['js']:,} B (≤ {JS_BUDGET:,})  CSS {totals['css']:,} B (≤ {CSS_BUDGET:,})  "
        f"all {total:,} B (≤ {TOTAL_BUDGET:,})  in {len(sizes)} files; fetched again: {len(repeated)}"
    )
    lines.extend(f"FAILED: {f}" for f in failed)
    table = keep_table("first-load-budget.txt", lines, capsys)

    assert sizes, "the first load fetched nothing"
    assert failed == [], table
    assert worker == "active", f"no service worker became active after the first load\n{table}"
    assert unreadable == [], f"bodies that could not be measured: {unreadable}"
    assert totals["js"] <= JS_BUDGET, table
    assert totals["css"] <= CSS_BUDGET, table
    assert total <= TOTAL_BUDGET, table

    cached = await cache_storage(page)
    api_cached = [url for urls in cached.values() for url in urls if urlsplit(url).path.startswith("/api/")]
    assert api_cached == [], f"API responses in Cache Storage: {api_cached}"
