"""ACC-1 as a role × endpoint matrix: every API route names the principals that may get a 2xx from it; every
other principal gets 401/403/404 and never a byte of the target case (its narrative, the victim's name, its
reference, its messages or its evidence). A route added without an entry fails the coverage test."""

from __future__ import annotations

import base64
import json
import re
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import httpx
import pytest
from fastapi.routing import APIRoute, iter_route_contexts

from app.db.models import Organisation
from app.db.uow import UnitOfWork
from app.domain.enums import ClientKind, OrgKind, Role, Team
from app.services.auth import SCOPES
from tests.builders import case_id_for, inbox_headers, login, make_report, make_staff
from tests.directory import machine_headers, make_org

PREFIX = "/api/v1"
CANARY = "CANARY-MATRIX"

# --- the principals ------------------------------------------------------------------------------------------

ANONYMOUS = "anonymous"
REPORTER = "reporter"  # the inbox of another (anonymous witness) report
STAFF_ROLES = (
    Role.intake,
    Role.investigator,
    Role.team_lead,
    Role.division_head,
    Role.hr_officer,
    Role.auditor,
    Role.sysadmin,
)
# Case-team roles are placed in a team other than the target case's (intake & counselling).
OUTSIDE_TEAM = Team.investigation
TEAM_ROLES = frozenset({Role.intake, Role.investigator, Role.team_lead})
HR_SYSTEM = "client:hr_system"
CONTRACTOR = "client:contractor_portal"
# F13: an intake officer of the target case's own team, not among its handlers: the case's queue row, no content.
TEAM_MEMBER = "staff:team_member"
PRINCIPALS = (ANONYMOUS, REPORTER, *(f"staff:{r.value}" for r in STAFF_ROLES), TEAM_MEMBER, HR_SYSTEM, CONTRACTOR)
PUBLIC = "public"  # every principal, signed in or not

HEAD = "staff:division_head"  # heads all four teams: the only principal here who sees the target case
CASE_TEAM = frozenset({"staff:intake", "staff:investigator", "staff:team_lead", HEAD, TEAM_MEMBER})
DECIDERS = frozenset({"staff:team_lead", HEAD})
AUDITOR = "staff:auditor"
SYSADMIN = "staff:sysadmin"
ALL_STAFF = frozenset(f"staff:{r.value}" for r in STAFF_ROLES) | {TEAM_MEMBER}


# --- the matrix ----------------------------------------------------------------------------------------------

Value = Any  # a literal, or a function of the World (for ids and references known only at run time)


@dataclass
class Entry:
    """Who may get a 2xx from this request against the target case, and a valid sample request."""

    allowed: frozenset[str]
    body: Value = None
    params: Value = None
    headers: dict[str, str] | None = None
    form: dict[str, str] | None = None
    upload: bool = False
    ids: dict[str, str] = field(default_factory=dict)  # path parameter -> World.ids key, where not the default


def entry(*allowed: str | frozenset[str], **sample: Any) -> Entry:
    names: set[str] = set()
    for a in allowed:
        names |= {a} if isinstance(a, str) else set(a)
    return Entry(frozenset(names), **sample)


REASON = "Needed to prepare the hearing with the team."
MEASURES = {
    "investigation": "An external investigator interviewed both parties.",
    "protection_of_victim": "Separate shifts were arranged.",
    "discipline": "The supervisor was suspended.",
}


def _stats_window(_: World) -> dict[str, str]:
    """The last quarter that has ended: the one window every staff role may ask for (STAT-1)."""
    first = date.today().replace(day=1, month=(date.today().month - 1) // 3 * 3 + 1)
    last = first - timedelta(days=1)
    return {"from": last.replace(day=1, month=last.month - 2).isoformat(), "to": last.isoformat()}


MATRIX: dict[tuple[str, str], Entry] = {
    # intake and the reporter's inbox
    ("POST", "/reports"): entry(
        PUBLIC, body={"reporter_kind": "victim", "identity_mode": "anonymous", "narrative": "x" * 20}
    ),
    ("POST", "/inbox/session"): entry(PUBLIC, body={"receipt_code": "WRONG-CODE"}),
    ("GET", "/inbox"): entry(REPORTER),
    ("POST", "/inbox/messages"): entry(REPORTER, body={"body": "A question for the team."}),
    ("POST", "/inbox/evidence"): entry(REPORTER, upload=True),
    ("GET", "/inbox/evidence"): entry(REPORTER),
    # The target case's measure: only the target's own victim answers it, never another inbox.
    ("POST", "/inbox/measures/{measure_id}/answer"): entry(body={"accept": True}),
    # An opinion on the target case through another inbox: nobody.
    ("POST", "/inbox/victim-opinion"): entry(
        body=lambda w: {"text": "I want a firm sanction.", "case_reference": w.reference}
    ),
    ("POST", "/inbox/secondary-damage"): entry(REPORTER, body={"narrative": "Colleagues mock me since I reported."}),
    # sign-in
    ("POST", "/auth/login"): entry(
        PUBLIC, body={"email": "nobody@test.withu.local", "password": "x", "totp": "000000"}
    ),
    ("POST", "/auth/refresh"): entry(PUBLIC, body={"refresh_token": "not-a-token"}),
    ("POST", "/auth/logout"): entry(ALL_STAFF),
    ("POST", "/auth/logout-all"): entry(ALL_STAFF),
    ("GET", "/auth/me"): entry(ALL_STAFF),
    ("POST", "/oauth/token"): entry(
        PUBLIC, form={"grant_type": "client_credentials", "client_id": "x", "client_secret": "y"}
    ),
    # RFC 7009: a machine client revokes with its id and secret (HTTP Basic or the form), never with a bearer token;
    # no principal here sends those, so all are refused (401 invalid_client). tests/api/test_oauth_rfc.py revokes.
    ("POST", "/oauth/revoke"): entry(form={"token": "not-a-token"}),
    ("GET", "/health"): entry(PUBLIC),
    ("GET", "/ready"): entry(PUBLIC),
    # the case team's queues and the target case
    ("GET", "/cases"): entry(CASE_TEAM, params=lambda w: {"reference": w.reference}),
    ("GET", "/deadlines"): entry(CASE_TEAM),
    ("GET", "/cases/{case_id}"): entry(HEAD),
    ("POST", "/cases/{case_id}/messages"): entry(HEAD, body={"body": "A note.", "internal": True}),
    ("POST", "/cases/{case_id}/messages/read"): entry(HEAD),
    ("POST", "/cases/{case_id}/transitions"): entry(
        HEAD, body={"to": "triaged", "reason": "Triage done."}, headers={"If-Match": '"1"'}
    ),
    # F5: only an assigned handler proposes (the lead here, no principal: the division head gets 403 not-a-handler);
    # a team lead or the division head, not the proposer, confirms.
    ("POST", "/cases/{case_id}/decision-proposals"): entry(
        body={"to": "withdrawn", "reason": "The reporter withdrew."}, headers={"If-Match": '"1"'}
    ),
    ("GET", "/cases/{case_id}/decision-proposals"): entry(HEAD),
    ("POST", "/cases/{case_id}/decision-proposals/{proposal_id}/decision"): entry(
        HEAD, body={"approve": True, "reason": REASON}
    ),
    ("GET", "/approvals/decision-proposals"): entry(CASE_TEAM),
    ("POST", "/cases/{case_id}/handlers"): entry(HEAD, body=lambda w: {"user_id": w.ids["handler"]}),
    ("DELETE", "/cases/{case_id}/handlers/{user_id}"): entry(HEAD),
    ("GET", "/cases/{case_id}/assignable"): entry(HEAD),
    ("GET", "/cases/{case_id}/next-steps"): entry(HEAD),
    # separation (SEP-4: the personnel system's minimal view; SEP-6: only a team lead of the case's team lifts)
    ("POST", "/separation/check"): entry(HR_SYSTEM, body=lambda w: {"employee_number": w.ids["respondent_number"]}),
    ("POST", "/separation/check-batch"): entry(
        HR_SYSTEM, body=lambda w: {"placements": [{"employee_number": w.ids["respondent_number"]}]}
    ),
    ("GET", "/separation/orders"): entry(HR_SYSTEM),
    ("GET", "/cases/{case_id}/separation"): entry(HEAD),
    ("POST", "/cases/{case_id}/separation/orders/{order_id}/lift"): entry(body={"reason": REASON}),
    # F11: the target's order (a confidential victim's) awaits no triage: the head reaches it (409), nobody else.
    ("POST", "/cases/{case_id}/separation/orders/{order_id}/confirmation"): entry(HEAD),
    # F4: possible escrow matches and alerts name no case; none waits here (deciding one would release reports).
    ("GET", "/approvals/escrow-matches"): entry(DECIDERS),
    ("POST", "/escrow-matches/{match_id}/decision"): entry(body={"confirm": False}),
    ("GET", "/approvals/alerts"): entry(DECIDERS),
    ("POST", "/alerts/{alert_id}/acknowledgement"): entry(),
    ("POST", "/cases/{case_id}/victim-wishes"): entry(HEAD, body={"wants_to_move": False}),
    # identity disclosures (CASE-5) and measures (CASE-7)
    ("POST", "/cases/{case_id}/disclosures"): entry(HEAD, body={"reason": REASON}),
    ("GET", "/cases/{case_id}/disclosures"): entry(HEAD),
    ("POST", "/cases/{case_id}/disclosures/{request_id}/decision"): entry(
        HEAD, body={"approve": True, "victim_consent": "given"}
    ),
    ("GET", "/approvals/disclosures"): entry(CASE_TEAM),
    ("POST", "/cases/{case_id}/measures"): entry(HEAD, body={"kind": "workplace_change"}),
    ("GET", "/cases/{case_id}/measures"): entry(HEAD),
    ("POST", "/cases/{case_id}/measures/{measure_id}/answer"): entry(HEAD, body={"accept": True}),
    ("POST", "/cases/{case_id}/measures/{measure_id}/apply"): entry(HEAD),
    # evidence
    ("POST", "/cases/{case_id}/evidence"): entry(HEAD, upload=True),
    ("GET", "/cases/{case_id}/evidence"): entry(HEAD),
    ("POST", "/cases/{case_id}/evidence/{evidence_id}/download"): entry(HEAD, body={"reason": REASON}),
    # the personnel system
    ("POST", "/personnel/sync"): entry(HR_SYSTEM, body={"as_of": "2020-01-01T00:00:00Z"}),
    ("POST", "/personnel/events"): entry(
        HR_SYSTEM,
        body=[
            {
                "event_id": "matrix-1",
                "employee_number": "E-MATRIX-0",
                "kind": "leave",
                "effective_at": "2020-01-01T00:00:00Z",
            }
        ],
    ),
    ("POST", "/webhooks/subscriptions"): entry(
        HR_SYSTEM, body={"url": "http://127.0.0.1:9/matrix", "topics": ["separation.order_opened"]}
    ),
    ("GET", "/webhooks/subscriptions"): entry(HR_SYSTEM),
    ("POST", "/webhooks/subscriptions/{subscription_id}/secret/rotate"): entry(HR_SYSTEM),
    ("DELETE", "/webhooks/subscriptions/{subscription_id}"): entry(HR_SYSTEM),
    ("GET", "/webhooks/deliveries"): entry(HR_SYSTEM),
    # the manual
    ("GET", "/manual"): entry(PUBLIC),
    ("GET", "/manual/case_team"): entry(CASE_TEAM),
    ("GET", "/manual/{role}"): entry(PUBLIC),
    # ambassadors
    ("POST", "/ambassadors"): entry(DECIDERS, body={"public_name": "Matrix Ambassador"}),
    ("GET", "/ambassadors"): entry(CASE_TEAM),
    ("GET", "/ambassadors/{ambassador_id}"): entry(CASE_TEAM),
    ("POST", "/ambassadors/{ambassador_id}/places"): entry(
        DECIDERS, body={"name": "Matrix Hall", "location": "Jung-gu"}
    ),
    ("POST", "/ambassadors/{ambassador_id}/convictions"): entry(
        DECIDERS, body={"court": "Seoul Central District Court", "convicted_on": "2024-01-02"}
    ),
    ("POST", "/ambassadors/{ambassador_id}/reinstatement"): entry(DECIDERS),
    ("POST", "/cases/{case_id}/ambassador"): entry(HEAD, body=lambda w: {"ambassador_id": w.ids["ambassador"]}),
    ("GET", "/cases/{case_id}/ambassadors"): entry(HEAD),
    ("GET", "/public/ambassadors"): entry(PUBLIC),
    # commissioned organisations
    ("POST", "/contracts"): entry(
        DECIDERS,
        body=lambda w: {
            "organisation": w.ids["organisation"],
            "number": f"MATRIX-{uuid.uuid4().hex[:8]}",
            "title": "Cleaning",
            "client_id": w.ids["contractor_client"],
        },
    ),
    ("GET", "/contracts"): entry(CASE_TEAM),
    ("GET", "/contracts/{contract_id}"): entry(CASE_TEAM),
    ("POST", "/contracts/{contract_id}/cancellation"): entry(DECIDERS, body={"reason": REASON}),
    ("POST", "/contracts/{contract_id}/cancellation/confirm"): entry(DECIDERS),
    ("GET", "/approvals/contracts"): entry(CASE_TEAM),
    # Every contract's obligations: the target case's reference only for the division head (who may see it).
    ("GET", "/obligations"): entry(CASE_TEAM),
    ("POST", "/cases/{case_id}/contract"): entry(HEAD, body=lambda w: {"contract_id": w.ids["contract"]}),
    ("GET", "/cases/{case_id}/obligations"): entry(HEAD),
    ("POST", "/cases/{case_id}/obligations/{obligation_id}/review"): entry(HEAD, body={"accept": True}),
    # The contractor principal is the party to the target case's contract: its own obligation, never the case.
    ("GET", "/contractor/obligations"): entry(CONTRACTOR),
    ("POST", "/contractor/obligations/{obligation_id}/measures"): entry(CONTRACTOR, body=MEASURES),
    # statistics: every staff role, STAT-1 applied outside the case team
    ("GET", "/statistics/intake"): entry(ALL_STAFF, params=_stats_window),
    ("GET", "/statistics/cases"): entry(ALL_STAFF, params=_stats_window),
    # the dashboard: the case's timeline (the case team), the audit log (auditor), accounts and clients (sysadmin),
    # the personnel system's sync status and delivery log (HR officer, team leads, the division head, sysadmin)
    ("GET", "/cases/{case_id}/timeline"): entry(HEAD),
    # CASE-2, SD-3, SEP-5: the case team's corrections and records on the target case
    ("POST", "/cases/{case_id}/category"): entry(
        HEAD, body={"category": "other", "reason": REASON}, headers={"If-Match": '"1"'}
    ),
    ("POST", "/cases/{case_id}/deadlines/{kind}/done"): entry(HEAD, body={"reference": "MOGEF-2026-0001"}),
    ("PUT", "/cases/{case_id}/workplace"): entry(HEAD, body={"kind": "smg"}),
    # DATA-1: the case team reads whether a legal hold is set; only the division head sets and lifts one
    ("GET", "/cases/{case_id}/legal-hold"): entry(HEAD),
    ("POST", "/cases/{case_id}/legal-hold"): entry(HEAD, body={"reason": REASON}),
    ("POST", "/cases/{case_id}/legal-hold/lift"): entry(HEAD, body={"reason": REASON}),
    # No violation waits on the target case's order: nobody (tests/api/test_watch.py resolves one).
    ("POST", "/cases/{case_id}/separation/violations/{violation_id}/resolve"): entry(body={"reason": REASON}),
    ("GET", "/audit/entries"): entry(AUDITOR, params=lambda w: {"case_id": w.ids["case"]}),
    ("POST", "/audit/verification"): entry(AUDITOR),
    ("GET", "/users"): entry(SYSADMIN),
    ("POST", "/users"): entry(
        SYSADMIN, body={"email": "matrix-new@test.withu.local", "display_name": "Matrix", "role": "auditor"}
    ),
    ("PATCH", "/users/{user_id}"): entry(
        SYSADMIN, body={"display_name": "Renamed"}, headers={"If-Match": '"1"'}, ids={"user_id": "spare_user"}
    ),
    ("POST", "/users/{user_id}/enrolment"): entry(SYSADMIN, ids={"user_id": "spare_user"}),
    # who becomes a staff member (F1): the division head approves case-role accounts; the enrolment page is public
    # (its token is the credential); a password change is every staff member's own
    ("GET", "/approvals/accounts"): entry(HEAD),
    ("POST", "/account-changes/{change_id}/decision"): entry(HEAD, body={"approve": False}),
    # ACC-2, AUD-1 (issue 18): the recovery key and every use of it, for the division head alone
    ("GET", "/recovery"): entry(HEAD),
    ("POST", "/enrolment/offer"): entry(PUBLIC, body={"token": "not-a-real-enrolment-token-0000"}),
    ("POST", "/enrolment"): entry(
        PUBLIC, body={"token": "not-a-real-enrolment-token-0000", "password": "x" * 20, "totp": "000000"}
    ),
    ("POST", "/auth/password"): entry(
        ALL_STAFF, body={"current_password": "not the password", "new_password": "violet tractor under the bridge"}
    ),
    ("GET", "/clients"): entry(SYSADMIN),
    ("POST", "/clients"): entry(SYSADMIN, body={"name": "Matrix client", "kind": "hr_system"}),
    ("POST", "/clients/{client_pk}/deactivation"): entry(SYSADMIN),
    ("GET", "/personnel/status"): entry("staff:hr_officer", "staff:team_lead", HEAD, SYSADMIN),
    ("GET", "/personnel/deliveries"): entry("staff:hr_officer", "staff:team_lead", HEAD, SYSADMIN),
    # MAN-3: the prevention & education team (none here) and the division head; the case team reads exactly, HR
    # officers and auditors with STAT-1; the personnel system records attendance
    ("POST", "/education/sessions"): entry(
        HEAD, body={"kind": "role_training", "role": "witness", "title": "Matrix", "day": "2026-06-01"}
    ),
    ("GET", "/education/sessions"): entry(CASE_TEAM, "staff:hr_officer", AUDITOR, params={"year": 2026}),
    ("POST", "/education/sessions/{session_id}/attendance"): entry(
        HEAD, HR_SYSTEM, body=lambda w: {"employee_numbers": [w.ids["respondent_number"]]}
    ),
    ("GET", "/education/completion"): entry(CASE_TEAM, "staff:hr_officer", AUDITOR, params={"year": 2026}),
    ("POST", "/education/reminders"): entry(HEAD, body={"year": 2026}),
    # sanctions, the victim's opinion, the unit head's measures
    ("POST", "/cases/{case_id}/sanctions"): entry(HEAD, body={"level": "reprimand", "reason": REASON}),
    ("GET", "/cases/{case_id}/sanctions"): entry(HEAD),
    ("POST", "/cases/{case_id}/sanctions/{sanction_id}/decision"): entry(
        HEAD, body={"approve": True, "reason": REASON}
    ),
    ("GET", "/approvals/sanctions"): entry(CASE_TEAM),
    ("POST", "/cases/{case_id}/victim-opinion"): entry(HEAD, body={"text": "The victim wants a firm sanction."}),
    ("GET", "/cases/{case_id}/victim-opinion"): entry(HEAD),
    ("GET", "/cases/{case_id}/head-measures"): entry(HEAD),
    ("POST", "/cases/{case_id}/head-measures/{measure_id}/done"): entry(
        HEAD, body={"evidence_note": "Training certificate on file.", "days": 7}, ids={"measure_id": "head_measure"}
    ),
}

# Path parameter -> the World.ids key of the object it names (objects of the target case where they exist).
DEFAULT_IDS = {
    "case_id": "case",
    "user_id": "handler",
    "order_id": "order",
    "request_id": "disclosure",
    "measure_id": "measure",
    "evidence_id": "evidence",
    "sanction_id": "sanction",
    "proposal_id": "proposal",
    "obligation_id": "obligation",
    "contract_id": "contract",
    "ambassador_id": "ambassador",
    "subscription_id": "subscription",
    "client_pk": "spare_client",
    "change_id": "spare_change",
    "match_id": "spare_match",
    "alert_id": "spare_alert",
    "role": "manual_role",
    "session_id": "education_session",
    "kind": "deadline_kind",
    "violation_id": "spare_violation",
}


def allowed(key: tuple[str, str], principal: str) -> bool:
    names = MATRIX[key].allowed
    return PUBLIC in names or principal in names


def _label(method: str, path: str, principal: str) -> str:
    return f"{method} {path} as {principal}"


UNAUTHORISED = [
    pytest.param(method, path, principal, id=_label(method, path, principal))
    for (method, path) in MATRIX
    for principal in PRINCIPALS
    if not allowed((method, path), principal)
]
AUTHORISED_READS = [
    pytest.param(method, path, principal, id=_label(method, path, principal))
    for (method, path) in MATRIX
    if method == "GET"
    for principal in PRINCIPALS
    if allowed((method, path), principal)
]


# --- the world: a target case with canaries, objects of it, and every principal signed in ---------------------


@dataclass
class World:
    client: httpx.AsyncClient
    headers: dict[str, dict[str, str]]  # principal -> Authorization header (none for anonymous)
    ids: dict[str, str]
    reference: str
    narrative: str
    victim_name: str
    evidence_text: str
    lead: dict[str, str]  # the team lead of the target case's team: the assigned case team

    def leaks(self, text: str, principal: str = "") -> list[str]:
        """The canaries of the target case found in a response; its reference excepted for the member of its team,
        whose queue lists the case's row (F13)."""
        canaries = (CANARY, self.narrative, self.victim_name, *([] if principal == TEAM_MEMBER else [self.reference]))
        return [c for c in canaries if c in text]


def _client_id(headers: dict[str, str]) -> str:
    """The machine client's id, read from its token's (unverified) claims."""
    payload = headers["Authorization"].split()[1].split(".")[1]
    return str(json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))["sub"])


def _created(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code in (200, 201), response.text
    return response.json()


@pytest.fixture(scope="module")
async def world(app) -> AsyncIterator[World]:  # type: ignore[no-untyped-def]
    runtime = app.state.runtime

    def uow_factory() -> UnitOfWork:
        return UnitOfWork(runtime.sessionmaker, runtime.settings)

    tag = uuid.uuid4().hex[:10].upper()
    narrative = f"{CANARY}-NARRATIVE-{tag}: at the team dinner my manager touched me repeatedly."
    victim_name = f"{CANARY}-VICTIM-{tag}"
    evidence_text = f"{CANARY}-EVIDENCE-{tag}: the messages he sent me."
    transport = httpx.ASGITransport(app=app, client=("203.0.113.7", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        # The staff exist before the report comes in (issue 18: its key is wrapped at submission for those who read it
        # then): the lead and the asker of its team, and one member of each role — the case-team roles in another
        # team. Those who may not read the case hold no wrap of its key, and ACC-1 refuses them before any key matters.
        lead = await make_staff(uow_factory, role=Role.team_lead, team=Team.intake_counselling)
        asker = await make_staff(uow_factory, role=Role.intake, team=Team.intake_counselling)
        members = {
            role: await make_staff(uow_factory, role=role, team=OUTSIDE_TEAM if role in TEAM_ROLES else None)
            for role in STAFF_ROLES
        }
        # The target: a victim's confidential report naming a respondent; both are employees (SEP-1 opens an order).
        org = await make_org(
            uow_factory, units={"office": None}, people={"victim": ("office", None), "respondent": ("office", None)}
        )
        receipt = await make_report(
            client,
            reporter_kind="victim",
            identity_mode="confidential",
            reporter={"name": victim_name, "employee_number": org.employees["victim"]},
            respondent={"employee_number": org.employees["respondent"]},
            narrative=narrative,
            category="sexual_harassment",
        )
        lead_h = await login(client, lead)
        case_id = await case_id_for(client, lead_h, receipt["case_reference"])
        case = f"{PREFIX}/cases/{case_id}"

        # Before the case has a handler its team triages it: a member asks to see the victim's identity (CASE-5).
        asker_h = await login(client, asker)
        disclosure = _created(
            await client.post(
                f"{case}/disclosures",
                json={"reason": f"{CANARY}-REASON-{tag}: to arrange the hearing."},
                headers=asker_h,
            )
        )
        _created(await client.post(f"{case}/handlers", json={"user_id": str(lead.id)}, headers=lead_h))
        _created(
            await client.post(
                f"{case}/messages", json={"body": f"{CANARY}-NOTE-{tag}", "internal": True}, headers=lead_h
            )
        )
        measure = _created(
            await client.post(
                f"{case}/measures", json={"kind": "paid_leave", "note": f"{CANARY}-MEASURE-{tag}"}, headers=lead_h
            )
        )
        orders = (_created(await client.get(f"{case}/separation", headers=lead_h)))["orders"]
        assert len(orders) == 1, orders
        evidence = _created(
            await client.post(
                f"{case}/evidence",
                files={"file": ("note.txt", evidence_text.encode(), "text/plain")},
                headers=lead_h,
            )
        )
        ambassador = _created(
            await client.post(f"{PREFIX}/ambassadors", json={"public_name": f"Ambassador {tag}"}, headers=lead_h)
        )

        # The contractor principal is the party to the case's contract; hr_system has every scope of its kind.
        contractor_h = await machine_headers(
            client, uow_factory, *SCOPES[ClientKind.contractor_portal], kind=ClientKind.contractor_portal
        )
        hr_h = await machine_headers(client, uow_factory, *SCOPES[ClientKind.hr_system], kind=ClientKind.hr_system)
        async with uow_factory() as uow:
            organisation = Organisation(external_id=f"CON-{tag}", name=f"Contractor {tag}", kind=OrgKind.contractor)
            uow.session.add(organisation)
            await uow.commit()
        contract = _created(
            await client.post(
                f"{PREFIX}/contracts",
                json={
                    "organisation": f"CON-{tag}",
                    "number": f"MATRIX-{tag}",
                    "title": "Cleaning of the annex",
                    "client_id": _client_id(contractor_h),
                },
                headers=lead_h,
            )
        )
        obligation = _created(
            await client.post(f"{case}/contract", json={"contract_id": contract["id"]}, headers=lead_h)
        )

        # The principals. The reporter holds the inbox of another, anonymous witness report.
        witness = await make_report(client)
        headers: dict[str, dict[str, str]] = {
            ANONYMOUS: {},
            REPORTER: await inbox_headers(client, witness["receipt_code"]),
            HR_SYSTEM: hr_h,
            CONTRACTOR: contractor_h,
            TEAM_MEMBER: asker_h,  # since the lead took the case, the asker reads it no more (F13)
        }
        for role, member in members.items():
            headers[f"staff:{role.value}"] = await login(client, member)
        session = {"kind": "yearly_prevention", "title": "Matrix prevention", "day": "2026-06-01"}
        education = _created(await client.post(f"{PREFIX}/education/sessions", json=session, headers=headers[HEAD]))

        yield World(
            client=client,
            headers=headers,
            ids={
                "case": case_id,
                "handler": str(lead.id),
                "order": orders[0]["id"],
                "disclosure": disclosure["id"],
                "measure": measure["id"],
                "evidence": evidence["id"],
                "sanction": str(uuid.uuid4()),  # none exists before a finding
                "proposal": str(uuid.uuid4()),  # none waits: confirming one would decide the target case
                "head_measure": str(uuid.uuid4()),  # none exists before a finding
                "obligation": obligation["id"],
                "contract": contract["id"],
                "ambassador": ambassador["id"],
                "subscription": str(uuid.uuid4()),  # not created: a live one would collect other tests' events
                "spare_user": str(uuid.uuid4()),  # no account of the world is changed by the matrix
                "spare_client": str(uuid.uuid4()),
                "spare_change": str(uuid.uuid4()),  # none waits: a decision by the head would change an account
                "spare_match": str(uuid.uuid4()),  # F4: none waits for this world
                "spare_alert": str(uuid.uuid4()),
                "manual_role": "victim",
                "deadline_kind": "ministry_notification",
                "spare_violation": str(uuid.uuid4()),
                "organisation": f"CON-{tag}",
                "contractor_client": _client_id(contractor_h),
                "respondent_number": org.employees["respondent"],
                "education_session": education["id"],
                **{f"user {role.value}": str(member.id) for role, member in members.items()},
                "user asker": str(asker.id),
            },
            reference=receipt["case_reference"],
            narrative=narrative,
            victim_name=victim_name,
            evidence_text=evidence_text,
            lead=lead_h,
        )


def _resolve(value: Value, world: World) -> Any:
    return value(world) if callable(value) else value


def _url(method: str, path: str, world: World) -> str:
    sample = MATRIX[(method, path)]
    names = re.findall(r"{(\w+)}", path)
    return PREFIX + path.format(**{n: world.ids[sample.ids.get(n, DEFAULT_IDS[n])] for n in names})


async def send(world: World, method: str, path: str, principal: str) -> httpx.Response:
    """The matrix's sample request for the route, as the principal, against the target case."""
    sample = MATRIX[(method, path)]
    kwargs: dict[str, Any] = {"headers": {**world.headers[principal], **(sample.headers or {})}}
    if sample.body is not None:
        kwargs["json"] = _resolve(sample.body, world)
    if sample.params is not None:
        kwargs["params"] = _resolve(sample.params, world)
    if sample.form is not None:
        kwargs["data"] = sample.form
    if sample.upload:
        kwargs["files"] = {"file": ("matrix.txt", b"A plain sample file for the matrix.", "text/plain")}
    return await world.client.request(method, _url(method, path, world), **kwargs)


def app_routes(app) -> set[tuple[str, str]]:  # type: ignore[no-untyped-def]
    """Every (method, path) the application serves under /api/v1 and documents."""
    found = set()
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        if isinstance(route, APIRoute) and context.include_in_schema and context.path.startswith(PREFIX + "/"):
            found |= {(method, context.path.removeprefix(PREFIX)) for method in context.methods}
    return found


# --- the tests -------------------------------------------------------------------------------------------------


def test_acc_1_matrix_covers_every_endpoint(app) -> None:  # type: ignore[no-untyped-def]
    """ACC-1: every route has an entry (who may get a 2xx), and no entry names a route that is gone."""
    served = app_routes(app)
    missing = sorted(served - MATRIX.keys())
    stale = sorted(MATRIX.keys() - served)
    assert not missing, f"routes without an entry in MATRIX: {missing}"
    assert not stale, f"MATRIX entries for routes that no longer exist: {stale}"
    for (method, path), sample in MATRIX.items():
        assert sample.allowed <= {PUBLIC, *PRINCIPALS}, (method, path)
        for name in re.findall(r"{(\w+)}", path):
            assert sample.ids.get(name, DEFAULT_IDS.get(name)), f"no object for {{{name}}} in {method} {path}"
        if "{case_id}" in path:
            # Only the case team reaches the target case; of the principals here that is the division head.
            assert sample.allowed <= {HEAD}, (method, path)


async def test_acc_1_the_assigned_team_sees_the_canaries(world: World) -> None:
    """ACC-1: the assigned case team (the lead of the case's team) reads the narrative, the victim's name and
    the evidence — so the canaries do reach responses, and their absence elsewhere means something."""
    response = await world.client.get(_url("GET", "/cases/{case_id}", world), headers=world.lead)
    assert response.status_code == 200
    case = response.json()
    assert case["reference"] == world.reference
    assert case["reports"][0]["narrative"] == world.narrative
    assert case["identity_visible"] is True and case["reports"][0]["reporter"]["name"] == world.victim_name
    assert any(m["body"].startswith(CANARY) for m in case["messages"])
    download = await world.client.post(
        _url("POST", "/cases/{case_id}/evidence/{evidence_id}/download", world),
        json={"reason": REASON},
        headers=world.lead,
    )
    assert download.status_code == 200 and download.text == world.evidence_text


async def test_acc_1_acc_2_only_the_readers_hold_the_target_cases_key(world: World, uow_factory) -> None:  # type: ignore[no-untyped-def]
    """ACC-1, ACC-2 (issue 18): of the staff here, only those who read the target case hold a wrap of its key — its
    lead (a handler) and the division head. The other team's members and the content-blind roles never got one,
    and the member of its own team lost hers when the lead took the case (F13): their refusals below are ACC-1's,
    and even a bypass of it would find no key."""
    async with uow_factory() as uow:
        holders = set(await uow.keys.wraps(uuid.UUID(world.ids["case"])))
    staff = {f"staff:{world.ids[f'user {role.value}']}": role for role in STAFF_ROLES}
    staff[f"staff:{world.ids['user asker']}"] = TEAM_MEMBER
    assert f"staff:{world.ids['handler']}" in holders
    assert {staff[h] for h in holders if h in staff} == {Role.division_head}


@pytest.mark.parametrize(("method", "path", "principal"), UNAUTHORISED)
async def test_acc_1_unauthorised_principal_gets_no_2xx_and_no_case_field(
    world: World, method: str, path: str, principal: str
) -> None:
    """ACC-1: a principal outside the route's allowed set is refused (401/403/404) and the answer carries nothing
    of the target case. Every route of the case answers every staff member who may not read it 404, never 403 —
    another team's members, the case's own team member who is not its handler (F13) and the content-blind roles
    (hr_officer, auditor, sysadmin) alike; only the division head, who reads it, may be told 403 (a team lead's
    act)."""
    response = await send(world, method, path, principal)
    assert not 200 <= response.status_code < 300, (response.status_code, response.text)
    assert response.status_code in (401, 403, 404), (response.status_code, response.text)
    if principal == ANONYMOUS:
        assert response.status_code == 401
    if principal in ALL_STAFF - {HEAD} and "{case_id}" in path:
        assert response.status_code == 404, response.text
    assert not world.leaks(response.text, principal), world.leaks(response.text, principal)


@pytest.mark.parametrize(("method", "path", "principal"), AUTHORISED_READS)
async def test_acc_1_authorised_reads_answer_and_carry_no_case_field_outside_the_case_team(
    world: World, method: str, path: str, principal: str
) -> None:
    """ACC-1: every read the matrix allows does answer 2xx (the matrix is not stale), and — except for the
    division head, who heads the target case's team — none carries anything of the target case (the member of the
    case's team: its queue row, never its content)."""
    response = await send(world, method, path, principal)
    assert 200 <= response.status_code < 300, (response.status_code, response.text)
    if principal != HEAD:
        assert not world.leaks(response.text, principal), world.leaks(response.text, principal)


@pytest.mark.parametrize("principal", PRINCIPALS)
async def test_acc_1_int_1_metrics_answer_no_principal(world: World, principal: str) -> None:
    """ACC-1, INT-1: /metrics (outside /api/v1, so outside MATRIX) takes its own token only (docs/operations.md
    "Metrics"); no principal here — staff, reporter, machine client, anonymous — gets a figure from it."""
    response = await world.client.get("/metrics", headers=world.headers[principal])
    assert response.status_code in (401, 404), response.status_code
    assert "withu_" not in response.text
