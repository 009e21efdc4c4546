"""Keyword-only factories that go through the real API and use cases."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from typing import Any

import httpx
import pyotp

from app.domain.enums import Role, Team
from app.services.admin import create_user

NARRATIVE = "At the team dinner my manager touched me repeatedly and made comments about my body."


def report_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "reporter_kind": "third_party",
        "identity_mode": "anonymous",
        "narrative": NARRATIVE,
        "category": "sexual_harassment",
    }
    body.update(overrides)
    return body


async def make_report(client: httpx.AsyncClient, **overrides: Any) -> dict[str, Any]:
    """Submit a report through the API; the answer holds the receipt code and the case reference."""
    response = await client.post("/api/v1/reports", json=report_body(**overrides))
    assert response.status_code == 201, response.text
    return response.json()


async def inbox_headers(client: httpx.AsyncClient, receipt_code: str) -> dict[str, str]:
    response = await client.post("/api/v1/inbox/session", json={"receipt_code": receipt_code})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


@dataclass
class Staff:
    id: uuid.UUID
    email: str
    password: str
    totp_secret: str
    role: Role
    team: Team | None

    def totp(self, offset_steps: int = 0) -> str:
        """The TOTP code of now, or of `offset_steps` 30-second steps away (a step is accepted once)."""
        return pyotp.TOTP(self.totp_secret).at(time.time() + offset_steps * 30)


async def make_staff(
    uow_factory: Any, *, role: Role, team: Team | None = None, employee_number: str | None = None
) -> Staff:
    email = f"{role.value}-{uuid.uuid4().hex[:10]}@test.withu.local"
    password = "correct horse battery staple"
    async with uow_factory() as uow:
        user, secret = await create_user(
            uow,
            email=email,
            display_name=f"Test {role.value}",
            role=role,
            team=team,
            password=password,
            employee_number=employee_number,
        )
        await uow.commit()
    return Staff(user.id, email, password, secret, role, team)


async def login(client: httpx.AsyncClient, staff: Staff) -> dict[str, str]:
    """Sign in and return the Authorization header."""
    tokens = await login_tokens(client, staff)
    return {"Authorization": f"Bearer {tokens['access_token']}"}


async def login_tokens(client: httpx.AsyncClient, staff: Staff, offset_steps: int = 0) -> dict[str, Any]:
    response = await client.post(
        "/api/v1/auth/login",
        json={"email": staff.email, "password": staff.password, "totp": staff.totp(offset_steps)},
    )
    assert response.status_code == 200, response.text
    return response.json()


async def case_id_for(client: httpx.AsyncClient, headers: dict[str, str], reference: str) -> str:
    """Find a case's id in the caller's queue by its reference."""
    page = (await client.get("/api/v1/cases", headers=headers, params={"reference": reference})).json()
    assert page["total"] == 1, page
    return page["items"][0]["id"]


def separation_event(topic: str, reference: str | None = None) -> dict[str, Any]:
    """A payload of a separation topic exactly as the published schema (docs/webhook-payloads.schema.json) has it:
    tests/api/test_webhook_payloads.py validates every payload in the test database, whoever queued it."""
    import uuid

    reference = reference or f"SO-{uuid.uuid4().hex[:5].upper()}-{uuid.uuid4().hex[:5].upper()}"
    if topic == "separation.violation_found":
        return {"order_reference": reference, "reasons": ["separated-same-unit"], "event_id": None}
    if topic == "separation.order_ended":
        return {"order_reference": reference}
    return {"reference": reference, "employee_numbers": ["E-SAMPLE-1", "E-SAMPLE-2"], "opened_on": "2026-11-28"}
