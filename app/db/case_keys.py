"""ACC-1, ACC-2 (issue 18): per-case content keys, staff key pairs, and the keyring of a unit of work.

The key hierarchy (docs/security.md, "Keys"):

- every case has its own 32-byte **content key**; from it come an AES-256-GCM key for the case's content and an
  X25519 key pair whose public half is stored on the case (`case_file.content_key`), so that anyone — the worker, a
  reporter's request — can add content to a case that they cannot read;
- the content key is **wrapped** (`case_key_wrap`) for each person who reads the case under ACC-1: sealed to a staff
  member's X25519 public key, to the recovery key's public key (split among officers, never whole on the server),
  and for the reporter under a key derived from their receipt code;
- a staff member's X25519 **private key** is stored only sealed under a key derived from their password (Argon2id);
  at sign-in it is sealed again under a random secret that lives only in the session's tokens (never in the
  database), so the server can open a case only while one of its readers is signed in.

Ciphertexts of case content name their case, so the right key is found without knowing the row:

    0x02 | case id (16) | nonce (12) | AES-GCM(content key, aad = context | case id)            written by a reader
    0x03 | case id (16) | sealed to the case's public key (aad = context | case id)         written by anyone
    0x00                                                                        empty (destroyed content, DATA-1)

Older values (0x01) are under the master key (app.db.encryption) until `withu migrate` moves them.
"""

from __future__ import annotations

import secrets
import uuid
from contextvars import ContextVar, Token
from dataclasses import dataclass, field

from argon2.low_level import Type, hash_secret_raw
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

BY_READER = b"\x02"
BY_ANYONE = b"\x03"
EMPTY = b"\x00"
NONCE = 12
KEY = 32
PUBLIC = 32
_CASE = 16


class KeyUnavailable(Exception):
    """A key could not be opened: the wrong password, secret or wrap, or data not written under it."""


def _derive(material: bytes, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=KEY, salt=None, info=info).derive(material)


def _aead_seal(key: bytes, plaintext: bytes, aad: bytes) -> bytes:
    nonce = secrets.token_bytes(NONCE)
    return nonce + AESGCM(key).encrypt(nonce, plaintext, aad)


def _aead_open(key: bytes, blob: bytes, aad: bytes) -> bytes:
    try:
        return AESGCM(key).decrypt(blob[:NONCE], blob[NONCE:], aad)
    except (InvalidTag, ValueError) as exc:
        raise KeyUnavailable() from exc


def seal(public_key: bytes, plaintext: bytes, aad: bytes) -> bytes:
    """Encrypt for the holder of `public_key`'s private key only (X25519, HKDF-SHA256, AES-256-GCM): an ephemeral
    key pair per message, both public keys bound into the derived key."""
    ephemeral = X25519PrivateKey.generate()
    ephemeral_public = ephemeral.public_key().public_bytes_raw()
    shared = ephemeral.exchange(X25519PublicKey.from_public_bytes(public_key))
    key = _derive(shared + ephemeral_public + public_key, b"withu:seal:v1")
    return ephemeral_public + _aead_seal(key, plaintext, aad)


def unseal(private_key: X25519PrivateKey, blob: bytes, aad: bytes) -> bytes:
    """Open what `seal` wrote for this private key; KeyUnavailable for any other key or a changed byte."""
    ephemeral_public, rest = blob[:PUBLIC], blob[PUBLIC:]
    try:
        shared = private_key.exchange(X25519PublicKey.from_public_bytes(ephemeral_public))
    except ValueError as exc:
        raise KeyUnavailable() from exc
    own_public = private_key.public_key().public_bytes_raw()
    return _aead_open(_derive(shared + ephemeral_public + own_public, b"withu:seal:v1"), rest, aad)


def _content_aad(case_id: uuid.UUID, context: str) -> bytes:
    return context.encode() + b"|" + case_id.bytes


class CaseKey:
    """A case's content key, in memory only (never stored unwrapped)."""

    __slots__ = ("case_id", "secret", "_aead", "_private", "public")

    def __init__(self, case_id: uuid.UUID, secret: bytes) -> None:
        if len(secret) != KEY:
            raise KeyUnavailable()
        self.case_id = case_id
        self.secret = secret
        self._aead = AESGCM(_derive(secret, b"withu:case-content:v1"))
        self._private = X25519PrivateKey.from_private_bytes(_derive(secret, b"withu:case-x25519:v1"))
        self.public = self._private.public_key().public_bytes_raw()

    @classmethod
    def new(cls, case_id: uuid.UUID) -> CaseKey:
        return cls(case_id, secrets.token_bytes(KEY))

    def encrypt(self, plaintext: bytes, context: str) -> bytes:
        nonce = secrets.token_bytes(NONCE)
        aad = _content_aad(self.case_id, context)
        return BY_READER + self.case_id.bytes + nonce + self._aead.encrypt(nonce, plaintext, aad)

    def decrypt(self, blob: bytes, context: str) -> bytes:
        version, case_id, rest = blob[:1], uuid.UUID(bytes=blob[1 : 1 + _CASE]), blob[1 + _CASE :]
        if case_id != self.case_id:
            raise KeyUnavailable()
        aad = _content_aad(case_id, context)
        if version == BY_READER:
            try:
                return self._aead.decrypt(rest[:NONCE], rest[NONCE:], aad)
            except InvalidTag as exc:
                raise KeyUnavailable() from exc
        if version == BY_ANYONE:
            return unseal(self._private, rest, aad)
        raise KeyUnavailable()


def encrypt_for_case(case_id: uuid.UUID, case_public_key: bytes, plaintext: bytes, context: str) -> bytes:
    """Content for a case written by someone who cannot read it (0x03): only the case's readers open it."""
    return BY_ANYONE + case_id.bytes + seal(case_public_key, plaintext, _content_aad(case_id, context))


def case_of(blob: bytes) -> uuid.UUID | None:
    """The case a per-case ciphertext names (None for a master-key or empty value)."""
    if blob[:1] in (BY_READER, BY_ANYONE) and len(blob) > 1 + _CASE:
        return uuid.UUID(bytes=blob[1 : 1 + _CASE])
    return None


# Wraps of a case's content key, one per holder: "staff:<account id>", "reporter:<report id>", "recovery:<key id>".
def staff_holder(user_id: uuid.UUID) -> str:
    return f"staff:{user_id}"


def reporter_holder(report_id: uuid.UUID) -> str:
    return f"reporter:{report_id}"


def recovery_holder(key_id: str) -> str:
    return f"recovery:{key_id}"


def _wrap_aad(case_id: uuid.UUID, holder: str) -> bytes:
    return b"withu:wrap:v1|" + case_id.bytes + b"|" + holder.encode()


def wrap_for(public_key: bytes, key: CaseKey, holder: str) -> bytes:
    """The content key sealed to a staff member's or the recovery key's public key."""
    return seal(public_key, key.secret, _wrap_aad(key.case_id, holder))


def unwrap(private_key: X25519PrivateKey, case_id: uuid.UUID, holder: str, wrapped: bytes) -> CaseKey:
    return CaseKey(case_id, unseal(private_key, wrapped, _wrap_aad(case_id, holder)))


def reporter_key(receipt_code: str) -> bytes:
    """The reporter's key, from their (normalised) receipt code alone: 100 random bits, never stored (INT-4)."""
    return _derive(receipt_code.encode(), b"withu:reporter-key:v1")


def wrap_for_reporter(reporter_secret: bytes, key: CaseKey, holder: str) -> bytes:
    return _aead_seal(reporter_secret, key.secret, _wrap_aad(key.case_id, holder))


def unwrap_for_reporter(reporter_secret: bytes, case_id: uuid.UUID, holder: str, wrapped: bytes) -> CaseKey:
    return CaseKey(case_id, _aead_open(reporter_secret, wrapped, _wrap_aad(case_id, holder)))


# A staff member's key pair.
@dataclass(frozen=True)
class PasswordKdf:
    """Argon2id's parameters for the key that seals a staff member's private key (the server's own settings)."""

    time_cost: int
    memory_kib: int
    parallelism: int


def password_key(password: str, salt: bytes, kdf: PasswordKdf) -> bytes:
    """Argon2id of the password with the account's own key salt (not the password hash's salt). Slow on purpose:
    the caller runs it in the Argon2 threads (app.services.security)."""
    return hash_secret_raw(password.encode(), salt, kdf.time_cost, kdf.memory_kib, kdf.parallelism, KEY, Type.ID)


def _private_aad(user_id: uuid.UUID) -> bytes:
    return b"withu:staff-private:v1|" + user_id.bytes


def new_staff_private_key() -> X25519PrivateKey:
    return X25519PrivateKey.generate()


def public_of(private_key: X25519PrivateKey) -> bytes:
    return private_key.public_key().public_bytes_raw()


def lock_private_key(private_key: X25519PrivateKey, lock_key: bytes, user_id: uuid.UUID) -> bytes:
    """The private key sealed under a password key or a session secret."""
    return _aead_seal(lock_key, private_key.private_bytes_raw(), _private_aad(user_id))


def unlock_private_key(sealed: bytes, lock_key: bytes, user_id: uuid.UUID) -> X25519PrivateKey:
    """KeyUnavailable for the wrong password key or session secret."""
    return X25519PrivateKey.from_private_bytes(_aead_open(lock_key, sealed, _private_aad(user_id)))


def new_session_secret() -> bytes:
    return secrets.token_bytes(KEY)


# The keyring of one unit of work: the case keys its actor opened, and what it knows of cases it cannot read.
@dataclass
class Keyring:
    keys: dict[uuid.UUID, CaseKey] = field(default_factory=dict)
    public_keys: dict[uuid.UUID, bytes | None] = field(default_factory=dict)
    # The actor's unlocked private key, once a wrap was opened in this unit of work.
    staff_private_key: X25519PrivateKey | None = None

    def add(self, key: CaseKey) -> None:
        self.keys[key.case_id] = key
        self.public_keys[key.case_id] = key.public

    def get(self, case_id: uuid.UUID) -> CaseKey | None:
        return self.keys.get(case_id)


_keyring: ContextVar[Keyring | None] = ContextVar("withu_keyring", default=None)


def keyring() -> Keyring:
    """The current unit of work's keyring; outside one (a script), an empty one of its own."""
    ring = _keyring.get()
    if ring is None:
        ring = Keyring()
        _keyring.set(ring)
    return ring


def use_keyring(ring: Keyring) -> Token[Keyring | None]:
    return _keyring.set(ring)


def end_keyring(token: Token[Keyring | None]) -> None:
    try:
        _keyring.reset(token)
    except ValueError:  # ended in another context than it began: nothing of it is reachable from here anyway
        pass
