"""SEP-4, the personnel system is told: its webhook subscriptions, the delivery log it reads, and the two short
transactions of the worker (claim what is due; record how an attempt went). Never commits."""

from __future__ import annotations

import base64
import secrets
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

from app.db.models import DeliveryAttempt, OutboxMessage, WebhookSubscription
from app.db.uow import UnitOfWork
from app.domain import destinations, webhook_secrets
from app.domain.accounts import PERSONNEL_STATUS_ROLES, require_role
from app.domain.enums import ClientKind, OutboxStatus
from app.domain.errors import InvalidToken, NotFound, RuleViolation
from app.integrations.resolver import IPAddress, ResolutionFailed, Resolver
from app.schemas.webhooks import (
    DeliveryError,
    DeliveryPage,
    DeliveryRead,
    StaffDeliveryPage,
    StaffDeliveryRead,
    WebhookSecretRotated,
    WebhookSubscriptionCreate,
    WebhookSubscriptionCreated,
    WebhookSubscriptionRead,
)
from app.services import audit, clock
from app.services.actors import ClientActor, StaffActor
from app.services.leases import retry_later
from app.services.outbox import TOPICS
from app.settings import Settings

# Doubling stops growing long before the float would overflow; the cap applies far earlier anyway.


class UnknownTopic(RuleViolation):
    code = "unknown-topic"
    title = "A topic is not one WithU publishes."


class WebhookUrlNotAllowed(RuleViolation):
    code = "webhook-url-not-allowed"
    title = "The webhook URL is not allowed."


class WebhookDestinationNotAllowed(RuleViolation):
    code = "webhook-destination-not-allowed"
    title = "WithU does not send webhooks to this host."
    # The same words whatever the reason: the answer must not map WithU's own network (F7).
    DETAIL = (
        "A webhook URL's host must be a public internet address, or a name that resolves only to such addresses: "
        "not a single-label service name, and not a loopback, private, link-local, unique-local, shared (CGNAT), "
        "multicast or reserved address. See docs/webhooks.md."
    )


class WebhookHostUnresolvable(RuleViolation):
    code = "webhook-host-unresolvable"
    title = "The webhook URL's host name does not resolve."


async def _client_pk(uow: UnitOfWork, actor: ClientActor) -> uuid.UUID:
    client = await uow.staff.client(actor.client_id)
    if client is None or not client.active:
        raise InvalidToken()
    return client.id


async def _check_url(uow: UnitOfWork, url: str, resolve: Resolver) -> None:
    parts = urlsplit(url)
    if uow.settings.environment == "production" and parts.scheme != "https":
        raise WebhookUrlNotAllowed("In production a webhook URL must use https.")
    if parts.username is not None or parts.password is not None:
        # It would be stored readable and sent in every request; use the signature to authenticate instead.
        raise WebhookUrlNotAllowed("A webhook URL may not carry credentials.")
    await check_destination(uow.settings, url, resolve)


@dataclass(frozen=True)
class Destination:
    """Where a delivery connects: the checked `address`, for the URL's host and port."""

    host: str
    port: int
    address: IPAddress


@lru_cache(maxsize=8)
def _allow_list(entries: tuple[str, ...]) -> destinations.AllowList:
    return destinations.parse_allow_list(entries)


async def check_destination(settings: Settings, url: str, resolve: Resolver) -> Destination:
    """The address a webhook to `url` may connect to — at subscription and again before every delivery, so
    that a name re-resolving to WithU's own network later (DNS rebinding) is refused then. A bare service name
    is refused without being looked up; a name must resolve to allowed addresses only (app.domain.destinations,
    with the operator's WITHU_WEBHOOK_ALLOWED_HOSTS)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = parts.port or destinations.DEFAULT_PORTS.get(parts.scheme, 443)
    allowed = _allow_list(tuple(settings.webhook_allowed_hosts))
    if destinations.name_refusal(host, port, allowed) is not None:
        raise WebhookDestinationNotAllowed(WebhookDestinationNotAllowed.DETAIL)
    literal = destinations.literal_address(host)
    if literal is not None:
        addresses = [literal]
    else:
        try:
            addresses = await resolve(host)
        except ResolutionFailed as exc:
            raise WebhookHostUnresolvable() from exc
    if destinations.destination_refusal(host, port, addresses, allowed) is not None:
        raise WebhookDestinationNotAllowed(WebhookDestinationNotAllowed.DETAIL)
    return Destination(host, port, addresses[0])


def _check_topics(topics: list[str]) -> list[str]:
    unknown = sorted(set(topics) - set(TOPICS))
    if unknown:
        raise UnknownTopic(f"Unknown topics: {', '.join(unknown)}. Known topics: {', '.join(TOPICS)}.")
    return list(dict.fromkeys(topics))


def _read(subscription: WebhookSubscription) -> WebhookSubscriptionRead:
    return WebhookSubscriptionRead(
        id=subscription.id,
        url=subscription.url,
        topics=list(subscription.topics),
        active=subscription.active,
        created_at=subscription.created_at,
    )


async def create_subscription(
    uow: UnitOfWork, actor: ClientActor, command: WebhookSubscriptionCreate, resolve: Resolver
) -> WebhookSubscriptionCreated:
    """Subscribe a URL to topics; the signing secret is returned once and stored encrypted. The URL's host must
    be a public address (or allow-listed by the operator), checked with `resolve`."""
    url = str(command.url)
    await _check_url(uow, url, resolve)
    topics = _check_topics(command.topics)
    secret = new_secret()
    subscription = WebhookSubscription(
        client_id=await _client_pk(uow, actor),
        url=url,
        secret=secret,
        topics=topics,
        active=True,
        created_at=clock.now(),
    )
    uow.outbox.add(subscription)
    await uow.session.flush()
    await audit.record(uow, actor, "webhook.subscription_created", target=str(subscription.id))
    return WebhookSubscriptionCreated(**_read(subscription).model_dump(), secret=secret)


def new_secret() -> str:
    """A Standard Webhooks secret: `whsec_` + standard base64 of 32 random bytes (the specification: 24–64)."""
    return webhook_secrets.PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


async def rotate_secret(uow: UnitOfWork, actor: ClientActor, subscription_id: uuid.UUID) -> WebhookSecretRotated:
    """Issue a new signing secret, returned once. The secrets that signed until now keep signing beside it for
    the overlap (webhook_secrets.ROTATION_OVERLAP), then stop. Another client's subscription is not found."""
    subscription = await uow.outbox.subscription_of(await _client_pk(uow, actor), subscription_id)
    if subscription is None:
        raise NotFound()
    now = clock.now()
    secret = new_secret()
    subscription.secret = webhook_secrets.rotate(subscription.secret, secret, now)
    await audit.record(uow, actor, "webhook.secret_rotated", target=str(subscription.id))
    return WebhookSecretRotated(
        id=subscription.id, secret=secret, previous_secrets_sign_until=now + webhook_secrets.ROTATION_OVERLAP
    )


async def list_subscriptions(uow: UnitOfWork, actor: ClientActor) -> list[WebhookSubscriptionRead]:
    """The caller's own subscriptions, newest first, active or not."""
    return [_read(s) for s in await uow.outbox.subscriptions_of(await _client_pk(uow, actor))]


async def deactivate_subscription(uow: UnitOfWork, actor: ClientActor, subscription_id: uuid.UUID) -> None:
    """Stop deliveries to a subscription (idempotent). Another client's subscription is not found."""
    subscription = await uow.outbox.subscription_of(await _client_pk(uow, actor), subscription_id)
    if subscription is None:
        raise NotFound()
    if subscription.active:
        subscription.active = False
        await audit.record(uow, actor, "webhook.subscription_deactivated", target=str(subscription.id))


async def list_deliveries(
    uow: UnitOfWork,
    actor: ClientActor,
    *,
    subscription_id: uuid.UUID | None = None,
    status: OutboxStatus | None = None,
    offset: int = 0,
    limit: int = 50,
) -> DeliveryPage:
    """The delivery log of the caller's subscriptions, newest event first, with each event's last attempt."""
    messages, total = await uow.outbox.deliveries_of(
        await _client_pk(uow, actor), subscription_id=subscription_id, status=status, offset=offset, limit=limit
    )
    last = await uow.outbox.last_attempts([m.id for m in messages])
    items = []
    for m in messages:
        attempt = last.get(m.id)
        items.append(
            DeliveryRead(
                **_outcome(m, attempt), subscription_id=m.subscription_id, last_error=attempt.error if attempt else None
            )
        )
    return DeliveryPage(items=items, total=total, offset=offset, limit=limit)


def _outcome(row: Any, attempt: Any) -> dict[str, Any]:
    """The fields of DeliveryOutcome from an outbox row (or a row of its columns) and its last attempt."""
    return {
        "id": row.id,
        "topic": row.topic,
        "status": row.status,
        "attempts": row.attempts,
        "created_at": row.created_at,
        "next_attempt_at": None if row.status == OutboxStatus.delivered else row.next_attempt_at,
        "delivered_at": row.delivered_at,
        "last_attempt_at": attempt.attempted_at if attempt else None,
        "last_status_code": attempt.status_code if attempt else None,
    }


# --- the staff's delivery log (the dashboard's registries) ---


def url_host(url: str) -> str | None:
    """The host (and port) of a subscription URL: no scheme, credentials, path, query or fragment."""
    parts = urlsplit(url)
    if not parts.hostname:
        return None
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    try:
        port = parts.port
    except ValueError:
        port = None
    return f"{host}:{port}" if port is not None else host


def error_kind(status_code: int | None, error: str | None) -> DeliveryError | None:
    """The last attempt's failure as a code: the receiver's answer is never shown, only its HTTP status."""
    if status_code is not None:
        return None if 200 <= status_code < 300 else "http_status"
    if error is None:
        return None
    return "timeout" if error.startswith("timeout") else "request_failed"


async def staff_deliveries(
    uow: UnitOfWork, actor: StaffActor, *, status: OutboxStatus | None = None, offset: int = 0, limit: int = 50
) -> StaffDeliveryPage:
    """Every subscription's deliveries, newest event first, for the roles that read the personnel system's status:
    whom, which topic, how it went. Never the payload (SEP-4), the URL's path or the receiver's answer. Audited."""
    require_role(actor.role, PERSONNEL_STATUS_ROLES)
    rows, total = await uow.outbox.all_deliveries(status=status, offset=offset, limit=limit)
    last = await uow.outbox.last_attempts([r.id for r in rows])
    items = []
    for r in rows:
        attempt = last.get(r.id)
        items.append(
            StaffDeliveryRead(
                **_outcome(r, attempt),
                client_name=r.client_name,
                client_kind=ClientKind(r.client_kind),
                url_host=url_host(r.url),
                last_error=error_kind(attempt.status_code, attempt.error) if attempt else None,
            )
        )
    await audit.record(uow, actor, "personnel.deliveries_read")
    return StaffDeliveryPage(items=items, total=total, offset=offset, limit=limit)


# --- the worker's transactions ---


@dataclass(frozen=True)
class ClaimedMessage:
    """What a worker needs to deliver one message outside any transaction. Holds the secret: never log it."""

    id: uuid.UUID
    subscription_id: uuid.UUID
    topic: str
    payload: dict[str, Any] = field(repr=False)
    url: str = field(repr=False)
    secrets: list[str] = field(repr=False)  # those that sign now: several during a rotation
    lease_until: datetime = field(repr=False)


async def claim_due(uow: UnitOfWork, now: datetime, *, limit: int, lease_seconds: float) -> list[ClaimedMessage]:
    """Lease up to `limit` due messages to this worker; nobody else claims them until the lease runs out."""
    messages = await uow.outbox.lock_due(now, limit)
    subscriptions = await uow.outbox.subscriptions_by_id([m.subscription_id for m in messages])
    lease_until = now + timedelta(seconds=lease_seconds)
    claimed = []
    for message in messages:
        message.lease_until = lease_until
        subscription = subscriptions[message.subscription_id]
        claimed.append(
            ClaimedMessage(
                id=message.id,
                subscription_id=message.subscription_id,
                topic=message.topic,
                payload=dict(message.payload),
                url=subscription.url,
                secrets=webhook_secrets.signing_secrets(subscription.secret, now),
                lease_until=lease_until,
            )
        )
    await uow.session.flush()
    return claimed


async def record_attempt(
    uow: UnitOfWork,
    claimed: ClaimedMessage,
    *,
    attempted_at: datetime,
    status_code: int | None,
    error: str | None,
    duration_ms: int,
    now: datetime,
) -> OutboxStatus:
    """Log the attempt; a 2xx marks the message delivered for good, anything else schedules a retry with
    backoff and frees the lease (only while the lease is still this worker's)."""
    message = await uow.outbox.message_for_update(claimed.id)
    if message is None:
        raise NotFound()
    uow.outbox.add(
        DeliveryAttempt(
            message_id=message.id,
            attempted_at=attempted_at,
            status_code=status_code,
            error=error[:500] if error else None,
            duration_ms=duration_ms,
        )
    )
    message.attempts += 1
    if message.status == OutboxStatus.delivered:
        return message.status
    if status_code is not None and 200 <= status_code < 300:
        _mark_delivered(message, now)
    else:
        s = uow.settings
        retry_later(message, claimed.lease_until, now, s.webhook_backoff_base_seconds, s.webhook_backoff_max_seconds)
    await uow.session.flush()
    return message.status


def _mark_delivered(message: OutboxMessage, now: datetime) -> None:
    message.status = OutboxStatus.delivered
    message.delivered_at = now
    message.lease_until = None
