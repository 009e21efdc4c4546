"""Issue 13 (rules audit defect 8) in a real browser: the reporter's app sends every input a rule acts on — the
victim's employee number (SEP-1), witnesses and helpers by employee number (RET-1), escrow (CASE-8), a publicity
ambassador (AMB-2), secondary damage with the case number given (SD-2) — each explained in one sentence, shown on
"Check and send", and acted on by the server. Both languages; axe on every screen with the new inputs."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime

from playwright.async_api import expect

from tests.e2e.browser import StaffApi
from tests.e2e.dashboard import hr_token
from tests.e2e.reporter import Reporter, open_app

REFERENCE = re.compile(r"WU-[0-9A-Z]{5}-[0-9A-Z]{5}")


async def employees(api: StaffApi, *names: str) -> dict[str, str]:
    """New active employees of an organisation of their own, put into the directory by the personnel system."""
    tag = uuid.uuid4().hex[:8].upper()
    numbers = {name: f"E-{tag}-{i}" for i, name in enumerate(names)}
    snapshot = {
        "as_of": datetime.now(UTC).isoformat(),
        "organisations": [{"id": f"ORG-{tag}", "name": f"Org {tag}", "kind": "smg"}],
        "employees": [
            {"employee_number": n, "organisation": f"ORG-{tag}", "status": "active"} for n in numbers.values()
        ],
    }
    synced = await api.client.post(
        "/personnel/sync", params={"mode": "upsert"}, json=snapshot, headers=await hr_headers(api)
    )
    assert synced.status_code == 200, synced.text
    return numbers


async def hr_headers(api: StaffApi) -> dict[str, str]:
    return {"Authorization": f"Bearer {await hr_token(api)}"}


async def details(r: Reporter, kind: str = "third_party") -> None:
    """From the start page to the details opened: an anonymous report of `kind`, the narrative written."""
    await r.write(kind, "anonymous")
    await r.page.get_by_text(r.t("report.details")).click()


async def hint_shown(r: Reporter, key: str) -> None:
    await expect(r.page.get_by_text(r.t(key), exact=True)).to_be_visible()


async def check_and_send(r: Reporter, *shown: str) -> tuple[str, str]:
    """From the details to the receipt; "Check and send" lists each of `shown`. The receipt code and reference."""
    await r.tap("next")
    await r.heading(r.t("report.review.title"))
    summary = r.page.locator("dl.review")
    for text in shown:
        await expect(summary).to_contain_text(text)
    await r.accessible("review")
    await r.tap("report.send")
    await r.heading(r.t("receipt.title"))
    code = (await r.page.locator("#receipt-code").text_content() or "").strip()
    receipt = await r.page.get_by_text(REFERENCE).text_content() or ""
    match = REFERENCE.search(receipt)
    assert match, receipt
    return code, match.group(0)


async def test_sep_1_a_third_party_names_victim_and_respondent_and_an_order_opens(new_context, api, screenshot) -> None:
    """SEP-1: a third party gives both employee numbers in the app (the victim's with its sentence); the case's
    separation order is active at once."""
    n = await employees(api, "victim", "respondent")
    r = await open_app(new_context, "Pixel 7", "ko")
    await details(r)
    await r.page.fill("#f-respondent_number", n["respondent"])
    await r.page.fill("#f-victim_number", n["victim"])
    await hint_shown(r, "details.victim.number.hint")
    await hint_shown(r, "details.respondent.number.hint")
    await r.accessible("what, victim's number")
    await screenshot(r.page, "what")
    _, ref = await check_and_send(r, n["victim"], n["respondent"])

    case = await api.case_by_reference(ref)
    view = await api.get(f"/cases/{case['id']}/separation", staff="head")
    assert view.status_code == 200, view.text
    (order,) = view.json()["orders"]
    assert order["status"] == "active"
    assert order["respondent_employee_number"] == n["respondent"]  # the victim: by pseudonym only (CASE-5)


async def test_ret_1_witnesses_and_helpers_named_by_number_are_protected(new_context, api, screenshot) -> None:
    """RET-1, RET-2: a witness and two helpers named by employee number (several in one field) are sent as such and
    are the case's protected persons: an adverse personnel event about a helper opens a review linked to the case,
    and one about the witness another."""
    n = await employees(api, "witness", "helper", "helper2")
    r = await open_app(new_context, "iPhone 13", "en")
    await details(r)
    await r.page.fill("#f-witnesses", "The colleague at the next desk")
    await r.page.fill("#f-witness_numbers", n["witness"])
    await r.page.fill("#f-helper_numbers", f"{n['helper']}, {n['helper2']}")
    await hint_shown(r, "details.witness_numbers.hint")
    await hint_shown(r, "details.helper_numbers.hint")
    await r.accessible("what, witnesses and helpers")
    await screenshot(r.page, "what")
    _, ref = await check_and_send(r, n["witness"], f"{n['helper']}, {n['helper2']}")

    case = await api.case_by_reference(ref)
    report = (await api.get(f"/cases/{case['id']}", staff="head")).json()["reports"][0]["details"]
    assert report["witnesses"] == [{"description": "The colleague at the next desk"}, {"employee_number": n["witness"]}]
    assert report["helpers"] == [{"employee_number": n["helper"]}, {"employee_number": n["helper2"]}]
    hr = await hr_headers(api)
    for who in ("helper", "witness"):
        event = {
            "event_id": f"ev-{uuid.uuid4().hex}",
            "employee_number": n[who],
            "kind": "duties_removed",
            "effective_at": datetime.now(UTC).isoformat(),
        }
        sent = await api.client.post("/personnel/events", json=[event], headers=hr)
        assert sent.status_code == 200 and sent.json()["results"][0]["outcome"] == "recorded", sent.text
    reviews = (await api.get(f"/cases/{case['id']}", staff="head")).json()["secondary_damage_cases"]
    assert len(reviews) == 2


async def test_case_8_escrow_chosen_in_the_app_seals_the_report(new_context, api, screenshot) -> None:
    """CASE-8: escrow is explained in one sentence (nothing happens until a second report); without the
    respondent's employee number the app says why it cannot be sealed; sent, the report is sealed: the inbox says
    so and no one on the case team finds it."""
    r = await open_app(new_context, "Pixel 7", "ko")
    await details(r, kind="victim")
    await r.choose("#f-escrow")
    await hint_shown(r, "details.escrow.hint")
    await r.tap("next")
    await expect(r.page.get_by_role("alert")).to_have_text(r.t("report.escrow.missing"))
    await r.accessible("what, escrow without a number")
    await screenshot(r.page, "escrow-missing")
    number = f"E-SEAL-{uuid.uuid4().hex[:8].upper()}"
    await r.page.fill("#f-respondent_number", number)
    code, ref = await check_and_send(r, r.t("details.escrow"), number)

    token = await api.inbox_token(code)
    inbox = await api.client.get("/inbox", headers={"Authorization": f"Bearer {token}"})
    assert inbox.status_code == 200 and inbox.json()["sealed"] is True
    queue = await api.get("/cases", staff="head", params={"reference": ref})
    assert queue.status_code == 200 and queue.json()["total"] == 0


async def test_amb_2_a_reporter_picks_an_ambassador_from_the_public_list(new_context, api, screenshot) -> None:
    """AMB-2: the app offers the public list of ambassadors (nothing else of them); the one picked is sent as the
    respondent's `ambassador_id` and the designation is under review."""
    name = f"Ambassador {uuid.uuid4().hex[:6]}"
    made = await api.post("/ambassadors", staff="head", json={"public_name": name})
    assert made.status_code == 201, made.text
    ambassador = made.json()["id"]
    r = await open_app(new_context, "desktop", "en")
    await details(r)
    await r.page.select_option("#f-ambassador_id", label=name)
    await hint_shown(r, "details.ambassador.hint")
    await r.accessible("what, ambassador")
    await screenshot(r.page, "what")
    await check_and_send(r, name)

    status = (await api.get(f"/ambassadors/{ambassador}", staff="head")).json()["status"]
    assert status == "under_review"


async def test_sd_2_secondary_damage_with_the_case_number_is_linked_to_the_original(
    new_context, api, screenshot
) -> None:
    """SD-2: category secondary damage shows the "case number you were given" field with its sentence; a
    malformed number is explained; the report sent is a case of its own linked to the original."""
    original = (await api.submit_report())["case_reference"]
    r = await open_app(new_context, "iPhone 13", "ko")
    await details(r)
    await expect(r.page.locator("#f-original_case_reference")).to_have_count(0)
    await r.page.select_option("#f-category", "secondary_damage")
    await hint_shown(r, "details.reference.hint")
    await r.page.fill("#f-original_case_reference", "WU-12")
    await r.tap("next")
    await expect(r.page.get_by_role("alert")).to_have_text(r.t("report.reference.invalid"))
    await r.page.fill("#f-original_case_reference", original.lower())
    await r.accessible("what, secondary damage")
    await screenshot(r.page, "what")
    _, ref = await check_and_send(r, r.t("category.secondary_damage"), original.lower())

    case = await api.case_by_reference(ref)
    view = (await api.get(f"/cases/{case['id']}", staff="head")).json()
    parent = await api.case_by_reference(original)
    assert (view["category"], view["origin"], view["parent_case_id"]) == (
        "secondary_damage",
        "secondary_damage_report",
        parent["id"],
    )
