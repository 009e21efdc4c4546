"""Who becomes a staff member (ACC-1, security review F1, F17): the division head's approvals of case-role
accounts, the enrolment page's two calls (the token travels in the body, never in a URL), a password change."""

import uuid

from fastapi import Depends, Response

from app.api.deps import CurrentStaff, Uow
from app.api.problems import BUSY_RESPONSES
from app.api.ratelimit import rate_limited
from app.api.router import make_router
from app.schemas.admin import AccountChangeDecision, AccountChangeRead
from app.schemas.enrolment import EnrolmentComplete, EnrolmentOffer, EnrolmentStart, PasswordChange
from app.services import account_approvals, enrolment

router = make_router("accounts")


@router.get("/approvals/accounts", response_model=list[AccountChangeRead])
async def pending_account_changes(uow: Uow, staff: CurrentStaff) -> list[AccountChangeRead]:
    """Changes to case-role accounts waiting for a division head (division head only), oldest first: new
    accounts, role, team and employee-number changes, reactivations. No password or secret."""
    return await account_approvals.pending(uow, staff)


@router.post("/account-changes/{change_id}/decision", response_model=AccountChangeRead)
async def decide_account_change(
    change_id: uuid.UUID, command: AccountChangeDecision, uow: Uow, staff: CurrentStaff
) -> AccountChangeRead:
    """Approve (the change applies now) or decline (nothing changes) — a division head, never for a change you
    asked for or one to your own account (403 `four-eyes`)."""
    return await account_approvals.decide(uow, staff, change_id, command.approve)


@router.post("/enrolment/offer", response_model=EnrolmentOffer, dependencies=[Depends(rate_limited("login"))])
async def offer_enrolment_secret(command: EnrolmentStart, uow: Uow) -> EnrolmentOffer:
    """The enrolment page opens with its link's token: whose account it is, and a new TOTP secret to scan. An
    unknown, used or expired link answers 404 `enrolment-link-invalid`."""
    return await enrolment.offer_secret(uow, command.token)


@router.post(
    "/enrolment",
    status_code=204,
    dependencies=[Depends(rate_limited("login"))],
    responses=BUSY_RESPONSES,  # the password's Argon2 hash
)
async def complete_enrolment(command: EnrolmentComplete, uow: Uow) -> Response:
    """Set your password (15 characters at least, not a common or breached one: 422 `password-too-short`,
    `password-too-common`) and confirm the TOTP secret with a current code (422 `totp-not-confirmed`). The link
    is then used up; sign in as usual (a case-role account once a division head approved it)."""
    await enrolment.complete(uow, command)
    return Response(status_code=204)


@router.post(
    "/auth/password",
    status_code=204,
    dependencies=[Depends(rate_limited("login"))],
    responses=BUSY_RESPONSES,  # the passwords' Argon2 work
)
async def change_password(command: PasswordChange, uow: Uow, staff: CurrentStaff) -> Response:
    """Change your password, giving the current one (403 `current-password-wrong`); the new one follows the same
    rules as at enrolment. Every sign-in of yours ends: sign in again with the new password."""
    await enrolment.change_password(uow, staff, command)
    return Response(status_code=204)
