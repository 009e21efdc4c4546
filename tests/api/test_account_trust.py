"""ACC-1 and CASE-3 against an insider with the sysadmin role (security review F1, F2, F17): no case-role account
without a division head's approval, no password or TOTP secret ever chosen or seen by the sysadmin, one-time
enrolment links that expire, no employee-number change that lifts a recusal on an open case, and no weak
password. Every step audited."""

from __future__ import annotations

import hashlib
import uuid
from datetime import timedelta
from typing import Any

import httpx
import pyotp
import pytest
from sqlalchemy import select

from app.db.models import AuditEntry, EnrolmentLink, StaffUser
from app.domain.credentials import PasswordTooCommon, PasswordTooShort
from app.domain.enums import Role, Team
from app.services import clock
from app.services.admin import create_user, create_user_with_link
from tests.builders import Staff, enrol, login, make_report, make_staff
from tests.directory import make_org

USERS = "/api/v1/users"
APPROVALS = "/api/v1/approvals/accounts"
GOOD_PASSWORD = "violet tractor under the bridge"


async def _as(client: httpx.AsyncClient, uow_factory: Any, role: Role, team: Team | None = None) -> tuple[Staff, dict]:
    person = await make_staff(uow_factory, role=role, team=team)
    return person, await login(client, person)


def _new_account(role: str, team: str | None = None, **extra: Any) -> dict[str, Any]:
    body = {"email": f"{role}-{uuid.uuid4().hex[:8]}@test.withu.local", "display_name": f"New {role}", "role": role}
    if team:
        body["team"] = team
    return body | extra


async def _actions(uow_factory: Any, target: str) -> list[tuple[str, str]]:
    """The audit log's (action, actor kind) entries about one account, in order."""
    async with uow_factory() as uow:
        rows = await uow.session.scalars(select(AuditEntry).where(AuditEntry.target == target).order_by(AuditEntry.seq))
        return [(e.action, e.actor_kind) for e in rows.all()]


async def _sign_in(client: httpx.AsyncClient, person: Staff) -> httpx.Response:
    body = {"email": person.email, "password": person.password, "totp": person.totp(1)}
    return await client.post("/api/v1/auth/login", json=body)


async def test_f1_acc_1_a_sysadmin_cannot_mint_a_division_head(client, uow_factory) -> None:
    """ACC-1 (F1 reproduction): the sysadmin's `POST /users` with role division_head and a chosen password is
    refused and creates nothing; without a password the account is created inactive, waiting for a division head,
    and the answer holds an enrolment link but no password and no TOTP secret. The sysadmin cannot approve it;
    before approval the enrolled account cannot sign in; a division head approves and it works."""
    admin, admin_h = await _as(client, uow_factory, Role.sysadmin)
    body = _new_account("division_head")
    chosen = await client.post(USERS, json=body | {"password": "sysadmin-chosen-password"}, headers=admin_h)
    assert chosen.status_code == 422 and chosen.json()["code"] == "validation-failed"
    async with uow_factory() as uow:
        assert await uow.staff.user_by_email(body["email"]) is None

    created = await client.post(USERS, json=body, headers=admin_h)
    assert created.status_code == 201, created.text
    answer = created.json()
    assert set(answer) == {"user", "enrolment"}
    assert "password" not in created.text and "totp" not in created.text
    user = answer["user"]
    assert user["active"] is False and user["enrolled"] is False
    change = user["pending_change"]
    assert change["kind"] == "creation" and change["status"] == "pending" and change["before"] is None
    assert change["after"] == {"role": "division_head", "team": None, "employee_number": None, "active": True}
    assert answer["enrolment"]["enrolment_url"].startswith("/admin/enrol.html#")

    own = await client.post(f"/api/v1/account-changes/{change['id']}/decision", json={"approve": True}, headers=admin_h)
    assert own.status_code == 403 and own.json()["code"] == "access-denied"

    shadow = await enrol(client, user, answer["enrolment"]["enrolment_url"], GOOD_PASSWORD)
    refused = await _sign_in(client, shadow)
    assert refused.status_code == 401 and refused.json()["code"] == "login-failed"

    _, head_h = await _as(client, uow_factory, Role.division_head)
    waiting = (await client.get(APPROVALS, headers=head_h)).json()
    mine = next(c for c in waiting if c["id"] == change["id"])
    assert mine["email"] == body["email"] and mine["enrolled"] is True and mine["requested_by_id"] == str(admin.id)
    approved = await client.post(
        f"/api/v1/account-changes/{change['id']}/decision", json={"approve": True}, headers=head_h
    )
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    again = await client.post(
        f"/api/v1/account-changes/{change['id']}/decision", json={"approve": True}, headers=head_h
    )
    assert again.status_code == 409 and again.json()["code"] == "already-decided"

    signed_in = await _sign_in(client, shadow)
    assert signed_in.status_code == 200, signed_in.text
    cases = await client.get("/api/v1/cases", headers={"Authorization": f"Bearer {signed_in.json()['access_token']}"})
    assert cases.status_code == 200
    actions = [entry for entry in await _actions(uow_factory, user["id"]) if not entry[0].startswith("auth.")]
    assert actions == [
        ("user.created", "staff"),
        ("account.change_requested", "staff"),
        ("user.enrolment_link_issued", "staff"),
        ("user.enrolment_opened", "anonymous"),
        ("user.enrolled", "anonymous"),
        ("account.change_approved", "staff"),
    ]


async def test_acc_1_a_division_head_never_approves_a_change_to_their_own_account(client, uow_factory) -> None:
    """ACC-1: a division head's own account change (here: a new employee number) waits for another division
    head; they get 403 `four-eyes` themselves, the other one approves."""
    _, admin_h = await _as(client, uow_factory, Role.sysadmin)
    head, head_h = await _as(client, uow_factory, Role.division_head)
    asked = await client.patch(
        f"{USERS}/{head.id}", json={"employee_number": "E-HEAD-1"}, headers={**admin_h, "If-Match": '"1"'}
    )
    assert asked.status_code == 202, asked.text
    assert asked.json()["employee_number"] == head.employee_number  # unchanged until approved
    change_id = asked.json()["pending_change"]["id"]
    decision = f"/api/v1/account-changes/{change_id}/decision"
    own = await client.post(decision, json={"approve": True}, headers=head_h)
    assert own.status_code == 403 and own.json()["code"] == "four-eyes"
    _, other_h = await _as(client, uow_factory, Role.division_head)
    assert (await client.post(decision, json={"approve": True}, headers=other_h)).status_code == 200
    async with uow_factory() as uow:
        assert (await uow.session.get(StaffUser, head.id)).employee_number == "E-HEAD-1"


async def test_acc_1_changes_that_give_or_move_case_access_wait_for_a_division_head(client, uow_factory) -> None:
    """ACC-1: a promotion into a case role, a team change and a reactivation answer 202 and change nothing until
    approved; one change waits at a time (409); deactivation applies at once and withdraws what waits; a
    declined change changes nothing; taking a case role away applies at once."""
    _, admin_h = await _as(client, uow_factory, Role.sysadmin)
    _, head_h = await _as(client, uow_factory, Role.division_head)
    hr = await make_staff(uow_factory, role=Role.hr_officer)
    url = f"{USERS}/{hr.id}"

    async def patch(body: dict[str, Any], version: int) -> httpx.Response:
        return await client.patch(url, json=body, headers={**admin_h, "If-Match": f'"{version}"'})

    async def decide(change_id: str, approve: bool) -> httpx.Response:
        return await client.post(
            f"/api/v1/account-changes/{change_id}/decision", json={"approve": approve}, headers=head_h
        )

    promoted = await patch({"role": "investigator", "team": "investigation"}, 1)
    assert promoted.status_code == 202 and promoted.json()["role"] == "hr_officer"
    assert promoted.json()["pending_change"]["kind"] == "change"
    second = await patch({"display_name": "Renamed", "employee_number": "E-X"}, 1)
    assert second.status_code == 409 and second.json()["code"] == "account-change-pending"
    declined = await decide(promoted.json()["pending_change"]["id"], False)
    assert declined.status_code == 200 and declined.json()["status"] == "declined"

    promoted = await patch({"role": "investigator", "team": "investigation"}, 1)
    assert (await decide(promoted.json()["pending_change"]["id"], True)).status_code == 200
    async with uow_factory() as uow:
        user = await uow.session.get(StaffUser, hr.id)
        assert (user.role, user.team, user.version) == (Role.investigator, Team.investigation, 2)

    moved = await patch({"team": "intake_counselling"}, 2)
    assert moved.status_code == 202
    off = await patch({"active": False}, 2)
    assert off.status_code == 200 and off.json()["active"] is False and off.json()["pending_change"] is None
    assert (await decide(moved.json()["pending_change"]["id"], True)).json()["code"] == "already-decided"
    back = await patch({"active": True}, 3)
    assert back.status_code == 202 and back.json()["pending_change"]["kind"] == "reactivation"
    assert back.json()["active"] is False
    assert (await decide(back.json()["pending_change"]["id"], True)).status_code == 200
    away = await patch({"role": "auditor", "team": None}, 4)
    assert away.status_code == 200 and away.json()["role"] == "auditor"
    actions = [a for a, _ in await _actions(uow_factory, str(hr.id))]
    assert actions.count("account.change_requested") == 4 and "account.change_withdrawn" in actions
    assert actions.count("account.change_approved") == 2 and "account.change_declined" in actions


async def test_acc_1_an_approval_applies_only_to_the_account_as_it_was_asked(client, uow_factory) -> None:
    """ACC-1: a change asked while the account was inactive is outdated once it is something else: 409."""
    _, admin_h = await _as(client, uow_factory, Role.sysadmin)
    _, head_h = await _as(client, uow_factory, Role.division_head)
    member = await make_staff(uow_factory, role=Role.auditor)
    asked = await client.patch(
        f"{USERS}/{member.id}", json={"role": "intake", "team": "intake_counselling"},
        headers={**admin_h, "If-Match": '"1"'},
    )  # fmt: skip
    assert asked.status_code == 202
    async with uow_factory() as uow:  # what a concurrent change through the command line would leave
        user = await uow.session.get(StaffUser, member.id)
        user.role = Role.hr_officer
        await uow.commit()
    outdated = await client.post(
        f"/api/v1/account-changes/{asked.json()['pending_change']['id']}/decision",
        json={"approve": True},
        headers=head_h,
    )
    assert outdated.status_code == 409 and outdated.json()["code"] == "account-change-outdated"


async def test_f1_acc_1_the_sysadmin_never_receives_a_password_or_totp_secret(client, uow_factory) -> None:
    """ACC-1 (F1): no answer to the sysadmin — creation, list, change, new link — carries a password or a TOTP
    secret, neither before nor after the owner enrolled; the stored link is only a hash of its token."""
    _, admin_h = await _as(client, uow_factory, Role.sysadmin)
    body = _new_account("auditor")
    created = await client.post(USERS, json=body, headers=admin_h)
    assert created.status_code == 201 and created.json()["user"]["active"] is True
    user_id = created.json()["user"]["id"]
    relinked = await client.post(f"{USERS}/{user_id}/enrolment", headers=admin_h)
    assert relinked.status_code == 201
    token = relinked.json()["enrolment_url"].split("#", 1)[1]
    async with uow_factory() as uow:
        links = (
            await uow.session.scalars(select(EnrolmentLink).where(EnrolmentLink.user_id == uuid.UUID(user_id)))
        ).all()
        assert [link.token_hash for link in links] == [hashlib.sha256(token.encode()).hexdigest()]
    person = await enrol(client, created.json()["user"], relinked.json()["enrolment_url"], GOOD_PASSWORD)
    assert (await _sign_in(client, person)).status_code == 200  # no approval for a role outside the case team

    answers = [
        created,
        relinked,
        await client.get(USERS, params={"limit": 200}, headers=admin_h),
        await client.patch(f"{USERS}/{user_id}", json={"display_name": "Renamed"}, headers={**admin_h, "If-Match": '"1"'}),
    ]  # fmt: skip
    for answer in answers:
        assert answer.status_code in (200, 201), answer.text
        assert person.totp_secret not in answer.text and GOOD_PASSWORD not in answer.text
        assert "totp" not in answer.text and "password" not in answer.text
    again = await client.post(f"{USERS}/{user_id}/enrolment", headers=admin_h)
    assert again.status_code == 409 and again.json()["code"] == "already-enrolled"


async def test_f1_enrolment_links_work_once_and_expire(client, uow_factory, monkeypatch) -> None:
    """F1: a link works once; a new link ends the old one; a link expires after `enrolment_link_hours` (72 by
    default); every failure answers alike (404 `enrolment-link-invalid`); a wrong TOTP code uses nothing up."""
    _, admin_h = await _as(client, uow_factory, Role.sysadmin)
    body = _new_account("hr_officer")
    first = (await client.post(USERS, json=body, headers=admin_h)).json()
    user_id = first["user"]["id"]
    token = first["enrolment"]["enrolment_url"].split("#", 1)[1]
    assert (await client.post("/api/v1/enrolment/offer", json={"token": token})).status_code == 200
    fresh = (await client.post(f"{USERS}/{user_id}/enrolment", headers=admin_h)).json()
    replaced = await client.post("/api/v1/enrolment/offer", json={"token": token})
    assert replaced.status_code == 404 and replaced.json()["code"] == "enrolment-link-invalid"

    new_token = fresh["enrolment_url"].split("#", 1)[1]
    offer = (await client.post("/api/v1/enrolment/offer", json={"token": new_token})).json()
    wrong = await client.post(
        "/api/v1/enrolment", json={"token": new_token, "password": GOOD_PASSWORD, "totp": "000000"}
    )
    assert wrong.status_code == 422 and wrong.json()["code"] == "totp-not-confirmed"
    person = await enrol(client, first["user"], fresh["enrolment_url"], GOOD_PASSWORD)
    assert person.totp_secret != offer["totp_secret"]  # the secret offered last is the one confirmed
    for call in (
        client.post("/api/v1/enrolment/offer", json={"token": new_token}),
        client.post("/api/v1/enrolment", json={"token": new_token, "password": GOOD_PASSWORD, "totp": person.totp()}),
        client.post("/api/v1/enrolment/offer", json={"token": "x" * 43}),
    ):
        used = await call
        assert used.status_code == 404 and used.json()["code"] == "enrolment-link-invalid"

    late = (await client.post(USERS, json=_new_account("auditor"), headers=admin_h)).json()
    late_token = late["enrolment"]["enrolment_url"].split("#", 1)[1]
    real_now = clock.now
    monkeypatch.setattr(clock, "now", lambda: real_now() + timedelta(hours=72, seconds=1))
    expired = await client.post("/api/v1/enrolment/offer", json={"token": late_token})
    assert expired.status_code == 404 and expired.json()["code"] == "enrolment-link-invalid"
    monkeypatch.setattr(clock, "now", lambda: real_now() + timedelta(hours=71, minutes=59))
    assert (await client.post("/api/v1/enrolment/offer", json={"token": late_token})).status_code == 200


async def test_f2_case_3_an_employee_number_change_never_lifts_a_recusal_on_an_open_case(client, uow_factory) -> None:
    """CASE-3 (F2): the team lead who is the respondent of an open case keeps the number that recuses him: the
    sysadmin's change to none or to an unrelated number is refused (409 `recusal-would-lift`) and nothing
    changes; a number in the same unit (still recused) may be asked for, and waits for a division head."""
    org = await make_org(
        uow_factory, units={"office": None, "elsewhere": None},
        people={"victim": ("elsewhere", None), "respondent": ("office", None), "colleague": ("office", None),
                "stranger": ("elsewhere", None)},
    )  # fmt: skip
    await make_report(
        client,
        reporter_kind="victim",
        identity_mode="confidential",
        reporter={"name": "Victim", "employee_number": org.employees["victim"]},
        respondent={"employee_number": org.employees["respondent"]},
    )
    _, admin_h = await _as(client, uow_factory, Role.sysadmin)
    resp = await make_staff(
        uow_factory, role=Role.team_lead, team=Team.intake_counselling, employee_number=org.employees["respondent"]
    )
    url = f"{USERS}/{resp.id}"
    for number in (None, org.employees["stranger"]):
        refused = await client.patch(url, json={"employee_number": number}, headers={**admin_h, "If-Match": '"1"'})
        assert refused.status_code == 409 and refused.json()["code"] == "recusal-would-lift", refused.text
    async with uow_factory() as uow:
        assert (await uow.session.get(StaffUser, resp.id)).employee_number == org.employees["respondent"]
    same_unit = await client.patch(
        url, json={"employee_number": org.employees["colleague"]}, headers={**admin_h, "If-Match": '"1"'}
    )
    assert same_unit.status_code == 202, same_unit.text


async def test_f2_the_recusal_check_runs_again_when_a_division_head_approves(client, uow_factory) -> None:
    """CASE-3 (F2): a number change asked before the case was opened is refused at approval once it would lift a
    recusal on the now open case."""
    org = await make_org(uow_factory, units={"office": None}, people={"respondent": ("office", None)})
    _, admin_h = await _as(client, uow_factory, Role.sysadmin)
    _, head_h = await _as(client, uow_factory, Role.division_head)
    member = await make_staff(
        uow_factory, role=Role.investigator, team=Team.investigation, employee_number=org.employees["respondent"]
    )
    asked = await client.patch(
        f"{USERS}/{member.id}", json={"employee_number": None}, headers={**admin_h, "If-Match": '"1"'}
    )
    assert asked.status_code == 202
    await make_report(client, respondent={"employee_number": org.employees["respondent"]})
    refused = await client.post(
        f"/api/v1/account-changes/{asked.json()['pending_change']['id']}/decision",
        json={"approve": True},
        headers=head_h,
    )
    assert refused.status_code == 409 and refused.json()["code"] == "recusal-would-lift"


@pytest.mark.parametrize(
    ("password", "code"),
    [
        ("short words", "password-too-short"),
        ("fourteen chars", "password-too-short"),
        ("password1234567890", "password-too-common"),
        ("qwertyuiopasdfghjkl", "password-too-common"),
        ("hd764nw5d7e1vb1", "password-too-common"),  # a breached password from the bundled list
        ("iloveyouiloveyou", "password-too-common"),
    ],
)
async def test_f17_weak_passwords_are_refused_at_enrolment(client, uow_factory, password: str, code: str) -> None:
    """F17 (ASVS V6.2): 15 characters at least and not a common, breached or guessable password; the link stays
    usable after a refusal."""
    _, admin_h = await _as(client, uow_factory, Role.sysadmin)
    made = (await client.post(USERS, json=_new_account("auditor"), headers=admin_h)).json()
    token = made["enrolment"]["enrolment_url"].split("#", 1)[1]
    offer = (await client.post("/api/v1/enrolment/offer", json={"token": token})).json()
    refused = await client.post(
        "/api/v1/enrolment", json={"token": token, "password": password, "totp": pyotp.TOTP(offer["totp_secret"]).now()}
    )
    assert refused.status_code == 422 and refused.json()["code"] == code
    assert refused.headers["content-type"] == "application/problem+json"
    assert (await client.post("/api/v1/enrolment/offer", json={"token": token})).status_code == 200


async def test_f17_a_password_built_on_ones_own_name_is_refused(client, uow_factory) -> None:
    """F17: the person's e-mail and name count as known words: their own name is no password."""
    _, admin_h = await _as(client, uow_factory, Role.sysadmin)
    body = _new_account("auditor") | {"display_name": "Jiyeon Parkinson"}
    made = (await client.post(USERS, json=body, headers=admin_h)).json()
    with pytest.raises(AssertionError, match="password-too-common"):
        await enrol(client, made["user"], made["enrolment"]["enrolment_url"], "jiyeon parkinson")


async def test_f17_the_command_line_and_a_password_change_follow_the_same_rules(client, uow_factory) -> None:
    """F17: `withu user create` (its use case) refuses a short or common password; a signed-in staff member's
    password change needs the current password, refuses a weak new one, and ends every sign-in."""
    async with uow_factory() as uow:
        for weak, error in (("short-one", PasswordTooShort), ("password1234567890", PasswordTooCommon)):
            with pytest.raises(error):
                await create_user(
                    uow, email=f"cli-{uuid.uuid4().hex[:8]}@test.withu.local", display_name="CLI",
                    role=Role.auditor, team=None, password=weak,
                )  # fmt: skip
    person, headers = await _as(client, uow_factory, Role.intake, Team.intake_counselling)
    url = "/api/v1/auth/password"
    wrong = await client.post(url, json={"current_password": "not it", "new_password": GOOD_PASSWORD}, headers=headers)
    assert wrong.status_code == 403 and wrong.json()["code"] == "current-password-wrong"
    weak = await client.post(
        url, json={"current_password": person.password, "new_password": "password1234567890"}, headers=headers
    )
    assert weak.status_code == 422 and weak.json()["code"] == "password-too-common"
    changed = await client.post(
        url, json={"current_password": person.password, "new_password": GOOD_PASSWORD}, headers=headers
    )
    assert changed.status_code == 204
    assert (await client.get("/api/v1/auth/me", headers=headers)).status_code == 401
    assert (await _sign_in(client, person)).status_code == 401
    person.password = GOOD_PASSWORD
    assert (await _sign_in(client, person)).status_code == 200


async def test_acc_1_only_a_division_head_sees_and_decides_account_approvals(client, uow_factory) -> None:
    """ACC-1: the approvals of accounts are the division head's alone: a team lead, the sysadmin and the auditor
    get 403 on the list and on a decision."""
    for role, team in ((Role.team_lead, Team.investigation), (Role.sysadmin, None), (Role.auditor, None)):
        _, headers = await _as(client, uow_factory, role, team)
        assert (await client.get(APPROVALS, headers=headers)).status_code == 403
        decision = await client.post(
            f"/api/v1/account-changes/{uuid.uuid4()}/decision", json={"approve": True}, headers=headers
        )
        assert decision.status_code == 403


async def test_acc_1_the_first_division_head_comes_from_the_servers_command_line(client, uow_factory) -> None:
    """ACC-1 (F1): `withu user create` (its use cases) makes a ready division head without approval — with a
    password it asks (enrolled at once), or with a one-time link its owner uses — audited as the command line's."""
    async with uow_factory() as uow:
        ready, secret = await create_user(
            uow, email=f"head-{uuid.uuid4().hex[:8]}@test.withu.local", display_name="First Head",
            role=Role.division_head, team=None, password=GOOD_PASSWORD,
        )  # fmt: skip
        linked, link = await create_user_with_link(
            uow, email=f"head-{uuid.uuid4().hex[:8]}@test.withu.local", display_name="Second Head",
            role=Role.division_head, team=None,
        )  # fmt: skip
        await uow.commit()
    first = Staff(ready.id, ready.email, GOOD_PASSWORD, secret, Role.division_head, None)
    assert (await _sign_in(client, first)).status_code == 200
    user = {"id": str(linked.id), "email": linked.email, "role": "division_head", "team": None}
    second = await enrol(client, user, link.enrolment_url, "amber kettle on the windowsill")
    assert (await _sign_in(client, second)).status_code == 200
    assert ("user.created", "system") in await _actions(uow_factory, str(ready.id))
    assert (await _actions(uow_factory, str(linked.id)))[:2] == [
        ("user.created", "system"),
        ("user.enrolment_link_issued", "system"),
    ]
