"""Issue #7, items 5–7 in a real browser: registries (AMB-1, AMB-2, CON-1, CON-2, the personnel system's status),
statistics with uPlot charts and their tables (STAT-1), the auditor's search and chain verification (AUD-1), and the
sysadmin's users and clients with no case content anywhere (ACC-1). axe-core on every one of these screens."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pyotp
import pytest
from playwright.async_api import Locator, Page, expect

from tests.e2e.dashboard import Staff, make_person, signed_in

TEAM = {"intake": "intake_counselling", "investigator": "investigation", "team_lead": "intake_counselling"}

# For every chart: its data (uPlot's own arrays), which table columns hold its series, and the table's cells as text.
CHARTS_JS = """() => [...document.querySelectorAll('.chart-box')].map((box) => {
  const table = box.closest('section').querySelector('table');
  return {
    data: box.chart.data.slice(1).map((series) => Array.from(series)),
    columns: box.dataset.columns.split(' ').map(Number),
    rows: [...table.tBodies[0].rows].map((row) => [...row.cells].map((cell) => cell.textContent.trim())),
    label: box.getAttribute('aria-label'),
    canvas: box.querySelectorAll('canvas').length,
  };
})"""


def number(text: str) -> float | None:
    """A table cell as a number; words (a suppressed count, "none") are None."""
    digits = text.replace(",", "")
    return float(digits) if re.fullmatch(r"\d+(\.\d+)?", digits) else None


async def open_screen(staff: Staff, route: str, title_key: str) -> None:
    await staff.page.goto(f"/admin/#/{route}")
    await staff.heading(staff.t(title_key))


@pytest.fixture
def shot(screenshot):  # type: ignore[no-untyped-def]
    """A full-page screenshot from the top (the sticky menu bar would otherwise be drawn mid-page)."""

    async def take(page: Page, name: str) -> None:
        await page.evaluate("window.scrollTo(0, 0)")
        await screenshot(page, name)

    return take


async def page_text(page: Page) -> str:
    return await page.locator("body").inner_text()


def fact(facts: Locator, term: str) -> Locator:
    """The value (dd) of a description list's term (dt), named exactly."""
    return facts.locator("dt", has_text=re.compile(f"^{re.escape(term)}$")).locator("xpath=following-sibling::dd[1]")


# --- (a) the auditor ------------------------------------------------------------------------------------------


async def test_aud_1_the_auditor_searches_the_log_and_verifies_the_chain(new_context, api, shot) -> None:
    """AUD-1: the auditor finds entries by action, pages through them and verifies the hash chain (intact);
    the entries hold who, what, when and which case — never the case's content."""
    narrative = f"Audit-screen narrative {uuid.uuid4().hex[:8]}: the supervisor cornered a colleague in the archive."
    report = await api.submit_report(narrative=narrative)
    auditor = await signed_in(new_context, await make_person(api, "auditor"), path="#/audit")
    page = auditor.page
    await auditor.heading(auditor.t("audit.title"))

    await page.get_by_label(auditor.t("audit.filter.action"), exact=True).fill("auth.login")
    await page.get_by_role("button", name=auditor.t("audit.searchButton")).click()
    await expect(page).to_have_url(re.compile(r"#/audit\?action=auth\.login$"))
    actions = page.locator(".audit-table tbody tr td:nth-child(5)")
    await expect(actions.first).to_have_text("auth.login")
    assert set(await actions.all_inner_texts()) == {"auth.login"}
    await shot(page, "search")

    # An unfiltered search pages 50 at a time; the next page starts where the first ended (every search is an
    # entry itself, so there are more than 50 after these).
    for _ in range(51):
        assert (await api.get("/audit/entries", staff="auditor", params={"limit": 1})).status_code == 200
    await page.get_by_role("button", name=auditor.t("audit.clear")).click()
    await expect(page).to_have_url(re.compile(r"#/audit$"))
    await page.get_by_role("link", name=auditor.t("audit.next")).click()
    await expect(page).to_have_url(re.compile(r"#/audit\?offset=50$"))
    await expect(page.locator(".pager span")).to_contain_text(re.compile(r"^51–"))

    await page.get_by_role("button", name=auditor.t("audit.verify.button")).click()
    verdict = page.locator(".verdict")
    await expect(verdict.locator(".verdict-head")).to_have_text(auditor.t("audit.verify.valid"))
    # Two chains (INT-1): the main chain's head, then the reporter chain's; the anchor below is the main one's.
    head_hash = await fact(verdict, auditor.t("audit.verify.headHash")).locator("code.hash").inner_text()
    assert re.fullmatch(r"[0-9a-f]{64}", head_hash)
    reporter_hash = await fact(verdict, auditor.t("audit.verify.reporterHeadHash")).locator("code.hash").inner_text()
    assert re.fullmatch(r"[0-9a-f]{64}", reporter_hash) and reporter_hash != head_hash
    checked = await fact(verdict, auditor.t("audit.verify.checked")).inner_text()
    assert int(checked.replace(",", "")) > 50
    await auditor.accessible("audit with a verification")
    await shot(page, "verified")

    # The head recorded now is a valid anchor for the next verification.
    head_seq = await fact(verdict, auditor.t("audit.verify.headSeq")).inner_text()
    await page.get_by_text(auditor.t("audit.verify.anchor")).click()
    await page.get_by_label(auditor.t("audit.verify.anchorSeq")).fill(head_seq)
    await page.get_by_label(auditor.t("audit.verify.anchorHash")).fill(head_hash)
    await page.get_by_role("button", name=auditor.t("audit.verify.button")).click()
    await expect(verdict.locator(".verdict-head")).to_have_text(auditor.t("audit.verify.valid"))

    text = await page_text(page)
    assert narrative not in text and report["case_reference"] not in text
    audited = await api.get("/audit/entries", staff="auditor", params={"action": "audit.verified", "limit": 5})
    assert audited.json()["total"] >= 2


# --- (b) the sysadmin -----------------------------------------------------------------------------------------


async def test_acc_1_the_sysadmin_manages_users_and_clients_and_sees_no_case_content(new_context, api, shot) -> None:
    """ACC-1 (F1): the sysadmin creates a case-role account and sees only its enrolment link, once — no password,
    no TOTP secret; its owner enrols on the enrolment page (F17 password rules); a division head approves it in the
    approvals inbox; the sysadmin edits and deactivates it, is refused changing their own role in words, creates
    and deactivates a client (secret shown once) — and no screen they can open shows a case reference, narrative
    or message. axe-core on each screen."""
    marker = uuid.uuid4().hex[:8]
    narrative = f"Sysadmin-check narrative {marker}: the manager sent sexual messages to a new employee at night."
    message = f"Sysadmin-check message {marker}: we will call you tomorrow."
    report = await api.submit_report(narrative=narrative)
    await api.post_case_message(report["case_reference"], message)
    secrets = [narrative, message, report["case_reference"], report["receipt_code"]]

    admin = await signed_in(new_context, await make_person(api, "sysadmin"), path="#/users")
    page = admin.page
    await admin.heading(admin.t("admin.nav.users"))

    # Create an account: only its enrolment link is shown, once.
    email = f"new-{marker}@e2e.withu.local"
    await page.get_by_text(admin.t("users.new"), exact=True).click()
    form = page.locator("details.add").first
    assert await form.locator("input[type=password]").count() == 0
    await form.get_by_label(admin.t("users.email")).fill(email)
    await form.get_by_label(admin.t("users.name")).fill("New Investigator")
    await form.get_by_label(admin.t("users.role")).select_option("investigator")
    await form.get_by_label(admin.t("users.team"), exact=True).select_option("investigation")
    await form.get_by_role("button", name=admin.t("users.create")).click()
    once = page.locator("section.once")
    await expect(once.get_by_role("heading", level=2)).to_have_text(admin.t("users.once.title", email=email))
    await expect(once).to_contain_text(admin.t("users.once.linkNote"))
    await expect(once).to_contain_text(admin.t("users.once.approvalWaits"))
    codes = await once.locator("code.secret").all_inner_texts()
    assert len(codes) == 1 and re.fullmatch(r"http://127\.0\.0\.1:\d+/admin/enrol\.html#[\w-]{40,}", codes[0]), codes
    link = codes[0]
    await admin.accessible("users: enrolment link shown once")
    await shot(page, "user-shown-once")
    await once.get_by_role("button", name=admin.t("users.once.done")).click()
    await expect(once).to_have_count(0)
    assert link not in await page_text(page)  # gone for good: never read back
    row = page.locator("tr", has_text=email)
    await expect(row).to_contain_text(admin.t("users.awaitingApproval"))
    await expect(row).to_contain_text(admin.t("users.notEnrolled"))

    # Its owner, in another browser, enrols: a weak password is refused in words, then a good one works.
    owner_context = await new_context(device="desktop", locale="en-US")
    owner = Staff(await owner_context.new_page(), admin.person, "en")
    await owner.page.goto(link)
    await owner.heading(owner.t("enrol.title"))
    assert "#" not in owner.page.url  # the token left the address bar (and the history)
    key = (await owner.page.locator("code.secret").first.inner_text()).replace(" ", "")
    qr = owner.page.get_by_role("img", name=owner.t("enrol.totp.qr"))  # drawn on the server: a data: URI, CSP intact
    await expect(qr).to_be_visible()
    assert (await qr.get_attribute("src")).startswith("data:image/svg+xml")
    assert await qr.evaluate("img => img.complete && img.naturalWidth > 0")
    await owner.accessible("enrolment page")
    await shot(owner.page, "enrolment")
    fill = owner.page.get_by_label
    await fill(owner.t("enrol.totp.code")).fill(pyotp.TOTP(key).now())
    await fill(owner.t("enrol.password"), exact=True).fill("password1234567890")
    await fill(owner.t("enrol.password.again")).fill("password1234567890")
    await owner.page.get_by_role("button", name=owner.t("enrol.submit")).click()
    await expect(owner.page.get_by_role("alert")).to_have_text(owner.t("enrol.err.password-too-common"))
    await owner.accessible("enrolment page: weak password refused")
    await fill(owner.t("enrol.password"), exact=True).fill("violet tractor under the bridge")
    await fill(owner.t("enrol.password.again")).fill("violet tractor under the bridge")
    await owner.page.get_by_role("button", name=owner.t("enrol.submit")).click()
    await owner.heading(owner.t("enrol.done.title"))
    await owner_context.close()

    # A division head approves the new account in the approvals inbox.
    head = await signed_in(new_context, await make_person(api, "division_head"), path="#/approvals")
    await head.heading(head.t("approvals.title"))
    card = head.page.locator("li", has_text=email)
    await expect(card).to_contain_text(head.t("approvals.account.creation"))
    await expect(card).to_contain_text(head.t("approvals.account.enrolled.yes"))
    await head.accessible("approvals: a new account")
    await shot(head.page, "account-approval")
    await card.get_by_role("button", name=head.t("approvals.approve")).click()
    await expect(head.page.locator("li", has_text=email)).to_have_count(0)
    users = await api.get("/users", staff="sysadmin", params={"limit": 200})
    made = next(u for u in users.json()["items"] if u["email"] == email)
    assert made["active"] is True and made["enrolled"] is True and made["pending_change"] is None
    await page.reload()
    await admin.heading(admin.t("admin.nav.users"))

    # Edit it, then deactivate it (If-Match with its version).
    await page.get_by_role("button", name=admin.t("users.edit.for", email=email)).click()
    editor = page.locator("#user-edit")
    await editor.get_by_label(admin.t("users.name")).fill("Renamed Investigator")
    await editor.get_by_role("button", name=admin.t("users.save")).click()
    await expect(row).to_contain_text("Renamed Investigator")
    await page.get_by_role("button", name=admin.t("users.edit.for", email=email)).click()
    await editor.get_by_role("button", name=admin.t("users.deactivate")).click()
    await expect(page.locator(".notice")).to_have_text(admin.t("users.deactivated", email=email))
    await expect(row).to_contain_text(admin.t("users.inactive"))
    users = await api.get("/users", staff="sysadmin", params={"limit": 200})
    made = next(u for u in users.json()["items"] if u["email"] == email)
    assert made["display_name"] == "Renamed Investigator" and made["active"] is False

    # The server refuses changing one's own role; the screen says so in words.
    await page.get_by_role("button", name=admin.t("users.edit.for", email=admin.person.email)).click()
    await editor.get_by_label(admin.t("users.role")).select_option("division_head")
    await editor.get_by_role("button", name=admin.t("users.save")).click()
    await expect(editor.get_by_role("alert")).to_have_text(admin.t("users.err.own-account-change"))
    await shot(page, "own-role-refused")
    await editor.get_by_role("button", name=admin.t("users.cancel")).click()
    await expect(editor).to_have_count(0)  # the screen is drawn again without the form (a fresh, closed "add" too)

    # A client: its secret shown once, then deactivated.
    name = f"Portal {marker}"
    await page.get_by_text(admin.t("users.clients.new"), exact=True).click()
    client_form = page.locator("details.add").nth(1)
    await client_form.get_by_label(admin.t("users.clients.name")).fill(name)
    await client_form.get_by_label(admin.t("users.clients.kind")).select_option("contractor_portal")
    await client_form.get_by_role("button", name=admin.t("users.clients.create")).click()
    await expect(once.get_by_role("heading", level=2)).to_have_text(admin.t("users.once.clientTitle", name=name))
    secret = await once.locator("code.secret").inner_text()
    assert len(secret) >= 20
    await shot(page, "client-shown-once")
    await once.get_by_role("button", name=admin.t("users.once.done")).click()
    await page.get_by_role("button", name=admin.t("users.clients.deactivate.for", name=name)).click()
    await expect(page.locator(".notice")).to_have_text(admin.t("users.clients.deactivated", name=name))
    await expect(page.locator("tr", has_text=name)).to_contain_text(admin.t("users.inactive"))
    await shot(page, "users-and-clients")

    # Every screen the sysadmin can open: no case reference, narrative or message text.
    links = page.locator("#nav a")
    routes = [str(await links.nth(i).get_attribute("href")) for i in range(await links.count())]
    assert routes == ["#/registries", "#/statistics", "#/users"]
    for route in [
        *routes,
        "#/queue",
        "#/approvals",
        f"#/case/{(await api.case_by_reference(report['case_reference']))['id']}",
    ]:
        await page.goto(f"/admin/{route}")
        await expect(page).to_have_url(re.compile(re.escape(route) + "$"))
        await new_context.guard(page.context).wait_quiet()
        await expect(page.locator("main h1")).not_to_have_text(admin.t("admin.loading"))
        text = await page_text(page)
        leaked = [s for s in secrets if s in text]
        assert leaked == [], f"{route} shows case content to the sysadmin: {leaked}"
        await shot(page, f"sysadmin-{route.strip('#/').replace('/', '-')[:20]}")


# --- (c) statistics -------------------------------------------------------------------------------------------


async def chart_tables(page: Page) -> list[dict[str, Any]]:
    await page.locator(".chart-box canvas").first.wait_for()
    return await page.evaluate(CHARTS_JS)


def assert_tables_equal_charts(charts: list[dict[str, Any]], expected: int = 4) -> None:
    """Each chart's series, point by point, is the figure in its table's column (a suppressed cell is no point).
    Four charts for the case team; three outside it (cases by team are the case team's only, STAT-1)."""
    assert len(charts) == expected, charts
    for chart in charts:
        assert chart["canvas"] >= 1 and chart["label"], chart
        for series, column in zip(chart["data"], chart["columns"], strict=True):
            shown = [number(row[column]) for row in chart["rows"][: len(series)]]
            assert [None if v is None else float(v) for v in series] == shown, (chart["label"], column)


@pytest.mark.parametrize("role", ["hr_officer", "auditor"])
async def test_stat_1_statistics_show_fewer_than_5_outside_the_case_team(new_context, api, shot, role: str) -> None:
    """STAT-1: outside the case team the screen asks for one ended quarter (the last by default, another through
    the form); a count below 5 reads "not shown" (never 0) in the table and is no point in the chart; there are no
    cases by team; the tables hold exactly the charts' data; uPlot runs under the CSP without an error."""
    await api.submit_report(category="stalking")
    staff = await signed_in(new_context, await make_person(api, role), path="#/statistics")
    page = staff.page
    await staff.heading(staff.t("admin.nav.statistics"))
    charts = await chart_tables(page)
    assert_tables_equal_charts(charts, expected=3)
    quarter = page.get_by_label(staff.t("stats.quarter"), exact=True)
    assert await page.get_by_label(staff.t("stats.from"), exact=True).count() == 0
    start, end = (await quarter.input_value()).split("/")
    today = datetime.now(UTC).date()
    assert date.fromisoformat(end) < today <= date.fromisoformat(end) + timedelta(days=92), (start, end)
    await expect(page.get_by_role("heading", name=staff.t("stats.byTeam"))).to_have_count(0)
    await expect(page.locator(".note")).to_contain_text(staff.t("stats.suppressed"))

    cells = page.locator(".stats-table tbody td")
    texts = await cells.all_inner_texts()
    suppressed = [c for c in texts if c in (staff.t("stats.suppressed"), staff.t("stats.suppressedFigure"))]
    assert suppressed, texts
    assert await page.locator(".stats-table .suppressed").count() == len(suppressed)
    counts = [number(c) for c in texts if number(c) is not None and "." not in c and "%" not in c]
    assert all(c >= 5 for c in counts), f"a count below 5 is shown outside the case team: {counts}"
    # The month of the report just filed: its stalking cell is words, not a number below 5.
    month_rows = await page.locator(".stats-table").first.locator("tbody tr").all_inner_texts()
    assert month_rows and all("\t0\t" not in f"\t{r}\t" for r in month_rows)

    earlier = (await quarter.locator("option").nth(1).get_attribute("value")) or ""
    await quarter.select_option(earlier)
    await page.get_by_role("button", name=staff.t("stats.show")).click()
    before, after = earlier.split("/")
    await expect(page).to_have_url(re.compile(rf"#/statistics\?from={before}&to={after}$"))
    assert_tables_equal_charts(await chart_tables(page), expected=3)

    guard = new_context.guard(page.context)
    assert [e for e in guard.console_errors if "Content Security Policy" in e] == []
    assert guard.page_errors == []
    await staff.accessible("statistics, suppressed")
    await shot(page, f"statistics-{role}")


async def test_stat_1_the_case_team_sees_exact_numbers_matching_the_charts(new_context, api, shot) -> None:
    """STAT-1: the case team sees exact counts, zeros and small numbers included, for the days asked for; the
    tables equal the charts; another window is asked for through the form (and kept in the address)."""
    await api.submit_report(category="online")
    head = await signed_in(new_context, await make_person(api, "division_head"), path="#/statistics")
    page = head.page
    await head.heading(head.t("admin.nav.statistics"))
    assert_tables_equal_charts(await chart_tables(page))
    assert await page.locator(".stats-table .suppressed").count() == 0
    today = datetime.now(UTC).date()
    # Any window up to 120 months (STAT-1, `window-too-long` beyond): the last five years and this one.
    expected = await api.get(
        "/statistics/cases", staff="head", params={"from": f"{today.year - 5}-01-01", "to": today.isoformat()}
    )
    assert expected.status_code == 200
    start = today.replace(day=1).isoformat()
    await page.get_by_label(head.t("stats.from"), exact=True).fill(start)
    await page.get_by_label(head.t("stats.to"), exact=True).fill(today.isoformat())
    await page.get_by_role("button", name=head.t("stats.show")).click()
    await expect(page).to_have_url(re.compile(rf"#/statistics\?from={start}&to={today.isoformat()}$"))
    charts = await chart_tables(page)
    assert_tables_equal_charts(charts)
    by_category = charts[0]
    assert len(by_category["rows"]) == 1
    online = number(by_category["rows"][0][4])  # month, harassment, assault, stalking, online
    assert online is not None and online >= 1
    api_now = await api.get("/statistics/cases", staff="head", params={"from": start, "to": today.isoformat()})
    assert api_now.json()["by_category"][0]["cells"]["online"]["count"] == online
    guard = new_context.guard(page.context)
    assert [e for e in guard.console_errors if "Content Security Policy" in e] == []
    await shot(page, "statistics-case-team")


# --- (d) registries -------------------------------------------------------------------------------------------


async def machine_token(api, kind: str, name: str | None = None) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    name = name or f"{kind} {uuid.uuid4().hex[:6]}"
    made = await api.post("/clients", staff="sysadmin", json={"name": name, "kind": kind})
    assert made.status_code == 201, made.text
    client_id, secret = made.json()["client"]["client_id"], made.json()["client_secret"]
    token = await api.post(
        "/oauth/token", data={"grant_type": "client_credentials"}, auth=httpx.BasicAuth(client_id, secret)
    )
    assert token.status_code == 200, token.text
    return client_id, token.json()["access_token"]


async def test_amb_1_con_2_registries_show_ambassadors_contracts_sync_and_deliveries(new_context, api, shot) -> None:
    """AMB-1, AMB-2, CON-1, CON-2, SEP-4: a team lead designates an ambassador and opens a memorial place, records a
    contract and initiates its cancellation (a second person confirms: the initiator is told so); the follow-up
    obligation a report from the contractor's workplace opened is listed with the case's reference; the personnel
    system's sync status, its waiting deliveries and the delivery log show (never what an event says); an HR
    officer sees only the parts of their role."""
    marker = uuid.uuid4().hex[:6].upper()
    hr_name = f"Personnel system {marker}"
    _, hr_token = await machine_token(api, "hr_system", hr_name)
    portal_id, _ = await machine_token(api, "contractor_portal")
    org = f"ORG-E2E-{marker}"
    hr_headers = {"Authorization": f"Bearer {hr_token}"}
    # The personnel system subscribes (nothing listens there: no worker runs here, the event waits).
    subscribed = await api.post(
        "/webhooks/subscriptions",
        headers=hr_headers,
        json={
            "url": f"http://127.0.0.1:9/withu/PATH-{marker}?key=QUERY-{marker}",
            "topics": ["separation.order_opened"],
        },
    )
    assert subscribed.status_code == 201, subscribed.text
    people = {"victim": f"E2E-V-{marker}", "respondent": f"E2E-R-{marker}"}
    synced = await api.post(
        "/personnel/sync",
        params={"mode": "upsert"},  # the live server's directory is shared by the tests: leave others untouched
        headers=hr_headers,
        json={
            "as_of": datetime.now(UTC).isoformat(),
            "organisations": [
                {"id": org, "name": f"Cleaning Co {marker}", "kind": "contractor"},
                {"id": f"SMG-{marker}", "name": f"City office {marker}", "kind": "smg"},
            ],
            "units": [{"id": f"U-{marker}", "organisation": f"SMG-{marker}", "name": "Office"}],
            "employees": [
                {"employee_number": n, "organisation": f"SMG-{marker}", "unit": f"U-{marker}", "status": "active"}
                for n in people.values()
            ],
        },
    )
    assert synced.status_code == 200, synced.text
    # A report naming both as employees opens a separation order (SEP-1): the personnel system is told (an event).
    await api.submit_report(
        reporter_kind="victim",
        identity_mode="confidential",
        reporter={"name": f"Victim {marker}", "employee_number": people["victim"]},
        respondent={"employee_number": people["respondent"]},
    )

    lead = await signed_in(new_context, await make_person(api, "team_lead", "intake_counselling"), path="#/registries")
    page = lead.page
    await lead.heading(lead.t("admin.nav.registries"))

    name = f"Ambassador {marker}"
    await page.get_by_text(lead.t("reg.amb.new"), exact=True).click()
    await page.get_by_label(lead.t("reg.amb.name")).fill(name)
    await page.get_by_role("button", name=lead.t("reg.amb.designate")).click()
    await expect(page.locator(".notice")).to_have_text(lead.t("reg.amb.designated.note", name=name))
    await page.get_by_text(lead.t("reg.place.new"), exact=True).click()
    place_form = page.locator("details", has_text=lead.t("reg.place.new"))
    await place_form.get_by_label(lead.t("reg.place.ambassador"), exact=True).select_option(label=name)
    await page.get_by_label(lead.t("reg.place.name")).fill(f"Reading room {marker}")
    await page.get_by_label(lead.t("reg.place.location")).fill("Jung-gu, Seoul")
    await page.get_by_role("button", name=lead.t("reg.place.add")).click()
    row = page.locator("tr", has_text=name)
    await expect(row).to_contain_text(f"Reading room {marker}")
    await expect(row).to_contain_text(lead.t("reg.amb.status.active"))
    await expect(row).to_contain_text(lead.t("reg.amb.promoYes"))

    number = f"SMG-E2E-{marker}"
    await page.get_by_text(lead.t("reg.con.new"), exact=True).click()
    await page.get_by_label(lead.t("reg.con.orgId")).fill(org)
    await page.get_by_label(lead.t("reg.con.number")).fill(number)
    await page.get_by_label(lead.t("reg.con.titleField"), exact=True).fill("Cleaning of City Hall")
    await page.get_by_label(lead.t("reg.con.clientId")).fill(portal_id)
    await page.get_by_role("button", name=lead.t("reg.con.register")).click()
    contracts = page.locator("section", has=page.get_by_role("heading", name=lead.t("reg.con.title"), exact=True))
    contract = contracts.locator("tr", has_text=number)
    await expect(contract).to_contain_text(lead.t("reg.con.status.active"))
    # A report from the contractor's workplace names the contract: its follow-up obligation opens (CON-1).
    contractor_report = await api.submit_report(
        narrative=f"NARRATIVE-{marker}: my shift supervisor keeps touching me in the storage room.",
        workplace={"kind": "contractor", "contract_number": number},
    )
    await page.get_by_text(lead.t("reg.con.cancel"), exact=True).click()
    await page.get_by_label(lead.t("reg.con.contract"), exact=True).select_option(
        label=f"{number} · Cleaning of City Hall"
    )
    await page.get_by_label(lead.t("reg.con.reason")).fill("Measures were not taken after two reminders.")
    await page.get_by_role("button", name=lead.t("reg.con.initiate")).click()
    await expect(contract).to_contain_text(lead.t("reg.con.status.cancellation_initiated"))
    await expect(contract).to_contain_text(lead.t("reg.con.notYou"))

    # The obligation (re-read with the cancellation): the case by its reference (the lead's team works it),
    # its state in words, and nothing of the case's content.
    duties = page.locator("section", has=page.get_by_role("heading", name=lead.t("reg.obl.title"), exact=True))
    duty = duties.locator("tr", has_text=number)
    await expect(duty).to_have_count(1)
    await expect(duty.get_by_role("link", name=contractor_report["case_reference"])).to_be_visible()
    await expect(duty).to_contain_text(lead.t("reg.obl.status.open"))
    await expect(duty).to_contain_text(lead.t("reg.obl.notYet"))
    assert f"NARRATIVE-{marker}" not in await page_text(page)

    sync = page.locator("section", has=page.get_by_role("heading", name=lead.t("reg.sync.title")))
    await expect(sync.locator("dd").first).not_to_have_text(lead.t("reg.sync.never"))
    hooks = page.locator("section", has=page.get_by_role("heading", name=lead.t("reg.hooks.title")))
    await expect(hooks.locator("table caption").first).to_have_text(lead.t("reg.hooks.caption"))
    await expect(hooks.locator("table").first.locator("tbody tr")).to_have_count(2)
    # The delivery log: the event to the subscription, by client and host — never its path, query or content.
    await expect(hooks.get_by_role("heading", name=lead.t("reg.log.title"))).to_be_visible()
    delivery = hooks.locator("tr", has_text=hr_name)
    await expect(delivery).to_have_count(1)
    await expect(delivery).to_contain_text("127.0.0.1:9")
    await expect(delivery).to_contain_text("separation.order_opened")
    await expect(delivery).to_contain_text(lead.t("reg.log.status.pending"))
    await expect(delivery).to_contain_text(lead.t("reg.log.noAttempt"))
    for hidden in (f"PATH-{marker}", f"QUERY-{marker}", people["victim"], people["respondent"]):
        assert hidden not in await page_text(page), hidden
    await hooks.get_by_label(lead.t("reg.log.filter")).select_option("delivered")
    await expect(hooks.locator("tr", has_text=hr_name)).to_have_count(0)
    await hooks.get_by_label(lead.t("reg.log.filter")).select_option("")
    await expect(hooks.locator("tr", has_text=hr_name)).to_have_count(1)
    await lead.accessible("registries, team lead")
    await shot(page, "registries-team-lead")

    # The second person confirms in their own browser (CON-2).
    other = await signed_in(new_context, await make_person(api, "division_head"), device="Pixel 7", path="#/registries")
    other_row = other.page.locator(
        "section", has=other.page.get_by_role("heading", name=other.t("reg.con.title"), exact=True)
    ).locator("tr", has_text=number)
    await other_row.get_by_role("button", name=other.t("reg.con.confirm.for", number=number)).click()
    await expect(other.page.locator(".notice")).to_have_text(other.t("reg.con.confirmed", number=number))
    await expect(other_row).to_contain_text(other.t("reg.con.status.cancelled"))
    await shot(other.page, "registries-confirmed-phone")

    # An HR officer: the sync status and deliveries only; the ambassador and contract parts (403) are left out.
    hr = await signed_in(new_context, await make_person(api, "hr_officer"), path="#/registries")
    await hr.heading(hr.t("admin.nav.registries"))
    await expect(hr.page.get_by_role("heading", level=2)).to_have_text(
        [hr.t("reg.sync.title"), hr.t("reg.hooks.title")]
    )
    await expect(hr.page.get_by_role("alert")).to_have_count(0)
    await expect(hr.page.locator("tr", has_text=hr_name)).to_have_count(1)  # the delivery log: the status roles
    await shot(hr.page, "registries-hr")


# --- (e) axe on every screen, desktop and phone, ko and en ----------------------------------------------------

SCREENS = {"registries": ("team_lead", "admin.nav.registries"), "statistics": ("hr_officer", "admin.nav.statistics"),
           "audit": ("auditor", "audit.title"), "users": ("sysadmin", "admin.nav.users")}  # fmt: skip


@pytest.mark.parametrize(
    ("device", "lang"), [("desktop", "en"), ("desktop", "ko"), ("Pixel 7", "ko"), ("iPhone 13", "en")]
)
@pytest.mark.parametrize("screen", sorted(SCREENS))
async def test_office_screens_pass_axe(new_context, api, shot, screen: str, device: str, lang: str) -> None:
    """Issue #7's bar: axe-core 0 violations (WCAG 2.2 A/AA) with every form opened, in both languages, on a
    desktop and a phone; STAT-1 and AUD-1 screens included."""
    role, title = SCREENS[screen]
    staff = await signed_in(
        new_context, await make_person(api, role, TEAM.get(role)), device=device, lang=lang, path=f"#/{screen}"
    )
    page = staff.page
    await staff.heading(staff.t(title))
    assert await page.locator("html").get_attribute("lang") == lang
    if screen == "statistics":
        await page.locator(".chart-box canvas").first.wait_for()
    if screen == "audit":
        await page.get_by_role("button", name=staff.t("audit.verify.button")).click()
        await page.locator(".verdict").wait_for()
    for summary in await page.locator("details > summary").all():
        await summary.click()
    await staff.accessible(f"{screen} on {device}")
    overflow = await page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{screen} scrolls sideways on {device} by {overflow}px"
    await shot(page, f"{screen}-{device.replace(' ', '-')}-{lang}")
