"""Staff sign-in (password + TOTP), refresh-token rotation, sign-out; machine clients' tokens."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pyotp

from app.db.models import MachineClient, RefreshToken, SignInDelay, StaffSession, StaffUser
from app.db.uow import UnitOfWork
from app.domain.enums import ClientKind, Role, Team
from app.domain.errors import (
    InvalidClient,
    InvalidToken,
    LoginFailed,
    ScopeNotAllowed,
    SessionExpired,
    TokenOfAnotherClient,
)
from app.domain.lockout import LockoutPolicy
from app.domain.sign_in import (
    PAIR_KEY_LIFETIME,
    PairFailures,
    SessionLimits,
    after_failure,
    is_delayed,
    owner_notice,
    record_use,
    session_ended,
)
from app.schemas.auth import LoginRequest, LoginTokens, MachineToken, MeRead, StaffTokens
from app.services import audit, case_keys, clock
from app.services.actors import ClientActor, StaffActor
from app.services.security import (
    hash_secret,
    issue_jwt,
    new_opaque_token,
    read_jwt,
    sha256_hex,
    verify_secret,
)

STAFF_AUDIENCE = "staff"
MACHINE_AUDIENCE = "machine"
TOTP_PERIOD = 30


def login_lockout(uow: UnitOfWork) -> LockoutPolicy:
    s = uow.settings
    return LockoutPolicy(s.login_failures_before_lock, s.lock_base_seconds, s.lock_max_seconds)


def session_limits(uow: UnitOfWork) -> SessionLimits:
    s = uow.settings
    return SessionLimits(timedelta(minutes=s.session_idle_minutes), timedelta(hours=s.session_absolute_hours))


def _totp_step(user: StaffUser, code: str, now_ts: float) -> int | None:
    """The time step the code belongs to (±1 step of drift), or None. A step is accepted once only."""
    totp = pyotp.TOTP(user.totp_secret, interval=TOTP_PERIOD)
    current = int(now_ts // TOTP_PERIOD)
    for step in (current, current - 1, current + 1):
        if step > user.last_totp_step and totp.verify(code, for_time=step * TOTP_PERIOD):
            return step
    return None


async def login(uow: UnitOfWork, command: LoginRequest, client_key: str) -> LoginTokens:
    """Sign in with e-mail, password and TOTP. Every failure answers alike. Repeated failures delay the client that
    makes them (`client_key`: the rate limiter's daily keyed hash of its address), with growing, capped delays;
    never another client, so the owner is not locked out by someone else's guesses, and is told of them here."""
    now = clock.now()
    user = await uow.staff.user_by_email(command.email)
    password_ok = await verify_secret(uow.settings, user.password_hash if user else None, command.password)
    # An account signs in once its owner enrolled (set password and TOTP) and while it is active: a new case-role
    # account only after a division head approved it (ACC-1, security review F1).
    if user is None or not user.active or user.enrolled_at is None:
        raise LoginFailed()
    await uow.staff.forget_sign_in_delays(user.id, now - PAIR_KEY_LIFETIME)
    row = await uow.staff.sign_in_delay(user.id, client_key)
    pair = PairFailures(row.failures, row.delayed_until) if row is not None else None
    delayed = is_delayed(pair, now)
    step = _totp_step(user, command.totp, now.timestamp()) if password_ok and not delayed else None
    if step is None:
        _count_failure(uow, user, row, client_key, after_failure(pair, now, login_lockout(uow)), now)
        await audit.record(uow, None, "auth.login_failed", target=str(user.id))
        raise LoginFailed()
    # Issue 18: the private key, opened with the password (Argon2id) before anything is written, for this sign-in.
    private_key = await case_keys.unlock_with_password(uow, user, command.password)
    if row is not None:
        await uow.staff.end_sign_in_delay(row)
    failed, last_failed_on = owner_notice(user.failed_logins, user.last_failed_login_at)
    user.failed_logins = 0
    user.last_failed_login_at = None
    user.last_totp_step = step
    session = StaffSession(user_id=user.id, created_at=now, last_used_at=now)
    uow.staff.add(session)
    await uow.session.flush()
    key_secret = case_keys.seal_for_session(session, user, private_key)
    await case_keys.share_requested(uow, user.id, private_key)  # issue 18: colleagues waiting for a case's key
    actor = _actor(user, session.id)
    await audit.record(uow, actor, "auth.login")
    tokens = await _issue_tokens(uow, user, session, key_secret)
    return LoginTokens(
        **tokens.model_dump(), failed_attempts_since_last_login=failed, last_failed_attempt_on=last_failed_on
    )


def _count_failure(
    uow: UnitOfWork, user: StaffUser, row: SignInDelay | None, client_key: str, pair: PairFailures, now: datetime
) -> None:
    """One failed sign-in: for the owner's notice, and for the delay of this client alone."""
    user.failed_logins += 1
    user.last_failed_login_at = now
    if row is None:
        row = SignInDelay(user_id=user.id, client_key=client_key)
        uow.staff.add(row)
    row.failures, row.delayed_until, row.last_failed_at = pair.failures, pair.delayed_until, now


async def _issue_tokens(
    uow: UnitOfWork, user: StaffUser, session: StaffSession, key_secret: bytes | None
) -> StaffTokens:
    """An access token and a refresh token for the sign-in. Both carry the sign-in's key secret (issue 18), which
    the server never stores: the refresh token as `<opaque>.<secret>`, of which only the opaque part is hashed."""
    now = clock.now()
    refresh = new_opaque_token()
    uow.staff.add(
        RefreshToken(
            session_id=session.id,
            token_hash=sha256_hex(refresh),
            expires_at=now + timedelta(days=uow.settings.refresh_token_days),
        )
    )
    ttl = timedelta(minutes=uow.settings.access_token_minutes)
    claims = {"ks": case_keys.encode_secret(key_secret)} if key_secret else {}
    access = issue_jwt(uow.settings, STAFF_AUDIENCE, str(user.id), now, ttl, sid=str(session.id), **claims)
    await uow.session.flush()
    if key_secret:
        refresh = f"{refresh}.{claims['ks']}"
    return StaffTokens(access_token=access, refresh_token=refresh, expires_in=int(ttl.total_seconds()))


async def refresh(uow: UnitOfWork, refresh_token: str) -> StaffTokens:
    """Rotate: a refresh token works once. Presenting a used one again revokes the whole sign-in (theft)."""
    now = clock.now()
    opaque, _, key_text = refresh_token.partition(".")
    row = await uow.staff.refresh_token(sha256_hex(opaque))
    session = await uow.staff.staff_session(row.session_id) if row else None
    user = await uow.staff.user(session.user_id) if session else None
    if (
        row is None
        or session is None
        or user is None
        or not user.active
        or session.revoked_at is not None
        or _before_sign_out_everywhere(user, session, None)
    ):
        raise InvalidToken()
    if row.used_at is not None:
        session.revoked_at = now
        session.sealed_private_key = None
        await audit.record(uow, _actor(user, session.id), "auth.refresh_reused")
        raise _KeepingInvalidToken()
    if row.expires_at <= now:
        raise InvalidToken()
    if session_ended(session.created_at, session.last_used_at, now, session_limits(uow)):
        raise SessionExpired()
    row.used_at = now
    session.last_used_at = now
    return await _issue_tokens(uow, user, session, case_keys.decode_secret(key_text))


class _KeepingInvalidToken(InvalidToken):
    """The revocation that a reused refresh token causes must be committed."""

    keeps_changes = True


async def logout(uow: UnitOfWork, actor: StaffActor) -> None:
    """Sign out: the sign-in's access and refresh tokens stop working at once."""
    session = await uow.staff.staff_session(actor.session_id)
    if session is not None and session.revoked_at is None:
        session.revoked_at = clock.now()
        session.sealed_private_key = None  # issue 18: the sign-in's copy of the private key goes with it
    await audit.record(uow, actor, "auth.logout")


async def logout_all(uow: UnitOfWork, actor: StaffActor) -> int:
    """Sign out everywhere: every sign-in of the user ends, and every access token issued before now is refused."""
    user = await uow.staff.user_for_update(actor.user_id)
    assert user is not None
    ended = await end_all_sessions(uow, user)
    await audit.record(uow, actor, "auth.logout_all", target=str(ended))
    return ended


async def end_all_sessions(uow: UnitOfWork, user: StaffUser) -> int:
    """End every sign-in of `user` (sign out everywhere, deactivation); the number of open ones ended. The
    timestamp also refuses tokens of sign-ins that a concurrent request might still be creating."""
    now = clock.now()
    user.sessions_valid_from = now
    return await uow.staff.revoke_sessions(user.id, now)


def _before_sign_out_everywhere(user: StaffUser, session: StaffSession, issued_at: object) -> bool:
    """A sign-in begun, or a token issued, before the user signed out everywhere. `iat` has whole seconds, so a
    token is refused only if issued in an earlier second (one of the same second dies with its sign-in)."""
    cutoff = user.sessions_valid_from
    if cutoff is None:
        return False
    if session.created_at < cutoff:
        return True
    return isinstance(issued_at, int) and issued_at < int(cutoff.timestamp())


async def staff_from_token(uow: UnitOfWork, token: str) -> StaffActor:
    """The current staff member, read afresh on every request (role, team and sign-in may have changed)."""
    claims = _verified_claims(uow, token, STAFF_AUDIENCE)
    try:
        user_id, session_id = uuid.UUID(claims["sub"]), uuid.UUID(claims["sid"])
    except (KeyError, ValueError) as exc:
        raise InvalidToken() from exc
    user, session = await uow.staff.signed_in(user_id, session_id)
    if (
        user is None
        or not user.active
        or session is None
        or session.revoked_at is not None
        or session.user_id != user.id
        or _before_sign_out_everywhere(user, session, claims.get("iat"))
    ):
        raise InvalidToken()
    now = clock.now()
    if session_ended(session.created_at, session.last_used_at, now, session_limits(uow)):
        raise SessionExpired()
    if record_use(session.last_used_at, now):
        session.last_used_at = now
    return _actor(user, session.id, case_keys.decode_secret(claims.get("ks")), session.sealed_private_key)


def _actor(
    user: StaffUser, session_id: uuid.UUID, key_secret: bytes | None = None, sealed_key: bytes | None = None
) -> StaffActor:
    return StaffActor(
        user_id=user.id,
        role=Role(user.role),
        team=Team(user.team) if user.team else None,
        session_id=session_id,
        employee_number=user.employee_number,
        key_secret=key_secret,
        sealed_key=bytes(sealed_key) if sealed_key is not None else None,
    )


async def me(uow: UnitOfWork, actor: StaffActor) -> MeRead:
    """Who is signed in."""
    user = await uow.staff.user(actor.user_id)
    assert user is not None
    return MeRead(id=user.id, email=user.email, display_name=user.display_name, role=user.role, team=user.team)


async def _authenticated_client(uow: UnitOfWork, client_id: str, client_secret: str) -> MachineClient:
    """The active client with this secret; unknown, inactive and wrong secret answer alike."""
    client = await uow.staff.client(client_id)
    secret_ok = await verify_secret(uow.settings, client.secret_hash if client else None, client_secret)
    if client is None or not client.active or not secret_ok:
        raise InvalidClient()
    return client


async def client_token(uow: UnitOfWork, client_id: str, client_secret: str, scope: str | None) -> MachineToken:
    """OAuth2 client credentials: a short-lived token limited to the client's scopes (or fewer, if asked)."""
    now = clock.now()
    client = await _authenticated_client(uow, client_id, client_secret)
    granted = set(client.scopes)
    requested = set(scope.split()) if scope else granted
    if not requested <= granted:
        raise ScopeNotAllowed()
    ttl = timedelta(minutes=uow.settings.machine_token_minutes)
    scope_text = " ".join(sorted(requested))
    token = issue_jwt(
        uow.settings, MACHINE_AUDIENCE, client.client_id, now, ttl, scope=scope_text, kind=str(client.kind)
    )
    await audit.record(uow, ClientActor(client.client_id, client.kind, frozenset(requested)), "oauth.token")
    return MachineToken(access_token=token, expires_in=int(ttl.total_seconds()), scope=scope_text)


# Tokens whose signature, audience, issuer and required claims were verified, by (token, signing key, audience): the
# personnel system sends the same machine token with every request for its lifetime (`machine_token_minutes`), the
# dashboard its staff access token, and PyJWT takes ~70-90 µs to verify one — a sixth of a signed-in request's own
# time (docs/performance.md, "The app's own floor"). Only what the token itself says is remembered, and only until it
# expires (checked on every use): whether the client or the staff member and their session are still active, and the
# token not revoked, is read from the database on every request, as before, so revocation, sign-out and
# deactivation still take effect from the next request on. Bounded: the oldest entry goes first.
VERIFIED_TOKENS_MAX = 1024
_verified_tokens: dict[tuple[str, str, str], dict[str, Any]] = {}


def _verified_claims(uow: UnitOfWork, token: str, audience: str) -> dict[str, Any]:
    """`read_jwt(..., audience)`, verified once per token and signing key, its expiry checked every time."""
    key = (token, uow.settings.jwt_secret, audience)
    claims = _verified_tokens.get(key)
    if claims is not None:
        if time.time() < claims["exp"]:  # PyJWT's own rule: expired once exp <= now (no leeway)
            return claims
        del _verified_tokens[key]
    claims = read_jwt(uow.settings, token, audience)  # InvalidToken: nothing is remembered
    if not isinstance(claims.get("exp"), int):
        return claims  # never seen from our issuer; verified again next time
    if len(_verified_tokens) >= VERIFIED_TOKENS_MAX:
        del _verified_tokens[next(iter(_verified_tokens))]
    _verified_tokens[key] = claims
    return claims


def _machine_claims(uow: UnitOfWork, token: str) -> dict[str, Any]:
    return _verified_claims(uow, token, MACHINE_AUDIENCE)


def client_from_claims(uow: UnitOfWork, token: str) -> ClientActor:
    """The machine client a valid token names, WITHOUT looking it up: the caller must check in its own statement
    that the client is still active (the separation check does, in its last statement). Elsewhere use
    `client_from_token`."""
    claims = _machine_claims(uow, token)
    try:
        kind = ClientKind(str(claims["kind"]))
    except (KeyError, ValueError) as exc:
        raise InvalidToken() from exc
    return ClientActor(str(claims["sub"]), kind, frozenset(str(claims.get("scope", "")).split()), _jti(claims))


async def client_from_token(uow: UnitOfWork, token: str) -> ClientActor:
    # The separation check tests the same in its last statement (SeparationRepository.check_placement, with
    # client_from_claims): a new condition here must be added there too.
    claims = _machine_claims(uow, token)
    client = await uow.staff.client_of_token(str(claims["sub"]), _jti(claims))
    if client is None or not client.active:
        raise InvalidToken()
    scopes = frozenset(str(claims.get("scope", "")).split())
    return ClientActor(client.client_id, ClientKind(client.kind), scopes, _jti(claims))


def _jti(claims: dict[str, object]) -> str:
    return str(claims.get("jti", ""))


async def revoke_token(uow: UnitOfWork, client_id: str, client_secret: str, token: str) -> None:
    """RFC 7009: the client revokes one of its own access tokens; it is refused from the next request on. A token
    that is unknown, expired or not a machine token needs nothing (the answer is the same); another client's
    token is refused (TokenOfAnotherClient) and stays valid."""
    client = await _authenticated_client(uow, client_id, client_secret)
    try:
        claims = read_jwt(uow.settings, token, MACHINE_AUDIENCE)
    except InvalidToken:
        return
    if claims["sub"] != client.client_id:
        raise TokenOfAnotherClient()
    jti = _jti(claims)
    expires_at = datetime.fromtimestamp(int(claims["exp"]), UTC)
    await uow.staff.revoke_machine_token(jti, client.client_id, expires_at, clock.now())
    actor = ClientActor(client.client_id, ClientKind(client.kind), frozenset(client.scopes), jti)
    await audit.record(uow, actor, "oauth.revoke", target=jti)


# Scopes a machine client can hold; the capabilities that use them arrive with later issues.
SCOPES = {
    ClientKind.hr_system: ("personnel:write", "separation:check", "separation:read", "webhooks:manage", "scim"),
    ClientKind.contractor_portal: ("obligations:read", "obligations:write"),
}

# What each scope opens, for the OpenAPI document and the metadata (a new scope needs its line here: a test checks).
SCOPE_DESCRIPTIONS = {
    "personnel:write": "Personnel system: send personnel events and the directory sync (SEP-1, RET-1).",
    "separation:check": "Personnel system: ask before a placement whether it connects a separated pair (SEP-4).",
    "separation:read": "Personnel system: list the active separation orders, by reference only (SEP-4).",
    "webhooks:manage": "Personnel system: subscribe to events and read their deliveries.",
    "scim": "Personnel system: provision the directory over SCIM 2.0 at /scim/v2 (SEP-1, SEP-5, RET-1 apply).",
    "obligations:read": "Contractor portal: its own contracts and follow-up obligations, nothing of a case (CON-1).",
    "obligations:write": "Contractor portal: record the measures taken for an obligation (CON-1).",
}


def all_scopes() -> list[str]:
    """Every scope any machine client can hold, once, in order."""
    return sorted({scope for scopes in SCOPES.values() for scope in scopes})


async def create_client(
    uow: UnitOfWork, name: str, kind: ClientKind, scopes: list[str], actor: StaffActor | None = None
) -> tuple[MachineClient, str]:
    """Create a machine client; its secret is returned once and kept only as an Argon2id hash. `actor`: the
    sysadmin who asked (None from the command line)."""
    unknown = set(scopes) - set(SCOPES[kind])
    if unknown:
        raise ScopeNotAllowed(f"Unknown scopes for {kind}: {', '.join(sorted(unknown))}")
    secret = new_opaque_token()
    client = MachineClient(
        client_id=f"{kind.value}-{new_opaque_token()[:12]}",
        name=name,
        kind=kind,
        secret_hash=await hash_secret(uow.settings, secret),
        scopes=sorted(scopes or SCOPES[kind]),
        active=True,
        created_at=clock.now(),
    )
    uow.staff.add(client)
    await uow.session.flush()
    await audit.record(uow, actor, "client.created", target=client.client_id)
    return client, secret
