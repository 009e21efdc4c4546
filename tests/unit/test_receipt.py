"""INT-4: receipt codes with a non-secret locator and at least 80 bits of secret entropy."""

from __future__ import annotations

import os

import pytest

from app.domain.receipt import (
    ALPHABET,
    CODE_CHARS,
    ENTROPY_BYTES,
    GROUP,
    LOCATOR_CHARS,
    SECRET_BITS,
    SECRET_CHARS,
    display,
    encode,
    normalize,
    split,
)

CODE = encode(bytes(range(1, ENTROPY_BYTES + 1)))


def test_int_4_secret_has_at_least_80_bits() -> None:
    """INT-4: the secret part carries at least 80 bits of entropy (5 bits per base32 character)."""
    assert SECRET_BITS >= 80
    assert SECRET_CHARS * 5 == SECRET_BITS
    assert len(ALPHABET) == 32 == len(set(ALPHABET))
    assert CODE_CHARS == LOCATOR_CHARS + SECRET_CHARS
    assert ENTROPY_BYTES * 8 >= CODE_CHARS * 5


@pytest.mark.parametrize(
    "entropy",
    [
        bytes(ENTROPY_BYTES),
        b"\xff" * ENTROPY_BYTES,
        bytes(range(ENTROPY_BYTES)),
        b"\xaa" * (ENTROPY_BYTES + 10),
        os.urandom(ENTROPY_BYTES),
    ],
)
def test_int_4_encode_gives_code_chars_from_alphabet(entropy: bytes) -> None:
    """INT-4: a code has CODE_CHARS characters, all from the alphabet, and is its own normal form."""
    code = encode(entropy)
    assert len(code) == CODE_CHARS
    assert set(code) <= set(ALPHABET)
    assert normalize(code) == code


@pytest.mark.parametrize(
    ("entropy", "expected"), [(bytes(ENTROPY_BYTES), "0" * CODE_CHARS), (b"\xff" * ENTROPY_BYTES, "Z" * CODE_CHARS)]
)
def test_int_4_encode_extremes(entropy: bytes, expected: str) -> None:
    """INT-4: all-zero and all-one bytes map to the first and last alphabet character (all bits are used)."""
    assert encode(entropy) == expected


def test_int_4_many_random_codes_are_distinct() -> None:
    """INT-4: codes drawn from os.urandom do not repeat, neither whole nor in their secret part."""
    codes = [encode(os.urandom(ENTROPY_BYTES)) for _ in range(5000)]
    assert len(set(codes)) == len(codes)
    assert len({split(c)[1] for c in codes}) == len(codes)
    # every alphabet character shows up in every position of the secret sooner or later
    for position in range(LOCATOR_CHARS, CODE_CHARS):
        assert len({c[position] for c in codes}) == 32


def test_int_4_same_bytes_same_code() -> None:
    """INT-4: encoding is deterministic; only the first ENTROPY_BYTES bytes count."""
    entropy = os.urandom(ENTROPY_BYTES)
    assert encode(entropy) == encode(bytes(entropy))
    assert encode(entropy) == encode(entropy + b"extra bytes are ignored")


def test_int_4_different_secret_bits_give_different_codes() -> None:
    """INT-4: flipping any of the 140 code bits changes the code (no entropy is thrown away)."""
    base = bytes(ENTROPY_BYTES)
    seen = {encode(base)}
    for bit in range(CODE_CHARS * 5):
        number = 1 << (ENTROPY_BYTES * 8 - 1 - bit)
        seen.add(encode(number.to_bytes(ENTROPY_BYTES, "big")))
    assert len(seen) == CODE_CHARS * 5 + 1


@pytest.mark.parametrize("size", [0, 1, ENTROPY_BYTES - 1])
def test_int_4_encode_refuses_too_few_bytes(size: int) -> None:
    """INT-4: fewer random bytes than a code needs is an error, never a weaker code."""
    with pytest.raises(ValueError, match="random bytes"):
        encode(os.urandom(size))


def test_int_4_display_groups_of_four() -> None:
    """INT-4: the code is shown in groups of four joined by hyphens, and normalizes back."""
    shown = display(CODE)
    groups = shown.split("-")
    assert len(groups) == CODE_CHARS // GROUP
    assert all(len(g) == GROUP for g in groups)
    assert "".join(groups) == CODE
    assert normalize(shown) == CODE


@pytest.mark.parametrize(
    ("code", "shown"),
    [
        ("ABCD", "ABCD"),
        ("ABCDEFGH", "ABCD-EFGH"),
        ("ABCDEFGHJK", "ABCD-EFGH-JK"),
        ("", ""),
    ],
)
def test_int_4_display_table(code: str, shown: str) -> None:
    """INT-4: display groups any string in fours."""
    assert display(code) == shown


def _variants(code: str) -> list[str]:
    shown = display(code)
    return [
        code,
        code.lower(),
        shown,
        shown.lower(),
        shown.replace("-", " "),
        shown.replace("-", "  "),
        shown.replace("-", "\t"),
        f"  {shown}  \n",
        " ".join(code),
        "-".join(code),
        shown.replace("-", "\u2013"),  # en dash
        shown.replace("-", "_"),
        shown.replace("-", "."),
        code[:5].lower() + code[5:],
    ]


@pytest.mark.parametrize("entered", _variants(CODE))
def test_int_4_normalize_tolerates_case_spaces_hyphens(entered: str) -> None:
    """INT-4: entry is tolerant of case, spaces and hyphens."""
    assert normalize(entered) == CODE


@pytest.mark.parametrize(
    ("entered", "expected"),
    [
        ("O" * CODE_CHARS, "0" * CODE_CHARS),
        ("o" * CODE_CHARS, "0" * CODE_CHARS),
        ("I" * CODE_CHARS, "1" * CODE_CHARS),
        ("i" * CODE_CHARS, "1" * CODE_CHARS),
        ("L" * CODE_CHARS, "1" * CODE_CHARS),
        ("l" * CODE_CHARS, "1" * CODE_CHARS),
        ("U" * CODE_CHARS, "V" * CODE_CHARS),
        ("OIL0" * (CODE_CHARS // 4), "0110" * (CODE_CHARS // 4)),
        ("oil-z-" * 7, "011Z" * 7),
    ],
)
def test_int_4_normalize_maps_lookalikes(entered: str, expected: str) -> None:
    """INT-4: look-alike letters are read as what they look like: O->0, I/L->1."""
    assert normalize(entered) == expected


@pytest.mark.parametrize(
    "entered",
    [
        "",
        "   ",
        "----",
        CODE[:-1],
        CODE + "0",
        CODE[:LOCATOR_CHARS],
        display(CODE)[:-1],
        CODE[:-1] + "!",
        CODE[:-1] + "#",
        CODE[:-1] + "+",
        CODE[:-1] + "가",
        CODE[:-1] + "Ω",
        CODE[:-1] + "\uff21",  # full-width A
        CODE[:-1] + "é",
        CODE[:-1] + "/",
        "https://example.org/" + CODE,
        # Non-ASCII letters that upper() would turn into valid ones: "ß"->"SS", "ı"->"I", "ﬀ"->"FF".
        "ß" + CODE[2:],
        CODE[:-1] + "ı",
        "ﬀ" + CODE[2:],
    ],
)
def test_int_4_normalize_refuses_what_cannot_be_a_code(entered: str) -> None:
    """INT-4: wrong length or foreign characters cannot be a code: None."""
    assert normalize(entered) is None


def test_int_4_split_locator_and_secret() -> None:
    """INT-4: a code splits into a LOCATOR_CHARS locator (for lookup) and the secret rest."""
    locator, secret = split(CODE)
    assert len(locator) == LOCATOR_CHARS
    assert len(secret) == SECRET_CHARS
    assert locator + secret == CODE
    assert split(normalize(display(CODE).lower()) or "") == (locator, secret)
