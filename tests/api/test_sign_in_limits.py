"""Staff sign-in (ACC-1; security review F12, F14): failed sign-ins slow down one (account, client) pair — the owner,
from another client, with the right password and TOTP, is never refused because of them, and is told of them at the
next sign-in; a sign-in ends after 30 minutes without use and 10 hours after it began (401 `session-expired`)."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from app.db.models import AuditEntry, SignInDelay, StaffSession
from app.domain.enums import Role, Team
from app.services import clock
from tests.builders import Staff, login_tokens, make_staff

LOGIN = "/api/v1/auth/login"
OWNER_ADDRESS = "198.51.100.23"  # the `client` fixture is 203.0.113.7: the other client, the guesser


@pytest.fixture
async def owner_client(app) -> AsyncIterator[httpx.AsyncClient]:  # type: ignore[no-untyped-def]
    """The account owner's own device: another client address than the `client` fixture's."""
    transport = httpx.ASGITransport(app=app, client=(OWNER_ADDRESS, 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c


class Clock:
    """The services' clock, injected: starts at the real time and moves only when a test says so."""

    def __init__(self) -> None:
        self.at = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.at

    def advance(self, **delta: float) -> None:
        self.at += timedelta(**delta)


@pytest.fixture
def frozen_clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    injected = Clock()
    monkeypatch.setattr(clock, "now", injected)
    return injected


def _credentials(staff: Staff, **overrides: Any) -> dict[str, Any]:
    return {"email": staff.email, "password": staff.password, "totp": staff.totp(), **overrides}


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _assert_refused(response: httpx.Response) -> None:
    assert response.status_code == 401, response.text
    assert response.json()["code"] == "login-failed"
    assert "failed_attempts_since_last_login" not in response.text


async def _pairs(uow_factory: Any, staff: Staff) -> list[SignInDelay]:
    async with uow_factory() as uow:
        rows = list((await uow.session.scalars(select(SignInDelay).where(SignInDelay.user_id == staff.id))).all())
        uow.session.expunge_all()
        return rows


async def _expire_delays(uow_factory: Any, staff: Staff, **values: Any) -> None:
    """Let the stored delays run out (and set `values` on the pairs) instead of waiting."""
    async with uow_factory() as uow:
        for row in (await uow.session.scalars(select(SignInDelay).where(SignInDelay.user_id == staff.id))).all():
            row.delayed_until = clock.now() - timedelta(seconds=1)
            for name, value in values.items():
                setattr(row, name, value)
        await uow.commit()


async def test_acc_1_others_failures_never_refuse_the_owner_who_is_told_of_them(
    client, owner_client, uow_factory
) -> None:
    """ACC-1 (F12): five wrong passwords from one client delay that client — even its right password and TOTP are
    refused — but the owner, from another client, signs in with the right ones at once, and the answer tells of
    the 6 failed attempts and the day of the last; the next sign-in tells of none."""
    staff = await make_staff(uow_factory, role=Role.investigator, team=Team.investigation)
    for _ in range(5):
        _assert_refused(await client.post(LOGIN, json=_credentials(staff, password="a wrong password")))
    [pair] = await _pairs(uow_factory, staff)
    assert pair.failures == 5 and pair.delayed_until is not None
    _assert_refused(await client.post(LOGIN, json=_credentials(staff)))  # the guesser's client waits

    owner = await owner_client.post(LOGIN, json=_credentials(staff))
    assert owner.status_code == 200, owner.text
    answer = owner.json()
    assert answer["failed_attempts_since_last_login"] == 6
    assert answer["last_failed_attempt_on"] == clock.now().date().isoformat()
    me = await owner_client.get("/api/v1/auth/me", headers=_bearer(answer["access_token"]))
    assert me.status_code == 200 and me.json()["id"] == str(staff.id)

    again = await login_tokens(owner_client, staff, offset_steps=1)
    assert again["failed_attempts_since_last_login"] == 0 and again["last_failed_attempt_on"] is None
    # The owner's sign-ins did not lift the guesser's delay.
    [pair] = await _pairs(uow_factory, staff)
    assert pair.failures == 5 and pair.delayed_until is not None and pair.delayed_until > clock.now()
    async with uow_factory() as uow:
        failed = (
            await uow.session.scalars(
                select(AuditEntry).where(AuditEntry.action == "auth.login_failed", AuditEntry.target == str(staff.id))
            )
        ).all()
        assert len(failed) == 6


async def test_acc_1_the_pair_is_keyed_by_the_daily_keyed_hash_never_the_address(client, uow_factory) -> None:
    """ACC-1, INT-1 (F12): the stored pair names the client by the rate limiter's keyed hash of the address, never
    the address itself."""
    staff = await make_staff(uow_factory, role=Role.intake, team=Team.intake_counselling)
    _assert_refused(await client.post(LOGIN, json=_credentials(staff, password="a wrong password")))
    [pair] = await _pairs(uow_factory, staff)
    assert re.fullmatch(r"[0-9a-f]{32}", pair.client_key)
    assert "203.0.113" not in pair.client_key


async def test_acc_1_a_pairs_delays_grow_are_capped_and_end(client, owner_client, uow_factory) -> None:
    """ACC-1 (F12): the pair's delay is 1 minute after 5 failures, doubles with each failure after a delay, is
    capped at an hour and runs out; then the right credentials work from that client too and its pair is gone."""
    staff = await make_staff(uow_factory, role=Role.team_lead, team=Team.investigation)
    for attempt in range(1, 6):
        _assert_refused(await client.post(LOGIN, json=_credentials(staff, password="a wrong password")))
        [pair] = await _pairs(uow_factory, staff)
        assert pair.failures == attempt and (pair.delayed_until is not None) == (attempt == 5)
    assert timedelta(seconds=50) < pair.delayed_until - clock.now() <= timedelta(seconds=60)

    await _expire_delays(uow_factory, staff)
    _assert_refused(await client.post(LOGIN, json=_credentials(staff, password="wrong again!!")))
    [pair] = await _pairs(uow_factory, staff)
    assert pair.failures == 6
    assert timedelta(seconds=110) < pair.delayed_until - clock.now() <= timedelta(seconds=120)

    await _expire_delays(uow_factory, staff, failures=40)
    _assert_refused(await client.post(LOGIN, json=_credentials(staff, password="wrong again!!")))
    [pair] = await _pairs(uow_factory, staff)
    assert timedelta(minutes=59) < pair.delayed_until - clock.now() <= timedelta(hours=1)

    await _expire_delays(uow_factory, staff)
    tokens = await login_tokens(client, staff)
    assert tokens["failed_attempts_since_last_login"] == 7
    assert await _pairs(uow_factory, staff) == []


async def test_acc_1_pairs_older_than_a_day_are_forgotten(client, uow_factory) -> None:
    """ACC-1 (F12): the client key changes every day, so a pair last met more than a day ago can never be met
    again; the next attempt on the account removes it."""
    staff = await make_staff(uow_factory, role=Role.intake, team=Team.intake_counselling)
    _assert_refused(await client.post(LOGIN, json=_credentials(staff, password="a wrong password")))
    async with uow_factory() as uow:
        [row] = (await uow.session.scalars(select(SignInDelay).where(SignInDelay.user_id == staff.id))).all()
        row.client_key = "0" * 32  # yesterday's key of some client
        row.last_failed_at = clock.now() - timedelta(days=1, seconds=1)
        await uow.commit()
    await login_tokens(client, staff)
    assert await _pairs(uow_factory, staff) == []


async def test_acc_1_a_sign_in_ends_after_30_idle_minutes(client, uow_factory, frozen_clock: Clock) -> None:
    """ACC-1 (F14): each use keeps the sign-in alive for 30 more minutes; after 30 minutes without use every
    request with its access token and its refresh token answer 401 `session-expired` (problem+json)."""
    staff = await make_staff(uow_factory, role=Role.intake, team=Team.intake_counselling)
    tokens = await login_tokens(client, staff)
    headers = _bearer(tokens["access_token"])
    for _ in range(3):  # used every 29 minutes: alive for 87 minutes
        frozen_clock.advance(minutes=29)
        assert (await client.get("/api/v1/auth/me", headers=headers)).status_code == 200
    frozen_clock.advance(minutes=30)
    for response in (
        await client.get("/api/v1/auth/me", headers=headers),
        await client.get("/api/v1/cases", headers=headers),
        await client.post("/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]}),
    ):
        assert response.status_code == 401, response.text
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["code"] == "session-expired"


async def test_acc_1_a_refresh_is_a_use_and_is_refused_after_30_idle_minutes(
    client, uow_factory, frozen_clock: Clock
) -> None:
    """ACC-1 (F14): a refresh within 30 minutes works and counts as a use; one after 30 idle minutes does not."""
    staff = await make_staff(uow_factory, role=Role.investigator, team=Team.investigation)
    tokens = await login_tokens(client, staff)
    frozen_clock.advance(minutes=25)
    rotated = await client.post("/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert rotated.status_code == 200, rotated.text
    frozen_clock.advance(minutes=29)
    rotated = await client.post("/api/v1/auth/refresh", json={"refresh_token": rotated.json()["refresh_token"]})
    assert rotated.status_code == 200, rotated.text
    frozen_clock.advance(minutes=30)
    late = await client.post("/api/v1/auth/refresh", json={"refresh_token": rotated.json()["refresh_token"]})
    assert late.status_code == 401 and late.json()["code"] == "session-expired"


async def test_acc_1_a_sign_in_ends_10_hours_after_it_began_however_busy(
    client, uow_factory, frozen_clock: Clock
) -> None:
    """ACC-1 (F14): used every 20 minutes, a sign-in still ends 10 hours after it began: requests and refreshes
    answer 401 `session-expired`; the stored start and last use are what the limits are measured from."""
    staff = await make_staff(uow_factory, role=Role.auditor)
    started = frozen_clock.at
    tokens = await login_tokens(client, staff)
    headers = _bearer(tokens["access_token"])
    for _ in range(29):  # 9 h 40 min
        frozen_clock.advance(minutes=20)
        assert (await client.get("/api/v1/auth/me", headers=headers)).status_code == 200
    async with uow_factory() as uow:
        [session] = (await uow.session.scalars(select(StaffSession).where(StaffSession.user_id == staff.id))).all()
        assert session.created_at == started
        assert session.last_used_at == frozen_clock.at
    frozen_clock.advance(minutes=20)
    me = await client.get("/api/v1/auth/me", headers=headers)
    assert me.status_code == 401 and me.json()["code"] == "session-expired"
    refreshed = await client.post("/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert refreshed.status_code == 401 and refreshed.json()["code"] == "session-expired"


async def test_acc_1_session_limits_come_from_the_settings(app, client, uow_factory, frozen_clock: Clock) -> None:
    """ACC-1 (F14): `WITHU_SESSION_IDLE_MINUTES` and `WITHU_SESSION_ABSOLUTE_HOURS` set the limits."""
    runtime = app.state.runtime
    default = runtime.settings
    runtime.settings = default.model_copy(update={"session_idle_minutes": 5, "session_absolute_hours": 1})
    try:
        staff = await make_staff(uow_factory, role=Role.intake, team=Team.intake_counselling)
        tokens = await login_tokens(client, staff)
        headers = _bearer(tokens["access_token"])
        frozen_clock.advance(minutes=4)
        assert (await client.get("/api/v1/auth/me", headers=headers)).status_code == 200
        frozen_clock.advance(minutes=5)
        assert (await client.get("/api/v1/auth/me", headers=headers)).json()["code"] == "session-expired"
    finally:
        runtime.settings = default
