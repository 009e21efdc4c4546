"""INT-5: answers to retried requests, sealed under a key only the client holds.

The server stores a hash of the Idempotency-Key, a MAC of the request body and the response encrypted with a
key derived from the Idempotency-Key. Without the key (which the server never stores) the stored response,
and the receipt code in it, cannot be read: the server keeps only a hash of the receipt code (INT-4).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from app.db.models import IdempotencyRecord
from app.db.uow import UnitOfWork
from app.domain.errors import IdempotencyKeyReused


@dataclass(frozen=True)
class IdempotencyKey:
    scope: str
    key: str

    def _derive(self, purpose: str) -> bytes:
        return hashlib.sha256(f"withu:{purpose}:{self.scope}:{self.key}".encode()).digest()

    @property
    def key_hash(self) -> str:
        return self._derive("lookup").hex()

    def request_mac(self, body: Any) -> str:
        canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
        return hmac.new(self._derive("mac"), canonical.encode(), hashlib.sha256).hexdigest()

    def seal(self, body: dict[str, Any]) -> bytes:
        nonce = secrets.token_bytes(12)
        return nonce + AESGCM(self._derive("seal")).encrypt(nonce, json.dumps(body).encode(), None)

    def unseal(self, sealed: bytes) -> dict[str, Any]:
        return json.loads(AESGCM(self._derive("seal")).decrypt(sealed[:12], sealed[12:], None))


async def replay(uow: UnitOfWork, key: IdempotencyKey, body: Any, now: datetime) -> tuple[int, dict[str, Any]] | None:
    """The stored answer for a retry of the same request; a different request under the same key is refused."""
    record = await uow.idempotency.get(key.key_hash)
    if record is None or record.expires_at <= now:
        return None
    if not hmac.compare_digest(record.request_mac, key.request_mac(body)):
        raise IdempotencyKeyReused()
    return record.response_status, key.unseal(record.sealed_response)


async def remember(
    uow: UnitOfWork, key: IdempotencyKey, body: Any, status: int, response: dict[str, Any], now: datetime
) -> None:
    await uow.idempotency.purge_expired(now)
    uow.idempotency.add(
        IdempotencyRecord(
            key_hash=key.key_hash,
            request_mac=key.request_mac(body),
            response_status=status,
            sealed_response=key.seal(response),
            expires_at=now + timedelta(hours=uow.settings.idempotency_hours),
        )
    )
    await uow.session.flush()
