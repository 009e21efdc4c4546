"""ACC-2 (issue 18): the recovery key's Shamir shares: any threshold of them give the key back, fewer give nothing,
and a mistyped share, a share of another key or a share given twice is refused with a message an officer can act on."""

from __future__ import annotations

import os
import re
from itertools import combinations, permutations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.db.recovery_shares import (
    ALPHABET,
    RecoveryShareError,
    combine,
    key_id_for,
    normalize,
    share_qr_svg,
    split,
)

KEY_ID = "K7Q2M9XA"
SECRET = bytes(range(1, 33))
# What officers may type for a character and still mean it: case, and the look-alikes of Crockford's base32.
SAME_WHEN_TYPED = str.maketrans({"O": "0", "I": "1", "L": "1", "U": "V"})


def _typed_alike(a: str, b: str) -> bool:
    return a.upper().translate(SAME_WHEN_TYPED) == b.upper().translate(SAME_WHEN_TYPED)


@pytest.mark.parametrize(("threshold", "count"), [(2, 3), (3, 5)])
def test_acc_2_recovery_any_threshold_of_the_shares_give_the_secret_back(threshold: int, count: int) -> None:
    """ACC-2: every choice of `threshold` shares out of `count`, in every order, gives the key id and the secret."""
    shares = split(SECRET, threshold, count, KEY_ID)
    assert len(shares) == count
    for chosen in combinations(shares, threshold):
        for ordered in permutations(chosen):
            assert combine(list(ordered)) == (KEY_ID, SECRET)


@pytest.mark.parametrize(("threshold", "count"), [(2, 3), (3, 5)])
def test_acc_2_recovery_more_than_threshold_shares_also_give_the_secret(threshold: int, count: int) -> None:
    """ACC-2: officers may bring more shares than needed; all of them together still give the secret."""
    shares = split(SECRET, threshold, count, KEY_ID)
    for size in range(threshold, count + 1):
        for chosen in combinations(shares, size):
            assert combine(list(chosen)) == (KEY_ID, SECRET)


@settings(max_examples=60, deadline=None)
@given(
    secret=st.binary(min_size=32, max_size=32),
    sizes=st.integers(min_value=2, max_value=9).flatmap(
        lambda count: st.tuples(st.integers(min_value=2, max_value=count), st.just(count))
    ),
    key_id=st.text(alphabet=ALPHABET, min_size=4, max_size=12),
    data=st.data(),
)
def test_rec_round_trip_of_any_secret_through_any_threshold_subset(
    secret: bytes, sizes: tuple[int, int], key_id: str, data: st.DataObject
) -> None:
    """Property: for any secret, k-of-n and key id, any k of the n shares in any order give (key id, secret)."""
    threshold, count = sizes
    shares = split(secret, threshold, count, key_id)
    chosen = data.draw(st.permutations(shares))[:threshold]
    assert combine(chosen) == (key_id, secret)


@pytest.mark.parametrize(("threshold", "count"), [(2, 3), (3, 5), (5, 9)])
def test_acc_2_recovery_fewer_than_threshold_shares_are_refused_with_how_many_more(threshold: int, count: int) -> None:
    """ACC-2: below the threshold no secret comes out, and the message says how many shares are needed."""
    shares = split(SECRET, threshold, count, KEY_ID)
    for size in range(1, threshold):
        for chosen in combinations(shares, size):
            with pytest.raises(RecoveryShareError, match=rf"needs {threshold} shares; {size} given"):
                combine(list(chosen))


def test_acc_2_recovery_no_shares_at_all_is_refused() -> None:
    with pytest.raises(RecoveryShareError, match="no shares given"):
        combine([])


def test_acc_2_recovery_a_single_share_differs_between_two_splits_of_one_secret() -> None:
    """ACC-2: a share below the threshold reveals nothing obvious: the same secret split twice gives different shares
    at every index, and no share carries either half of the secret in the clear."""
    first = split(SECRET, 2, 3, KEY_ID)
    second = split(SECRET, 2, 3, KEY_ID)
    for a, b in zip(first, second, strict=True):
        assert a != b
        assert a.split("-")[:4] == b.split("-")[:4]  # same key id and index, different share
    body = "".join(first[0].split("-")[4:])
    for half in (SECRET[:16], SECRET[16:]):
        assert _base32(half) not in body


def test_acc_2_recovery_a_mistyped_character_anywhere_is_detected() -> None:
    """ACC-2: changing any one character of a share, in every position and to every other character an officer
    could type there, is reported as "share N: mistyped", never as a wrong secret."""
    shares = split(os.urandom(32), 2, 3, KEY_ID)
    share, other = shares[1], shares[0]
    tried = 0
    for position, original in enumerate(share):
        for replacement in ALPHABET + "!":
            if _typed_alike(replacement, original):
                continue
            typo = share[:position] + replacement + share[position + 1 :]
            with pytest.raises(RecoveryShareError, match=r"^share 2: mistyped"):
                combine([other, typo])
            tried += 1
    assert tried > 30 * len(share)


def test_acc_2_recovery_a_left_out_doubled_or_swapped_character_is_detected() -> None:
    """ACC-2: a character left out, typed twice, or two neighbours swapped is reported as mistyped."""
    share, other = split(os.urandom(32), 2, 3, KEY_ID)[:2]
    compact = share.replace("-", "")
    typos = set()
    for i in range(len(compact)):
        typos.add(compact[:i] + compact[i + 1 :])
        typos.add(compact[:i] + compact[i] + compact[i:])
        if i + 1 < len(compact) and not _typed_alike(compact[i], compact[i + 1]):
            typos.add(compact[:i] + compact[i + 1] + compact[i] + compact[i + 2 :])
    for typo in typos:
        with pytest.raises(RecoveryShareError, match=r"^share 2: mistyped"):
            combine([other, typo])


def test_acc_2_recovery_shares_of_two_keys_mixed_are_refused() -> None:
    """ACC-2: shares of two recovery keys never combine; the message names both key ids."""
    mine = split(SECRET, 2, 3, KEY_ID)
    theirs = split(SECRET, 2, 3, "B4NF")
    with pytest.raises(
        RecoveryShareError, match=r"different recovery keys: share 1 is of key K7Q2M9XA, share 2 of key B4NF"
    ):
        combine([mine[0], theirs[1]])


def test_acc_2_recovery_shares_of_two_splittings_of_one_key_are_refused() -> None:
    """ACC-2: shares of the same key printed at two different times do not fit together: an error, not a wrong key."""
    old = split(SECRET, 2, 3, KEY_ID)
    new = split(SECRET, 2, 3, KEY_ID)
    with pytest.raises(RecoveryShareError, match="different splittings"):
        combine([old[0], new[1]])
    with pytest.raises(RecoveryShareError, match=r"share 3 does not fit share 1"):
        combine([old[0], old[1], new[2]])  # enough good shares, but the extra one is of another printing
    other_threshold = split(SECRET, 3, 3, KEY_ID)
    with pytest.raises(RecoveryShareError, match="different splittings"):
        combine([old[0], other_threshold[1]])


def test_acc_2_recovery_the_same_share_twice_is_refused() -> None:
    """ACC-2: one officer's share given twice (even typed differently) counts once and is refused."""
    shares = split(SECRET, 2, 3, KEY_ID)
    with pytest.raises(RecoveryShareError, match="share 1 and share 2 are the same share twice"):
        combine([shares[0], shares[0].lower().replace("-", " ")])
    again = split(SECRET, 2, 3, KEY_ID)
    with pytest.raises(RecoveryShareError, match="two shares with the same number"):
        combine([shares[0], again[0]])


def test_acc_2_recovery_case_spaces_dashes_and_look_alikes_typed_differently_still_parse() -> None:
    """ACC-2: officers type shares as they like: lower case, spaces or other dashes, O for 0, I or L for 1."""
    shares = split(SECRET, 2, 3, KEY_ID)
    compact = shares[0].replace("-", "")
    variants = [
        shares[0].lower(),
        compact,
        " ".join(compact[i : i + 5] for i in range(0, len(compact), 5)),
        "  " + shares[0].replace("-", " \u2013 ") + "\n",
        "\t" + shares[0].replace("-", "_").lower() + " ",
        "withu rk1 " + shares[0][len("WITHU-RK1-") :].replace("0", "O").replace("1", "l"),
    ]
    for variant in variants:
        assert normalize(variant) == shares[0]
        assert combine([variant, shares[1]]) == (KEY_ID, SECRET)


@pytest.mark.parametrize(
    "text",
    ["", "   ", "hello", "WITHU-RK1-K7Q2", "WITHU-RK2-" + "0" * 80, "WITHU-RK1-K7Q2M9XA-1-é" + "0" * 63],
)
def test_acc_2_recovery_a_malformed_string_is_refused_by_its_place(text: str) -> None:
    """ACC-2: something that is not a share at all gives an error naming which share it is."""
    shares = split(SECRET, 2, 3, KEY_ID)
    with pytest.raises(RecoveryShareError, match=r"^share 2: "):
        combine([shares[0], text])


def test_acc_2_recovery_the_printed_share_carries_version_key_id_and_index() -> None:
    """ACC-2: a share reads WITHU-RK1-<key id>-<index>-<16 groups of 4>, only characters that are easy to copy."""
    for index, share in enumerate(split(SECRET, 3, 5, KEY_ID), start=1):
        assert re.fullmatch(rf"WITHU-RK1-{KEY_ID}-{index}(-[{ALPHABET}]{{4}}){{16}}", share)


@pytest.mark.parametrize(
    ("secret", "threshold", "count", "key_id", "message"),
    [
        (SECRET[:31], 2, 3, KEY_ID, "exactly 32 bytes"),
        (SECRET + b"\x00", 2, 3, KEY_ID, "exactly 32 bytes"),
        ("x" * 32, 2, 3, KEY_ID, "exactly 32 bytes"),
        (SECRET, 1, 3, KEY_ID, "threshold <= count"),
        (SECRET, 4, 3, KEY_ID, "threshold <= count"),
        (SECRET, 2, 10, KEY_ID, "threshold <= count"),
        (SECRET, True, 3, KEY_ID, "threshold <= count"),
        (SECRET, 2, 3, "abcd", "key_id must be"),
        (SECRET, 2, 3, "KEY", "key_id must be"),
        (SECRET, 2, 3, "OIL0", "key_id must be"),
        (SECRET, 2, 3, "A" * 13, "key_id must be"),
    ],
)
def test_acc_2_recovery_split_refuses_bad_arguments(
    secret: object, threshold: int, count: int, key_id: str, message: str
) -> None:
    with pytest.raises(RecoveryShareError, match=message):
        split(secret, threshold, count, key_id)  # type: ignore[arg-type]
    assert issubclass(RecoveryShareError, ValueError)


def test_acc_2_recovery_key_id_is_short_stable_and_usable() -> None:
    """ACC-2: the key id derived from a public key is 8 characters, the same each time, and accepted by split()."""
    public_key = bytes(range(32))
    key_id = key_id_for(public_key)
    assert key_id == key_id_for(public_key) != key_id_for(bytes(32))
    assert re.fullmatch(rf"[{ALPHABET}]{{8}}", key_id)
    assert combine(split(SECRET, 2, 2, key_id)) == (key_id, SECRET)


def test_acc_2_recovery_the_qr_code_is_an_svg_written_by_segno() -> None:
    """ACC-2: the share as a QR code to print: an SVG document that segno drew, the same for any typing of it."""
    share = split(SECRET, 2, 3, KEY_ID)[0]
    svg = share_qr_svg(share)
    assert svg.startswith(("<?xml", "<svg"))
    assert 'class="segno"' in svg and "<path" in svg and svg.rstrip().endswith("</svg>")
    assert share_qr_svg(share.lower().replace("-", " ")) == svg
    with pytest.raises(RecoveryShareError, match="mistyped"):
        share_qr_svg(share[:-1] + ("A" if share[-1] != "A" else "B"))


def _base32(data: bytes) -> str:
    number = int.from_bytes(data, "big")
    chars = -(-len(data) * 8 // 5)
    number <<= chars * 5 - len(data) * 8
    return "".join(ALPHABET[(number >> (5 * (chars - 1 - i))) & 31] for i in range(chars))
