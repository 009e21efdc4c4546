"""Sign out everywhere (ACC-1, AUD-1): every sign-in of the person ends at once, access and refresh tokens alike;
a later sign-in works; the change is audited."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from app.db.models import AuditEntry, StaffSession, StaffUser
from app.domain.enums import Role, Team
from tests.builders import login_tokens, make_staff

URL = "/api/v1/auth/logout-all"


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_acc_1_logout_all_ends_every_sign_in_and_is_audited(client, uow_factory) -> None:
    """ACC-1, AUD-1: two sign-ins (two devices); signing out everywhere from one refuses both access tokens and
    both refresh tokens from the next request on, and writes one audit entry naming the person."""
    staff = await make_staff(uow_factory, role=Role.intake, team=Team.intake_counselling)
    phone = await login_tokens(client, staff)
    laptop = await login_tokens(client, staff, offset_steps=1)
    assert (await client.get("/api/v1/auth/me", headers=_bearer(laptop["access_token"]))).status_code == 200

    response = await client.post(URL, headers=_bearer(phone["access_token"]))
    assert response.status_code == 204, response.text

    for tokens in (phone, laptop):
        me = await client.get("/api/v1/auth/me", headers=_bearer(tokens["access_token"]))
        assert me.status_code == 401 and me.json()["code"] == "invalid-token"
        again = await client.post("/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
        assert again.status_code == 401 and again.headers["content-type"] == "application/problem+json"
    async with uow_factory() as uow:
        sessions = (await uow.session.scalars(select(StaffSession).where(StaffSession.user_id == staff.id))).all()
        assert len(sessions) == 2 and all(s.revoked_at is not None for s in sessions)
        entry = await uow.session.scalar(
            select(AuditEntry).where(AuditEntry.action == "auth.logout_all", AuditEntry.actor_id == str(staff.id))
        )
        assert entry is not None and entry.target == "2" and entry.case_id is None


async def test_acc_1_a_sign_in_after_logout_all_works(client, uow_factory) -> None:
    """ACC-1: signing out everywhere refuses what came before, not what comes after."""
    staff = await make_staff(uow_factory, role=Role.auditor)
    first = await login_tokens(client, staff)
    assert (await client.post(URL, headers=_bearer(first["access_token"]))).status_code == 204
    async with uow_factory() as uow:  # the TOTP step was used; a new step comes every 30 s
        user = await uow.session.get(StaffUser, staff.id)
        user.last_totp_step = 0
        await uow.commit()
    later = await login_tokens(client, staff)
    assert (await client.get("/api/v1/auth/me", headers=_bearer(later["access_token"]))).status_code == 200
    refreshed = await client.post("/api/v1/auth/refresh", json={"refresh_token": later["refresh_token"]})
    assert refreshed.status_code == 200, refreshed.text


async def test_acc_1_logout_all_needs_a_staff_token(client) -> None:
    """ACC-1: anonymous and forged callers get 401 problems; nothing is revoked."""
    anonymous = await client.post(URL)
    assert anonymous.status_code == 401 and anonymous.json()["code"] == "invalid-token"
    forged = await client.post(URL, headers=_bearer(uuid.uuid4().hex))
    assert forged.status_code == 401 and forged.headers["content-type"] == "application/problem+json"
