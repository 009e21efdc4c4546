"""Accounts and machine clients for the sysadmin (ACC-1, AUD-1): no case content anywhere, secrets shown once,
no one changes their own role, deactivation ends every sign-in, every change audited."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from app.db.models import AuditEntry, MachineClient, StaffUser, WebhookSubscription
from app.domain.enums import Role, Team
from tests.builders import Staff, enrol, login, make_report, make_staff

USERS = "/api/v1/users"
CLIENTS = "/api/v1/clients"


async def _sysadmin(client, uow_factory) -> tuple[Staff, dict[str, str]]:  # type: ignore[no-untyped-def]
    admin = await make_staff(uow_factory, role=Role.sysadmin)
    return admin, await login(client, admin)


async def _audit(uow_factory, action: str, target: str) -> str | None:  # type: ignore[no-untyped-def]
    """The actor id of the audit entry with this action and target ("" for none), or None without one."""
    async with uow_factory() as uow:
        entry = await uow.session.scalar(
            select(AuditEntry).where(AuditEntry.action == action, AuditEntry.target == target)
        )
        return None if entry is None else (entry.actor_id or "")


async def test_acc_1_sysadmin_creates_a_user_who_enrols_through_the_link_shown_once(client, uow_factory) -> None:
    """ACC-1, AUD-1 (F1): the answer carries a one-time enrolment link and no password or TOTP secret; the new
    person sets both through the link and signs in (a role outside the case team needs no approval); the
    creation is audited with the sysadmin as actor; listing shows no secret."""
    admin, headers = await _sysadmin(client, uow_factory)
    email = f"new-{uuid.uuid4().hex[:8]}@test.withu.local"
    body = {"email": email, "display_name": "New HR Officer", "role": "hr_officer"}
    response = await client.post(USERS, json=body, headers=headers)
    assert response.status_code == 201, response.text
    created = response.json()
    assert created["user"]["email"] == email and created["user"]["version"] == 1
    assert created["user"]["enrolled"] is False and created["user"]["pending_change"] is None
    assert created["enrolment"]["enrolment_url"].startswith("/admin/enrol.html#")
    assert created["user"]["enrolment_expires_at"] == created["enrolment"]["expires_at"]
    person = await enrol(
        client, created["user"], created["enrolment"]["enrolment_url"], "amber kettle on the windowsill"
    )
    login_body = {"email": email, "password": person.password, "totp": person.totp(1)}  # enrolment used this step
    assert (await client.post("/api/v1/auth/login", json=login_body)).status_code == 200
    assert await _audit(uow_factory, "user.created", created["user"]["id"]) == str(admin.id)

    page = await client.get(USERS, params={"role": "hr_officer", "limit": 200}, headers=headers)
    assert page.status_code == 200
    listed = next(u for u in page.json()["items"] if u["email"] == email)
    assert listed["enrolled"] is True and listed["enrolment_expires_at"] is None
    assert person.totp_secret not in page.text and "password" not in page.text


async def test_acc_1_user_changes_need_if_match_and_deactivation_ends_every_sign_in(client, uow_factory) -> None:
    """ACC-1, AUD-1: a change names the account's version (428 without, 412 stale); deactivating refuses the
    person's existing tokens at once; each change is audited. (An account outside the case team: its changes
    need no division head.)"""
    _, headers = await _sysadmin(client, uow_factory)
    member = await make_staff(uow_factory, role=Role.hr_officer)
    member_h = await login(client, member)
    url = f"{USERS}/{member.id}"
    missing = await client.patch(url, json={"employee_number": "E-HR-1"}, headers=headers)
    assert missing.status_code == 428 and missing.json()["code"] == "if-match-required"
    moved = await client.patch(url, json={"employee_number": "E-HR-1"}, headers={**headers, "If-Match": '"1"'})
    assert moved.status_code == 200, moved.text
    assert moved.json()["employee_number"] == "E-HR-1" and moved.headers["etag"] == '"2"'
    stale = await client.patch(url, json={"active": False}, headers={**headers, "If-Match": '"1"'})
    assert stale.status_code == 412 and stale.json()["code"] == "stale-version"
    assert (await client.get("/api/v1/auth/me", headers=member_h)).status_code == 200

    off = await client.patch(url, json={"active": False}, headers={**headers, "If-Match": '"2"'})
    assert off.status_code == 200 and off.json()["active"] is False
    assert (await client.get("/api/v1/auth/me", headers=member_h)).status_code == 401
    assert await _audit(uow_factory, "user.updated", str(member.id)) is not None
    assert await _audit(uow_factory, "user.deactivated", str(member.id)) is not None
    async with uow_factory() as uow:
        user = await uow.session.get(StaffUser, member.id)
        assert user.sessions_valid_from is not None and user.version == 3


async def test_acc_1_a_sysadmin_cannot_grant_themselves_a_case_role(client, uow_factory) -> None:
    """ACC-1: a sysadmin who made themselves division head would read every case: refused (403), unchanged."""
    admin, headers = await _sysadmin(client, uow_factory)
    response = await client.patch(
        f"{USERS}/{admin.id}", json={"role": "division_head"}, headers={**headers, "If-Match": '"1"'}
    )
    assert response.status_code == 403 and response.json()["code"] == "own-account-change"
    renamed = await client.patch(
        f"{USERS}/{admin.id}", json={"display_name": "Still a sysadmin"}, headers={**headers, "If-Match": '"1"'}
    )
    assert renamed.status_code == 200 and renamed.json()["role"] == "sysadmin"
    assert (await client.get("/api/v1/cases", headers=headers)).status_code == 403


async def test_acc_1_bad_account_input_is_a_problem_and_writes_nothing(client, uow_factory) -> None:
    """ACC-1 (CASE-3's teams): a team role without a team, a team for a role outside the teams, a duplicate
    e-mail, a password (the owner sets it at enrolment: F1), an unknown field and an unknown account answer
    problems."""
    _, headers = await _sysadmin(client, uow_factory)
    email = f"bad-{uuid.uuid4().hex[:8]}@test.withu.local"
    base = {"email": email, "display_name": "Someone", "role": "intake"}
    no_team = await client.post(USERS, json=base, headers=headers)
    assert no_team.status_code == 422 and no_team.json()["code"] == "team-mismatch"
    auditor_team = await client.post(USERS, json={**base, "role": "auditor", "team": "investigation"}, headers=headers)
    assert auditor_team.status_code == 422 and auditor_team.json()["code"] == "team-mismatch"
    chosen = await client.post(
        USERS, json={**base, "role": "auditor", "password": "a password the sysadmin chose"}, headers=headers
    )
    assert chosen.status_code == 422 and chosen.json()["code"] == "validation-failed"
    unknown = await client.post(USERS, json={**base, "role": "auditor", "is_admin": True}, headers=headers)
    assert unknown.status_code == 422 and unknown.headers["content-type"] == "application/problem+json"
    assert (await client.post(USERS, json={**base, "role": "auditor"}, headers=headers)).status_code == 201
    duplicate = await client.post(USERS, json={**base, "role": "auditor"}, headers=headers)
    assert duplicate.status_code == 409 and duplicate.json()["code"] == "duplicate"
    missing = await client.patch(
        f"{USERS}/{uuid.uuid4()}", json={"active": False}, headers={**headers, "If-Match": '"1"'}
    )
    assert missing.status_code == 404 and missing.json()["code"] == "not-found"


async def test_acc_1_sysadmin_creates_and_deactivates_a_machine_client(client, uow_factory) -> None:
    """ACC-1, AUD-1: the secret is shown once and works for a token; after deactivation the client's token is
    refused at once and no new one is issued; both changes are audited; the list never shows a secret."""
    admin, headers = await _sysadmin(client, uow_factory)
    created = await client.post(
        CLIENTS,
        json={"name": "Personnel system", "kind": "hr_system", "scopes": ["personnel:write", "webhooks:manage"]},
        headers=headers,
    )
    assert created.status_code == 201, created.text
    body = created.json()
    machine, secret = body["client"], body["client_secret"]
    assert machine["scopes"] == ["personnel:write", "webhooks:manage"] and machine["active"] is True
    form = {"grant_type": "client_credentials", "client_id": machine["client_id"], "client_secret": secret}
    token = (await client.post("/api/v1/oauth/token", data=form)).json()["access_token"]
    subscription = await client.post(
        "/api/v1/webhooks/subscriptions",
        json={"url": "https://hr.example.org/withu", "topics": ["separation.order_opened"]},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert subscription.status_code == 201, subscription.text
    events = [{"event_id": f"adm-{uuid.uuid4().hex}", "employee_number": "E-NOBODY", "kind": "leave",
               "effective_at": "2020-01-01T00:00:00Z"}]  # fmt: skip
    before = await client.post("/api/v1/personnel/events", json=events, headers={"Authorization": f"Bearer {token}"})
    assert before.status_code == 422  # the token works (an unknown employee is refused by the rule, not by auth)

    listed = await client.get(CLIENTS, params={"limit": 200}, headers=headers)
    assert listed.status_code == 200 and secret not in listed.text
    off = await client.post(f"{CLIENTS}/{machine['id']}/deactivation", headers=headers)
    assert off.status_code == 200 and off.json()["active"] is False
    again = await client.post(f"{CLIENTS}/{machine['id']}/deactivation", headers=headers)
    assert again.status_code == 200 and again.json()["active"] is False
    after = await client.post("/api/v1/personnel/events", json=events, headers={"Authorization": f"Bearer {token}"})
    assert after.status_code == 401
    assert (await client.post("/api/v1/oauth/token", data=form)).status_code == 401
    assert await _audit(uow_factory, "client.created", machine["client_id"]) == str(admin.id)
    async with uow_factory() as uow:
        entries = (
            await uow.session.scalars(
                select(AuditEntry).where(
                    AuditEntry.action == "client.deactivated", AuditEntry.target == machine["client_id"]
                )
            )
        ).all()
        assert len(entries) == 1
        assert (await uow.session.get(MachineClient, uuid.UUID(machine["id"]))).active is False
        # SEP-4: a deactivated client's receiver gets no new event.
        stopped = await uow.session.get(WebhookSubscription, uuid.UUID(subscription.json()["id"]))
        assert stopped is not None and stopped.active is False


async def test_acc_1_client_input_problems_and_other_roles_refused(client, uow_factory) -> None:
    """ACC-1: an unknown scope or kind is a problem; roles other than sysadmin get 403 on every account and client
    endpoint, anonymous callers 401; an unknown client 404."""
    _, headers = await _sysadmin(client, uow_factory)
    bad_scope = await client.post(
        CLIENTS, json={"name": "X", "kind": "contractor_portal", "scopes": ["personnel:write"]}, headers=headers
    )
    assert bad_scope.status_code == 403 and bad_scope.json()["code"] == "scope-not-allowed"
    bad_kind = await client.post(CLIENTS, json={"name": "X", "kind": "bank"}, headers=headers)
    assert bad_kind.status_code == 422 and bad_kind.json()["code"] == "validation-failed"
    unknown = await client.post(f"{CLIENTS}/{uuid.uuid4()}/deactivation", headers=headers)
    assert unknown.status_code == 404
    for role, team in ((Role.division_head, None), (Role.auditor, None), (Role.team_lead, Team.investigation)):
        other_h = await login(client, await make_staff(uow_factory, role=role, team=team))
        for method, url in (("GET", USERS), ("GET", CLIENTS), ("POST", f"{CLIENTS}/{uuid.uuid4()}/deactivation")):
            refused = await client.request(method, url, headers=other_h)
            assert refused.status_code == 403 and refused.json()["code"] == "access-denied", (role, url)
    assert (await client.get(USERS)).status_code == 401


async def test_acc_1_account_screens_carry_no_case_content(client, uow_factory) -> None:
    """ACC-1: whatever the sysadmin lists, no narrative or case reference appears."""
    report = await make_report(client, narrative="CANARY-ADMIN: the manager touched me at the dinner.")
    _, headers = await _sysadmin(client, uow_factory)
    for url in (USERS, CLIENTS):
        text = (await client.get(url, params={"limit": 200}, headers=headers)).text
        assert "CANARY-ADMIN" not in text and report["case_reference"] not in text
