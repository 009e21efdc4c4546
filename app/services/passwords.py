"""F17 (ASVS V6.2): whether a new password may be set — measured with zxcvbn, whose bundled lists hold common
and breached passwords, English words, names and keyboard patterns. The rule itself is the domain's
(app/domain/credentials.py): 15 characters at least, a score of 3 at least, not a known password as a whole."""

from __future__ import annotations

from collections.abc import Iterable

from zxcvbn import zxcvbn

from app.domain.credentials import (
    PasswordStrength,
    check_password_length,
    check_password_strength,
)

# zxcvbn's own ceiling: its matching grows fast with length. A password whose first 72 characters are strong is.
MEASURED_CHARACTERS = 72
# Words that say which service this is: a password built on them is easier to guess here.
SERVICE_WORDS = ("withu", "with u", "seoul", "smg")


def strength(password: str, user_inputs: Iterable[str] = ()) -> PasswordStrength:
    measured = password[:MEASURED_CHARACTERS]
    result = zxcvbn(measured, user_inputs=[*SERVICE_WORDS, *user_inputs], max_length=MEASURED_CHARACTERS)
    sequence = result["sequence"]
    known = (
        len(sequence) == 1
        and sequence[0]["pattern"] == "dictionary"
        and sequence[0]["token"].lower() == measured.lower()
    )
    return PasswordStrength(score=int(result["score"]), known=known)


def check_new_password(password: str, *, email: str, display_name: str) -> None:
    """Refuses a password shorter than 15 characters (`password-too-short`) or common, breached or guessable
    (`password-too-common`, also when it is built on the person's own e-mail or name). No composition rules."""
    check_password_length(len(password))
    check_password_strength(strength(password, [email, email.split("@")[0], *display_name.split(), display_name]))
