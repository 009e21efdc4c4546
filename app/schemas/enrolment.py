"""The enrolment page (an account's owner sets their password and TOTP) and a password change (F1, F17)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints

from app.domain.credentials import MAX_PASSWORD_LENGTH
from app.schemas.common import Strict

# Any length up to the ceiling: the rule (15 characters, not a common or breached one) answers its own codes.
NewPassword = Annotated[str, StringConstraints(min_length=1, max_length=MAX_PASSWORD_LENGTH)]
EnrolmentToken = Annotated[str, StringConstraints(min_length=20, max_length=100, pattern=r"^[A-Za-z0-9_-]+$")]
TotpCode = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[0-9]{6}$")]


class EnrolmentStart(Strict):
    token: EnrolmentToken = Field(description="From the link's fragment (after `#`).")


class EnrolmentOffer(BaseModel):
    """Whose account this is, and a new TOTP secret for the owner's authenticator app (its otpauth:// URI for a QR
    code). Asking again offers another secret; the last one offered is the one to confirm."""

    email: str
    display_name: str
    totp_secret: str
    totp_uri: str
    totp_qr: str = Field(description="The `totp_uri` as a QR code: an SVG image as a `data:` URI, drawn on the server.")
    expires_at: datetime


class EnrolmentComplete(Strict):
    token: EnrolmentToken
    password: NewPassword
    totp: TotpCode = Field(description="A current code from the secret offered last: proves it was scanned.")


class PasswordChange(Strict):
    current_password: Annotated[str, StringConstraints(min_length=1, max_length=MAX_PASSWORD_LENGTH)]
    new_password: NewPassword
