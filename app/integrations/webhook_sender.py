"""Signed webhooks to the personnel system (SEP-4: the personnel system is told), and the check its receivers run.

The signature is `WithU-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, b"<t>." + body)>`. Binding the
timestamp into the MAC lets a receiver refuse replays outside a window. `verify_signature` uses the standard
library only, so receivers can copy it as it is (docs/webhooks.md).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import time
from dataclasses import dataclass
from typing import Any

import httpx

SIGNATURE_HEADER = "WithU-Signature"
EVENT_ID_HEADER = "WithU-Event-Id"
EVENT_TYPE_HEADER = "WithU-Event-Type"
DEFAULT_TOLERANCE_SECONDS = 300
USER_AGENT = "WithU-Webhooks/1"


def encode_payload(payload: dict[str, Any]) -> bytes:
    """The body, serialised once: the bytes that are signed are the bytes that are sent."""
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()


def signature_header(secret: str, timestamp: int, body: bytes) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


class InvalidSignature(ValueError):
    """The webhook is refused: bad or missing signature, or a timestamp outside the replay window."""


def verify_signature(
    secret: str, header: str | None, body: bytes, now: float, tolerance: int = DEFAULT_TOLERANCE_SECONDS
) -> None:
    """Raise InvalidSignature unless `header` signs `body` with `secret` and its timestamp is within
    `tolerance` seconds of `now` (unix seconds). Verify the raw body bytes, before parsing the JSON."""
    timestamp: int | None = None
    candidates: list[str] = []
    for part in (header or "").split(","):
        key, _, value = part.strip().partition("=")
        if key == "t" and value.isdigit():
            timestamp = int(value)
        elif key == "v1" and value:
            candidates.append(value)
    if timestamp is None or not candidates:
        raise InvalidSignature("missing timestamp or signature")
    if abs(now - timestamp) > tolerance:
        raise InvalidSignature("timestamp outside the replay window")
    expected = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    if not any(hmac.compare_digest(expected, candidate) for candidate in candidates):
        raise InvalidSignature("signature does not match")


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
    secret: str,
    event_id: str,
    topic: str,
    body: bytes,
    time_limit: float,
) -> DeliveryOutcome:
    """POST one signed event to `url`, connecting to `address` (checked by the caller). Any 2xx is delivered;
    anything else (status, refused connection, timeout) is a failed attempt. `time_limit` (seconds) bounds the
    whole exchange, not only each read. The response body is not read."""
    headers = {
        "Content-Type": "application/json",
        EVENT_ID_HEADER: event_id,
        EVENT_TYPE_HEADER: topic,
        SIGNATURE_HEADER: signature_header(secret, int(time.time()), body),
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
