"""MAN-3 in a real browser: the prevention & education team schedules the yearly prevention training, records
attendance by pasting employee numbers (an unknown number records nothing and says so), and sees completion for
the organisation and its unit. axe-core on the screen."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

from playwright.async_api import expect

from tests.e2e.dashboard import hr_token, make_person, signed_in


async def small_org(api) -> tuple[str, str, list[str]]:  # type: ignore[no-untyped-def]
    """An organisation with one unit of three active employees, sent by the personnel system's sync."""
    tag = uuid.uuid4().hex[:8].upper()
    org, unit = f"ORG-{tag}", f"U-{tag}"
    numbers = [f"E-{tag}-{i:03d}" for i in range(3)]
    snapshot = {
        "as_of": datetime.now(UTC).isoformat(),
        "organisations": [{"id": org, "name": f"Org {tag}", "kind": "smg"}],
        "units": [{"id": unit, "organisation": org, "name": f"Unit {tag}"}],
        "employees": [{"employee_number": n, "organisation": org, "unit": unit, "status": "active"} for n in numbers],
    }
    headers = {"Authorization": f"Bearer {await hr_token(api)}"}
    synced = await api.client.post("/personnel/sync", params={"mode": "upsert"}, json=snapshot, headers=headers)
    assert synced.status_code == 200, synced.text
    return tag, org, numbers


async def test_man_3_the_education_team_schedules_records_and_sees_completion(new_context, api, screenshot) -> None:
    """MAN-3: schedule a session, paste employee numbers (one unknown: nothing recorded, said in our words), record
    them, and read completion per organisation and unit (exact for the case team)."""
    tag, _, numbers = await small_org(api)
    lead = await make_person(api, "team_lead", "prevention_education")
    staff = await signed_in(new_context, lead, path="#/education")
    page = staff.page
    await staff.heading(staff.t("admin.nav.education"))
    await expect(page.locator("#nav a", has_text=staff.t("admin.nav.education"))).to_be_visible()

    title = f"Prevention {tag}"
    await page.fill("#edu-title", title)
    await page.fill("#edu-day", date.today().isoformat())
    await page.get_by_role("button", name=staff.t("edu.create.submit")).click()
    await expect(page.locator("#edu-note")).to_have_text(staff.t("edu.create.done", title=title))

    await page.select_option("#edu-session", label=f"{page_day(staff)} · {title}")
    await page.fill("#edu-numbers", f"{numbers[0]}\n{numbers[1]}, NOPE-{tag}")
    await page.get_by_role("button", name=staff.t("edu.attend.submit")).click()
    await expect(page.locator("#edu-attend-problem [role=alert]")).to_have_text(staff.t("edu.err.unknown-employee"))
    await page.fill("#edu-numbers", f"{numbers[0]}\n{numbers[1]}, {numbers[0]}")
    await page.get_by_role("button", name=staff.t("edu.attend.submit")).click()
    await expect(page.locator("#edu-note")).to_have_text(staff.t("edu.attend.done", recorded="2", again="0"))

    org_row = page.locator("table").first.locator("tr", has_text=f"Org {tag}")
    await expect(org_row.locator("td")).to_have_text(["3", "2", "66.7 %"])
    unit_row = page.locator("table").first.locator("tr", has_text=f"Unit {tag}")
    await expect(unit_row.locator("td")).to_have_text(["3", "2", "66.7 %"])
    session_row = page.locator("tr", has_text=title)
    await expect(session_row).to_contain_text(staff.t("edu.kind.yearly_prevention"))
    await staff.accessible("education")
    await screenshot(page, "education")


def page_day(staff) -> str:  # type: ignore[no-untyped-def]
    """Today as the dashboard writes a day (formatDate, en: "3 December 2026")."""
    today = date.today()
    return f"{today.day} {today.strftime('%B')} {today.year}"
