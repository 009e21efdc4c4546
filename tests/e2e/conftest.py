"""Browser tests: a live server (real database, migrated and seeded by the `withu` command), Debian Chromium
driven by Playwright's async API on the session event loop, and helpers (see tests/e2e/browser.py).

    from tests.e2e.browser import axe_violations

    async def test_start_page(new_context, screenshot):
        context = await new_context(device="Pixel 7", locale="en-US")
        page = await context.new_page()
        await page.goto("/")
        await screenshot(page, "start")
        violations = await axe_violations(page)
        assert not violations, violations
"""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page, Playwright, async_playwright

from tests.e2e import live_server as live
from tests.e2e.browser import ROOT, ContextFactory, StaffApi, launch, screenshot_dir


def _keep_log(server: live.LiveServer, name: str) -> None:
    out = ROOT / "test-output"
    out.mkdir(exist_ok=True)
    if server.log_path.exists():
        shutil.copyfile(server.log_path, out / name)


@pytest.fixture(scope="session")
def live_server() -> Iterator[live.LiveServer]:
    """The server every browser test shares: `base_url`, `env`, `staff` (demo logins by slug),
    `demo_case_reference`/`demo_receipt_code` (the seeded report), `withu(*args)`, `log()`.
    Its log is kept in test-output/live-server.log."""
    server = live.start()
    yield server
    server.stop()
    _keep_log(server, "live-server.log")
    shutil.rmtree(server.workdir, ignore_errors=True)


@pytest.fixture
async def spawn_live_server(
    request: pytest.FixtureRequest,
) -> AsyncIterator[Callable[..., Awaitable[live.LiveServer]]]:
    """A further server of its own for one test, with settings overridden by field name:
    `server = await spawn_live_server(rate_receipt="2/minute")`; pass it as `new_context(server=server)`."""
    servers: list[live.LiveServer] = []

    async def spawn(**overrides: str) -> live.LiveServer:
        server = await asyncio.to_thread(live.start, None, **overrides)
        servers.append(server)
        return server

    yield spawn
    for n, server in enumerate(servers):
        await asyncio.to_thread(server.stop)
        _keep_log(server, f"live-server-{screenshot_dir(request.node.name).name}-{n}.log")
        shutil.rmtree(server.workdir, ignore_errors=True)


@pytest.fixture(scope="session")
async def playwright() -> AsyncIterator[Playwright]:
    async with async_playwright() as pw:
        yield pw


@pytest.fixture(scope="session")
async def browser(playwright: Playwright) -> AsyncIterator[Browser]:
    """Debian Chromium (/usr/bin/chromium) with TOOLING.md's flags; one for the whole session."""
    chromium = await launch(playwright)
    yield chromium
    await chromium.close()


@pytest.fixture
async def new_context(
    playwright: Playwright, browser: Browser, live_server: live.LiveServer
) -> AsyncIterator[ContextFactory]:
    """`context = await new_context(device="Pixel 7"|"iPhone 13"|"desktop", locale="ko-KR", allow_hosts=(),
    server=None, **playwright_context_options)`. `new_context.guard(context)` holds every request, console
    error and page error. At teardown the contexts close, and any request that left the live server's origin
    (to a host not in allow_hosts / guard.allow(host)) fails the test."""
    factory = ContextFactory(playwright, browser, live_server)
    yield factory
    leaks = await factory.close()
    if leaks:
        pytest.fail("requests left the origin:\n  " + "\n  ".join(leaks), pytrace=False)


@pytest.fixture(scope="session")
async def api(live_server: live.LiveServer) -> AsyncIterator[StaffApi]:
    """The live server's API over httpx, one for the session (its staff tokens outlive a test: TOTP codes work
    once): `await api.get("/cases", staff="head")`, `await api.submit_report()`, `await api.case_by_reference(ref)`,
    `await api.post_case_message(ref, "text")`, `await api.inbox_token(code)`. For a spawned server:
    `StaffApi(server)` (close it with `await client.aclose()`)."""
    client = StaffApi(live_server)
    yield client
    await client.aclose()


@pytest.fixture
def screenshot(request: pytest.FixtureRequest) -> Callable[..., Awaitable[Path]]:
    """`await screenshot(page, "receipt")` writes test-output/screenshots/<test name>/receipt.png (full page)."""
    folder = screenshot_dir(request.node.name)
    shutil.rmtree(folder, ignore_errors=True)

    async def take(page: Page, name: str, *, full_page: bool = True) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{name}.png"
        await page.screenshot(path=str(path), full_page=full_page)
        return path

    return take
