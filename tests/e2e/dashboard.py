"""Driving the staff dashboard (pwa/admin/): people made for a test (a fresh account has TOTP steps nobody used
yet, so a browser sign-in never waits for the next code), signed in through the real sign-in form."""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache

import pyotp
from playwright.async_api import BrowserContext, Page

from app.domain.access import CASE_TEAM_ROLES
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


async def hr_token(api: StaffApi) -> str:
    """A machine token of the personnel system (a client the demo system administrator made)."""
    return await api.machine_token("hr_system")


async def directory_employee(api: StaffApi) -> str:
    """The employee number of a new active employee, alone in an organisation of their own, put into the personnel
    directory by the personnel system's sync (as tests/builders.py `make_staff` gives a case-team member one)."""
    tag = uuid.uuid4().hex[:8].upper()
    number = f"E-{tag}-000"
    snapshot = {
        "as_of": datetime.now(UTC).isoformat(),
        "organisations": [{"id": f"ORG-{tag}", "name": f"Org {tag}", "kind": "smg"}],
        "employees": [{"employee_number": number, "organisation": f"ORG-{tag}", "status": "active"}],
    }
    token = await hr_token(api)
    synced = await api.client.post(
        "/personnel/sync", params={"mode": "upsert"}, json=snapshot, headers={"Authorization": f"Bearer {token}"}
    )
    assert synced.status_code == 200, synced.text
    return number


async def make_person(
    api: StaffApi,
    role: str,
    team: str | None = None,
    *,
    name: str = "",
    employee_number: str | None = None,
    in_directory: bool = True,
) -> Person:
    """A new staff account as it comes to be (F1): the demo system administrator creates it (POST /api/v1/users),
    its owner enrols through the one-time link (password and TOTP), and — a case role — the demo division head
    approves it. A case-team member without an `employee_number` gets one of their own, naming an active employee
    of the directory (F2: without a directory match a case-team account sees no case) — unless
    `in_directory=False`. A given number is used as it is."""
    if employee_number is None and in_directory and role in CASE_TEAM_ROLES:
        employee_number = await directory_employee(api)
    email = f"{role}-{uuid.uuid4().hex[:10]}@e2e.withu.local"
    body = {"email": email, "display_name": name or f"E2E {role}", "role": role, "team": team}
    if employee_number:
        body["employee_number"] = employee_number
    response = await api.post("/users", staff="sysadmin", json=body)
    assert response.status_code == 201, response.text
    made = response.json()
    token = made["enrolment"]["enrolment_url"].split("#", 1)[1]
    offer = await api.post("/enrolment/offer", json={"token": token})
    assert offer.status_code == 200, offer.text
    secret, password = offer.json()["totp_secret"], "e2e " + uuid.uuid4().hex
    # Enrol with the previous step's code (accepted as drift), so that two sign-ins may follow at once.
    step = int(time.time()) // 30 - 1
    code = str(pyotp.TOTP(secret).at(step * 30))
    enrolled = await api.post("/enrolment", json={"token": token, "password": password, "totp": code})
    assert enrolled.status_code == 204, enrolled.text
    if role in CASE_TEAM_ROLES:
        change = made["user"]["pending_change"]["id"]
        approved = await api.post(f"/account-changes/{change}/decision", staff="head", json={"approve": True})
        assert approved.status_code == 200, approved.text
    return Person(made["user"]["id"], email, password, secret, role, team, _last_step=step)


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


async def signed_in(
    new_context: object, person: Person, *, device: str = "desktop", lang: str = "en", path: str = ""
) -> Staff:
    """A new browser context (its own session) with `person` signed in through the form."""
    context: BrowserContext = await new_context(device=device, locale="ko-KR" if lang == "ko" else "en-US")  # type: ignore[operator]
    staff = Staff(await context.new_page(), person, lang)
    await staff.sign_in(path)
    return staff
