"""Identity protection (CASE-5), interim protective measures (CASE-7), repeat respondents and escrow (CASE-8)."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from app.db.models import AuditEntry, Case
from app.domain.enums import Role, Team
from tests.builders import case_id_for, inbox_headers, login, make_report, make_staff

VICTIM = {"name": "CANARY-VICTIM-NAME", "employee_number": "E-CANARY-V"}


async def staff(client, uow_factory, role: Role, team: Team | None = Team.intake_counselling):  # type: ignore[no-untyped-def]
    member = await make_staff(uow_factory, role=role, team=team)
    return member, await login(client, member)


async def victim_report(client) -> dict:  # type: ignore[no-untyped-def]
    return await make_report(client, reporter_kind="victim", identity_mode="confidential", reporter=VICTIM)


async def test_case_5_identity_only_for_the_assigned_team_and_after_approval(client, uow_factory) -> None:
    """CASE-5: a team member outside the assigned team sees a pseudonym; asks with a reason; a second person
    approves with the victim's consent recorded; then sees the identity. Every step is audited."""
    # issue 18: the readers exist when the report comes in, so its key is wrapped for them
    asker, asker_h = await staff(client, uow_factory, Role.intake)
    lead, lead_h = await staff(client, uow_factory, Role.team_lead)
    body = await victim_report(client)
    case_id = await case_id_for(client, lead_h, body["case_reference"])

    assigned_view = (await client.get(f"/api/v1/cases/{case_id}", headers=lead_h)).json()
    assert assigned_view["identity_visible"] is True
    assert assigned_view["reports"][0]["reporter"]["name"] == VICTIM["name"]

    masked = (await client.get(f"/api/v1/cases/{case_id}", headers=asker_h)).json()
    assert masked["identity_visible"] is False
    assert masked["reports"][0]["reporter"] == {"pseudonym": masked["victim_pseudonym"]}
    assert "CANARY-VICTIM" not in str(masked)

    short = await client.post(f"/api/v1/cases/{case_id}/disclosures", json={"reason": "need"}, headers=asker_h)
    assert short.status_code == 422
    request = await client.post(
        f"/api/v1/cases/{case_id}/disclosures",
        json={"reason": "I must call the victim to arrange the hearing."},
        headers=asker_h,
    )
    assert request.status_code == 201 and request.json()["status"] == "pending"
    request_id = request.json()["id"]
    pending = (await client.get("/api/v1/approvals/disclosures", headers=lead_h)).json()
    assert request_id in {p["id"] for p in pending}

    own = await client.post(
        f"/api/v1/cases/{case_id}/disclosures/{request_id}/decision",
        json={"approve": True, "victim_consent": "given"},
        headers=asker_h,
    )
    assert own.status_code == 403  # an intake officer does not decide, and never their own request
    no_consent = await client.post(
        f"/api/v1/cases/{case_id}/disclosures/{request_id}/decision", json={"approve": True}, headers=lead_h
    )
    assert no_consent.status_code == 422 and no_consent.json()["code"] == "victim-consent-needed"
    approved = await client.post(
        f"/api/v1/cases/{case_id}/disclosures/{request_id}/decision",
        json={"approve": True, "victim_consent": "given"},
        headers=lead_h,
    )
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    again = await client.post(
        f"/api/v1/cases/{case_id}/disclosures/{request_id}/decision",
        json={"approve": False},
        headers=lead_h,
    )
    assert again.status_code == 409
    revealed = (await client.get(f"/api/v1/cases/{case_id}", headers=asker_h)).json()
    assert revealed["identity_visible"] is True
    assert revealed["reports"][0]["reporter"]["name"] == VICTIM["name"]
    async with uow_factory() as uow:
        actions = [e.action for e in await uow.audit.for_case(uuid.UUID(case_id))]
    assert {"identity.disclosure_requested", "identity.disclosure_approved"} <= set(actions)


async def test_case_5_a_lead_cannot_approve_their_own_request(client, uow_factory) -> None:
    """CASE-5: four eyes — the division head asks, a team lead decides; the head cannot decide it."""
    # issue 18: the readers exist when the report comes in, so its key is wrapped for them
    head, head_h = await staff(client, uow_factory, Role.division_head, None)
    _, lead_h = await staff(client, uow_factory, Role.team_lead)
    body = await victim_report(client)
    case_id = await case_id_for(client, head_h, body["case_reference"])
    request = await client.post(
        f"/api/v1/cases/{case_id}/disclosures", json={"reason": "Oversight review of the case file."}, headers=head_h
    )
    request_id = request.json()["id"]
    assert request.json()["requester_id"] == str(head.id)  # the dashboard tells "your own request" by identity
    own = await client.post(
        f"/api/v1/cases/{case_id}/disclosures/{request_id}/decision",
        json={"approve": True, "victim_consent": "not_required"},
        headers=head_h,
    )
    assert own.status_code == 403 and own.json()["code"] == "four-eyes"
    denied = await client.post(
        f"/api/v1/cases/{case_id}/disclosures/{request_id}/decision", json={"approve": False}, headers=lead_h
    )
    assert denied.json()["status"] == "denied"
    assert (await client.get(f"/api/v1/cases/{case_id}", headers=head_h)).json()["identity_visible"] is False


async def test_case_5_assigned_team_does_not_ask(client, uow_factory) -> None:
    """CASE-5: the assigned team already sees the identity; asking is refused."""
    # issue 18: the readers exist when the report comes in, so its key is wrapped for them
    _, lead_h = await staff(client, uow_factory, Role.team_lead)
    body = await victim_report(client)
    case_id = await case_id_for(client, lead_h, body["case_reference"])
    response = await client.post(
        f"/api/v1/cases/{case_id}/disclosures", json={"reason": "Just checking the identity."}, headers=lead_h
    )
    assert response.status_code == 422 and response.json()["code"] == "already-in-assigned-team"


async def test_case_7_measures_only_with_the_victims_wish(client, uow_factory) -> None:
    """CASE-7: offered → the victim answers in the inbox → applied; never applied without acceptance."""
    # issue 18: the readers exist when the report comes in, so its key is wrapped for them
    _, lead_h = await staff(client, uow_factory, Role.team_lead)
    body = await victim_report(client)
    case_id = await case_id_for(client, lead_h, body["case_reference"])
    offer = await client.post(
        f"/api/v1/cases/{case_id}/measures", json={"kind": "paid_leave", "note": "two weeks"}, headers=lead_h
    )
    assert offer.status_code == 201
    measure_id = offer.json()["id"]
    early = await client.post(f"/api/v1/cases/{case_id}/measures/{measure_id}/apply", headers=lead_h)
    assert early.status_code == 422 and early.json()["code"] == "victim-wish-required"

    reporter = await inbox_headers(client, body["receipt_code"])
    inbox = (await client.get("/api/v1/inbox", headers=reporter)).json()
    assert inbox["can_answer_measures"] is True
    assert [(m["id"], m["status"]) for m in inbox["measures"]] == [(measure_id, "offered")]
    assert "two weeks" not in str(inbox)  # the internal note stays internal
    answer = await client.post(f"/api/v1/inbox/measures/{measure_id}/answer", json={"accept": True}, headers=reporter)
    assert answer.status_code == 200 and answer.json()["status"] == "accepted"
    twice = await client.post(f"/api/v1/inbox/measures/{measure_id}/answer", json={"accept": False}, headers=reporter)
    assert twice.status_code == 409
    applied = await client.post(f"/api/v1/cases/{case_id}/measures/{measure_id}/apply", headers=lead_h)
    assert applied.status_code == 200 and applied.json()["status"] == "applied"
    timeline = (await client.get(f"/api/v1/cases/{case_id}/measures", headers=lead_h)).json()
    assert timeline[0]["answered_by"] == "victim" and timeline[0]["applied_on"] is not None


async def test_case_7_a_declined_measure_is_never_applied_and_witnesses_do_not_answer(client, uow_factory) -> None:
    """CASE-7: the victim declines (recorded by the team) → apply refused; a witness's inbox cannot answer."""
    # issue 18: the readers exist when the report comes in, so its key is wrapped for them
    _, lead_h = await staff(client, uow_factory, Role.team_lead)
    body = await make_report(client)  # an anonymous witness
    case_id = await case_id_for(client, lead_h, body["case_reference"])
    measure_id = (
        await client.post(f"/api/v1/cases/{case_id}/measures", json={"kind": "workplace_change"}, headers=lead_h)
    ).json()["id"]
    witness = await inbox_headers(client, body["receipt_code"])
    refused = await client.post(f"/api/v1/inbox/measures/{measure_id}/answer", json={"accept": True}, headers=witness)
    assert refused.status_code == 403 and refused.json()["code"] == "only-the-victim-answers"
    recorded = await client.post(
        f"/api/v1/cases/{case_id}/measures/{measure_id}/answer", json={"accept": False}, headers=lead_h
    )
    assert recorded.json()["status"] == "declined"
    apply = await client.post(f"/api/v1/cases/{case_id}/measures/{measure_id}/apply", headers=lead_h)
    assert apply.status_code == 422
    other_case = await client.post(f"/api/v1/cases/{uuid.uuid4()}/measures/{measure_id}/apply", headers=lead_h)
    assert other_case.status_code == 404


async def test_case_8_reports_naming_the_same_respondent_are_linked(client, uow_factory) -> None:
    """CASE-8: two reports naming one employee number are linked for the case team."""
    number = f"E-REPEAT-{uuid.uuid4().hex[:6]}"
    # issue 18: the readers exist when the report comes in, so its key is wrapped for them
    _, lead_h = await staff(client, uow_factory, Role.team_lead)
    first = await make_report(client, respondent={"employee_number": number})
    second = await make_report(client, respondent={"employee_number": number})
    second_id = await case_id_for(client, lead_h, second["case_reference"])
    linked = (await client.get(f"/api/v1/cases/{second_id}", headers=lead_h)).json()["linked_cases"]
    assert [(c["reference"], c["reason"]) for c in linked] == [(first["case_reference"], "same_respondent")]


async def test_case_8_escrow_stays_sealed_until_a_second_report(client, uow_factory) -> None:
    """CASE-8: an escrowed report is invisible to everyone until another, independent report names the same person;
    then both are released to the team and linked (two identified reporters: at once; an anonymous one waits for
    the team, tests/api/test_escrow.py). The reporter's inbox shows it held until the team acts (F4)."""
    number = f"E-ESCROW-{uuid.uuid4().hex[:6]}"
    # issue 18: the readers exist when the report comes in, so its key is wrapped for them
    _, head_h = await staff(client, uow_factory, Role.division_head, None)
    no_number = await client.post(
        "/api/v1/reports",
        json={
            "reporter_kind": "victim",
            "identity_mode": "anonymous",
            "narrative": "Escrow without a number.",
            "escrow": True,
        },
    )
    assert no_number.status_code == 422 and no_number.json()["code"] == "escrow-needs-respondent-number"
    sealed = await make_report(
        client,
        reporter_kind="victim",
        identity_mode="confidential",
        reporter={"name": "Escrow victim", "email": "escrow.victim@example.org"},
        escrow=True,
        respondent={"employee_number": number},
    )
    hidden = (await client.get("/api/v1/cases", params={"reference": sealed["case_reference"]}, headers=head_h)).json()
    assert hidden["total"] == 0
    reporter = await inbox_headers(client, sealed["receipt_code"])
    inbox = (await client.get("/api/v1/inbox", headers=reporter)).json()
    assert inbox["sealed"] is True and {d["kind"] for d in inbox["deadlines"]} == {"acknowledgement"}

    second = await make_report(
        client,
        identity_mode="confidential",
        reporter={"name": "Colleague", "email": "colleague@example.org"},
        respondent={"employee_number": number},
    )
    released_id = await case_id_for(client, head_h, sealed["case_reference"])
    released = (await client.get(f"/api/v1/cases/{released_id}", headers=head_h)).json()
    assert [c["reference"] for c in released["linked_cases"]] == [second["case_reference"]]
    assert {"triage", "investigation"} <= {d["kind"] for d in released["deadlines"]}
    assert (await client.get("/api/v1/inbox", headers=reporter)).json()["sealed"] is True  # until the team acts
    async with uow_factory() as uow:
        case = await uow.session.scalar(select(Case).where(Case.reference == sealed["case_reference"]))
        actions = (await uow.session.scalars(select(AuditEntry.action).where(AuditEntry.case_id == case.id))).all()
        assert "case.released_from_escrow" in actions
