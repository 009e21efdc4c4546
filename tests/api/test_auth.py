"""Staff sign-in: password + TOTP, short-lived access tokens, refresh rotation, sign-out (AUD-1). Delays after failed
sign-ins and the limits of a sign-in: tests/api/test_sign_in_limits.py."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx
import jwt
from sqlalchemy import select

from app.db.models import AuditEntry, StaffSession
from app.domain.enums import Role, Team
from tests.builders import Staff, login_tokens, make_staff

LOGIN_FAILED_TITLE = "Sign-in failed."


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _credentials(staff: Staff, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"email": staff.email, "password": staff.password, "totp": staff.totp()}
    body.update(overrides)
    return body


def _other_code(code: str) -> str:
    """A six-digit code that is certainly not `code`."""
    return f"{(int(code) + 500_000) % 1_000_000:06d}"


def _assert_login_failed(response: httpx.Response) -> None:
    assert response.status_code == 401, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["www-authenticate"] == "Bearer"
    problem = response.json()
    assert (problem["code"], problem["title"]) == ("login-failed", LOGIN_FAILED_TITLE)
    assert "detail" not in problem
    assert "access_token" not in problem


@dataclass(frozen=True)
class UserState:
    failed_logins: int
    last_failed_login_at: datetime | None
    last_totp_step: int


@dataclass(frozen=True)
class AuditRow:
    actor_kind: str
    actor_id: str | None
    target: str | None
    case_id: uuid.UUID | None


async def _user(uow_factory, staff: Staff) -> UserState:  # type: ignore[no-untyped-def]
    """The stored sign-in state of a staff member (read in its own unit of work)."""
    async with uow_factory() as uow:
        user = await uow.staff.user(staff.id)
        assert user is not None
        return UserState(user.failed_logins, user.last_failed_login_at, user.last_totp_step)


async def _audit(uow_factory, action: str, **where: str) -> list[AuditRow]:  # type: ignore[no-untyped-def]
    async with uow_factory() as uow:
        query = select(AuditEntry).where(AuditEntry.action == action)
        for column, value in where.items():
            query = query.where(getattr(AuditEntry, column) == value)
        rows = (await uow.session.scalars(query.order_by(AuditEntry.seq))).all()
        return [AuditRow(r.actor_kind, r.actor_id, r.target, r.case_id) for r in rows]


async def test_login_happy_path_and_me(client, uow_factory) -> None:
    """Password + current TOTP → an access and a refresh token; /auth/me names the role and the team."""
    staff = await make_staff(uow_factory, role=Role.investigator, team=Team.investigation)
    response = await client.post("/api/v1/auth/login", json=_credentials(staff))
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    tokens = response.json()
    assert tokens["token_type"] == "Bearer"
    assert tokens["access_token"] and tokens["refresh_token"]
    assert tokens["access_token"] != tokens["refresh_token"]
    assert (tokens["failed_attempts_since_last_login"], tokens["last_failed_attempt_on"]) == (0, None)
    me = await client.get("/api/v1/auth/me", headers=_bearer(tokens["access_token"]))
    assert me.status_code == 200
    assert me.json() == {
        "id": str(staff.id),
        "email": staff.email,
        "display_name": "Test investigator",
        "role": "investigator",
        "team": "investigation",
    }
    user = await _user(uow_factory, staff)
    assert user.failed_logins == 0 and user.last_failed_login_at is None and user.last_totp_step > 0


async def test_login_email_is_case_insensitive(client, uow_factory) -> None:
    """The e-mail is matched without regard to case or surrounding spaces."""
    staff = await make_staff(uow_factory, role=Role.auditor)
    response = await client.post("/api/v1/auth/login", json=_credentials(staff, email=f"  {staff.email.upper()} "))
    assert response.status_code == 200, response.text
    me = await client.get("/api/v1/auth/me", headers=_bearer(response.json()["access_token"]))
    assert me.json()["role"] == "auditor" and me.json()["team"] is None


async def test_aud_1_login_is_audited_with_the_user(client, uow_factory) -> None:
    """AUD-1: a sign-in writes an `auth.login` entry naming the staff member (never the password)."""
    staff = await make_staff(uow_factory, role=Role.intake, team=Team.intake_counselling)
    await login_tokens(client, staff)
    entries = await _audit(uow_factory, "auth.login", actor_id=str(staff.id))
    assert len(entries) == 1
    assert entries[0].actor_kind == "staff" and entries[0].case_id is None
    assert staff.password not in (entries[0].target or "")


async def test_wrong_password_wrong_totp_unknown_email_answer_alike(client, uow_factory) -> None:
    """Wrong password, wrong TOTP and an unknown e-mail all answer 401 `login-failed` with the same title."""
    staff = await make_staff(uow_factory, role=Role.intake, team=Team.intake_counselling)
    attempts = [
        _credentials(staff, password="not the right password"),
        _credentials(staff, totp=_other_code(staff.totp())),
        _credentials(staff, email="nobody-at-all@test.withu.local"),
        _credentials(staff, password="not the right password", totp=_other_code(staff.totp())),
    ]
    answers = [await client.post("/api/v1/auth/login", json=body) for body in attempts]
    for response in answers:
        _assert_login_failed(response)
    shapes = {tuple(sorted(set(r.json()) - {"trace_id"})) for r in answers}
    assert len(shapes) == 1
    assert len({(r.json()["type"], r.json()["title"], r.json()["instance"]) for r in answers}) == 1


async def test_aud_1_login_failures_are_audited_with_the_target_user(client, uow_factory) -> None:
    """AUD-1: each failed sign-in on a known account writes `auth.login_failed` with the user as target."""
    staff = await make_staff(uow_factory, role=Role.intake, team=Team.intake_counselling)
    _assert_login_failed(await client.post("/api/v1/auth/login", json=_credentials(staff, password="wrong password!")))
    _assert_login_failed(
        await client.post("/api/v1/auth/login", json=_credentials(staff, totp=_other_code(staff.totp())))
    )
    entries = await _audit(uow_factory, "auth.login_failed", target=str(staff.id))
    assert len(entries) == 2
    assert all(e.actor_id is None for e in entries)
    assert await _audit(uow_factory, "auth.login", actor_id=str(staff.id)) == []
    user = await _user(uow_factory, staff)
    assert user.failed_logins == 2 and user.last_failed_login_at is not None


async def test_totp_code_is_accepted_once_only(client, uow_factory) -> None:
    """A TOTP code works once: replaying it right after a successful sign-in fails; the next step's code works."""
    staff = await make_staff(uow_factory, role=Role.intake, team=Team.intake_counselling)
    code = staff.totp()
    first = await client.post("/api/v1/auth/login", json=_credentials(staff, totp=code))
    assert first.status_code == 200, first.text
    replay = await client.post("/api/v1/auth/login", json=_credentials(staff, totp=code))
    _assert_login_failed(replay)
    second = await login_tokens(client, staff, offset_steps=1)
    assert second["access_token"] != first.json()["access_token"]
    # Two sign-ins, two sessions; the replay opened none.
    async with uow_factory() as uow:
        sessions = (await uow.session.scalars(select(StaffSession).where(StaffSession.user_id == staff.id))).all()
        assert len(sessions) == 2


async def test_access_token_lives_at_most_15_minutes(client, uow_factory) -> None:
    """The staff access token expires within 15 minutes of issue; it is meant for the staff audience."""
    staff = await make_staff(uow_factory, role=Role.team_lead, team=Team.investigation)
    tokens = await login_tokens(client, staff)
    claims = jwt.decode(tokens["access_token"], options={"verify_signature": False})
    assert 0 < claims["exp"] - claims["iat"] <= 900
    assert 0 < tokens["expires_in"] <= 900
    assert claims["aud"] == "staff" and claims["sub"] == str(staff.id)
    assert "password" not in claims and "email" not in claims


async def test_expired_or_forged_access_token_is_refused(client, uow_factory, settings) -> None:
    """An expired, forged or garbage access token answers 401 `invalid-token`."""
    staff = await make_staff(uow_factory, role=Role.intake, team=Team.intake_counselling)
    tokens = await login_tokens(client, staff)
    claims = jwt.decode(tokens["access_token"], options={"verify_signature": False})
    expired = jwt.encode({**claims, "exp": claims["iat"] - 10}, settings.jwt_secret, algorithm="HS256")
    forged = jwt.encode(claims, "another-secret-of-sufficient-length-000", algorithm="HS256")
    for token in (expired, forged, "not-a-jwt", tokens["refresh_token"]):
        response = await client.get("/api/v1/auth/me", headers=_bearer(token))
        assert response.status_code == 401
        assert response.json()["code"] == "invalid-token"
    assert (await client.get("/api/v1/auth/me")).status_code == 401


async def test_refresh_rotates_and_reuse_revokes_the_whole_sign_in(client, uow_factory) -> None:
    """Refresh rotates: the new pair works; the old refresh token presented again → 401, and the whole sign-in
    is revoked (theft): even the newest access token and refresh token stop working."""
    staff = await make_staff(uow_factory, role=Role.investigator, team=Team.investigation)
    first = await login_tokens(client, staff)
    rotated = await client.post("/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert rotated.status_code == 200, rotated.text
    second = rotated.json()
    assert second["refresh_token"] != first["refresh_token"]
    assert second["access_token"] != first["access_token"]
    me = await client.get("/api/v1/auth/me", headers=_bearer(second["access_token"]))
    assert me.status_code == 200 and me.json()["id"] == str(staff.id)

    reused = await client.post("/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert reused.status_code == 401
    assert reused.json()["code"] == "invalid-token"
    for access in (second["access_token"], first["access_token"]):
        assert (await client.get("/api/v1/auth/me", headers=_bearer(access))).status_code == 401
    newest = await client.post("/api/v1/auth/refresh", json={"refresh_token": second["refresh_token"]})
    assert newest.status_code == 401
    async with uow_factory() as uow:
        sessions = (await uow.session.scalars(select(StaffSession).where(StaffSession.user_id == staff.id))).all()
        assert len(sessions) == 1 and sessions[0].revoked_at is not None
    assert len(await _audit(uow_factory, "auth.refresh_reused", actor_id=str(staff.id))) == 1


async def test_refresh_with_unknown_token_is_refused(client) -> None:
    """A refresh token that was never issued answers 401 `invalid-token`."""
    response = await client.post("/api/v1/auth/refresh", json={"refresh_token": "x" * 43})
    assert response.status_code == 401 and response.json()["code"] == "invalid-token"


async def test_logout_ends_access_and_refresh_tokens_at_once(client, uow_factory) -> None:
    """Sign-out answers 204; the access token and the refresh token of that sign-in stop working at once."""
    staff = await make_staff(uow_factory, role=Role.intake, team=Team.intake_counselling)
    tokens = await login_tokens(client, staff)
    other = await login_tokens(client, staff, offset_steps=1)
    headers = _bearer(tokens["access_token"])
    out = await client.post("/api/v1/auth/logout", headers=headers)
    assert out.status_code == 204 and out.content == b""
    me = await client.get("/api/v1/auth/me", headers=headers)
    assert me.status_code == 401 and me.json()["code"] == "invalid-token"
    refreshed = await client.post("/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert refreshed.status_code == 401
    assert (await client.post("/api/v1/auth/logout", headers=headers)).status_code == 401
    # Another sign-in of the same person is not affected.
    assert (await client.get("/api/v1/auth/me", headers=_bearer(other["access_token"]))).status_code == 200
    assert len(await _audit(uow_factory, "auth.logout", actor_id=str(staff.id))) == 1


async def test_logout_needs_a_token(client) -> None:
    """Sign-out without a token answers 401 problem+json."""
    response = await client.post("/api/v1/auth/logout")
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"


async def test_deactivated_user_cannot_use_an_existing_access_token(client, uow_factory) -> None:
    """A staff member is read afresh on every request: once deactivated, the access token (and the refresh
    token) answer 401, and signing in again fails."""
    staff = await make_staff(uow_factory, role=Role.investigator, team=Team.investigation)
    tokens = await login_tokens(client, staff)
    headers = _bearer(tokens["access_token"])
    assert (await client.get("/api/v1/auth/me", headers=headers)).status_code == 200
    async with uow_factory() as uow:
        user = await uow.staff.user(staff.id)
        user.active = False
        await uow.commit()
    me = await client.get("/api/v1/auth/me", headers=headers)
    assert me.status_code == 401 and me.json()["code"] == "invalid-token"
    assert (await client.get("/api/v1/cases", headers=headers)).status_code == 401
    refreshed = await client.post("/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert refreshed.status_code == 401
    _assert_login_failed(await client.post("/api/v1/auth/login", json=_credentials(staff, totp=staff.totp(1))))


async def test_malformed_login_bodies_are_problems(client, uow_factory) -> None:
    """Missing fields, a TOTP that is not six digits, wrong types and unknown fields → 422; bad JSON → 400.
    The input is never echoed, and nothing counts as a failed sign-in."""
    staff = await make_staff(uow_factory, role=Role.intake, team=Team.intake_counselling)
    good = _credentials(staff)
    bodies: list[Any] = [
        {},
        {"email": staff.email, "password": staff.password},
        {"email": staff.email, "totp": "123456"},
        {"password": staff.password, "totp": "123456"},
        {**good, "totp": "12345"},
        {**good, "totp": "1234567"},
        {**good, "totp": "abcdef"},
        {**good, "totp": ""},
        {**good, "totp": 123456},
        {**good, "email": 5},
        {**good, "password": ["secret-password-list"]},
        {**good, "password": ""},
        {**good, "role": "sysadmin"},
        ["not", "an", "object"],
        "just a string",
    ]
    for body in bodies:
        response = await client.post("/api/v1/auth/login", json=body)
        assert response.status_code == 422, body
        assert response.headers["content-type"] == "application/problem+json"
        problem = response.json()
        assert problem["code"] == "validation-failed" and problem["errors"]
        assert staff.password not in response.text
    for raw in (b'{"email": "a@b.c", "password": ', b"", b"not json"):
        response = await client.post("/api/v1/auth/login", content=raw, headers={"content-type": "application/json"})
        assert response.status_code in (400, 422), raw
        assert response.headers["content-type"] == "application/problem+json"
    broken = await client.post(
        "/api/v1/auth/login", content=b'{"email": "a@b.c", "password": ', headers={"content-type": "application/json"}
    )
    assert broken.status_code == 400 and broken.json()["code"] == "malformed-body"
    for body in ({}, {"refresh_token": 5}, {"refresh_token": "short"}):
        response = await client.post("/api/v1/auth/refresh", json=body)
        assert response.status_code == 422, body
        assert response.json()["code"] == "validation-failed"
    user = await _user(uow_factory, staff)
    assert user.failed_logins == 0
