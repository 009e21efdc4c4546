"""INT-6 (reliability review, finding 6): wrong receipt codes slow the one who makes them, never the code's owner.

A wrong code counts against two keys: this client at this locator, and this client at any locator. Once a key has
`receipt_failures_before_lock` failures, that client waits (lockout.lock_delay: growing, capped), and while it
waits its guesses are refused — the right code too, answered like a wrong one. No other client ever waits because
of them, so the owner of the right code, from their own device, is never refused because of someone else's
guesses. The client is the rate limiter's daily keyed hash of its address; the store hashes every key again, so it
holds neither an address nor a locator. Guesses made while waiting do not lengthen the wait.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Protocol

from app.domain.lockout import LockoutPolicy, lock_delay


class GuessBook(Protocol):
    """Failure counts and waits by key, kept for a day at most (memory, or Redis shared by every process)."""

    async def waiting(self, key: str) -> bool: ...

    async def count_failure(self, key: str) -> int: ...

    async def wait(self, key: str, delay: timedelta) -> None: ...

    async def forget(self, key: str) -> None: ...


@dataclass(frozen=True)
class Guesser:
    """Who enters a receipt code: `client` is the rate limiter's keyed hash of the address; `book` keeps score."""

    book: GuessBook
    client: str

    def keys(self, locator: str) -> tuple[str, str]:
        return f"receipt:{locator}:{self.client}", f"receipt-client:{self.client}"

    async def is_slowed(self, locator: str) -> bool:
        pair, client = self.keys(locator)
        return await self.book.waiting(pair) or await self.book.waiting(client)

    async def failed(self, locator: str, policy: LockoutPolicy) -> None:
        """One wrong (or unknown) code: each key's count grows, and from the threshold on its wait begins."""
        for key in self.keys(locator):
            delay = lock_delay(await self.book.count_failure(key), policy)
            if delay is not None:
                await self.book.wait(key, delay)

    async def succeeded(self, locator: str) -> None:
        """The right code: this client's score at this locator is cleared (not its score at other locators)."""
        await self.book.forget(self.keys(locator)[0])
