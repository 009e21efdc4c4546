"""Secondary damage (SD-1, SD-2): reported through the inbox of the original case, or by anyone with its
reference; a case of its own, linked to the original and handled by the original's team."""

from __future__ import annotations

import uuid

from sqlalchemy import LargeBinary, select, type_coerce

from app.db.models import Case, Report
from app.domain.enums import Role, Team
from tests.api.test_sanctions import OPINION, decide, move, staff_headers
from tests.builders import case_id_for, inbox_headers, make_report
from tests.directory import make_org

SD_NARRATIVE = "Since I reported, colleagues laugh when I enter and say I invented it to get attention."


async def original(client, uow_factory, **report):  # type: ignore[no-untyped-def]
    """A victim's report (intake & counselling) and that team's lead (on staff before it comes in: issue 18)."""
    _, lead = await staff_headers(client, uow_factory, Role.team_lead)
    body = await make_report(
        client,
        reporter_kind="victim",
        identity_mode="confidential",
        reporter={"name": "CANARY-SD-VICTIM"},
        **report,
    )
    return body, lead, await case_id_for(client, lead, body["case_reference"])


async def stored_case(uow_factory, reference: str) -> Case:  # type: ignore[no-untyped-def]
    async with uow_factory() as uow:
        case = await uow.session.scalar(select(Case).where(Case.reference == reference))
        uow.session.expunge(case)  # read after the unit of work ends
        return case


async def test_sd_2_the_victim_reports_secondary_damage_in_the_inbox(client, uow_factory) -> None:
    """SD-1, SD-2: reported in the inbox of the original case, it opens a case of its own — secondary damage,
    linked to the original, for the same team — with its own narrative; the inbox shows its status."""
    body, lead, case_id = await original(client, uow_factory)
    inbox = await inbox_headers(client, body["receipt_code"])
    response = await client.post(
        "/api/v1/inbox/secondary-damage",
        json={
            "narrative": SD_NARRATIVE,
            "kinds": ["ridicule", "rumours"],
            "respondent": {"description": "my desk neighbour"},
        },
        headers=inbox,
    )
    assert response.status_code == 201, response.text
    receipt = response.json()
    assert receipt["status"] == "received" and receipt["case_reference"] != body["case_reference"]
    assert "receipt_code" not in receipt  # followed in the same inbox

    sd = await stored_case(uow_factory, receipt["case_reference"])
    assert (sd.category, sd.origin, sd.team, str(sd.parent_case_id)) == (
        "secondary_damage",
        "secondary_damage_report",
        "intake_counselling",
        case_id,
    )
    view = (await client.get(f"/api/v1/cases/{sd.id}", headers=lead)).json()
    assert view["parent_case_id"] == case_id and view["origin"] == "secondary_damage_report"
    parent = (await client.get(f"/api/v1/cases/{case_id}", headers=lead)).json()
    assert [(c["id"], c["reference"]) for c in parent["secondary_damage_cases"]] == [(str(sd.id), sd.reference)]
    assert view["reports"][0]["narrative"] == SD_NARRATIVE
    assert view["reports"][0]["details"]["kinds"] == ["ridicule", "rumours"]
    assert view["reports"][0]["reporter_kind"] == "victim"
    assert {d["kind"]: d["met_on"] is not None for d in view["deadlines"]} == {
        "acknowledgement": True,
        "triage": False,
        "feedback": False,  # CASE-2: its reporter is owed feedback like any reporter (defect 7)
        "investigation": False,
    }
    assert view["messages"][0]["author"] == "system"

    shown = (await client.get("/api/v1/inbox", headers=inbox)).json()
    listed = [(c["reference"], c["status"], c["can_write"]) for c in shown["secondary_damage_cases"]]
    assert listed == [(receipt["case_reference"], "received", True)]
    await move(client, lead, str(sd.id), "triaged")  # a case of its own: the full lifecycle applies
    shown = (await client.get("/api/v1/inbox", headers=inbox)).json()
    assert [(c["reference"], c["status"]) for c in shown["secondary_damage_cases"]] == [
        (receipt["case_reference"], "triaged")
    ]
    assert shown["case_reference"] == body["case_reference"]  # the inbox is still the original's

    other_team = (await staff_headers(client, uow_factory, Role.intake, Team.investigation))[1]
    assert (await client.get(f"/api/v1/cases/{sd.id}", headers=other_team)).status_code == 404
    async with uow_factory() as uow:
        actions = [e.action for e in await uow.audit.for_case(sd.id)]
    assert "secondary_damage.reported" in actions


async def test_sd_2_an_employee_respondent_is_linked_for_recusal_and_sanctions(client, uow_factory) -> None:
    """SD-2, CASE-3: a respondent named by employee number is the SD case's respondent in the directory; the
    victim can give an opinion on that case's discipline from the same inbox (CASE-6)."""
    org = await make_org(uow_factory, units={"U": None}, people={"colleague": ("U", None)})
    body, lead, _ = await original(client, uow_factory)
    inbox = await inbox_headers(client, body["receipt_code"])
    receipt = (
        await client.post(
            "/api/v1/inbox/secondary-damage",
            json={"narrative": SD_NARRATIVE, "respondent": {"employee_number": org.employees["colleague"]}},
            headers=inbox,
        )
    ).json()
    sd = await stored_case(uow_factory, receipt["case_reference"])
    assert sd.respondent_employee_id == org.ids["colleague"]
    given = await client.post(
        "/api/v1/inbox/victim-opinion",
        json={"text": OPINION, "case_reference": receipt["case_reference"].lower()},
        headers=inbox,
    )
    assert given.status_code == 201 and given.json()["case_reference"] == receipt["case_reference"]
    opinions = (await client.get(f"/api/v1/cases/{sd.id}/victim-opinion", headers=lead)).json()
    assert [o["recorded_by"] for o in opinions] == ["victim"]
    # Another case's reference (not reported through this inbox) is not found.
    stranger = await make_report(client)
    refused = await client.post(
        "/api/v1/inbox/victim-opinion",
        json={"text": OPINION, "case_reference": stranger["case_reference"]},
        headers=inbox,
    )
    assert refused.status_code == 404


async def test_sd_2_anyone_reports_with_the_reference_and_it_goes_to_the_original_team(client, uow_factory) -> None:
    """SD-2: anyone else reports anonymously with the case reference (entered in any case): the report is linked
    to the original and handled by the original's team, not by the team secondary damage is routed to."""
    body, lead, case_id = await original(client, uow_factory)
    answer = await make_report(
        client,
        category="secondary_damage",
        original_case_reference=f"  {body['case_reference'].lower()} ",
        narrative=SD_NARRATIVE,
    )
    sd = await stored_case(uow_factory, answer["case_reference"])
    assert (str(sd.parent_case_id), sd.team, sd.origin) == (case_id, "intake_counselling", "secondary_damage_report")
    await decide(client, uow_factory, lead, str(sd.id))  # the full lifecycle applies
    # The original's reporter does not see reports others made with the reference.
    inbox = await inbox_headers(client, body["receipt_code"])
    assert (await client.get("/api/v1/inbox", headers=inbox)).json()["secondary_damage_cases"] == []
    # The reporter follows it with their own receipt code.
    own = (await client.get("/api/v1/inbox", headers=await inbox_headers(client, answer["receipt_code"]))).json()
    assert own["case_reference"] == answer["case_reference"] and own["status"] == "decided"


async def test_sd_2_an_unknown_reference_is_answered_like_a_known_one(client, uow_factory) -> None:
    """SD-2: a wrong reference reveals nothing: the report is accepted with the same answer, routed as usual
    (secondary damage → investigation) without a parent; the reference entered is kept for the team."""
    _, investigator = await staff_headers(client, uow_factory, Role.investigator, Team.investigation)
    body, _, _ = await original(client, uow_factory)
    known = await make_report(client, category="secondary_damage", original_case_reference=body["case_reference"])
    unknown = await make_report(client, category="secondary_damage", original_case_reference="WU-00000-00000")
    assert (
        set(known) == set(unknown) and known["status"] == unknown["status"] and known["message"] == unknown["message"]
    )
    sd = await stored_case(uow_factory, unknown["case_reference"])
    assert (sd.parent_case_id, sd.team, sd.origin) == (None, "investigation", "report")
    view = (await client.get(f"/api/v1/cases/{sd.id}", headers=investigator)).json()
    assert view["reports"][0]["details"]["original_case_reference"] == "WU-00000-00000"


async def test_sd_2_a_reference_only_with_secondary_damage_and_in_its_shape(client) -> None:
    """SD-2: a reference with another category is refused (422), as is one not shaped like a reference; nothing
    is created."""
    wrong_category = await client.post(
        "/api/v1/reports",
        json={
            "reporter_kind": "third_party",
            "identity_mode": "anonymous",
            "narrative": SD_NARRATIVE,
            "category": "sexual_harassment",
            "original_case_reference": "WU-00000-00000",
        },
    )
    assert wrong_category.status_code == 422
    assert wrong_category.json()["code"] == "reference-only-for-secondary-damage"
    malformed = await client.post(
        "/api/v1/reports",
        json={
            "reporter_kind": "third_party",
            "identity_mode": "anonymous",
            "narrative": SD_NARRATIVE,
            "category": "secondary_damage",
            "original_case_reference": "case 12",
        },
    )
    assert malformed.status_code == 422 and malformed.json()["code"] == "validation-failed"


async def test_sd_2_a_sealed_original_takes_no_link(client, uow_factory) -> None:
    """SD-2, CASE-8: a case held in escrow is seen by nobody: its inbox refuses a linked report (409, the
    reporter can report anew), and a report naming its reference is routed without a link."""
    org = await make_org(uow_factory, units={"U": None}, people={"resp": ("U", None)})
    sealed = await make_report(client, escrow=True, respondent={"employee_number": org.employees["resp"]})
    inbox = await inbox_headers(client, sealed["receipt_code"])
    refused = await client.post("/api/v1/inbox/secondary-damage", json={"narrative": SD_NARRATIVE}, headers=inbox)
    assert refused.status_code == 409 and refused.json()["code"] == "original-sealed"
    answer = await make_report(client, category="secondary_damage", original_case_reference=sealed["case_reference"])
    sd = await stored_case(uow_factory, answer["case_reference"])
    assert sd.parent_case_id is None and sd.team == "investigation"
    assert (await stored_case(uow_factory, sealed["case_reference"])).sealed is True


async def test_sd_2_bad_inbox_reports_write_nothing(client, uow_factory) -> None:
    """SD-1, SD-2: no token → 401; a narrative too short, an unknown kind or an unknown field → 422; nothing is
    created."""
    body, _, case_id = await original(client, uow_factory)
    inbox = await inbox_headers(client, body["receipt_code"])
    assert (await client.post("/api/v1/inbox/secondary-damage", json={"narrative": SD_NARRATIVE})).status_code == 401
    staff = (await staff_headers(client, uow_factory, Role.team_lead))[1]
    assert (
        await client.post("/api/v1/inbox/secondary-damage", json={"narrative": SD_NARRATIVE}, headers=staff)
    ).status_code == 401
    for bad in (
        {"narrative": "too short"},
        {"narrative": SD_NARRATIVE, "kinds": ["gossip"]},
        {"narrative": SD_NARRATIVE, "where": "office"},
        {"narrative": "x" * 20_001},
    ):
        response = await client.post("/api/v1/inbox/secondary-damage", json=bad, headers=inbox)
        assert response.status_code == 422, bad
    async with uow_factory() as uow:
        children = (await uow.session.scalars(select(Case).where(Case.parent_case_id == uuid.UUID(case_id)))).all()
        assert children == []


async def test_acc_2_the_secondary_damage_narrative_is_encrypted(client, uow_factory) -> None:
    """ACC-2: the SD report's narrative is stored encrypted like any report's."""
    body, _, _ = await original(client, uow_factory)
    inbox = await inbox_headers(client, body["receipt_code"])
    canary = "CANARY-SD-NARRATIVE " + SD_NARRATIVE
    answer = await client.post("/api/v1/inbox/secondary-damage", json={"narrative": canary}, headers=inbox)
    sd = await stored_case(uow_factory, answer.json()["case_reference"])
    async with uow_factory() as uow:
        raw = await uow.session.scalar(
            select(type_coerce(Report.__table__.c.narrative, LargeBinary())).where(Report.case_id == sd.id)
        )
    assert b"CANARY-SD-NARRATIVE" not in bytes(raw)


# --- CASE-4 / SD-2: the conversation of a case reported through the inbox (rules audit defect 7) ------------------


async def inbox_sd_case(client, uow_factory):  # type: ignore[no-untyped-def]
    """A victim's original case, and a secondary-damage case reported through its inbox."""
    body, lead, case_id = await original(client, uow_factory)
    inbox = await inbox_headers(client, body["receipt_code"])
    answer = await client.post("/api/v1/inbox/secondary-damage", json={"narrative": SD_NARRATIVE}, headers=inbox)
    assert answer.status_code == 201, answer.text
    sd = await stored_case(uow_factory, answer.json()["case_reference"])
    return body, lead, case_id, inbox, sd


async def test_sd_2_case_4_a_reply_on_the_secondary_damage_case_reaches_the_reporter(client, uow_factory) -> None:
    """SD-2, CASE-4, CASE-2 (defect 7): the team's reply on a secondary-damage case reported through the inbox
    is shown in that inbox, marked with the case it belongs to; it meets that case's feedback deadline; the
    reporter answers on it (by its reference), and the answer lands on the secondary-damage case. The case is
    linked to the reporter's own case."""
    body, lead, case_id, inbox, sd = await inbox_sd_case(client, uow_factory)
    assert str(sd.parent_case_id) == case_id
    sent = await client.post(
        f"/api/v1/cases/{sd.id}/messages", json={"body": "PROBE: we are looking into it."}, headers=lead
    )
    assert sent.status_code == 201, sent.text
    outcome = {"body": "PROBE: this is what we did.", "feedback": True}  # CASE-2: feedback on the outcome
    assert (await client.post(f"/api/v1/cases/{sd.id}/messages", json=outcome, headers=lead)).status_code == 201
    await client.post(f"/api/v1/cases/{sd.id}/messages", json={"body": "NOTE-sd", "internal": True}, headers=lead)

    shown = (await client.get("/api/v1/inbox", headers=inbox)).json()
    by_case = [(m["case_reference"], m["author"], m["body"]) for m in shown["messages"]]
    assert (sd.reference, "staff", "PROBE: we are looking into it.") in by_case
    assert all(b != "NOTE-sd" for _, _, b in by_case)
    assert {ref for ref, _, _ in by_case} == {body["case_reference"], sd.reference}
    sd_entry = shown["secondary_damage_cases"][0]
    assert sd_entry["reference"] == sd.reference and sd_entry["can_write"] is True
    feedback = next(d for d in sd_entry["deadlines"] if d["kind"] == "feedback")
    assert feedback["met_on"] is not None

    answered = await client.post(
        "/api/v1/inbox/messages", json={"body": "Thank you.", "case_reference": sd.reference.lower()}, headers=inbox
    )
    assert answered.status_code == 201, answered.text
    assert answered.json()["case_reference"] == sd.reference
    view = (await client.get(f"/api/v1/cases/{sd.id}", headers=lead)).json()
    assert [m["body"] for m in view["messages"] if m["author"] == "reporter"] == ["Thank you."]
    original_view = (await client.get(f"/api/v1/cases/{case_id}", headers=lead)).json()
    assert "Thank you." not in [m["body"] for m in original_view["messages"]]
    stranger = await make_report(client)
    refused = await client.post(
        "/api/v1/inbox/messages",
        json={"body": "Hello.", "case_reference": stranger["case_reference"]},
        headers=inbox,
    )
    assert refused.status_code == 404


async def test_case_4_secondary_damage_after_closing_is_reported_and_answered(client, uow_factory) -> None:
    """CASE-4, SD-2, RET-1: after the original case is closed its inbox is read-only for it, yet the reporter
    still reports secondary damage there (harm comes later: the watch runs 3 years after closing) and writes on
    that open case; once that case is closed too, it is read-only as well."""
    body, lead, case_id, inbox, _ = await inbox_sd_case(client, uow_factory)
    async with uow_factory() as uow:
        (await uow.cases.case(uuid.UUID(case_id))).status = "closed"
        await uow.commit()
    late = await client.post("/api/v1/inbox/secondary-damage", json={"narrative": SD_NARRATIVE}, headers=inbox)
    assert late.status_code == 201, late.text
    reference = late.json()["case_reference"]
    refused = await client.post("/api/v1/inbox/messages", json={"body": "About the original."}, headers=inbox)
    assert refused.status_code == 409 and refused.json()["code"] == "case-closed"
    written = await client.post(
        "/api/v1/inbox/messages", json={"body": "More about it.", "case_reference": reference}, headers=inbox
    )
    assert written.status_code == 201, written.text
    shown = (await client.get("/api/v1/inbox", headers=inbox)).json()
    assert shown["can_write"] is False
    assert {c["reference"]: c["can_write"] for c in shown["secondary_damage_cases"]}[reference] is True
    async with uow_factory() as uow:
        (await uow.session.scalar(select(Case).where(Case.reference == reference))).status = "closed"
        await uow.commit()
    closed = await client.post(
        "/api/v1/inbox/messages", json={"body": "Once more.", "case_reference": reference}, headers=inbox
    )
    assert closed.status_code == 409 and closed.json()["code"] == "case-closed"
    opinion = await client.post(
        "/api/v1/inbox/victim-opinion", json={"text": OPINION, "case_reference": reference}, headers=inbox
    )
    assert opinion.status_code == 409 and opinion.json()["code"] == "case-closed"
