"""SEP-4: a webhook subscription's signing secrets, as Standard Webhooks has them (docs/webhooks.md §5).

A secret is `whsec_` + base64 of random bytes. Rotation issues a new one while the previous ones keep signing
until their retirement (the overlap); a delivery carries one `v1,` signature per secret that still signs.

Stored in the subscription's one encrypted `secret` column as space-separated entries, newest first:
`whsec_NEW whsec_OLD@2026-12-04T10:00:00+00:00` — an entry without `@` never retires. A secret stored before
rotation existed is simply the one entry."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

PREFIX = "whsec_"
ROTATION_OVERLAP = timedelta(hours=24)


@dataclass(frozen=True)
class SigningSecret:
    secret: str
    retires_at: datetime | None = None  # None: the current secret

    def signs_at(self, moment: datetime) -> bool:
        return self.retires_at is None or moment < self.retires_at


def parse(stored: str) -> list[SigningSecret]:
    entries = []
    for entry in stored.split():
        secret, _, retires = entry.partition("@")
        entries.append(SigningSecret(secret, datetime.fromisoformat(retires) if retires else None))
    return entries


def serialise(entries: list[SigningSecret]) -> str:
    return " ".join(e.secret + (f"@{e.retires_at.isoformat()}" if e.retires_at else "") for e in entries)


def signing_secrets(stored: str, moment: datetime) -> list[str]:
    """The secrets that sign a delivery made at `moment`, newest first."""
    return [e.secret for e in parse(stored) if e.signs_at(moment)]


def rotate(stored: str, new_secret: str, moment: datetime, overlap: timedelta = ROTATION_OVERLAP) -> str:
    """`new_secret` becomes the current one; the secret current until now retires `overlap` after `moment`; a
    secret already retiring keeps its earlier retirement; retired ones are dropped."""
    retire_by = moment + overlap
    kept = [
        SigningSecret(e.secret, retire_by if e.retires_at is None else min(e.retires_at, retire_by))
        for e in parse(stored)
        if e.signs_at(moment)
    ]
    return serialise([SigningSecret(new_secret), *kept])
