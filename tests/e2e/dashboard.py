"""Driving the staff dashboard (pwa/admin/): people made for a test (a fresh account has TOTP steps nobody used
yet, so a browser sign-in never waits for the next code), signed in through the real sign-in form."""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass
from functools import cache

import pyotp
from playwright.async_api import BrowserContext, Page

from tests.e2e.browser import ROOT, StaffApi, axe_violations


@cache
def admin_texts(lang: str) -> dict[str, str]:
    """Every text the dashboard can show in `lang`: the reporter app's shared texts and the dashboard's files."""
    merged: dict[str, str] = json.loads((ROOT / "pwa" / "i18n" / f"{lang}.json").read_text(encoding="utf-8"))
    for path in sorted((ROOT / "pwa" / "admin" / "i18n").glob(f"*.{lang}.json")):
        merged.update(json.loads(path.read_text(encoding="utf-8")))
    return merged


@dataclass
class Person:
    """A staff account made for one test: its id, e-mail, password and TOTP secret."""

    id: str
    email: str
    password: str
    totp_secret: str
    role: str
    team: str | None
    _last_step: int = -1

    def code(self) -> str:
        """A TOTP code not used before (one step ahead when this one's step is spent: sign-in allows one drift)."""
        step = max(int(time.time()) // 30, self._last_step + 1)
        self._last_step = step
        return str(pyotp.TOTP(self.totp_secret).at(step * 30))


async def make_person(
    api: StaffApi, role: str, team: str | None = None, *, name: str = "", employee_number: str | None = None
) -> Person:
    """A new staff account, made by the demo system administrator through POST /api/v1/users."""
    email = f"{role}-{uuid.uuid4().hex[:10]}@e2e.withu.local"
    body = {"email": email, "display_name": name or f"E2E {role}", "role": role, "team": team, "password": "e2e-" + uuid.uuid4().hex}
    if employee_number:
        body["employee_number"] = employee_number
    response = await api.post("/users", staff="sysadmin", json=body)
    assert response.status_code == 201, response.text
    made = response.json()
    return Person(made["user"]["id"], email, body["password"], made["totp_secret"], role, team)


class Staff:
    """One staff member's page of the dashboard, in one language."""

    def __init__(self, page: Page, person: Person, lang: str = "en") -> None:
        self.page = page
        self.person = person
        self.lang = lang

    def t(self, key: str, **values: str) -> str:
        text = admin_texts(self.lang)[key]
        for name, value in values.items():
            text = text.replace("{" + name + "}", value)
        return text

    async def sign_in(self, path: str = "") -> None:
        """Through the sign-in form: e-mail, password and a fresh TOTP code; then the menu appears."""
        await self.page.goto(f"/admin/{path}")
        await self.page.fill("#email", self.person.email)
        await self.page.fill("#password", self.person.password)
        await self.page.fill("#totp", self.person.code())
        await self.page.get_by_role("button", name=self.t("admin.login.submit")).click()
        await self.page.locator("#nav a").first.wait_for()

    async def heading(self, text: str) -> None:
        await self.page.get_by_role("heading", level=1, name=text).wait_for()

    async def accessible(self, screen: str) -> None:
        violations = await axe_violations(self.page)
        assert not violations, f"{screen} ({self.lang}): {violations}"


async def signed_in(new_context: object, person: Person, *, device: str = "desktop", lang: str = "en", path: str = "") -> Staff:
    """A new browser context (its own session) with `person` signed in through the form."""
    context: BrowserContext = await new_context(device=device, locale="ko-KR" if lang == "ko" else "en-US")  # type: ignore[operator]
    staff = Staff(await context.new_page(), person, lang)
    await staff.sign_in(path)
    return staff
