"""Issue 18 in the dashboard: per-case keys seen from the browser.

(a) A case-team member changes their password from the header: the form says what is wrong in words (the two new
passwords differ, the current one is wrong, the new one is too common), the change ends every sign-in and shows the
sign-in form, the old password is refused — and the case key wrapped for them at submission survives: with the new
password the case's narrative (a canary) is shown (ACC-2, ACC-1; security review F17). (b) The same form in Korean.
(c) The division head's recovery panel on the approvals screen: after `withu recovery init` and `withu recovery
grant` for a reader who had no key of the case, the panel shows the key (threshold, holders, day) and the uses,
newest first; the reader opens the case; a team lead's approvals screen has no such panel (ACC-2, AUD-1, ACC-1)."""

from __future__ import annotations

import re
import uuid

from playwright.async_api import Locator, expect

from tests.e2e.browser import StaffApi
from tests.e2e.dashboard import Person, Staff, make_person, signed_in
from tests.e2e.live_server import LiveServer

HOLDERS = ["Officer Ahn", "Officer Baek", "Officer Choi"]
SHARE_LINE = re.compile(r"^\s+(WITHU-RK1-\S+)\s*$", re.M)


def canary() -> str:
    return f"Key canary {uuid.uuid4().hex[:10]}: the section chief pressed a new employee for a date after work."


async def open_case(staff: Staff, case_id: str, reference: str) -> None:
    await staff.page.goto(f"/admin/#/case/{case_id}")
    await staff.heading(staff.t("case.title", ref=reference))


async def open_password_form(staff: Staff) -> None:
    """From the header, as anyone signed in finds it: "Password" beside "Sign out" (named "Change your password")."""
    await staff.page.get_by_role("button", name=staff.t("password.title"), exact=True).click()
    await staff.heading(staff.t("password.title"))


async def change_password(staff: Staff, current: str, new: str, again: str | None = None) -> None:
    page = staff.page
    await page.get_by_label(staff.t("password.current"), exact=True).fill(current)
    await page.get_by_label(staff.t("enrol.password"), exact=True).fill(new)
    await page.get_by_label(staff.t("enrol.password.again"), exact=True).fill(new if again is None else again)
    await page.locator("main").get_by_role("button", name=staff.t("password.submit"), exact=True).click()


async def expect_alert(staff: Staff, key: str) -> None:
    await expect(staff.page.locator("main [role=alert]")).to_have_text(staff.t(key))


async def signed_in_on(new_context, server: LiveServer, person: Person, path: str = "") -> Staff:
    """`signed_in` on a server of the test's own (English, desktop)."""
    context = await new_context(device="desktop", locale="en-US", server=server)
    staff = Staff(await context.new_page(), person, "en")
    await staff.sign_in(path)
    return staff


def recovery_panel(staff: Staff) -> Locator:
    """The approvals screen's part about the recovery key (the division head's only)."""
    return staff.page.locator("section", has=staff.page.get_by_role("heading", level=2, name=staff.t("recovery.title")))


async def sign_in_with(staff: Staff, password: str, code: str) -> None:
    page = staff.page
    await page.fill("#email", staff.person.email)
    await page.fill("#password", password)
    await page.fill("#totp", code)
    await page.get_by_role("button", name=staff.t("admin.login.submit")).click()


# --- (a) ----------------------------------------------------------------------------------------------------------


async def test_acc_2_a_case_team_member_changes_the_password_and_still_reads_the_case(
    new_context, api, screenshot
) -> None:
    """ACC-2 (issue 18, point 3): the lead exists before the report, so the case's key is wrapped for them at
    submission; after a password change in the browser (every sign-in ended, the old password refused) the key
    still opens: the narrative is on the screen."""
    lead: Person = await make_person(api, "team_lead", "intake_counselling", name="Lead Keys E2E")
    narrative = canary()
    receipt = await api.submit_report(narrative=narrative)
    ref = receipt["case_reference"]
    case = await api.case_by_reference(ref)

    staff = await signed_in(new_context, lead)
    page = staff.page
    await open_case(staff, case["id"], ref)
    await expect(page.locator(".narrative")).to_contain_text(narrative)

    await open_password_form(staff)
    await staff.accessible("password form")
    await screenshot(page, "1-password-form")

    # Checked in the browser, nothing sent: the two new passwords differ.
    new_password = f"lantern orchard {uuid.uuid4().hex[:8]} quietly"
    await change_password(staff, lead.password, new_password, new_password + " typo")
    await expect_alert(staff, "enrol.password.mismatch")
    # The server's refusals, in words: a wrong current password (403), a guessable new one (422).
    await change_password(staff, "not my password at all", new_password)
    await expect_alert(staff, "problem.current-password-wrong")
    await change_password(staff, lead.password, lead.email)
    await expect_alert(staff, "enrol.err.password-too-common")
    await staff.accessible("password form with an error")
    await screenshot(page, "2-password-refused")

    refresh = await page.evaluate("() => sessionStorage.getItem('withu.staff.refresh')")
    await change_password(staff, lead.password, new_password)
    await staff.heading(staff.t("admin.login.title"))
    await expect(page.locator("main [role=alert]")).to_have_text(staff.t("password.done"))
    await expect(page.locator("#nav")).to_be_hidden()
    assert await page.evaluate("() => sessionStorage.getItem('withu.staff.refresh')") is None
    await staff.accessible("signed out after the password change")
    await screenshot(page, "3-signed-out")

    # Every sign-in ended: this page's refresh token no longer works. The old password is refused (with a right
    # code: a refused password spends no TOTP step, so the same code then signs in with the new one).
    renewed = await api.post("/auth/refresh", json={"refresh_token": refresh})
    assert renewed.status_code == 401, renewed.text
    code = lead.code()
    await sign_in_with(staff, lead.password, code)
    await expect_alert(staff, "admin.login.refused")
    old = await api.post("/auth/login", json={"email": lead.email, "password": lead.password, "totp": code})
    assert old.status_code == 401, old.text

    await sign_in_with(staff, new_password, code)
    await page.locator("#nav a").first.wait_for()
    await open_case(staff, case["id"], ref)
    await expect(page.locator(".narrative")).to_contain_text(narrative)
    await screenshot(page, "4-case-after-new-password")


# --- (b) ----------------------------------------------------------------------------------------------------------


async def test_acc_2_the_password_form_says_what_is_wrong_in_korean(new_context, api, screenshot) -> None:
    """The same form in Korean, on a phone: the mismatch and a wrong current password in words; axe-clean."""
    person = await make_person(api, "investigator", "investigation")
    staff = await signed_in(new_context, person, device="Pixel 7", lang="ko")
    await open_password_form(staff)
    await expect(staff.page.get_by_label(staff.t("password.current"), exact=True)).to_have_attribute(
        "autocomplete", "current-password"
    )
    new_password = f"바다 소나무 {uuid.uuid4().hex[:8]} 천천히"
    await change_password(staff, person.password, new_password, new_password + "!")
    await expect_alert(staff, "enrol.password.mismatch")
    await change_password(staff, "틀린 비밀번호입니다", new_password)
    await expect_alert(staff, "problem.current-password-wrong")
    await staff.accessible("password form (ko)")
    await screenshot(staff.page, "password-form-ko")
    # Nothing changed: the password still signs in.
    me = await api.post("/auth/login", json={"email": person.email, "password": person.password, "totp": person.code()})
    assert me.status_code == 200, me.text


# --- (c) ----------------------------------------------------------------------------------------------------------


async def test_aud_1_the_division_head_sees_the_recovery_key_and_its_uses(
    new_context, spawn_live_server, screenshot
) -> None:
    """ACC-2, AUD-1 (issue 18, point 5) on a server of its own: no key at first; `withu recovery init` (2 of 3);
    a report; an intake officer made after it reads the case under ACC-1 but holds no key of it, until
    `withu recovery grant` with two shares gives them one. The division head's panel (approvals screen) shows the
    key and both uses, newest first, in English and Korean; a team lead's has none (the API answers them 403)."""
    server = await spawn_live_server()
    api = StaffApi(server)
    try:
        head = await make_person(api, "division_head", name="Head Recovery E2E")
        lead = await make_person(api, "team_lead", "intake_counselling", name="Lead Recovery E2E")
        boss = await signed_in_on(new_context, server, head, "#/approvals")  # before any key
        await boss.heading(boss.t("approvals.title"))
        panel = recovery_panel(boss)
        await expect(panel.locator("#recovery-key")).to_have_text(boss.t("recovery.none"))
        await expect(panel.get_by_text(boss.t("recovery.uses.none"))).to_be_visible()
        await boss.accessible("recovery: no key yet")
        await screenshot(boss.page, "1-no-key-yet")

        made = server.withu("recovery", "init", *[a for h in HOLDERS for a in ("--holder", h)], "--threshold", "2")
        key_id = re.search(r"Created recovery key (\S+):", made)[1]  # type: ignore[index]
        shares = SHARE_LINE.findall(made)
        assert len(shares) == 3

        narrative = canary()
        ref = (await api.submit_report(narrative=narrative))["case_reference"]
        case = await api.case_by_reference(ref)
        late = await make_person(api, "intake", "intake_counselling", name="Late Reader E2E")  # after the report
        reader = await signed_in_on(new_context, server, late)
        await reader.page.goto(f"/admin/#/case/{case['id']}")
        await expect(reader.page.locator("main [role=alert]")).to_have_text(reader.t("problem.case-key-not-shared"))
        await expect(reader.page.locator(".narrative")).to_have_count(0)
        await screenshot(reader.page, "2-reader-without-key")

        granted = server.withu("recovery", "grant", "--case", ref, "--to", late.email, stdin="\n".join(shares[1:]))
        assert f"{ref}: restored for {late.email}" in granted
        await reader.page.reload()  # the same address: read the case again
        await reader.heading(reader.t("case.title", ref=ref))
        await expect(reader.page.locator(".narrative")).to_contain_text(narrative)
        await screenshot(reader.page, "3-reader-restored")

        await boss.page.reload()
        await boss.heading(boss.t("approvals.title"))
        await expect(panel.locator("#recovery-key")).to_contain_text(f"{key_id}: 2 of 3 shares")
        await expect(panel.locator("#recovery-key")).to_contain_text(", ".join(HOLDERS))
        rows = panel.locator("table tbody tr")
        await expect(rows).to_have_count(2)
        await expect(rows.nth(0)).to_contain_text(boss.t("recovery.action.case_restored"))
        await expect(rows.nth(0)).to_contain_text(ref)
        await expect(rows.nth(0)).to_contain_text("Late Reader E2E")
        await expect(rows.nth(1)).to_contain_text(boss.t("recovery.action.key_created"))
        await expect(rows.nth(1)).to_contain_text(key_id)
        shown = await boss.page.content()
        assert not any(share in shown for share in shares)
        await boss.accessible("recovery: key and uses")
        await screenshot(boss.page, "4-approvals-with-recovery-en")

        await boss.page.locator("#lang-toggle").click()
        ko = Staff(boss.page, head, "ko")
        await ko.heading(ko.t("approvals.title"))
        panel = recovery_panel(ko)
        said = ko.t("recovery.key", id=key_id, threshold="2", total="3", holders=", ".join(HOLDERS))
        await expect(panel.locator("#recovery-key")).to_contain_text(said.split("{day}")[0])
        await expect(panel.locator("table tbody tr").nth(0)).to_contain_text(ko.t("recovery.action.case_restored"))
        await ko.accessible("recovery: key and uses")
        await screenshot(ko.page, "5-approvals-with-recovery-ko")

        team_lead = await signed_in_on(new_context, server, lead, "#/approvals")
        await team_lead.heading(team_lead.t("approvals.title"))
        await expect(recovery_panel(team_lead)).to_have_count(0)
        await expect(team_lead.page.locator("#recovery-key")).to_have_count(0)
        forbidden = await api.get("/recovery", staff="lead-intake")
        assert forbidden.status_code == 403, forbidden.text
        await screenshot(team_lead.page, "6-team-lead-no-panel")
    finally:
        await api.aclose()
