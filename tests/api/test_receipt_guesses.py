"""INT-6 (reliability review, finding 6): wrong receipt codes slow further guesses on that locator and from that
client, with growing delays (capped, never permanent); the right code is never refused because of someone else's
guesses; unknown, wrong and slowed codes answer alike, each at the cost of one Argon2 check."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx

from app.domain import receipt
from app.main import create_app
from app.services import inbox
from tests.builders import make_report
from tests.conftest import make_settings

SESSION = "/api/v1/inbox/session"
ATTACKER, OWNER, THIRD = ("203.0.113.66", 1), ("198.51.100.7", 2), ("192.0.2.44", 3)


@asynccontextmanager
async def _clients(app, *peers: tuple[str, int]) -> AsyncIterator[list[httpx.AsyncClient]]:  # type: ignore[no-untyped-def]
    """One HTTP client per address, all on the same app."""
    clients = [
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app, client=peer), base_url="http://testserver")
        for peer in peers
    ]
    try:
        yield clients
    finally:
        for c in clients:
            await c.aclose()


def _wrong(code: str) -> str:
    """The same locator, another secret part."""
    code = receipt.normalize(code) or ""
    return code[:-1] + ("0" if code[-1] != "0" else "1")


def _answer(response: httpx.Response) -> tuple[int, str, str]:
    """Everything an answer says, but its trace id (new for every request)."""
    body = {k: v for k, v in response.json().items() if k != "trace_id"}
    return response.status_code, response.headers["content-type"], str(sorted(body.items()))


async def test_int_6_others_wrong_guesses_never_refuse_the_owners_right_code(app) -> None:
    """INT-6: an attacker makes 30 wrong guesses at a report's locator; its owner, from another client, gets in
    at once with the right code — no 401, no 429, no wait — and again after the attacker's next guesses."""
    async with _clients(app, ATTACKER, OWNER) as (attacker, owner):
        code = (await make_report(owner))["receipt_code"]
        for _ in range(30):
            assert (await attacker.post(SESSION, json={"receipt_code": _wrong(code)})).status_code == 401
        started = time.monotonic()
        first = await owner.post(SESSION, json={"receipt_code": code})
        assert first.status_code == 200, first.text
        assert time.monotonic() - started < 2
        assert (await attacker.post(SESSION, json={"receipt_code": _wrong(code)})).status_code == 401
        assert (await owner.post(SESSION, json={"receipt_code": code})).status_code == 200


async def test_int_6_a_guessers_own_guesses_at_a_locator_are_slowed(app) -> None:
    """INT-6: after 5 wrong codes at a locator, that client's guesses at it are refused for a while — even the
    right code, answered like a wrong one — while the owner, from another client, gets in."""
    async with _clients(app, ATTACKER, OWNER) as (attacker, owner):
        code = (await make_report(owner))["receipt_code"]
        wrong = [await attacker.post(SESSION, json={"receipt_code": _wrong(code)}) for _ in range(5)]
        slowed = await attacker.post(SESSION, json={"receipt_code": code})
        assert {_answer(r) for r in [*wrong, slowed]} == {_answer(wrong[0])}
        assert wrong[0].status_code == 401 and wrong[0].json()["code"] == "receipt-not-accepted"
        assert (await owner.post(SESSION, json={"receipt_code": code})).status_code == 200


async def test_int_6_a_guessers_guesses_at_any_locator_are_slowed(app) -> None:
    """INT-6: a client that sprays wrong codes over many locators (5 unknown ones) is slowed on every locator —
    its next right code is refused like a wrong one — while the owner from another client gets in."""
    async with _clients(app, THIRD, OWNER) as (sprayer, owner):
        code = (await make_report(owner))["receipt_code"]
        for n in range(5):
            unknown = f"{n:08d}".replace("0", "Z") + "Q" * receipt.SECRET_CHARS
            assert (await sprayer.post(SESSION, json={"receipt_code": unknown})).status_code == 401
        assert (await sprayer.post(SESSION, json={"receipt_code": code})).status_code == 401
        assert (await owner.post(SESSION, json={"receipt_code": code})).status_code == 200


async def test_int_6_unknown_wrong_and_slowed_answer_alike_at_one_hash_each(app, monkeypatch) -> None:
    """INT-6: an unknown locator, a wrong code and a slowed guess get the same status, headers' content type and
    body, and each costs exactly one Argon2 check — no timing tells them apart beyond the hash itself."""
    checks: list[str] = []
    verify = inbox.verify_secret

    async def counted(settings, stored_hash, secret):  # type: ignore[no-untyped-def]
        checks.append(secret)
        return await verify(settings, stored_hash, secret)

    monkeypatch.setattr(inbox, "verify_secret", counted)
    async with _clients(app, ATTACKER, OWNER) as (attacker, owner):
        code = (await make_report(owner))["receipt_code"]
        unknown = await attacker.post(SESSION, json={"receipt_code": "Z" * receipt.CODE_CHARS})
        wrong = [await attacker.post(SESSION, json={"receipt_code": _wrong(code)}) for _ in range(5)]
        slowed = await attacker.post(SESSION, json={"receipt_code": code})
    assert _answer(unknown) == _answer(wrong[0]) == _answer(slowed)
    assert len(checks) == 1 + 5 + 1


async def test_int_6_delays_are_never_permanent(settings) -> None:
    """INT-6: once the (capped) delay has passed, the slowed client's right code works again."""
    application = create_app(make_settings(lock_base_seconds=1, lock_max_seconds=1))
    try:
        async with _clients(application, ATTACKER) as (attacker,):
            code = (await make_report(attacker))["receipt_code"]
            for _ in range(7):
                await attacker.post(SESSION, json={"receipt_code": _wrong(code)})
            assert (await attacker.post(SESSION, json={"receipt_code": code})).status_code == 401
            await asyncio.sleep(1.2)
            assert (await attacker.post(SESSION, json={"receipt_code": code})).status_code == 200
    finally:
        await application.state.runtime.engine.dispose()
