"""AUD-1: the audit log is an append-only hash chain; tampering with an entry is detectable."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace

import pytest

from app.domain.audit_chain import GENESIS, ChainBreak, entry_hash, verify_chain

Entry = tuple[int, str, str, Mapping[str, object]]


def build_chain(payloads: list[Mapping[str, object]]) -> list[Entry]:
    chain: list[Entry] = []
    prev = GENESIS
    for seq, fields in enumerate(payloads, start=1):
        digest = entry_hash(prev, fields)
        chain.append((seq, prev, digest, fields))
        prev = digest
    return chain


PAYLOADS: list[Mapping[str, object]] = [
    {"actor": f"user-{i % 3}", "action": action, "case": f"case-{i // 2}", "at": f"2026-03-14T09:{i:02d}:00Z"}
    for i, action in enumerate(["case.read", "case.update", "message.create", "case.read", "identity.disclose"])
]
CHAIN = build_chain(PAYLOADS)


def test_aud_1_entry_hash_is_sha256_hex_and_deterministic() -> None:
    """AUD-1: an entry's hash is 64 hex characters, depends on the previous hash and the fields, not on key order."""
    fields = {"b": 2, "a": 1}
    digest = entry_hash(GENESIS, fields)
    assert len(digest) == 64 and set(digest) <= set("0123456789abcdef")
    assert digest == entry_hash(GENESIS, {"a": 1, "b": 2})
    assert digest != entry_hash("1" * 64, fields)
    assert digest != entry_hash(GENESIS, {"a": 1, "b": 3})
    assert digest != entry_hash(GENESIS, {"a": 1, "b": 2, "c": None})
    assert GENESIS == "0" * 64


@pytest.mark.parametrize("length", [0, 1, 2, 5])
def test_aud_1_intact_chain_verifies(length: int) -> None:
    """AUD-1: an intact chain (including the empty one) has no break."""
    assert verify_chain(CHAIN[:length]) is None


def test_aud_1_chain_links_every_entry_to_the_previous() -> None:
    """AUD-1: each entry's prev_hash is the previous entry's hash; the first links to the genesis hash."""
    assert CHAIN[0][1] == GENESIS
    for earlier, later in zip(CHAIN, CHAIN[1:], strict=False):
        assert later[1] == earlier[2]


def _modify_field(chain: list[Entry], index: int) -> list[Entry]:
    seq, prev, digest, fields = chain[index]
    tampered = {**fields, "actor": "someone-else"}
    return [*chain[:index], (seq, prev, digest, tampered), *chain[index + 1 :]]


def _add_field(chain: list[Entry], index: int) -> list[Entry]:
    seq, prev, digest, fields = chain[index]
    return [*chain[:index], (seq, prev, digest, {**fields, "extra": "x"}), *chain[index + 1 :]]


def _drop_field(chain: list[Entry], index: int) -> list[Entry]:
    seq, prev, digest, fields = chain[index]
    return [*chain[:index], (seq, prev, digest, {k: v for k, v in fields.items() if k != "case"}), *chain[index + 1 :]]


def _remove(chain: list[Entry], index: int) -> list[Entry]:
    return [*chain[:index], *chain[index + 1 :]]


def _swap_prev_hash(chain: list[Entry], index: int) -> list[Entry]:
    seq, _prev, digest, fields = chain[index]
    other = chain[(index + 2) % len(chain)][2]
    return [*chain[:index], (seq, other, digest, fields), *chain[index + 1 :]]


def _reorder_pair(chain: list[Entry], index: int) -> list[Entry]:
    out = list(chain)
    out[index], out[index + 1] = out[index + 1], out[index]
    return out


def _reorder_pair_renumbered(chain: list[Entry], index: int) -> list[Entry]:
    """Swap two entries and give them each other's seq numbers, leaving hashes as stored."""
    out = list(chain)
    a, b = out[index], out[index + 1]
    out[index] = (a[0], b[1], b[2], b[3])
    out[index + 1] = (b[0], a[1], a[2], a[3])
    return out


def _rehash_without_relinking(chain: list[Entry], index: int) -> list[Entry]:
    """Modify an entry and recompute its own hash, but not the later ones: the next link breaks."""
    seq, prev, _digest, fields = chain[index]
    tampered = {**fields, "action": "case.read"}
    return [*chain[:index], (seq, prev, entry_hash(prev, tampered), tampered), *chain[index + 1 :]]


def _duplicate(chain: list[Entry], index: int) -> list[Entry]:
    return [*chain[: index + 1], chain[index], *chain[index + 1 :]]


def _renumber(chain: list[Entry], index: int) -> list[Entry]:
    seq, prev, digest, fields = chain[index]
    return [*chain[:index], (seq + 10, prev, digest, fields), *chain[index + 1 :]]


Tamper = Callable[[list[Entry], int], list[Entry]]


@pytest.mark.parametrize(
    ("tamper", "index", "break_seq", "reason"),
    [
        (_modify_field, 0, 1, "entry was modified"),
        (_modify_field, 2, 3, "entry was modified"),
        (_modify_field, 4, 5, "entry was modified"),
        (_add_field, 1, 2, "entry was modified"),
        (_drop_field, 3, 4, "entry was modified"),
        (_remove, 0, 2, "entry 1 is missing"),
        (_remove, 2, 4, "entry 3 is missing"),
        (_swap_prev_hash, 1, 2, "previous hash does not match"),
        (_swap_prev_hash, 4, 5, "previous hash does not match"),
        (_reorder_pair, 0, 2, "entry 1 is missing"),
        (_reorder_pair, 2, 4, "entry 3 is missing"),
        (_reorder_pair_renumbered, 1, 2, "previous hash does not match"),
        (_rehash_without_relinking, 1, 3, "previous hash does not match"),
        (_duplicate, 2, 3, "entry 4 is missing"),
        (_renumber, 3, 14, "entry 4 is missing"),
    ],
)
def test_aud_1_tampering_is_detected(tamper: Tamper, index: int, break_seq: int, reason: str) -> None:
    """AUD-1: a modified field, a removed entry, a swapped prev_hash or a reordered pair breaks the chain."""
    result = verify_chain(tamper(CHAIN, index))
    assert result == ChainBreak(break_seq, reason)


def test_aud_1_first_break_is_reported() -> None:
    """AUD-1: with several breaks, verification reports the first one."""
    tampered = _modify_field(_modify_field(CHAIN, 3), 1)
    assert verify_chain(tampered) == ChainBreak(2, "entry was modified")


def test_aud_1_chain_may_continue_after_verification() -> None:
    """AUD-1: appending a correctly linked entry keeps the chain valid (append-only)."""
    extended = build_chain([*PAYLOADS, {"actor": "user-9", "action": "case.close"}])
    assert extended[: len(CHAIN)] == CHAIN
    assert verify_chain(extended) is None


def test_aud_1_chain_break_is_a_value() -> None:
    """AUD-1: a break names the entry and the reason, and compares by value."""
    brk = ChainBreak(3, "entry was modified")
    assert replace(brk) == brk
    assert (brk.seq, brk.reason) == (3, "entry was modified")


def test_aud_1_anchor_must_still_be_in_the_chain() -> None:
    """AUD-1: a head recorded earlier (anchor) detects a log cut short or rewritten after that entry."""
    entries = []
    prev = GENESIS
    for seq in range(1, 6):
        fields = {"seq": seq, "action": f"a{seq}"}
        digest = entry_hash(prev, fields)
        entries.append((seq, prev, digest, fields))
        prev = digest
    assert verify_chain(entries, anchor=(5, entries[4][2])) is None
    cut = verify_chain(entries[:3], anchor=(5, entries[4][2]))
    assert cut is not None and cut.seq == 5 and "missing" in cut.reason
    rewritten = verify_chain(entries, anchor=(4, "0" * 64))
    assert rewritten is not None and rewritten.seq == 4 and "anchor" in rewritten.reason
