"""ACC-2: envelope encryption of sensitive columns with AES-GCM.

Each value gets its own random data key; the data key is wrapped by the master key. The column's name is
bound as associated data, so a ciphertext moved into another column does not decrypt. Rotating the master
key means re-wrapping data keys only.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import uuid
from collections.abc import Callable
from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import LargeBinary, event
from sqlalchemy.orm import Session
from sqlalchemy.sql import operators
from sqlalchemy.types import TypeDecorator

from app.db import case_keys
from app.db.case_keys import EMPTY

VERSION = b"\x01"
NONCE = 12
WRAPPED_KEY = NONCE + 32 + 16


class Cipher:
    def __init__(self, master_key: bytes) -> None:
        if len(master_key) != 32:
            raise ValueError("master key must be 32 bytes")
        self._master = AESGCM(master_key)
        # Keys derived for keyed hashes (lookups that must not reveal the value, e.g. employee numbers).
        self._mac_key = hmac.new(master_key, b"withu:lookup-mac", hashlib.sha256).digest()
        # A separate key for the links between a case or order and the people it concerns (security review F3):
        # its MACs never equal a lookup MAC of the same value, so the two kinds of column cannot be joined.
        self._link_key = hmac.new(master_key, b"withu:link-mac", hashlib.sha256).digest()
        # Which key this is, without revealing it: stored in the database (app.db.key_check).
        self.key_check = hmac.new(master_key, b"withu:key-check", hashlib.sha256).hexdigest()

    def encrypt(self, plaintext: bytes, context: str) -> bytes:
        data_key = AESGCM.generate_key(bit_length=256)
        key_nonce, value_nonce = secrets.token_bytes(NONCE), secrets.token_bytes(NONCE)
        aad = context.encode()
        wrapped = key_nonce + self._master.encrypt(key_nonce, data_key, aad)
        return VERSION + wrapped + value_nonce + AESGCM(data_key).encrypt(value_nonce, plaintext, aad)

    def decrypt(self, blob: bytes, context: str) -> bytes:
        if blob[:1] != VERSION:
            raise ValueError("unknown ciphertext version")
        aad = context.encode()
        wrapped, rest = blob[1 : 1 + WRAPPED_KEY], blob[1 + WRAPPED_KEY :]
        data_key = self._master.decrypt(wrapped[:NONCE], wrapped[NONCE:], aad)
        return AESGCM(data_key).decrypt(rest[:NONCE], rest[NONCE:], aad)

    def lookup_mac(self, purpose: str, value: str) -> str:
        """A keyed hash for equality lookups (e.g. the same respondent) that reveals nothing without the key."""
        return hmac.new(self._mac_key, f"{purpose}:{value}".encode(), hashlib.sha256).hexdigest()

    def link_mac(self, kind: str, value: str) -> str:
        """A keyed hash naming a person (or an event about one) in a case's or an order's row: equal values give
        equal MACs, so the row is found by the MAC the app computes; without the key nothing joins it to the
        directory (app.db.links)."""
        return hmac.new(self._link_key, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()


_cipher: Cipher | None = None


def configure(master_key: bytes) -> None:
    global _cipher
    _cipher = Cipher(master_key)


def cipher() -> Cipher:
    if _cipher is None:
        raise RuntimeError("encryption is not configured (app.db.encryption.configure)")
    return _cipher


class _BoundToColumn(TypeDecorator[Any]):
    """A column stored as ciphertext bound to its context (the column's name): moved elsewhere, it does not open."""

    impl = LargeBinary
    cache_ok = True

    def __init__(self, context: str) -> None:
        super().__init__()
        self.context = context


def _text_bytes(value: str) -> bytes:
    return value.encode()


def _json_bytes(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False).encode()


class EncryptedText(_BoundToColumn):
    """A text column stored as AES-GCM ciphertext under the master key (ACC-2)."""

    cache_ok = True  # SQLAlchemy asks each class itself

    def process_bind_param(self, value: str | None, dialect: Any) -> bytes | None:
        return None if value is None else cipher().encrypt(_text_bytes(value), self.context)

    def process_result_value(self, value: bytes | None, dialect: Any) -> str | None:
        return None if value is None else cipher().decrypt(bytes(value), self.context).decode()


class EncryptedJSON(_BoundToColumn):
    """A JSON value stored as AES-GCM ciphertext under the master key (ACC-2)."""

    cache_ok = True  # SQLAlchemy asks each class itself

    def process_bind_param(self, value: Any, dialect: Any) -> bytes | None:
        return None if value is None else cipher().encrypt(_json_bytes(value), self.context)

    def process_result_value(self, value: bytes | None, dialect: Any) -> Any:
        return None if value is None else json.loads(cipher().decrypt(bytes(value), self.context))


class EncryptedUuid(TypeDecorator[uuid.UUID]):
    """An id stored as AES-GCM ciphertext (security review F3): a link to a row (an employee, an event) that must
    be read back but must not be joinable without the key. Each value encrypts differently, so SQL can never
    compare it: comparing raises at once (look rows up by their MAC column instead, app.db.links); only IS NULL
    and IS NOT NULL are allowed."""

    impl = LargeBinary
    cache_ok = True

    class Comparator(TypeDecorator.Comparator[uuid.UUID]):
        def operate(self, op: Any, *other: Any, **kwargs: Any) -> Any:
            if op not in (operators.is_, operators.is_not):
                raise TypeError("an encrypted id cannot be compared in SQL: use its MAC column (app.db.links)")
            return super().operate(op, *other, **kwargs)

        def reverse_operate(self, op: Any, other: Any, **kwargs: Any) -> Any:
            raise TypeError("an encrypted id cannot be compared in SQL: use its MAC column (app.db.links)")

    comparator_factory = Comparator

    def __init__(self, context: str) -> None:
        super().__init__()
        self.context = context

    def process_bind_param(self, value: uuid.UUID | None, dialect: Any) -> bytes | None:
        return None if value is None else cipher().encrypt(uuid.UUID(str(value)).hex.encode(), self.context)

    def process_result_value(self, value: bytes | None, dialect: Any) -> uuid.UUID | None:
        return None if value is None else uuid.UUID(cipher().decrypt(bytes(value), self.context).decode())


# Case content under the case's own key (issue 18, app.db.case_keys). A value is written through its case: the
# flush (`tag_case_content`, on every session) marks each new or changed value of a model's `__case_content__`
# columns with the case it belongs to and how it is sealed; the column type then encrypts it. A value read without
# its case's key in the unit of work's keyring comes back as LOCKED, never as text.
class Locked:
    """Case content whose key this unit of work does not hold (a reader's request opens it first)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "<locked case content>"


LOCKED = Locked()


class _ForCase:
    """Marks a value with the function that seals it for its case."""

    seal: Any


class CaseStr(str, _ForCase):
    pass


class CaseDict(dict[str, Any], _ForCase):
    pass


def _sealer(session: Any, case_id: uuid.UUID) -> Any:
    """How content of `case_id` is sealed in this unit of work: with the case's key when its reader opened it; sealed
    to the case's public key otherwise; under the master key for a case from before per-case keys (until `withu keys
    migrate` moves it)."""
    from app.db.models.case import Case

    ring = case_keys.keyring()
    key = ring.get(case_id)
    if key is not None:
        return key.encrypt
    if case_id not in ring.public_keys:
        case = session.get(Case, case_id)
        if case is None:
            raise LookupError("case content for a case that does not exist")
        if case.content_key is None and case in session.new:
            raise RuntimeError("a new case's content is written before its key (app.services.case_keys.new_case)")
        ring.public_keys[case_id] = case.content_key
    return _seal_with(case_id, ring.public_keys[case_id])


def _seal_with(case_id: uuid.UUID, public_key: bytes | None) -> Any:
    key = case_keys.keyring().get(case_id)
    if key is not None:
        return key.encrypt
    if public_key is None:
        return cipher().encrypt
    return lambda plaintext, context: case_keys.encrypt_for_case(case_id, public_key, plaintext, context)


def tag_case_content(session: Any, flush_context: Any, instances: Any) -> None:
    """Before every flush: each changed case-content value learns its case (see above)."""
    from sqlalchemy import inspect

    for obj in (*session.new, *session.dirty):
        names = getattr(type(obj), "__case_content__", None)
        if not names:
            continue
        state = inspect(obj)
        for name in names:
            added = state.attrs[name].history.added
            if not added:
                continue
            value = added[0]
            if not value or isinstance(value, _ForCase):  # None, "" and {} are stored as empty (DATA-1)
                continue
            tagged = CaseStr(value) if isinstance(value, str) else CaseDict(value)
            tagged.seal = _sealer(session, obj.case_id)
            setattr(obj, name, tagged)


def _seal_case_value(value: Any, plaintext: bytes, context: str) -> bytes:
    if isinstance(value, _ForCase):
        return value.seal(plaintext, context)  # type: ignore[no-any-return]
    raise TypeError("case content is written through an object of its case (app.db.encryption.tag_case_content)")


def _open_case_value(blob: bytes, context: str) -> bytes | Locked:
    if blob[:1] == VERSION:
        return cipher().decrypt(blob, context)
    case_id = case_keys.case_of(blob)
    key = case_keys.keyring().get(case_id) if case_id else None
    return LOCKED if key is None else key.decrypt(blob, context)


class CaseFileCipher:
    """The cipher of a case's evidence files (issue 18): sealed like the case's other content; opened only with the
    case's key in the unit of work's keyring (KeyUnavailable otherwise)."""

    def __init__(self, case_id: uuid.UUID, public_key: bytes | None) -> None:
        self.case_id, self.public_key = case_id, public_key

    def encrypt(self, plaintext: bytes, context: str) -> bytes:
        return _seal_with(self.case_id, self.public_key)(plaintext, context)  # type: ignore[no-any-return]

    def decrypt(self, blob: bytes, context: str) -> bytes:
        plain = _open_case_value(blob, context)
        if isinstance(plain, Locked):
            raise case_keys.KeyUnavailable()
        return plain


class _CaseContent(_BoundToColumn):
    """A value of a case's content under the case's own key (issue 18); its empty value is stored as empty."""

    cache_ok = True  # SQLAlchemy asks each class itself
    # Each kind of value says its empty value, and how it becomes bytes and back (CaseText, CaseJSON).
    empty: Callable[[], Any]
    to_bytes: Callable[[Any], bytes]
    from_bytes: Callable[[bytes], Any]

    def process_bind_param(self, value: Any, dialect: Any) -> bytes | None:
        if value is None:
            return None
        if value == self.empty():
            return EMPTY
        return _seal_case_value(value, self.to_bytes(value), self.context)

    def process_result_value(self, value: bytes | None, dialect: Any) -> Any:
        if value is None:
            return None
        blob = bytes(value)
        if blob == EMPTY:
            return self.empty()
        plain = _open_case_value(blob, self.context)
        return plain if isinstance(plain, Locked) else self.from_bytes(plain)


class CaseText(_CaseContent):
    """Text of a case's content under the case's own key (issue 18)."""

    cache_ok = True  # SQLAlchemy asks each class itself

    empty = staticmethod(str)
    to_bytes = staticmethod(_text_bytes)
    from_bytes = staticmethod(bytes.decode)


class CaseJSON(_CaseContent):
    """A JSON object of a case's content under the case's own key (issue 18)."""

    cache_ok = True  # SQLAlchemy asks each class itself

    empty = staticmethod(dict)
    to_bytes = staticmethod(_json_bytes)
    from_bytes = staticmethod(json.loads)


event.listen(Session, "before_flush", tag_case_content)
