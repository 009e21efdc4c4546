"""The development demo: seeding prints every login; `withu demo totp` gives a code sign-in accepts now."""

from __future__ import annotations

import uuid

import pyotp
import pytest

from app.domain.errors import AccessDenied
from app.services.demo import current_totp, seed_demo
from tests.builders import case_id_for, make_report
from tests.conftest import make_settings


async def test_demo_seed_and_totp_codes_that_sign_in_accepts_twice_in_a_row(client, app, uow_factory) -> None:
    """Two sign-ins of the same demo user within one 30-second step both work with `withu demo totp` codes."""
    runtime = app.state.runtime
    runtime.settings = make_settings(environment="development")
    try:
        async with uow_factory() as uow:
            uow.settings = runtime.settings
            lines = await seed_demo(uow)
            await uow.commit()
        assert any("intake@demo.withu.local" in line and "withu-demo-intake-pw" in line for line in lines)
        for _ in range(2):
            async with uow_factory() as uow:
                uow.settings = runtime.settings
                code = await current_totp(uow, "intake@demo.withu.local")
            response = await client.post(
                "/api/v1/auth/login",
                json={"email": "intake@demo.withu.local", "password": "withu-demo-intake-pw", "totp": code},
            )
            assert response.status_code == 200, response.text
    finally:
        runtime.settings = make_settings()


async def test_demo_data_is_refused_outside_development(uow_factory) -> None:
    """Demo logins exist in development only."""
    async with uow_factory() as uow:
        with pytest.raises(AccessDenied):
            await seed_demo(uow)
        with pytest.raises(AccessDenied):
            await current_totp(uow, f"x-{uuid.uuid4().hex}@demo.withu.local")


async def test_acc_1_f2_demo_case_team_is_verified_by_the_demo_directory(client, app, uow_factory) -> None:
    """ACC-1 (F2): the demo seed puts the demo case team into a demo personnel directory, so the README's
    walkthrough works — a demo intake officer finds a new report in the intake queue and opens it — while the
    content-blind demo roles have no employee number."""
    runtime = app.state.runtime
    runtime.settings = make_settings(environment="development")
    try:
        async with uow_factory() as uow:
            uow.settings = runtime.settings
            await seed_demo(uow)
            await uow.commit()
        async with uow_factory() as uow:
            uow.settings = runtime.settings
            code = await current_totp(uow, "intake2@demo.withu.local")  # intake signed in twice above: a fresh one
            sysadmin = await uow.staff.user_by_email("sysadmin@demo.withu.local")
            assert sysadmin is not None and sysadmin.employee_number is None
            intake = await uow.staff.user_by_email("intake2@demo.withu.local")
            assert intake is not None and intake.employee_number
            employee = await uow.personnel.employee_by_number(intake.employee_number)
            assert employee is not None and employee.status == "active"
        login = await client.post(
            "/api/v1/auth/login",
            json={"email": "intake2@demo.withu.local", "password": "withu-demo-intake2-pw", "totp": code},
        )
        assert login.status_code == 200, login.text
        headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
        report = await make_report(client)
        case_id = await case_id_for(client, headers, report["case_reference"])
        assert (await client.get(f"/api/v1/cases/{case_id}", headers=headers)).status_code == 200
    finally:
        runtime.settings = make_settings()


def test_demo_totp_waits_for_a_step_sign_in_accepts_after_two_sign_ins() -> None:
    """Issue 14 (the walkthroughs run back to back): a code works once and sign-in accepts one step ahead, so after
    two sign-ins within a step the next code is refused until the next step begins; `withu demo totp` waits for it
    (seconds_until_totp_accepted), then prints the code sign-in accepts."""
    from types import SimpleNamespace

    from app.services.auth import TOTP_PERIOD, _totp_step
    from app.services.demo import totp_wait_seconds

    secret = pyotp.random_base32()
    now = 1_800_000_000 + 7.0  # 7 s into a step
    current = int(now) // TOTP_PERIOD
    both_used = SimpleNamespace(totp_secret=secret, last_totp_step=current + 1)
    code = pyotp.TOTP(secret, interval=TOTP_PERIOD).at((current + 2) * TOTP_PERIOD)  # what current_totp gives
    wait = totp_wait_seconds(both_used.last_totp_step, now)
    assert wait == TOTP_PERIOD - 7.0
    assert _totp_step(both_used, code, now) is None  # printed at once, it would be refused
    assert _totp_step(both_used, code, now + wait) == current + 2  # after the wait it is accepted
    assert totp_wait_seconds(current, now) == 0.0  # one sign-in this step: no wait
