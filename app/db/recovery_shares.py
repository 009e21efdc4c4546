"""ACC-2 (issue 18): the recovery key's private key split into Shamir shares that officers write down or scan.

Each case's content key is also wrapped for a recovery key, an X25519 key pair whose 32-byte private key is never
stored whole: it is split k-of-n (2 <= k <= n <= 9) among named officers. This module is only the arithmetic and the
printed form; it stores, logs and prints nothing.

The arithmetic is pycryptodome's ``Crypto.Protocol.SecretSharing.Shamir`` (GF(2^128), 16-byte secrets): the secret is
cut into two halves, each shared with the same indexes 1..n, so one officer holds one index of both halves.

A share reads ``WITHU-RK1-<key id>-<index>-<16 groups of 4 characters>``:

- ``RK1``: format version 1 of a recovery-key share;
- key id: which recovery key (short, not secret, 4 to 12 characters of Crockford base32), see ``key_id_for``;
- index: the share's number, 1 to 9;
- the groups: 40 bytes in Crockford base32 (no I, L, O, U): the threshold (1 byte), the two 16-byte halves of the
  share, a 3-byte check of the secret (so shares of two different splittings of one key never combine silently into
  a wrong secret), and a CRC-32 over all of it and the key id and index. CRC-32 catches every mistyped character,
  and two swapped neighbours, for certain (they change at most 10 consecutive bits; CRC-32 finds any burst of up to
  32), and any other error with odds of 1 in 2^32 of missing it.

Reading is tolerant of what officers type: case, spaces, dashes of any kind, and the look-alikes O/0, I/L/1 and U/V.
"""

from __future__ import annotations

import hashlib
import io
import re
import zlib
from itertools import combinations

import segno
from Crypto.Protocol.SecretSharing import Shamir

SECRET_BYTES = 32
HALF = SECRET_BYTES // 2
MIN_THRESHOLD = 2
MAX_SHARES = 9  # the index is one digit
KEY_ID_MIN, KEY_ID_MAX = 4, 12

PREFIX = "WITHU-RK"
VERSION = "1"
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford's base32, as receipt codes (INT-4)
GROUP = 4

SECRET_CHECK_BYTES = 3
CRC_BYTES = 4
PAYLOAD_BYTES = 1 + SECRET_BYTES + SECRET_CHECK_BYTES  # threshold, the two halves, the secret's check
BODY_BYTES = PAYLOAD_BYTES + CRC_BYTES
BODY_CHARS = BODY_BYTES * 8 // 5  # 40 bytes are exactly 64 characters: no padding bits to get wrong
assert BODY_CHARS * 5 == BODY_BYTES * 8  # a layout invariant, checked once at import

_COMPACT_PREFIX = PREFIX.replace("-", "")
_LOOKALIKES = str.maketrans({"O": "0", "I": "1", "L": "1", "U": "V"})
_SEPARATORS = re.compile(r"[\s\-_.\u2010-\u2015\u2212]+")
_KEY_ID = re.compile(rf"[{ALPHABET}]{{{KEY_ID_MIN},{KEY_ID_MAX}}}")
_CHARSET_HINT = "digits and the letters A-Z without I, L, O, U"


class RecoveryShareError(ValueError):
    """A share or a set of shares that cannot give the secret; the message tells an officer what to do."""


def key_id_for(public_key: bytes) -> str:
    """A short, non-secret id of a recovery key: 8 Crockford base32 characters (40 bits) of SHA-256(public key)."""
    digest = hashlib.sha256(b"withu:recovery-key-id\x00" + public_key).digest()
    return _b32encode(digest[:5])


def split(secret: bytes, threshold: int, count: int, key_id: str) -> list[str]:
    """ACC-2: ``count`` printable shares of the 32-byte ``secret``, any ``threshold`` of which give it back."""
    if not isinstance(secret, bytes | bytearray) or len(secret) != SECRET_BYTES:
        raise RecoveryShareError(f"the recovery secret must be exactly {SECRET_BYTES} bytes")
    if not _is_int(threshold) or not _is_int(count) or not MIN_THRESHOLD <= threshold <= count <= MAX_SHARES:
        raise RecoveryShareError(
            f"need {MIN_THRESHOLD} <= threshold <= count <= {MAX_SHARES}; got threshold={threshold!r}, count={count!r}"
        )
    if not isinstance(key_id, str) or not _KEY_ID.fullmatch(key_id):
        raise RecoveryShareError(
            f"key_id must be {KEY_ID_MIN} to {KEY_ID_MAX} upper-case characters of {_CHARSET_HINT}"
        )
    secret = bytes(secret)
    first = Shamir.split(threshold, count, secret[:HALF])
    second = Shamir.split(threshold, count, secret[HALF:])
    check = _secret_check(key_id, secret)
    shares = []
    for (index, first_half), (same_index, second_half) in zip(first, second, strict=True):
        assert index == same_index  # both halves use the indexes 1..count
        shares.append(_format(key_id, index, bytes([threshold]) + first_half + second_half + check))
    return shares


def combine(shares: list[str]) -> tuple[str, bytes]:
    """ACC-2: (key id, secret) from at least threshold shares of one splitting; every problem is a RecoveryShareError."""
    if isinstance(shares, str):
        raise RecoveryShareError("give the shares as a list, one string per share")
    if not shares:
        raise RecoveryShareError("no shares given")
    parsed = [_parse(number, text) for number, text in enumerate(shares, start=1)]
    first = parsed[0]
    for other in parsed[1:]:
        if other.key_id != first.key_id:
            raise RecoveryShareError(
                f"shares belong to different recovery keys: share {first.number} is of key {first.key_id}, "
                f"share {other.number} of key {other.key_id}; use only shares of one key"
            )
    for a, b in combinations(parsed, 2):
        if a.index == b.index:
            same = "the same share twice" if a.payload == b.payload else "two shares with the same number"
            raise RecoveryShareError(
                f"share {a.number} and share {b.number} are {same} (number {a.index} of key {a.key_id}); "
                "each officer's share counts once"
            )
    for other in parsed[1:]:
        if other.threshold != first.threshold or other.secret_check != first.secret_check:
            raise _different_splittings(first, other)
    if len(parsed) < first.threshold:
        raise RecoveryShareError(
            f"key {first.key_id} needs {first.threshold} shares; {len(parsed)} given: "
            f"ask {first.threshold - len(parsed)} more officer(s) for theirs"
        )
    chosen = parsed[: first.threshold]
    secret = _interpolate(chosen)
    if _secret_check(first.key_id, secret) != first.secret_check:
        raise RecoveryShareError(
            f"these shares of key {first.key_id} do not fit together: they come from different splittings of the key; "
            "use shares printed together"
        )
    for extra in parsed[first.threshold :]:  # more than enough given: each extra one must agree too
        if _interpolate([*chosen[:-1], extra]) != secret:
            raise _different_splittings(first, extra)
    return first.key_id, secret


def normalize(share: str) -> str:
    """The canonical printed form of a share typed in any case or spacing; RecoveryShareError if it is not one."""
    parsed = _parse(1, share)
    return _format(parsed.key_id, parsed.index, parsed.payload)


def share_qr_svg(share: str) -> str:
    """The share (checked, in its canonical form) as a standalone SVG QR code drawn by segno, for printing."""
    canonical = normalize(share)
    buffer = io.BytesIO()
    # Upper case, digits and dashes fit QR's alphanumeric mode; level M as the TOTP enrolment code.
    segno.make(canonical, error="m").save(buffer, kind="svg", scale=4, border=4)
    return buffer.getvalue().decode("utf-8")


class _Share:
    __slots__ = ("number", "key_id", "index", "payload")

    def __init__(self, number: int, key_id: str, index: int, payload: bytes) -> None:
        self.number = number  # its place in the list given to combine(), for messages
        self.key_id = key_id
        self.index = index
        self.payload = payload

    @property
    def threshold(self) -> int:
        return self.payload[0]

    @property
    def halves(self) -> tuple[bytes, bytes]:
        return self.payload[1 : 1 + HALF], self.payload[1 + HALF : 1 + SECRET_BYTES]

    @property
    def secret_check(self) -> bytes:
        return self.payload[1 + SECRET_BYTES :]


def _interpolate(shares: list[_Share]) -> bytes:
    first = Shamir.combine([(share.index, share.halves[0]) for share in shares])
    second = Shamir.combine([(share.index, share.halves[1]) for share in shares])
    return first + second


def _different_splittings(first: _Share, other: _Share) -> RecoveryShareError:
    return RecoveryShareError(
        f"share {other.number} does not fit share {first.number}: both are of key {first.key_id} but from different "
        "splittings of it; use shares printed together"
    )


def _format(key_id: str, index: int, payload: bytes) -> str:
    body = _b32encode(payload + _crc(key_id, index, payload))
    groups = [body[i : i + GROUP] for i in range(0, len(body), GROUP)]
    return "-".join([PREFIX + VERSION, key_id, str(index), *groups])


def _parse(number: int, text: str) -> _Share:
    def mistyped(why: str) -> RecoveryShareError:
        return RecoveryShareError(f"share {number}: mistyped: {why}")

    if not isinstance(text, str):
        raise RecoveryShareError(f"share {number}: not text")
    cleaned = _SEPARATORS.sub("", text.strip())
    if not cleaned:
        raise RecoveryShareError(f"share {number}: empty")
    for position, char in enumerate(cleaned, start=1):
        if not char.isascii() or not char.isalnum():  # upper() would turn e.g. "ß" into "SS"
            raise mistyped(f"character {position} (not counting spaces and dashes) is not a letter or digit")
    cleaned = cleaned.upper()
    if cleaned[: len(_COMPACT_PREFIX)].translate(_LOOKALIKES) != _COMPACT_PREFIX.translate(_LOOKALIKES):
        raise mistyped(f"a recovery share begins with {PREFIX}{VERSION}")
    version = cleaned[len(_COMPACT_PREFIX) : len(_COMPACT_PREFIX) + 1].translate(_LOOKALIKES)
    if version != VERSION:
        raise mistyped(f"{PREFIX}{version} is no share format this program reads (it reads {PREFIX}{VERSION})")
    rest = cleaned[len(_COMPACT_PREFIX) + 1 :].translate(_LOOKALIKES)
    for position, char in enumerate(rest, start=len(_COMPACT_PREFIX) + 2):
        if char not in ALPHABET:
            raise mistyped(f"character {position} (not counting spaces and dashes) is not one of {_CHARSET_HINT}")
    shortest, longest = KEY_ID_MIN + 1 + BODY_CHARS, KEY_ID_MAX + 1 + BODY_CHARS
    if not shortest <= len(rest) <= longest:
        expected = len(_COMPACT_PREFIX) + 1
        raise mistyped(
            f"it has {expected + len(rest)} letters and digits; a share has {expected + shortest} to {expected + longest}"
            " (a character left out or typed twice?)"
        )
    key_id, index_char, body = rest[: -BODY_CHARS - 1], rest[-BODY_CHARS - 1], rest[-BODY_CHARS:]
    if index_char not in "123456789":
        raise mistyped("the share number after the key id must be a digit 1 to 9")
    index = int(index_char)
    raw = _b32decode(body)
    payload, crc = raw[:PAYLOAD_BYTES], raw[PAYLOAD_BYTES:]
    if _crc(key_id, index, payload) != crc:
        raise mistyped("its checksum does not match; compare it with the paper character by character")
    if not MIN_THRESHOLD <= payload[0] <= MAX_SHARES:
        raise RecoveryShareError(f"share {number}: not a share this program wrote (threshold {payload[0]})")
    return _Share(number, key_id, index, payload)


def _crc(key_id: str, index: int, payload: bytes) -> bytes:
    header = f"{PREFIX}{VERSION}|{key_id}|{index}|".encode("ascii")
    return zlib.crc32(header + payload).to_bytes(CRC_BYTES, "big")


def _secret_check(key_id: str, secret: bytes) -> bytes:
    # 24 bits of a hash of the secret: harmless to show, since the recovery public key already lets anyone test a guess.
    digest = hashlib.sha256(b"withu:recovery-share-check\x00" + key_id.encode("ascii") + b"\x00" + secret).digest()
    return digest[:SECRET_CHECK_BYTES]


def _b32encode(data: bytes) -> str:
    bits = len(data) * 8
    chars = -(-bits // 5)
    number = int.from_bytes(data, "big") << (chars * 5 - bits)
    return "".join(ALPHABET[(number >> (5 * (chars - 1 - i))) & 31] for i in range(chars))


def _b32decode(text: str) -> bytes:
    number = 0
    for char in text:
        number = number << 5 | ALPHABET.index(char)
    return number.to_bytes(len(text) * 5 // 8, "big")


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)
