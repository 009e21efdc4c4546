"""An account's owner sets their own password and TOTP (ACC-1, security review F1, F17): the sysadmin hands on a
one-time enrolment link and never chooses or sees either. Also: changing one's password. Every step is audited."""

from __future__ import annotations

from datetime import datetime, timedelta

import pyotp
import segno

from app.db.models import EnrolmentLink, StaffUser
from app.db.uow import UnitOfWork
from app.domain.credentials import EnrolmentLinkInvalid, check_link_issuable, check_link_usable
from app.domain.errors import AccessDenied, RuleViolation
from app.schemas.admin import EnrolmentLinkRead
from app.schemas.enrolment import EnrolmentComplete, EnrolmentOffer, PasswordChange
from app.services import audit, auth, case_keys, clock
from app.services.actors import Actor, StaffActor
from app.services.passwords import check_new_password
from app.services.security import hash_secret, new_opaque_token, sha256_hex, verify_secret

TOTP_ISSUER = "WithU"
# The enrolment page of the dashboard; the token follows in the fragment, which no browser sends to a server.
ENROLMENT_PAGE = "/admin/enrol.html#"


class TotpNotConfirmed(RuleViolation):
    code = "totp-not-confirmed"
    title = "That code does not match the secret shown last. Check the authenticator app and the device's clock."


class CurrentPasswordWrong(AccessDenied):
    code = "current-password-wrong"
    title = "The current password is not right; nothing was changed."
    keeps_changes = True  # the refusal's audit entry


async def issue_link(uow: UnitOfWork, actor: Actor, user: StaffUser) -> EnrolmentLinkRead:
    """A new one-time link for an account whose owner has not enrolled yet (an unused older one stops working)."""
    check_link_issuable(enrolled=user.enrolled_at is not None)
    await uow.accounts.drop_unused_links(user.id)
    token = new_opaque_token()
    now = clock.now()
    link = EnrolmentLink(
        user_id=user.id,
        token_hash=sha256_hex(token),
        created_at=now,
        expires_at=now + timedelta(hours=uow.settings.enrolment_link_hours),
    )
    uow.accounts.add(link)
    await uow.session.flush()
    await audit.record(uow, actor, "user.enrolment_link_issued", target=str(user.id))
    return EnrolmentLinkRead(enrolment_url=ENROLMENT_PAGE + token, expires_at=link.expires_at)


async def _usable(uow: UnitOfWork, token: str, now: datetime) -> tuple[EnrolmentLink, StaffUser]:
    link = await uow.accounts.link_for_update(sha256_hex(token))
    if link is None:
        raise EnrolmentLinkInvalid()
    user = await uow.staff.user_for_update(link.user_id)
    assert user is not None
    check_link_usable(used_at=link.used_at, expires_at=link.expires_at, enrolled=user.enrolled_at is not None, now=now)
    return link, user


def totp_uri(secret: str, email: str) -> str:
    """The otpauth:// URI an authenticator app reads (issuer WithU, 6 digits, 30 s, SHA-1)."""
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=TOTP_ISSUER)


def qr_data_uri(uri: str) -> str:
    """The URI as a QR code: an SVG drawn here and sent as a data: URI (the CSP allows `img-src data:`), so no third
    party ever sees the secret."""
    return segno.make(uri, error="m").svg_data_uri(scale=5, border=4)


async def offer_secret(uow: UnitOfWork, token: str) -> EnrolmentOffer:
    """The enrolment page opens: a new TOTP secret for the owner to scan (kept encrypted with the link)."""
    link, user = await _usable(uow, token, clock.now())
    secret = pyotp.random_base32()
    link.offered_totp_secret = secret
    await audit.record(uow, None, "user.enrolment_opened", target=str(user.id))
    return EnrolmentOffer(
        email=user.email,
        display_name=user.display_name,
        totp_secret=secret,
        totp_uri=(uri := totp_uri(secret, user.email)),
        totp_qr=qr_data_uri(uri),
        expires_at=link.expires_at,
    )


def _confirmed_step(secret: str, code: str, now: datetime) -> int | None:
    """The time step (±1 of drift) a code from `secret` belongs to: sign-in then accepts only later steps."""
    totp = pyotp.TOTP(secret, interval=auth.TOTP_PERIOD)
    current = int(now.timestamp()) // auth.TOTP_PERIOD
    for step in (current, current - 1, current + 1):
        if totp.verify(code, for_time=step * auth.TOTP_PERIOD):
            return step
    return None


async def complete(uow: UnitOfWork, command: EnrolmentComplete) -> None:
    """The owner's password (F17 rules) and the TOTP secret offered last, confirmed by a code from it. The link is
    used up; the account signs in from now on if it is active (a case-role account: once a division head
    approved it)."""
    now = clock.now()
    link, user = await _usable(uow, command.token, now)
    check_new_password(command.password, email=user.email, display_name=user.display_name)
    secret = link.offered_totp_secret
    step = _confirmed_step(secret, command.totp, now) if secret else None
    if secret is None or step is None:
        raise TotpNotConfirmed()
    user.password_hash = await hash_secret(uow.settings, command.password)
    # Issue 18: a new key pair under the owner's password (an account enrolled again lost its old private key with
    # its password: the wraps for it go, and its readers' requests wrap the cases again, or the recovery officers).
    await case_keys.give_key_pair(uow, user, command.password)
    user.totp_secret = secret
    user.last_totp_step = step
    user.enrolled_at = now
    link.used_at = now
    link.offered_totp_secret = None
    await audit.record(uow, None, "user.enrolled", target=str(user.id))


async def change_password(uow: UnitOfWork, actor: StaffActor, command: PasswordChange) -> None:
    """A signed-in staff member's new password (F17 rules), given the current one. Every sign-in of the account
    ends, this one too: the new password is used from the next sign-in on."""
    user = await uow.staff.user_for_update(actor.user_id)
    assert user is not None
    if not await verify_secret(uow.settings, user.password_hash, command.current_password):
        await audit.record(uow, actor, "user.password_change_refused", target=str(user.id))
        raise CurrentPasswordWrong()
    check_new_password(command.new_password, email=user.email, display_name=user.display_name)
    user.password_hash = await hash_secret(uow.settings, command.new_password)
    await case_keys.change_password(uow, user, command.current_password, command.new_password)  # issue 18
    await auth.end_all_sessions(uow, user)
    await audit.record(uow, actor, "user.password_changed", target=str(user.id))
