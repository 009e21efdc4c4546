"""Issue 18 (ACC-1, ACC-2): cases' content keys in a unit of work — made with the case, opened by a reader's
request, shared with every reader (app.domain.key_wraps), shredded with the content (DATA-1) — and staff key pairs.

Nothing here runs without someone who holds a key: a new case's key exists in the request that creates it; an
existing case's key only in a request of one of its readers (a signed-in staff member with a wrap, the reporter
with their receipt code's key). The worker and the personnel system's requests never hold one.
"""

from __future__ import annotations

import base64
import binascii
import secrets
import uuid

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from app.db import case_keys as keys
from app.db.case_keys import CaseKey, KeyUnavailable
from app.db.encryption import LOCKED, cipher
from app.db.models import Case, CaseKeyWrap, StaffSession, StaffUser
from app.db.repositories.case_keys import KeyHolder
from app.db.uow import UnitOfWork
from app.domain.access import CaseFacts, StaffFacts, in_directory
from app.domain.errors import CaseKeyNotShared, SignInForKeys
from app.domain.key_wraps import content_readers, staff_wrap_changes
from app.services import audit, clock
from app.services.actors import ReporterActor, StaffActor
from app.services.case_access import case_facts
from app.services.security import password_key

KEY_SALT = 16


# --- cases ---


def new_case(uow: UnitOfWork, case: Case) -> CaseKey:
    """A new case's content key: in this unit of work's keyring, its public half on the case. Call `share` once the
    case's parties are known (its readers depend on them: CASE-3)."""
    key = CaseKey.new(case.id)
    case.content_key = key.public
    uow.keyring.add(key)
    return key


async def share(
    uow: UnitOfWork, case: Case, facts: CaseFacts | None = None, wraps: dict[str, bytes] | None = None
) -> None:
    """Make the case's staff wraps follow its readers under ACC-1 (app.domain.key_wraps) and wrap it for the recovery
    key. Wrapping needs the case's key in this unit of work; without it, only the wraps of former readers go.
    `facts` and `wraps`: the caller's, if it read them in this unit of work already."""
    if case.content_key is None:
        return  # from before per-case keys: `withu migrate` moves it
    facts = facts or await case_facts(uow, case)
    wraps = await uow.keys.wraps(case.id) if wraps is None else wraps
    candidates = await uow.keys.key_holders()
    readers = content_readers((_facts(h) for h in candidates), facts)
    publics = {h.user_id: h.public_key for h in candidates if h.public_key is not None}
    changes = staff_wrap_changes(readers & publics.keys(), _staff_holders(wraps))
    await uow.keys.drop(case.id, [keys.staff_holder(user_id) for user_id in changes.drop])
    key = uow.keyring.get(case.id)
    if key is None:
        return
    if STAFF_PENDING in wraps and readers <= publics.keys():
        await uow.keys.drop(case.id, [STAFF_PENDING])  # every reader gets a wrap below: the server's copy goes
    added = [(keys.staff_holder(user_id), publics[user_id]) for user_id in changes.add]
    added += [
        (keys.recovery_holder(r.id), r.public_key)
        for r in await uow.keys.recovery_keys()
        if keys.recovery_holder(r.id) not in wraps
    ]
    for holder, public_key in added:
        uow.keys.add(CaseKeyWrap(case_id=case.id, holder=holder, sealed=keys.wrap_for(public_key, key, holder)))
    if added:
        await uow.keys.flush()


def _facts(holder: KeyHolder) -> StaffFacts:
    return StaffFacts(holder.user_id, holder.role, holder.team, holder.employee_number, in_directory(holder.status))


def _staff_holders(wraps: dict[str, bytes]) -> set[uuid.UUID]:
    return {uuid.UUID(h.removeprefix("staff:")) for h in wraps if h.startswith("staff:")}


async def open_for_staff(uow: UnitOfWork, actor: StaffActor, case: Case, facts: CaseFacts) -> None:
    """A reader's request (ACC-1 already checked): the case's key into the keyring from the reader's own wrap, then
    the case's wraps made to follow its readers. CaseKeyNotShared while nobody has wrapped it for this reader."""
    if case.content_key is None or uow.keyring.get(case.id) is not None:
        return
    wraps = await uow.keys.wraps(case.id)
    holder = keys.staff_holder(actor.user_id)
    if holder in wraps:
        try:
            uow.keyring.add(keys.unwrap(_private_key(uow, actor), case.id, holder, wraps[holder]))
        except KeyUnavailable as exc:  # a wrap for a key pair the account no longer has
            raise CaseKeyNotShared() from exc
    elif STAFF_PENDING in wraps:
        _open_pending_for_staff(uow, case, wraps[STAFF_PENDING])
    else:
        await uow.keys.request(case.id, actor.user_id, clock.now().date())
        await uow.keys.flush()
        raise CaseKeyNotShared()
    await _read_again_what_was_locked(uow, {case.id})
    await share(uow, case, facts, wraps)


SHARED_AT_SIGN_IN = 200


async def share_requested(uow: UnitOfWork, user_id: uuid.UUID, private_key: X25519PrivateKey) -> int:
    """At sign-in: the cases colleagues wait for whose key this staff member holds are shared with every reader who
    lacks a wrap (at most SHARED_AT_SIGN_IN; the rest at the next sign-in or when a holder opens them)."""
    shared = 0
    for case_id, sealed in await uow.keys.requests_for_holder(user_id, SHARED_AT_SIGN_IN):
        case = await uow.session.get(Case, case_id)
        if case is None or case.content_destroyed_on is not None:
            continue
        try:
            uow.keyring.add(keys.unwrap(private_key, case_id, keys.staff_holder(user_id), sealed))
        except KeyUnavailable:
            continue
        await share(uow, case)
        await uow.keys.requests_answered(case_id)
        shared += 1
    return shared


async def _read_again_what_was_locked(uow: UnitOfWork, case_ids: set[uuid.UUID]) -> None:
    """Rows of these cases loaded before their key was opened hold LOCKED values: read those values again."""
    for obj in list(uow.session.identity_map.values()):
        names = getattr(type(obj), "__case_content__", None)
        if names and getattr(obj, "case_id", None) in case_ids:
            locked = [name for name in names if obj.__dict__.get(name) is LOCKED]
            if locked:
                await uow.session.refresh(obj, attribute_names=locked)


def _private_key(uow: UnitOfWork, actor: StaffActor) -> X25519PrivateKey:
    ring = uow.keyring
    if ring.staff_private_key is None:
        if actor.key_secret is None or actor.sealed_key is None:
            raise SignInForKeys()
        try:
            ring.staff_private_key = keys.unlock_private_key(actor.sealed_key, actor.key_secret, actor.user_id)
        except KeyUnavailable as exc:
            raise SignInForKeys() from exc
    return ring.staff_private_key


# --- reporters ---


def share_with_reporter(uow: UnitOfWork, case: Case, report_id: uuid.UUID, reporter_key: bytes) -> None:
    """The case's key (opened in this unit of work) for the reporter of `report_id`, under the key of their receipt
    code (INT-4: the code itself is never stored)."""
    key = uow.keyring.get(case.id)
    assert key is not None, "the case's key is opened before it is shared"
    _wrap_for_reporter(uow, key, report_id, reporter_key)


def _wrap_for_reporter(uow: UnitOfWork, key: CaseKey, report_id: uuid.UUID, reporter_key: bytes) -> None:
    holder = keys.reporter_holder(report_id)
    uow.keys.add(
        CaseKeyWrap(case_id=key.case_id, holder=holder, sealed=keys.wrap_for_reporter(reporter_key, key, holder))
    )


async def open_for_reporter(uow: UnitOfWork, actor: ReporterActor) -> None:
    """The reporter's request: the keys of their own case and of the cases linked to it through their inbox."""
    if actor.reporter_key is None:
        return
    await _claim_pending(uow, actor.report_id, actor.reporter_key)
    holder = keys.reporter_holder(actor.report_id)
    opened = set()
    for case_id, sealed in (await uow.keys.wraps_of(holder)).items():
        if uow.keyring.get(case_id) is None:
            try:
                uow.keyring.add(keys.unwrap_for_reporter(actor.reporter_key, case_id, holder, sealed))
            except KeyUnavailable:
                continue  # not this code's (cannot happen with a signed token): the content stays locked
            opened.add(case_id)
    await _read_again_what_was_locked(uow, opened)


# Cases moved to their own keys by `withu migrate` (app.services.key_migration): the receipt code is not on the
# server, so the key waits for the reporter under the master key until their next visit; and readers whose accounts
# had no key pair yet (made at their next sign-in) are served from a copy under the master key ("staff-pending")
# until every reader of the case holds a wrap. `withu migrate --drop-pending` ends both.
STAFF_PENDING = "staff-pending"
REPORTER_PENDING = "reporter-pending:"  # + the report id


def _open_pending_for_staff(uow: UnitOfWork, case: Case, sealed: bytes) -> None:
    uow.keyring.add(CaseKey(case.id, cipher().decrypt(sealed, pending_context(case.id, STAFF_PENDING))))


def pending_holder(report_id: uuid.UUID) -> str:
    return f"{REPORTER_PENDING}{report_id}"


def pending_context(case_id: uuid.UUID, holder: str) -> str:
    return f"case-key:{case_id}:{holder}"


async def _claim_pending(uow: UnitOfWork, report_id: uuid.UUID, reporter_key: bytes) -> None:
    """The reporter of `report_id` opened their inbox: the cases kept for them under the master key are wrapped
    under their receipt code's key, and the pending wraps go."""
    holder = pending_holder(report_id)
    for case_id, sealed in (await uow.keys.wraps_of(holder)).items():
        key = CaseKey(case_id, cipher().decrypt(sealed, pending_context(case_id, holder)))
        uow.keyring.add(key)
        _wrap_for_reporter(uow, key, report_id, reporter_key)
        await uow.keys.drop(case_id, [holder])


def encode_secret(secret: bytes) -> str:
    return base64.urlsafe_b64encode(secret).decode().rstrip("=")


def decode_secret(text: object) -> bytes | None:
    """A token's key claim; None if absent or malformed (content then stays locked)."""
    if not isinstance(text, str):
        return None
    try:
        secret = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        return None
    return secret if len(secret) == keys.KEY else None


# --- staff key pairs ---


async def give_key_pair(uow: UnitOfWork, user: StaffUser, password: str) -> X25519PrivateKey:
    """A new key pair for the account, its private key sealed under the password. Wraps made for an earlier key
    pair of the account can no longer be opened: they go (the account's readers' requests wrap again)."""
    private = keys.new_staff_private_key()
    await _seal_under_password(uow, user, private, password)
    had_keys = user.public_key is not None
    user.public_key = keys.public_of(private)
    if had_keys:
        dropped = await uow.keys.drop_holder(keys.staff_holder(user.id))
        await audit.record(uow, None, "keys.replaced", target=f"{user.id}:{dropped}")
    return private


async def _seal_under_password(uow: UnitOfWork, user: StaffUser, private: X25519PrivateKey, password: str) -> None:
    salt = secrets.token_bytes(KEY_SALT)
    lock = await password_key(uow.settings, password, salt)
    user.key_salt = salt
    user.sealed_private_key = keys.lock_private_key(private, lock, user.id)


async def drop_all_wraps(uow: UnitOfWork, user: StaffUser) -> None:
    """Every case key wrapped for the account goes (deactivation). Should it read again, its colleagues' requests wrap
    the cases it reads then."""
    await uow.keys.drop_holder(keys.staff_holder(user.id))


async def unlock_with_password(uow: UnitOfWork, user: StaffUser, password: str) -> X25519PrivateKey:
    """The account's private key, opened with its (verified) password; a new key pair if it has none yet (an
    account from before per-case keys) or if its key was sealed under another password."""
    if user.sealed_private_key is not None and user.key_salt is not None:
        lock = await password_key(uow.settings, password, bytes(user.key_salt))
        try:
            return keys.unlock_private_key(bytes(user.sealed_private_key), lock, user.id)
        except KeyUnavailable:
            pass
    return await give_key_pair(uow, user, password)


async def change_password(uow: UnitOfWork, user: StaffUser, current: str, new: str) -> None:
    """A password change seals the same private key under the new password: every wrap stays good."""
    private = await unlock_with_password(uow, user, current)
    await _seal_under_password(uow, user, private, new)


def seal_for_session(session: StaffSession, user: StaffUser, private: X25519PrivateKey) -> bytes:
    """At sign-in: the private key sealed under a new secret for this sign-in only; the secret is returned for the
    sign-in's tokens and never stored."""
    secret = keys.new_session_secret()
    session.sealed_private_key = keys.lock_private_key(private, secret, user.id)
    return secret
