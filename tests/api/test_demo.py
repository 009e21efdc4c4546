"""The development demo: seeding prints every login; `withu demo totp` gives a code sign-in accepts now."""

from __future__ import annotations

import uuid

import pytest

from app.domain.errors import AccessDenied
from app.services.demo import current_totp, seed_demo
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
