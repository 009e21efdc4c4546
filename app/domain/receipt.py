"""INT-4: receipt codes. A non-secret locator for lookup plus a secret of at least 80 bits."""

from __future__ import annotations

import re

# Crockford's base32: no I, L, O, U; tolerant entry maps look-alikes.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
LOCATOR_CHARS = 8  # 40 bits, not secret
SECRET_CHARS = 20  # 100 bits of secret entropy
CODE_CHARS = LOCATOR_CHARS + SECRET_CHARS
SECRET_BITS = SECRET_CHARS * 5
GROUP = 4
ENTROPY_BYTES = (CODE_CHARS * 5 + 7) // 8

_LOOKALIKES = str.maketrans({"O": "0", "I": "1", "L": "1", "U": "V"})
_SEPARATORS = re.compile(r"[\s\-_.\u2010-\u2015\u2212]+")


def encode(entropy: bytes) -> str:
    """The canonical (ungrouped) code made from random bytes."""
    if len(entropy) < ENTROPY_BYTES:
        raise ValueError(f"need {ENTROPY_BYTES} random bytes")
    number = int.from_bytes(entropy[:ENTROPY_BYTES], "big") >> (ENTROPY_BYTES * 8 - CODE_CHARS * 5)
    chars = []
    for _ in range(CODE_CHARS):
        chars.append(ALPHABET[number & 31])
        number >>= 5
    return "".join(reversed(chars))


def display(code: str) -> str:
    """Groups of four, joined by hyphens, for the reporter to write down."""
    return "-".join(code[i : i + GROUP] for i in range(0, len(code), GROUP))


def normalize(entered: str) -> str | None:
    """INT-4: tolerant of case, spaces and hyphens (and look-alike letters); None if it cannot be a code."""
    cleaned = _SEPARATORS.sub("", entered.strip())
    if not cleaned.isascii():  # upper() would turn e.g. "ß" into "SS" and "ı" into "I"
        return None
    cleaned = cleaned.upper().translate(_LOOKALIKES)
    if len(cleaned) != CODE_CHARS or any(c not in ALPHABET for c in cleaned):
        return None
    return cleaned


def split(code: str) -> tuple[str, str]:
    """(locator, secret) of a normalized code."""
    return code[:LOCATOR_CHARS], code[LOCATOR_CHARS:]
