"""Browser-test helpers: Debian Chromium launched as TOOLING.md says, browser contexts that record every request
(the "no request leaves the origin" bar), axe-core, screenshots, Cache Storage, and the staff API over HTTP."""

from __future__ import annotations

import asyncio
import re
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pyotp
from axe_playwright_python.async_playwright import Axe
from playwright.async_api import Browser, BrowserContext, ConsoleMessage, Page, Playwright, Request, WebError

from tests.e2e.live_server import LiveServer

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-output" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DEVICES = {"Pixel 7": "Pixel 7", "iPhone 13": "iPhone 13", "desktop": "Desktop Chrome"}
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
NETWORK_SCHEMES = {"http", "https", "ws", "wss"}
TOTP_PERIOD = 30
REPORT = {
    "reporter_kind": "third_party",
    "identity_mode": "anonymous",
    "category": "sexual_harassment",
    "narrative": "At the team dinner the manager touched a colleague repeatedly and made sexual remarks.",
}
# The member of each case team who writes to the reporter in the demo data (see app/services/demo.py).
TEAM_WRITER = {"intake_counselling": "intake", "investigation": "investigator", "victim_support_legal": "support"}


async def launch(playwright: Playwright) -> Browser:
    return await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)


def origin_of(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    scheme = {"ws": "http", "wss": "https"}.get(parts.scheme, parts.scheme)
    port = parts.port or {"http": 80, "https": 443}.get(scheme)
    return scheme, (parts.hostname or ""), port


@dataclass(frozen=True)
class SeenRequest:
    url: str
    method: str
    resource_type: str
    by_service_worker: bool

    def __str__(self) -> str:
        source = " (service worker)" if self.by_service_worker else ""
        return f"{self.method} {self.url} [{self.resource_type}]{source}"


@dataclass
class OriginGuard:
    """Everything one browser context asked the network for, and what its pages said on the console.

    `foreign` lists requests to any origin but the live server's; `violations()` those whose host no test
    allowed (`allow(host)`, for a host the test routes to a stub). The fixture fails the test on violations."""

    origin: tuple[str, str, int | None]
    requests: list[SeenRequest] = field(default_factory=list)
    allowed_hosts: set[str] = field(default_factory=set)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    in_flight: int = 0
    last_activity: float = field(default_factory=time.monotonic)

    def allow(self, host: str) -> None:
        self.allowed_hosts.add(host.lower())

    def is_foreign(self, url: str) -> bool:
        return urlsplit(url).scheme in NETWORK_SCHEMES and origin_of(url) != self.origin

    @property
    def foreign(self) -> list[SeenRequest]:
        return [r for r in self.requests if self.is_foreign(r.url)]

    def violations(self) -> list[SeenRequest]:
        return [r for r in self.foreign if (urlsplit(r.url).hostname or "").lower() not in self.allowed_hosts]

    def attach(self, context: BrowserContext) -> None:
        context.on("request", self._on_request)
        context.on("requestfinished", self._on_done)
        context.on("requestfailed", self._on_done)
        context.on("console", self._on_console)
        context.on("weberror", self._on_web_error)
        context.on(
            "page", lambda page: page.on("websocket", lambda ws: self._record(ws.url, "GET", "websocket", False))
        )

    def _record(self, url: str, method: str, resource_type: str, by_service_worker: bool) -> None:
        self.requests.append(SeenRequest(url, method, resource_type, by_service_worker))
        self.last_activity = time.monotonic()

    def _on_request(self, request: Request) -> None:
        self.in_flight += 1
        self._record(request.url, request.method, request.resource_type, request.service_worker is not None)

    def _on_done(self, _request: Request) -> None:
        self.in_flight -= 1
        self.last_activity = time.monotonic()

    def _on_console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            location = message.location
            self.console_errors.append(f"{message.text} ({location.get('url', '')}:{location.get('lineNumber', '')})")

    def _on_web_error(self, error: WebError) -> None:
        self.page_errors.append(str(error.error))

    async def wait_quiet(self, quiet: float = 0.5, at_most: float = 20.0) -> None:
        """Until no request of the context (pages and service workers alike) has been in flight for `quiet`
        seconds. Page-level "networkidle" does not see a service worker's fetches; this does."""
        deadline = time.monotonic() + at_most
        while time.monotonic() < deadline:
            if self.in_flight <= 0 and time.monotonic() - self.last_activity >= quiet:
                return
            await asyncio.sleep(0.05)
        raise AssertionError(f"the network did not settle within {at_most} s ({self.in_flight} requests in flight)")


class ContextFactory:
    """`await new_context(device="Pixel 7", locale="ko-KR")`: a browser context on the live server (relative
    URLs work: `await page.goto("/")`), service workers allowed, every request recorded by an OriginGuard
    (`new_context.guard(context)`). Contexts are closed at teardown, then foreign requests fail the test."""

    def __init__(self, playwright: Playwright, browser: Browser, server: LiveServer) -> None:
        self.playwright = playwright
        self.browser = browser
        self.server = server
        self.guards: dict[int, OriginGuard] = {}
        self.contexts: list[BrowserContext] = []

    async def __call__(
        self,
        device: str = "Pixel 7",
        locale: str = "ko-KR",
        *,
        allow_hosts: tuple[str, ...] = (),
        server: LiveServer | None = None,
        **options: Any,
    ) -> BrowserContext:
        if device not in DEVICES:
            raise ValueError(f"device must be one of {sorted(DEVICES)}")
        server = server or self.server
        descriptor = {k: v for k, v in self.playwright.devices[DEVICES[device]].items() if k != "default_browser_type"}
        settings: dict[str, Any] = {
            **descriptor,
            "locale": locale,
            "timezone_id": "Asia/Seoul",
            "base_url": server.base_url,
            "service_workers": "allow",
            **options,
        }
        context = await self.browser.new_context(**settings)
        guard = OriginGuard(origin_of(server.base_url))
        for host in allow_hosts:
            guard.allow(host)
        guard.attach(context)
        self.guards[id(context)] = guard
        self.contexts.append(context)
        return context

    def guard(self, context: BrowserContext) -> OriginGuard:
        return self.guards[id(context)]

    async def close(self) -> list[str]:
        """Close every context; the requests that left the origin without a test allowing it."""
        closing, self.contexts = self.contexts, []
        for context in closing:
            await context.close()
        return [str(r) for c in closing for r in self.guards[id(c)].violations()]


class Violations(list[dict[str, Any]]):
    """axe-core violations (its JSON objects); str() is a readable report for assertion messages."""

    def __str__(self) -> str:
        if not self:
            return "no axe violations"
        lines = [f"{len(self)} axe violation(s):"]
        for v in self:
            lines.append(f"- {v['id']} ({v.get('impact')}): {v['help']}  <{v.get('helpUrl', '')}>")
            for node in v.get("nodes", [])[:5]:
                target = " ".join(str(t) for t in node.get("target", []))
                summary = (node.get("failureSummary") or "").replace("\n", " ")
                lines.append(f"    {target}: {summary}")
            if len(v.get("nodes", [])) > 5:
                lines.append(f"    … and {len(v['nodes']) - 5} more")
        return "\n".join(lines)

    __repr__ = __str__


_axe = Axe()


async def axe_violations(page: Page, *, context: str | dict[str, Any] | None = None) -> Violations:
    """Run axe-core (bundled by axe-playwright-python) on the page with the WCAG 2.2 A/AA rules:
    `v = await axe_violations(page); assert not v, v`."""
    options = {"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]}
    results = await _axe.run(page, context=context, options=options)
    return Violations(results.response["violations"])


def keep_table(name: str, lines: list[str], capsys: Any) -> str:
    """A measurement table: kept in test-output/<name> for a person to read, and printed with the test's output."""
    table = "\n".join(lines)
    (ROOT / "test-output").mkdir(exist_ok=True)
    (ROOT / "test-output" / name).write_text(table + "\n")
    with capsys.disabled():
        print("\n" + table)
    return table


def screenshot_dir(test_name: str) -> Path:
    return SCREENSHOTS / re.sub(r"[^A-Za-z0-9._-]+", "_", test_name).strip("_")


CACHE_STORAGE_JS = """async () => {
  const out = {};
  if (!('caches' in self)) return out;
  for (const name of await caches.keys()) {
    const cache = await caches.open(name);
    out[name] = (await cache.keys()).map((r) => r.url);
  }
  return out;
}"""


async def cache_storage(page: Page) -> dict[str, list[str]]:
    """Cache Storage of the page's origin: cache name → the URLs stored in it."""
    return await page.evaluate(CACHE_STORAGE_JS)


class StaffApi:
    """The WithU API over HTTP for seeding and checking what a browser test did.

    Staff are the demo staff by slug ("intake", "lead-intake", "investigator", "support", "head", ...). A
    sign-in happens once per person and server (TOTP codes work once per 30 s); after that the token is
    refreshed through /auth/refresh."""

    def __init__(self, server: LiveServer) -> None:
        self.server = server
        # The server (uvicorn) closes a connection idle for 5 s; httpx keeps one 5 s too, so a request sent as the
        # server closes it fails (ReadError). Idle connections are dropped here first.
        self.client = httpx.AsyncClient(
            base_url=server.base_url + "/api/v1", timeout=30, limits=httpx.Limits(keepalive_expiry=1.0)
        )
        self._tokens: dict[str, tuple[str, str, float]] = {}  # slug -> (access, refresh, expires at, monotonic)
        self._last_step: dict[str, int] = {}
        self._locks: dict[str, asyncio.Lock] = {}
        self._clients: dict[str, tuple[str, str]] = {}  # machine-client kind -> (client id, secret)

    async def aclose(self) -> None:
        await self.client.aclose()

    async def _totp(self, slug: str) -> str:
        secret = self.server.staff[slug].totp_secret
        while True:
            current = int(time.time()) // TOTP_PERIOD
            step = max(current, self._last_step.get(slug, -1) + 1)
            if step <= current + 1:  # sign-in accepts one step of drift
                self._last_step[slug] = step
                return pyotp.TOTP(secret, interval=TOTP_PERIOD).at(step * TOTP_PERIOD)
            await asyncio.sleep(1)

    async def _sign_in(self, slug: str) -> dict[str, Any]:
        person = self.server.staff[slug]
        body = {"email": person.email, "password": person.password, "totp": await self._totp(slug)}
        response = await self.client.post("/auth/login", json=body)
        assert response.status_code == 200, f"sign-in of {slug}: {response.status_code} {response.text}"
        return response.json()

    def _store(self, slug: str, tokens: dict[str, Any]) -> str:
        expires = time.monotonic() + int(tokens["expires_in"])
        self._tokens[slug] = (tokens["access_token"], tokens["refresh_token"], expires)
        return str(tokens["access_token"])

    async def token(self, slug: str, *, renew: bool = False) -> str:
        """An access token of the demo staff member `slug`: cached; refreshed shortly before it expires."""
        async with self._locks.setdefault(slug, asyncio.Lock()):
            cached = self._tokens.get(slug)
            if cached and not renew and cached[2] - time.monotonic() > 60:
                return cached[0]
            if cached:
                response = await self.client.post("/auth/refresh", json={"refresh_token": cached[1]})
                if response.status_code == 200:
                    return self._store(slug, response.json())
            return self._store(slug, await self._sign_in(slug))

    async def request(self, method: str, path: str, *, staff: str | None = None, **kwargs: Any) -> httpx.Response:
        """`path` under /api/v1; as the staff member `staff` (a slug) if given, else anonymous."""
        headers = dict(kwargs.pop("headers", None) or {})
        if staff:
            headers["Authorization"] = f"Bearer {await self.token(staff)}"
        response = await self.client.request(method, path, headers=headers, **kwargs)
        if staff and response.status_code == 401:  # signed out meanwhile: sign in again, once
            headers["Authorization"] = f"Bearer {await self.token(staff, renew=True)}"
            response = await self.client.request(method, path, headers=headers, **kwargs)
        return response

    async def get(self, path: str, *, staff: str | None = None, **kwargs: Any) -> httpx.Response:
        return await self.request("GET", path, staff=staff, **kwargs)

    async def post(self, path: str, *, staff: str | None = None, **kwargs: Any) -> httpx.Response:
        return await self.request("POST", path, staff=staff, **kwargs)

    async def submit_report(self, **overrides: Any) -> dict[str, Any]:
        """File a report as a reporter would (defaults: an anonymous witness, sexual harassment); the answer
        holds `receipt_code` and `case_reference`."""
        headers = {"Idempotency-Key": str(uuid.uuid4())}
        response = await self.post("/reports", json={**REPORT, **overrides}, headers=headers)
        assert response.status_code == 201, response.text
        return response.json()

    async def inbox_token(self, receipt_code: str) -> str:
        response = await self.post("/inbox/session", json={"receipt_code": receipt_code})
        assert response.status_code == 200, response.text
        return str(response.json()["access_token"])

    async def machine_token(self, kind: str) -> str:
        """A fresh access token of this server's machine client of `kind` ("hr_system", "contractor_portal"), made
        once by the demo system administrator (machine tokens expire; the client stays)."""
        async with self._locks.setdefault(f"client:{kind}", asyncio.Lock()):
            if kind not in self._clients:
                name = f"E2E {kind} {uuid.uuid4().hex[:6]}"
                made = await self.post("/clients", staff="sysadmin", json={"name": name, "kind": kind})
                assert made.status_code == 201, made.text
                self._clients[kind] = (made.json()["client"]["client_id"], made.json()["client_secret"])
        token = await self.client.post(
            "/oauth/token", data={"grant_type": "client_credentials"}, auth=self._clients[kind]
        )
        assert token.status_code == 200, token.text
        return str(token.json()["access_token"])

    async def case_by_reference(self, reference: str) -> dict[str, Any]:
        """The case (its queue summary: id, reference, status, team, ...) as the division head sees it."""
        response = await self.get("/cases", staff="head", params={"reference": reference})
        assert response.status_code == 200, response.text
        items = response.json()["items"]
        assert len(items) == 1, f"no single case {reference}: {items}"
        return dict(items[0])

    async def post_case_message(
        self, reference: str, body: str, *, internal: bool = False, staff: str | None = None
    ) -> dict[str, Any]:
        """Write to the reporter of case `reference` as a member of the case's team (or `staff`)."""
        case = await self.case_by_reference(reference)
        writer = staff or TEAM_WRITER[case["team"]]
        response = await self.post(
            f"/cases/{case['id']}/messages", staff=writer, json={"body": body, "internal": internal}
        )
        assert response.status_code == 201, response.text
        return dict(response.json())
