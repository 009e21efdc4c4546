"""Fail closed (ACC-1, ACC-2; security review F16): production is what runs unless development is asked for — no
demo data, no Swagger UI at /docs; the OpenAPI document stays at /openapi.json for integrators (docs/api.md)."""

from __future__ import annotations

import httpx
import pytest

from app.domain.errors import AccessDenied
from app.main import create_app
from app.services.demo import current_totp, seed_demo
from tests.conftest import make_settings


async def test_acc_1_production_serves_no_docs_page_but_the_openapi_document(settings) -> None:
    """ACC-1 (F16): in production `/docs` (Swagger UI, a ready-made console against the API) and its files are not
    served; `/openapi.json`, which integrators are told to use, is."""
    application = create_app(make_settings(environment="production"))
    transport = httpx.ASGITransport(app=application)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
            for path in ("/docs", "/docs/init.js", "/docs/assets/swagger-ui.css"):
                assert (await c.get(path)).status_code == 404, path
            document = await c.get("/openapi.json")
            assert document.status_code == 200 and "/api/v1/auth/login" in document.json()["paths"]
    finally:
        await application.state.runtime.engine.dispose()


async def test_acc_1_outside_production_the_docs_page_is_served(client) -> None:
    """ACC-1 (F16): development and test keep the docs page."""
    assert (await client.get("/docs")).status_code == 200


@pytest.mark.parametrize("environment", ["production", "test"])
async def test_acc_1_demo_seeding_refuses_outside_development(uow_factory, environment: str) -> None:
    """ACC-1 (F16): demo accounts with published passwords are refused in production (and in test); only an
    explicit development environment seeds them."""
    async with uow_factory() as uow:
        uow.settings = make_settings(environment=environment)
        with pytest.raises(AccessDenied):
            await seed_demo(uow)
        with pytest.raises(AccessDenied):
            await current_totp(uow, "intake@demo.withu.local")


def test_acc_1_a_command_without_an_environment_names_the_setting_without_a_traceback(monkeypatch, capsys) -> None:
    """ACC-1 (F16): `withu` without WITHU_ENVIRONMENT runs as production and refuses the placeholder secret with one
    line that names the setting and exit code 2 — never a traceback an operator has to read."""
    from app.cli import main

    monkeypatch.delenv("WITHU_ENVIRONMENT", raising=False)
    monkeypatch.delenv("WITHU_JWT_SECRET", raising=False)
    with pytest.raises(SystemExit) as exit_:
        main(["demo", "totp", "nobody@demo.withu.local"])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert "WITHU_JWT_SECRET" in err and "production" in err and "Traceback" not in err
