"""Issue #7, item 1 and the bars: staff sign in with password and TOTP, see the menu of their role, sign out, and
sign out everywhere (every other session ends); the sign-in page and the shell pass axe in both languages."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from playwright.async_api import expect

from tests.e2e.dashboard import Staff, make_person, signed_in

MENUS = {  # MAN-3: education for the case team, HR officers and auditors
    "intake": ["queue", "approvals", "registries", "statistics", "education"],
    "hr_officer": ["registries", "statistics", "education"],
    "auditor": ["statistics", "education", "audit"],
    "sysadmin": ["registries", "statistics", "users"],
}


@pytest.mark.parametrize("role", sorted(MENUS))
async def test_acc_1_each_role_sees_its_own_menu(new_context, api, screenshot, role: str) -> None:
    team = "intake_counselling" if role == "intake" else None
    staff = await signed_in(new_context, await make_person(api, role, team))
    links = staff.page.locator("#nav a")
    await expect(links).to_have_text([staff.t(f"admin.nav.{name}") for name in MENUS[role]])
    await staff.accessible(f"{role} home")
    await screenshot(staff.page, role)


@pytest.mark.parametrize(("device", "lang"), [("desktop", "ko"), ("Pixel 7", "en"), ("desktop", "en"), ("iPhone 13", "ko")])
async def test_sign_in_page_is_accessible_and_refuses_a_wrong_code_in_words(new_context, api, screenshot, device: str, lang: str) -> None:
    person = await make_person(api, "investigator", "investigation")
    context = await new_context(device=device, locale="ko-KR" if lang == "ko" else "en-US")
    staff = Staff(await context.new_page(), person, lang)
    await staff.page.goto("/admin/")
    await staff.heading(staff.t("admin.login.title"))
    await staff.accessible("sign-in")
    await staff.page.fill("#email", person.email)
    await staff.page.fill("#password", person.password)
    await staff.page.fill("#totp", "000000")
    await staff.page.get_by_role("button", name=staff.t("admin.login.submit")).click()
    await expect(staff.page.get_by_role("alert")).to_have_text(staff.t("admin.login.refused"))
    await staff.accessible("refused")
    await screenshot(staff.page, "refused")


async def test_sign_out_everywhere_ends_every_session(new_context, api, screenshot) -> None:
    person = await make_person(api, "team_lead", "investigation")
    first = await signed_in(new_context, person)
    second = await signed_in(new_context, person, device="Pixel 7")
    await second.page.get_by_role("button", name=second.t("admin.signoutAll")).click()
    await expect(second.page.get_by_role("alert")).to_have_text(second.t("admin.signedOutAll"))
    await second.heading(second.t("admin.login.title"))
    # The other browser's session is over too: its next request answers the sign-in form.
    await first.page.reload()
    await first.heading(first.t("admin.login.title"))
    await screenshot(first.page, "first-browser-after")


async def test_a_reload_keeps_the_session_and_sign_out_ends_it(new_context, api) -> None:
    person = await make_person(api, "division_head")
    staff = await signed_in(new_context, person)
    await staff.page.reload()
    await expect(staff.page.locator("#who")).to_contain_text(staff.t("role.division_head"))
    await staff.page.get_by_role("button", name=staff.t("admin.signout"), exact=True).click()
    await staff.heading(staff.t("admin.login.title"))
    await staff.page.reload()
    await staff.heading(staff.t("admin.login.title"))
    assert await staff.page.evaluate("sessionStorage.length") == 0


def _long_date(day: date, lang: str) -> str:
    """The dashboard's `formatDate` (Intl, dateStyle long) for ko-KR and en-GB."""
    return f"{day.year}년 {day.month}월 {day.day}일" if lang == "ko" else f"{day.day} {day:%B} {day.year}"


@pytest.mark.parametrize("lang", ["en", "ko"])
async def test_acc_1_the_owner_is_told_of_failed_sign_ins_once_at_the_next_sign_in(new_context, api, screenshot, lang: str) -> None:
    """ACC-1 (F12): two refused attempts, then a sign-in: its first screen says 2 attempts failed and the day of the
    last; the screen after it does not say it again."""
    person = await make_person(api, "investigator", "investigation")
    context = await new_context(locale="ko-KR" if lang == "ko" else "en-US")
    staff = Staff(await context.new_page(), person, lang)
    await staff.page.goto("/admin/")
    for wrong in ("000000", "999999"):
        await staff.page.fill("#email", person.email)
        await staff.page.fill("#password", person.password)
        await staff.page.fill("#totp", wrong)
        await staff.page.get_by_role("button", name=staff.t("admin.login.submit")).click()
        await expect(staff.page.get_by_role("alert")).to_have_text(staff.t("admin.login.refused"))
    await staff.sign_in()
    today = datetime.now(UTC).date()
    notice = staff.page.locator("#failed-sign-ins")
    await expect(notice).to_have_text(staff.t("admin.login.failedSince", n="2", day=_long_date(today, lang)))
    await staff.accessible("failed sign-ins notice")
    await screenshot(staff.page, "failed-sign-ins")
    await staff.page.get_by_role("link", name=staff.t("admin.nav.statistics")).click()
    await staff.heading(staff.t("admin.nav.statistics"))
    await expect(notice).to_have_count(0)

