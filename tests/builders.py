"""Keyword-only factories that go through the real API and use cases."""

from __future__ import annotations

import calendar
import random
import time
import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

import httpx
import pyotp

from app.domain.access import CASE_TEAM_ROLES
from app.domain.enums import Role, Team
from app.services.admin import create_user
from tests.directory import make_org

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
    employee_number: str | None = None

    def totp(self, offset_steps: int = 0) -> str:
        """The TOTP code of now, or of `offset_steps` 30-second steps away (a step is accepted once)."""
        return pyotp.TOTP(self.totp_secret).at(time.time() + offset_steps * 30)


async def make_staff(
    uow_factory: Any,
    *,
    role: Role,
    team: Team | None = None,
    employee_number: str | None = None,
    in_directory: bool = True,
) -> Staff:
    """A ready staff account. A case-team member without an `employee_number` gets one of their own, naming an
    active employee of the personnel directory alone in an organisation of their own (F2: without a directory match
    a case-team account sees no case) — unless `in_directory=False`, which leaves the number as given (None, or
    one the directory may not know). A given number is used as it is."""
    if employee_number is None and in_directory and role in CASE_TEAM_ROLES:
        employee_number = (await make_org(uow_factory, units={}, people={"staff": (None, None)})).employees["staff"]
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
    return Staff(user.id, email, password, secret, role, team, employee_number)


async def enrol(client: httpx.AsyncClient, user: dict[str, Any], enrolment_url: str, password: str) -> Staff:
    """The owner's side of an enrolment link (F1) for the account `user` (as the API answers it): open the page (a
    new TOTP secret), set the password and confirm a code. The token is the link's fragment."""
    token = enrolment_url.split("#", 1)[1]
    offer = await client.post("/api/v1/enrolment/offer", json={"token": token})
    assert offer.status_code == 200, offer.text
    secret = offer.json()["totp_secret"]
    done = await client.post(
        "/api/v1/enrolment", json={"token": token, "password": password, "totp": pyotp.TOTP(secret).now()}
    )
    assert done.status_code == 204, done.text
    team = Team(user["team"]) if user["team"] else None
    return Staff(uuid.UUID(user["id"]), user["email"], password, secret, Role(user["role"]), team)


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


async def open_case(client: httpx.AsyncClient, headers: dict[str, str], case_id: str) -> dict[str, Any]:
    """A reader who holds the case's key opens it (issue 18): the key is then wrapped for every reader who joined
    since the case came in — who until then gets 409 `case-key-not-shared`."""
    response = await client.get(f"/api/v1/cases/{case_id}", headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


# F5, SAN-2's four eyes: these statuses are proposed by a handler of the case and confirmed by a second person.
DECISIONS = frozenset({"decided", "withdrawn"})
MOVE_REASON = "Recorded by the case team after review."


async def move_case(
    client: httpx.AsyncClient, uow_factory: Any, headers: dict[str, str], case_id: str, to: str, **extra: Any
) -> dict[str, Any]:
    """Move a case to `to` (CASE-1) the way the rules want it, and return the case as `headers` then reads it.
    An ordinary transition is made by `headers` at the version it reads. `decided` (with `finding=`) and `withdrawn`
    take two people (F5): a new division head assigns the caller as a handler, the caller proposes, the division
    head confirms. (A division head calling is the confirmer instead, and a new handler of the team proposes.)"""
    url = f"/api/v1/cases/{case_id}"
    if to not in DECISIONS:
        etag = (await client.get(url, headers=headers)).headers["etag"]
        moved = await client.post(
            f"{url}/transitions", json={"to": to, "reason": MOVE_REASON, **extra}, headers={**headers, "If-Match": etag}
        )
        assert moved.status_code == 200, moved.text
        return moved.json()
    me = (await client.get("/api/v1/auth/me", headers=headers)).json()
    proposer, confirmer = headers, await login(client, await make_staff(uow_factory, role=Role.division_head))
    await open_case(client, headers, case_id)  # issue 18: the caller holds the key; the new division head now too
    handler_id = me["id"]
    if me["role"] == Role.division_head:
        team = Team((await client.get(url, headers=headers)).json()["team"])
        handler = await make_staff(uow_factory, role=Role.investigator, team=team)
        proposer, confirmer, handler_id = await login(client, handler), headers, str(handler.id)
    assigned = await client.post(f"{url}/handlers", json={"user_id": handler_id}, headers=confirmer)
    assert assigned.status_code == 201, assigned.text
    etag = (await client.get(url, headers=proposer)).headers["etag"]
    proposed = await client.post(
        f"{url}/decision-proposals",
        json={"to": to, "reason": MOVE_REASON, **extra},
        headers={**proposer, "If-Match": etag},
    )
    assert proposed.status_code == 201, proposed.text
    confirmed = await client.post(
        f"{url}/decision-proposals/{proposed.json()['id']}/decision",
        json={"approve": True, "reason": "Confirmed by a second person."},
        headers=confirmer,
    )
    assert confirmed.status_code == 200, confirmed.text
    return (await client.get(url, headers=headers)).json()


def a_quarter_of_our_own() -> tuple[date, date]:
    """The first and last day of a calendar quarter long past that no other test uses (the database is shared and
    never cleaned): outside the case team, statistics answer only for such a quarter (STAT-1)."""
    year, first = random.randint(1000, 1899), random.choice((1, 4, 7, 10))
    last = date(year, first + 2, calendar.monthrange(year, first + 2)[1])
    return date(year, first, 1), last


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
