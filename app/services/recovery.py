"""ACC-1, ACC-2, AUD-1 (issue 18, point 5): recovery without a single escrow holder.

Every case's content key is also wrapped for the recovery key (app.services.case_keys.share). Its private half is
split among named officers (Shamir, app.db.recovery_shares) and never stored; only its public half is. Given enough
shares, `withu recovery grant` opens a case's recovery wrap and wraps the key for one account — only one that reads
the case under ACC-1 as it stands now — so that a case whose readers all lost their keys is readable again.

Every use is audited (`recovery.key_created`, `recovery.key_retired`, `recovery.case_restored`) and listed for the
division head (`GET /api/v1/recovery`). Shares, secrets and keys are never logged, stored or returned by the API.
"""

from __future__ import annotations

import hmac
import uuid
from dataclasses import dataclass
from dataclasses import replace as with_changes

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from app.db import case_keys as keys
from app.db import recovery_shares
from app.db.models import AuditEntry, CaseKeyWrap, RecoveryKey, StaffUser
from app.db.recovery_shares import RecoveryShareError
from app.db.uow import UnitOfWork
from app.domain.access import StaffFacts, can_read_content
from app.domain.accounts import require_role
from app.domain.enums import Role
from app.domain.errors import Conflict
from app.schemas.recovery import RecoveryKeyRead, RecoveryOverview, RecoveryUseRead
from app.services import audit, case_keys, clock
from app.services.actors import StaffActor
from app.services.admin import COMMAND_LINE
from app.services.case_access import active_employee, case_facts

KEY_CREATED = "recovery.key_created"
KEY_RETIRED = "recovery.key_retired"
CASE_RESTORED = "recovery.case_restored"
USES = (KEY_CREATED, KEY_RETIRED, CASE_RESTORED)
USES_SHOWN = 100  # per kind of use, newest first
OVERVIEW_ROLES = frozenset({Role.division_head})


class RecoveryRefused(Conflict):
    """Nothing was written: the detail says why in one line (an officer's mistake, not a server fault)."""

    code = "recovery-refused"
    title = "The recovery was refused."


# --- withu recovery init ---


@dataclass(frozen=True)
class NewRecoveryKey:
    """What `init` prints once: each holder's share, never stored anywhere."""

    key_id: str
    threshold: int
    shares: list[tuple[str, str]]  # (holder's name, share)
    retired: list[str]  # the ids of the keys it replaced


async def create_key(uow: UnitOfWork, holders: list[str], threshold: int, *, replace: bool = False) -> NewRecoveryKey:
    """ACC-2: a new recovery key pair; its public half stored, its private half split among `holders` (any
    `threshold` of them give it back) and returned as shares, then dropped. Refused while a key is active, unless
    `replace` (the active one is retired: cases keep its wraps until they are shredded). Audited."""
    names = [name.strip() for name in holders]
    if any(not name for name in names) or len({name.casefold() for name in names}) != len(names):
        raise RecoveryRefused("each --holder needs a name of its own (no empty or repeated names)")
    active = await uow.keys.recovery_keys()
    if active and not replace:
        raise RecoveryRefused(
            f"recovery key {active[0].id} is active; pass --replace to retire it and create a new one"
        )
    private = X25519PrivateKey.generate()
    public = keys.public_of(private)
    key_id = recovery_shares.key_id_for(public)
    try:
        shares = recovery_shares.split(private.private_bytes_raw(), threshold, len(names), key_id)
    except RecoveryShareError as exc:
        raise RecoveryRefused(str(exc)) from None
    del private
    now = clock.now()
    for old in active:
        old.retired_at = now
        await audit.record(uow, COMMAND_LINE, KEY_RETIRED, target=old.id)
    uow.keys.add(RecoveryKey(id=key_id, public_key=public, threshold=threshold, holders=names, created_at=now))
    await uow.keys.flush()
    await audit.record(uow, COMMAND_LINE, KEY_CREATED, target=key_id)
    return NewRecoveryKey(key_id, threshold, list(zip(names, shares, strict=True)), [old.id for old in active])


# --- withu recovery grant ---


@dataclass(frozen=True)
class CaseOutcome:
    reference: str
    restored: bool
    message: str


async def grant(
    uow: UnitOfWork, shares: list[str], references: list[str], email: str, key_id: str | None = None
) -> list[CaseOutcome]:
    """ACC-1, ACC-2: the shares give the recovery key's private half (checked against the stored public half);
    each case's recovery wrap opens with it, and the case's key is wrapped for the account `email` — only where
    that account reads the case under ACC-1 now. RecoveryRefused (nothing written) for wrong, too few or mismatched
    shares or an unknown account; a case that cannot be restored is refused alone. Each restored case is audited."""
    recovery, private = await _recovery_private_key(uow, shares, key_id)
    user = await uow.staff.user_by_email(email)
    if user is None:
        raise RecoveryRefused(f"no staff account {email}")
    facts = await _account_facts(uow, user)
    outcomes = []
    for reference in dict.fromkeys(references):
        outcomes.append(await _restore(uow, recovery, private, reference, user, facts))
    return outcomes


async def _recovery_private_key(
    uow: UnitOfWork, shares: list[str], key_id: str | None
) -> tuple[RecoveryKey, X25519PrivateKey]:
    try:
        share_key_id, secret = recovery_shares.combine(shares)
    except RecoveryShareError as exc:
        raise RecoveryRefused(str(exc)) from None
    if key_id is not None:
        recovery = await uow.keys.recovery_key(key_id.strip().upper())
        if recovery is None:
            raise RecoveryRefused(f"no recovery key {key_id}")
    else:
        active = await uow.keys.recovery_keys()
        if not active:
            raise RecoveryRefused("no active recovery key; pass --key for a retired one")
        recovery = max(active, key=lambda k: k.created_at)
    if share_key_id != recovery.id:
        hint = "" if key_id is not None else f" (for a retired key: --key {share_key_id})"
        raise RecoveryRefused(f"these shares are of recovery key {share_key_id}, not of key {recovery.id}{hint}")
    private = X25519PrivateKey.from_private_bytes(secret)
    if not hmac.compare_digest(keys.public_of(private), bytes(recovery.public_key)):
        raise RecoveryRefused(f"these shares do not give recovery key {recovery.id}: check them with their holders")
    return recovery, private


async def _account_facts(uow: UnitOfWork, user: StaffUser) -> StaffFacts:
    """The account as ACC-1 sees it now: its directory match read afresh (F2)."""
    facts = StaffFacts(user.id, Role(user.role), user.team, user.employee_number)
    return with_changes(facts, in_directory=await active_employee(uow, user.employee_number) is not None)


async def _restore(
    uow: UnitOfWork,
    recovery: RecoveryKey,
    private: X25519PrivateKey,
    reference: str,
    user: StaffUser,
    facts: StaffFacts,
) -> CaseOutcome:
    reference = reference.strip().upper()
    case = await uow.cases.case_by_reference(reference)
    if case is None:
        return CaseOutcome(reference, False, f"no case {reference}")
    if not user.active or not can_read_content(facts, await case_facts(uow, case)):
        return CaseOutcome(reference, False, f"{user.email} is not a reader of {reference}: assign them first")
    if user.public_key is None or user.enrolled_at is None:
        return CaseOutcome(reference, False, f"{user.email} has no key pair yet: they complete their enrolment first")
    if case.content_key is None:
        return CaseOutcome(reference, False, f"{reference} is still under the master key: run `withu migrate` first")
    holder = keys.recovery_holder(recovery.id)
    sealed = await uow.keys.wrap(case.id, holder)
    if sealed is None:
        return CaseOutcome(
            reference,
            False,
            f"{reference} has no wrap for recovery key {recovery.id} (created before the key and not opened since)",
        )
    try:
        key = keys.unwrap(private, case.id, holder, sealed)
    except keys.KeyUnavailable:
        return CaseOutcome(reference, False, f"the recovery wrap of {reference} does not open with these shares")
    staff = keys.staff_holder(user.id)
    await uow.keys.drop(case.id, [staff])  # a wrap for a key pair the account may no longer have
    uow.keys.add(CaseKeyWrap(case_id=case.id, holder=staff, sealed=keys.wrap_for(bytes(user.public_key), key, staff)))
    await uow.keys.flush()
    uow.keyring.add(key)
    await case_keys.share(uow, case)  # the other current readers without a wrap get theirs too (ACC-1)
    await audit.record(uow, COMMAND_LINE, CASE_RESTORED, case_id=case.id, target=str(user.id))
    return CaseOutcome(reference, True, f"{reference}: restored for {user.email}")


# --- withu recovery status ---


@dataclass(frozen=True)
class RecoveryStatus:
    key: RecoveryKeyRead | None  # plain values: read after the unit of work ends
    cases_with_key: int
    cases_wrapped: int


async def status(uow: UnitOfWork) -> RecoveryStatus:
    """The active key and how many cases with a content key carry a wrap for it (the rest get theirs when a
    reader next opens them)."""
    active = await uow.keys.recovery_keys()
    key = max(active, key=lambda k: k.created_at) if active else None
    cases, wrapped = await uow.keys.cases_with_key_and_wrapped_for(keys.recovery_holder(key.id) if key else None)
    summary = None
    if key is not None:
        summary = RecoveryKeyRead(
            id=key.id, threshold=key.threshold, holders=list(key.holders), created_on=key.created_at.date()
        )
    return RecoveryStatus(summary, cases, wrapped)


# --- GET /api/v1/recovery ---


async def overview(uow: UnitOfWork, actor: StaffActor) -> RecoveryOverview:
    """AUD-1: the division head sees the active recovery key (never its shares) and every use of recovery, newest
    first, read from the audit log. Other roles: 403. The look itself is audited."""
    require_role(actor.role, OVERVIEW_ROLES)
    current = (await status(uow)).key
    entries: list[AuditEntry] = []
    for action in USES:
        rows, _ = await uow.audit.search(
            action=action, actor_id=None, case_id=None, at_from=None, at_before=None, offset=0, limit=USES_SHOWN
        )
        entries.extend(rows)
    entries.sort(key=lambda e: (e.at, e.chain, e.seq), reverse=True)
    references = await uow.cases.references(list({e.case_id for e in entries if e.case_id is not None}))
    accounts = await uow.staff.display_names(_target_ids(entries))
    uses = [
        RecoveryUseRead.model_validate(
            {
                "on": entry.at.date(),
                "action": entry.action,
                "case_reference": references.get(entry.case_id) if entry.case_id else None,
                "key_id": entry.target if entry.action != CASE_RESTORED else None,
                "for": accounts.get(_uuid(entry.target)) if entry.action == CASE_RESTORED else None,
            }
        )
        for entry in entries
    ]
    await audit.record(uow, actor, "recovery.viewed")
    return RecoveryOverview(key=current, uses=uses)


def _uuid(text: str | None) -> uuid.UUID | None:
    try:
        return uuid.UUID(text) if text else None
    except ValueError:
        return None


def _target_ids(entries: list[AuditEntry]) -> set[uuid.UUID]:
    return {u for e in entries if e.action == CASE_RESTORED and (u := _uuid(e.target)) is not None}
