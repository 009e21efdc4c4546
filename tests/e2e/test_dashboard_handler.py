"""Issue 14, the case handler's dashboard at 1280×800, in English and Korean: the queue's urgency in colour and
words, newest first, unread markers and the saved filter (CASE-2, CASE-4, INT-1); the case page with what happened
first, two buttons for the reporter and an internal note (CASE-4); the history in words without duplicate reads
(AUD-1); the system administrator's header on one line. axe-core finds nothing."""

from __future__ import annotations

import re
import sqlite3
import uuid
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.async_api import expect

from tests.e2e.browser import StaffApi
from tests.e2e.dashboard import Person, Staff, make_person

DESKTOP = {"width": 1280, "height": 800}
LANGS = pytest.mark.parametrize("lang", ["en", "ko"])


async def at_1280(new_context, person: Person, lang: str, path: str) -> Staff:  # type: ignore[no-untyped-def]
    context = await new_context(device="desktop", locale="ko-KR" if lang == "ko" else "en-US", viewport=DESKTOP)
    staff = Staff(await context.new_page(), person, lang)
    await staff.sign_in(path)
    return staff


async def handled_cases(api: StaffApi, n: int) -> tuple[Person, list[dict[str, str]]]:
    """A new intake officer assigned to `n` new reports (anonymous witnesses), in the order sent."""
    person = await make_person(api, "intake", "intake_counselling")
    cases = []
    for _ in range(n):
        sent = await api.submit_report()
        case = await api.case_by_reference(sent["case_reference"])
        assigned = await api.post(f"/cases/{case['id']}/handlers", staff="head", json={"user_id": person.id})
        assert assigned.status_code == 201, assigned.text
        cases.append({**sent, "id": case["id"]})
    return person, cases


def triage_due(database, case_id: str, due: date) -> None:  # type: ignore[no-untyped-def]
    db = sqlite3.connect(database)
    try:
        with db:
            db.execute(
                "UPDATE case_deadline SET due_on = ? WHERE case_id = ? AND kind = 'triage'",
                (due.isoformat(), uuid.UUID(case_id).hex),
            )
    finally:
        db.close()


@LANGS
async def test_case_2_case_4_queue_urgency_newest_first_unread_and_saved_filter(
    new_context, api, live_server, screenshot, lang: str
) -> None:
    """CASE-2: an overdue deadline says "overdue by 2 days" in red, one due today "D-day · due today" in amber;
    INT-1: the day's cases newest first by arrival; CASE-4: the reporter's message marks the case until its
    messages are opened; the filter applied last comes back when the queue is opened bare, after a reload."""
    person, (older, newer) = await handled_cases(api, 2)
    today = datetime.now(ZoneInfo("Asia/Seoul")).date()
    triage_due(live_server.workdir / "withu.db", older["id"], today - timedelta(days=2))
    triage_due(live_server.workdir / "withu.db", newer["id"], today)
    reporter = {"Authorization": f"Bearer {await api.inbox_token(older['receipt_code'])}"}
    assert (await api.post("/inbox/messages", json={"body": "One more detail."}, headers=reporter)).is_success
    staff = await at_1280(new_context, person, lang, "#/queue?mine=true")
    page = staff.page
    await staff.heading(staff.t("queue.title"))
    rows = page.locator("table.queue tbody tr")
    await expect(rows).to_have_count(2)
    await expect(rows.nth(0).locator("th")).to_contain_text(newer["case_reference"])
    await expect(rows.nth(1).locator("th")).to_contain_text(older["case_reference"])
    await expect(rows.nth(0).locator(".badge.urgency.due-today")).to_have_text(staff.t("queue.dday"))
    await expect(rows.nth(1).locator(".badge.urgency.overdue")).to_have_text(staff.t("queue.late", n="2"))
    await expect(rows.nth(1).locator(".badge.unread")).to_have_text(staff.t("queue.unread"))
    await expect(rows.nth(0).locator(".badge.unread")).to_have_count(0)
    colours = await rows.nth(1).locator(".badge.urgency").evaluate("e => getComputedStyle(e).backgroundColor")
    assert colours == "rgb(161, 38, 27)"  # --alert, white text: contrast 7:1
    await staff.accessible("queue")
    await screenshot(page, f"queue-{lang}")

    await page.get_by_label(staff.t("queue.status")).select_option("received")
    await page.get_by_role("button", name=staff.t("queue.apply")).click()
    await expect(page).to_have_url(re.compile(r"status=received"))
    await page.goto("/admin/#/queue")
    await page.reload()
    await staff.heading(staff.t("queue.title"))
    await expect(page).to_have_url(re.compile(r"mine=true.*status=received|status=received.*mine=true"))
    await expect(page.get_by_label(staff.t("queue.status"))).to_have_value("received")

    await page.goto(f"/admin/#/case/{older['id']}?tab=messages")
    await expect(page.get_by_text("One more detail.")).to_be_visible()
    await page.goto("/admin/#/queue?mine=true")
    await expect(rows).to_have_count(2)
    await expect(page.locator("table.queue .badge.unread")).to_have_count(0)


@LANGS
async def test_case_4_aud_1_case_page_what_happened_first_two_buttons_and_history_in_words(
    new_context, api, screenshot, lang: str
) -> None:
    """The case opens with what happened (the narrative) above status and deadlines; an anonymous witness's
    report says no identity exists. CASE-4: "Save as an internal note" never reaches the reporter's inbox, "Send
    to the reporter" does. AUD-1: the history in words, no raw action codes, the reporter's day without a time,
    repeated reads of one person one line with a count."""
    person, (case,) = await handled_cases(api, 1)
    staff = await at_1280(new_context, person, lang, f"#/case/{case['id']}")
    page = staff.page
    await staff.heading(staff.t("case.title", ref=case["case_reference"]))
    narrative = page.locator(".narrative")
    await expect(narrative).to_be_visible()
    first = await page.locator("#view section h2").first.text_content()
    assert first == staff.t("case.reports")
    deadlines = page.get_by_role("heading", name=staff.t("case.deadlines"), exact=True)
    assert (await narrative.bounding_box())["y"] < (await deadlines.bounding_box())["y"]  # type: ignore[index]
    await expect(page.get_by_text(staff.t("case.identity.none"))).to_be_visible()
    await expect(page.get_by_text(staff.t("case.identity.visible"))).to_have_count(0)
    await staff.accessible("case")
    await screenshot(page, f"case-{lang}")

    await page.get_by_role("link", name=staff.t("case.tab.messages")).click()
    await expect(page.locator("#msg-internal")).to_have_count(0)
    note, reply = f"Internal only {uuid.uuid4().hex[:8]}", f"To the reporter {uuid.uuid4().hex[:8]}"
    await page.get_by_label(staff.t("case.msg.body")).fill(note)
    await page.get_by_role("button", name=staff.t("case.msg.saveNote")).click()
    await expect(page.locator("#view").get_by_text(staff.t("case.msg.noted"))).to_be_visible()
    await page.get_by_label(staff.t("case.msg.body")).fill(reply)
    await page.get_by_role("button", name=staff.t("case.msg.send"), exact=True).click()
    await expect(page.locator("#view").get_by_text(staff.t("case.msg.sent"))).to_be_visible()
    await staff.accessible("messages")
    reporter = {"Authorization": f"Bearer {await api.inbox_token(case['receipt_code'])}"}
    inbox = (await api.get("/inbox", headers=reporter)).json()
    bodies = [m["body"] for m in inbox["messages"]]
    assert reply in bodies and note not in bodies

    for _ in range(2):
        await page.reload()
        await expect(page.get_by_text(reply)).to_be_visible()
    await page.get_by_role("link", name=staff.t("case.tab.timeline")).click()
    table = page.locator("#view table")
    await expect(table).to_be_visible()
    await expect(table.locator("code")).to_have_count(0)
    text = await table.locator("tbody").inner_text()
    assert not re.search(r"\b(report|message|case|inbox)\.[a-z_]+", text), text
    assert staff.t("case.tl.a.report.submitted") in text and staff.t("case.tl.a.case.note_added") in text
    cells = [
        (await r.locator("td").nth(1).inner_text(), await r.locator("td").nth(2).inner_text())
        for r in await table.locator("tbody tr").all()
    ]
    assert all(a != b for a, b in zip(cells, cells[1:], strict=False)), "no two lines of the same read by one person"
    assert any(staff.t("case.tl.times", n="2") in what or staff.t("case.tl.times", n="3") in what for what, _ in cells)
    submitted = table.locator("tr", has_text=staff.t("case.tl.a.report.submitted"))
    await expect(submitted.locator("td").first).to_contain_text(staff.t("case.tl.dayOnly"))
    await expect(submitted.locator("td").first).not_to_contain_text(re.compile(r"\d{1,2}:\d\d"))
    await staff.accessible("history")


@LANGS
async def test_the_system_administrators_header_is_one_line_at_1280(new_context, api, lang: str) -> None:
    """Issue 14: at 1280 px the signed-in system administrator's header holds the menu, the language switch, the
    name and both sign-out buttons on one line."""
    staff = await at_1280(new_context, await make_person(api, "sysadmin", name="Oh Sysadmin (demo)"), lang, "")
    page = staff.page
    await expect(page.locator("#signout-all")).to_be_visible()
    tops = await page.eval_on_selector_all(
        "header.bar > :not([hidden]), #nav a", "els => els.map((e) => Math.round(e.getBoundingClientRect().top))"
    )
    bottoms = await page.eval_on_selector_all(
        "header.bar > :not([hidden]), #nav a", "els => els.map((e) => Math.round(e.getBoundingClientRect().bottom))"
    )
    assert max(tops) < min(bottoms), f"the header wraps ({lang}): tops {tops}, bottoms {bottoms}"
    height = await page.locator("header.bar").evaluate("e => e.getBoundingClientRect().height")
    assert height < 90, height
