"""Signed webhooks to the personnel system (SEP-4: the personnel system is told), as the Standard Webhooks
specification signs them (https://www.standardwebhooks.com, docs/webhooks.md §5):

    webhook-id: <the event id, the same on every retry>
    webhook-timestamp: <unix seconds of this attempt>
    webhook-signature: v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<body>"> [v1,<…> …]

keyed with the decoded bytes of each secret that still signs (one signature per secret during a rotation).
Receivers verify with the `standardwebhooks` library."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import logging
import time
from dataclasses import dataclass
from typing import Any

import httpx

ID_HEADER = "webhook-id"
TIMESTAMP_HEADER = "webhook-timestamp"
SIGNATURE_HEADER = "webhook-signature"
EVENT_TYPE_HEADER = "WithU-Event-Type"
USER_AGENT = "WithU-Webhooks/1"


def encode_payload(payload: dict[str, Any]) -> bytes:
    """The body, serialised once: the bytes that are signed are the bytes that are sent."""
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()


def secret_key(secret: str) -> bytes:
    """The HMAC key: the base64 after `whsec_`, decoded. A secret issued before WithU followed Standard Webhooks
    is URL-safe base64; its `-` and `_` are read as `+` and `/`, so it keeps its bytes (docs/webhooks.md §5)."""
    encoded = secret.removeprefix("whsec_").replace("-", "+").replace("_", "/")
    return base64.b64decode(encoded + "=" * (-len(encoded) % 4))


def signature(secret: str, event_id: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret_key(secret), f"{event_id}.{timestamp}.".encode() + body, hashlib.sha256).digest()
    return "v1," + base64.b64encode(mac).decode()


def signature_headers(secrets: list[str], event_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    """The three Standard Webhooks headers, with one signature per secret (several during a rotation)."""
    return {
        ID_HEADER: event_id,
        TIMESTAMP_HEADER: str(timestamp),
        SIGNATURE_HEADER: " ".join(signature(secret, event_id, timestamp, body) for secret in secrets),
    }


@dataclass(frozen=True)
class DeliveryOutcome:
    status_code: int | None
    error: str | None
    duration_ms: int

    @property
    def delivered(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def make_client(concurrency: int) -> httpx.AsyncClient:
    """One HTTP client per worker. Redirects are not followed: a 3xx counts as a failed attempt.

    Every request goes straight to the address the worker checked (`deliver`'s `address`): no proxy from the
    environment (it would resolve the name itself), and no kept-alive connection (one opened for another name
    on the same address would carry this request under that name's certificate)."""
    # httpx logs every request's URL at INFO; a receiver's URL may carry a token of its own.
    for name in ("httpx", "httpcore"):
        logging.getLogger(name).setLevel(logging.WARNING)
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=0)
    return httpx.AsyncClient(follow_redirects=False, limits=limits, headers={"User-Agent": USER_AGENT}, trust_env=False)


def pinned_request(
    client: httpx.AsyncClient, url: str, address: str, *, content: bytes, headers: dict[str, str], timeout: float
) -> httpx.Request:
    """A POST to `url` that connects to `address` (the checked IP, so a name re-resolving elsewhere between the
    check and the connection — DNS rebinding — changes nothing) while the receiver still sees its own name: in
    the Host header and, over TLS, in SNI and the certificate check."""
    target = httpx.URL(url)
    extensions = {"sni_hostname": target.host} if target.scheme == "https" else None
    return client.build_request(
        "POST",
        target.copy_with(host=address),
        content=content,
        headers={**headers, "Host": target.netloc.decode("ascii")},
        timeout=timeout,
        extensions=extensions,
    )


async def deliver(
    client: httpx.AsyncClient,
    *,
    url: str,
    address: str,
    secrets: list[str],
    event_id: str,
    topic: str,
    body: bytes,
    time_limit: float,
) -> DeliveryOutcome:
    """POST one event to `url`, signed with each of `secrets`, connecting to `address` (checked by the caller).
    Any 2xx is delivered; anything else (status, refused connection, timeout) is a failed attempt. `time_limit` (seconds) bounds the
    whole exchange, not only each read. The response body is not read."""
    headers = {
        "Content-Type": "application/json",
        EVENT_TYPE_HEADER: topic,
        **signature_headers(secrets, event_id, int(time.time()), body),
    }
    started = time.monotonic()
    status_code: int | None = None
    error: str | None = None
    try:
        async with asyncio.timeout(time_limit):
            request = pinned_request(client, url, address, content=body, headers=headers, timeout=time_limit)
            response = await client.send(request, stream=True)
            status_code = response.status_code
            await response.aclose()
    except TimeoutError:
        error = "timeout"
    except httpx.TimeoutException as exc:
        error = f"timeout ({type(exc).__name__})"
    except httpx.HTTPError as exc:
        # Only the type: an exception's text may carry the URL, which may carry a token of the receiver's.
        error = f"request failed ({type(exc).__name__})"
    if status_code is not None:
        # The receiver's answer counts, even if closing the connection afterwards failed.
        error = None if 200 <= status_code < 300 else f"HTTP {status_code}"
    return DeliveryOutcome(status_code, error, int((time.monotonic() - started) * 1000))
