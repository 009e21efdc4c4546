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
from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import LargeBinary
from sqlalchemy.sql import operators
from sqlalchemy.types import TypeDecorator

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


class EncryptedText(TypeDecorator[str]):
    """A text column stored as AES-GCM ciphertext (ACC-2)."""

    impl = LargeBinary
    cache_ok = True

    def __init__(self, context: str) -> None:
        super().__init__()
        self.context = context

    def process_bind_param(self, value: str | None, dialect: Any) -> bytes | None:
        return None if value is None else cipher().encrypt(value.encode(), self.context)

    def process_result_value(self, value: bytes | None, dialect: Any) -> str | None:
        return None if value is None else cipher().decrypt(bytes(value), self.context).decode()


class EncryptedJSON(TypeDecorator[Any]):
    """A JSON value stored as AES-GCM ciphertext (ACC-2)."""

    impl = LargeBinary
    cache_ok = True

    def __init__(self, context: str) -> None:
        super().__init__()
        self.context = context

    def process_bind_param(self, value: Any, dialect: Any) -> bytes | None:
        if value is None:
            return None
        return cipher().encrypt(json.dumps(value, ensure_ascii=False).encode(), self.context)

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
