"""AUD-1: the audit log is a hash chain; changing or removing any entry breaks every later hash."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

GENESIS = "0" * 64
# INT-1 (security review F6): two chains, numbered each on its own. What a reporter's request writes (the day
# only) goes to the reporter chain, so its place among the exactly timed entries of the main chain cannot date it.
MAIN_CHAIN = "main"
REPORTER_CHAIN = "reporter"
CHAINS = (MAIN_CHAIN, REPORTER_CHAIN)


def entry_hash(prev_hash: str, fields: Mapping[str, object]) -> str:
    """The hash of an entry: SHA-256 over the previous hash and the entry's canonical JSON."""
    canonical = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(f"{prev_hash}\n{canonical}".encode()).hexdigest()


@dataclass(frozen=True)
class ChainBreak:
    seq: int
    reason: str


def verify_chain(
    entries: Iterable[tuple[int, str, str, Mapping[str, object]]], anchor: tuple[int, str] | None = None
) -> ChainBreak | None:
    """AUD-1: entries as (seq, prev_hash, hash, fields) in order; the first break found, or None.

    A chain alone cannot show that its newest entries were cut off or that everything after some entry was
    rewritten. An `anchor` — an (entry number, hash) pair recorded earlier outside the database, e.g. the head
    printed by the last verification — closes that gap: the anchored entry must still be there, unchanged.
    """
    expected_prev = GENESIS
    expected_seq = 1
    anchor_seen = anchor is None
    for seq, prev_hash, stored_hash, fields in entries:
        if seq != expected_seq:
            return ChainBreak(seq, f"entry {expected_seq} is missing")
        if prev_hash != expected_prev:
            return ChainBreak(seq, "previous hash does not match")
        if entry_hash(prev_hash, fields) != stored_hash:
            return ChainBreak(seq, "entry was modified")
        if anchor is not None and seq == anchor[0]:
            if stored_hash != anchor[1]:
                return ChainBreak(seq, "does not match the recorded anchor")
            anchor_seen = True
        expected_prev, expected_seq = stored_hash, seq + 1
    if not anchor_seen:
        assert anchor is not None
        return ChainBreak(anchor[0], "the anchored entry is missing (the log was cut short)")
    return None
