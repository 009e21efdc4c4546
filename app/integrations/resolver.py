"""Name resolution for webhook destinations (security review F7): the system's resolver, and a fixed table
for the tests (tests never query real DNS).

A resolver takes a host name and returns its addresses; it raises `ResolutionFailed` when the name does not
resolve (or not in time). WithU checks the addresses (app.domain.destinations) and connects to one of them.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Awaitable, Callable, Mapping, Sequence

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str], Awaitable[list[IPAddress]]]
RESOLVE_TIMEOUT_SECONDS = 5.0


class ResolutionFailed(Exception):
    """The name has no address (or the resolver did not answer in time)."""


async def system_resolver(host: str) -> list[IPAddress]:
    """The operating system's resolver (getaddrinfo: /etc/hosts, then DNS), in a thread, bounded in time."""
    loop = asyncio.get_running_loop()
    try:
        async with asyncio.timeout(RESOLVE_TIMEOUT_SECONDS):
            infos = await loop.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except (OSError, TimeoutError, UnicodeError) as exc:
        raise ResolutionFailed(type(exc).__name__) from exc
    addresses: list[IPAddress] = []
    for _family, _type, _proto, _name, sockaddr in infos:
        address = ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])  # drop an IPv6 zone ("%eth0")
        if address not in addresses:
            addresses.append(address)
    if not addresses:
        raise ResolutionFailed("no address")
    return addresses


_default: Resolver = system_resolver


def default() -> Resolver:
    """The resolver of every app and worker built without one of their own: the system's."""
    return _default


def use_by_default(resolve: Resolver) -> Resolver:
    """Make `resolve` the default (the tests' fixed table: no test ever queries real DNS); returns the previous."""
    global _default
    previous, _default = _default, resolve
    return previous


class StaticResolver:
    """A resolver from a fixed table (name → addresses), for tests: a name not in the table does not resolve,
    and `asked` records every lookup, so a test can show which names were (and were not) looked up."""

    def __init__(self, table: Mapping[str, Sequence[str]] | None = None) -> None:
        self.table: dict[str, list[IPAddress]] = {}
        for name, addresses in (table or {}).items():
            self.set(name, *addresses)
        self.asked: list[str] = []

    def set(self, name: str, *addresses: str) -> None:
        """Point `name` at other addresses (a DNS change, or a rebinding attack)."""
        self.table[name.lower()] = [ipaddress.ip_address(a) for a in addresses]

    async def __call__(self, host: str) -> list[IPAddress]:
        self.asked.append(host)
        addresses = self.table.get(host.lower().rstrip("."))
        if not addresses:
            raise ResolutionFailed("not in the table")
        return list(addresses)
