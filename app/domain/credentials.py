"""F17 (ASVS V6.2) and F1: a staff member's own credentials. A new password is long and not a common or breached
one, with no composition rules; the owner sets it, and scans the TOTP secret, through a one-time enrolment link
that expires. Pure: the strength is measured by the caller and comes in as a parameter."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from app.domain.errors import Conflict, NotFound, RuleViolation

MIN_PASSWORD_LENGTH = 15
MAX_PASSWORD_LENGTH = 1024
# Scores as zxcvbn gives them: 0 (guessed at once) to 4 (very unlikely to be guessed).
MIN_PASSWORD_SCORE = 3


@dataclass(frozen=True)
class PasswordStrength:
    score: int
    # The whole password is a known one (a common or breached password, also reversed or in l33t spelling).
    known: bool


class PasswordTooShort(RuleViolation):
    code = "password-too-short"
    title = f"A password has at least {MIN_PASSWORD_LENGTH} characters. A few words make a good one."


class PasswordTooCommon(RuleViolation):
    code = "password-too-common"
    title = "That password is common, breached or easy to guess. Choose another: a few unrelated words work well."


class EnrolmentLinkInvalid(NotFound):
    code = "enrolment-link-invalid"
    title = "This enrolment link is not valid: it is unknown, used or expired. Ask your administrator for a new one."


class AlreadyEnrolled(Conflict):
    code = "already-enrolled"
    title = "This account's owner has set their password and TOTP already; no new enrolment link is issued."


def check_password_length(length: int) -> None:
    if length < MIN_PASSWORD_LENGTH:
        raise PasswordTooShort()


def check_password_strength(strength: PasswordStrength) -> None:
    if strength.known or strength.score < MIN_PASSWORD_SCORE:
        raise PasswordTooCommon()


def check_link_usable(*, used_at: datetime | None, expires_at: datetime, enrolled: bool, now: datetime) -> None:
    """A link works once, until it expires, for an account whose owner has not enrolled yet."""
    if used_at is not None or expires_at <= now or enrolled:
        raise EnrolmentLinkInvalid()


def check_link_issuable(*, enrolled: bool) -> None:
    """A new link replaces an unused one; an enrolled account gets none (whoever used it would become its owner)."""
    if enrolled:
        raise AlreadyEnrolled()
