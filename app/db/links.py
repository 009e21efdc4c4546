"""ACC-2 (security review F3): how a case, a separation order or a flag names a person, so that a database dump
without the master key cannot say who is the victim, witness, reporter, helper or respondent of what.

Such a link is stored twice, never as a plain foreign key:
- a keyed MAC (HMAC-SHA256 under the link key derived from the master key, `Cipher.link_mac`) for look-ups: the app
  computes the MACs of the few people a question concerns and finds the rows by an index on the MAC column. An
  employee's MAC is over the employee number; the directory stores the number, never its MAC, and without the key
  nobody can compute one, so nothing joins a MAC column to the directory;
- the id itself encrypted (`EncryptedUuid`), where the link must be read back (which people an order separates).

The directory (employee, org_unit, assignment) stays plaintext: it is the personnel system's own data, and the
separation check and the recusal SQL walk it."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from app.db.encryption import cipher


def employee_mac(employee_number: str) -> str:
    """The MAC naming an employee (by the directory's employee number, exactly as stored)."""
    return cipher().link_mac("employee", employee_number)


def employee_macs(employee_numbers: Iterable[str]) -> list[str]:
    return sorted({employee_mac(n) for n in employee_numbers})


def ambassador_mac(ambassador_id: uuid.UUID) -> str:
    """The MAC naming a publicity ambassador a case names as respondent (AMB-2)."""
    return cipher().link_mac("ambassador", ambassador_id.hex)


def event_mac(event_id: uuid.UUID) -> str:
    """The MAC naming a personnel event (about one employee) that flagged a case (RET-1)."""
    return cipher().link_mac("personnel-event", event_id.hex)
