"""Where WithU may send webhooks: only to public internet addresses (security review F7, server-side request
forgery). A subscription URL must not reach WithU's own network — the database, Redis, the cloud's metadata
service, the host itself — so a host is refused when it is a bare service name or when any address it resolves
to lies in a refused network. The operator's allow-list (`WITHU_WEBHOOK_ALLOWED_HOSTS`) admits named exceptions,
for a receiver on the developer's machine or inside the organisation.

Pure: the caller resolves the name and hands the addresses in, at subscription and again before every delivery
(a name may re-resolve elsewhere: DNS rebinding), and then connects to the address that was checked.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

# Named for the documentation and the tests; `_refused_kind` also refuses anything the IANA special-purpose
# registries do not call globally reachable (Python's `is_global`), so a range missing here is still refused.
REFUSED_NETWORKS: tuple[tuple[str, IPNetwork], ...] = tuple(
    (kind, ipaddress.ip_network(network))
    for kind, network in (
        ("unspecified", "0.0.0.0/8"),
        ("unspecified", "::/128"),
        ("loopback", "127.0.0.0/8"),
        ("loopback", "::1/128"),
        ("private", "10.0.0.0/8"),
        ("private", "172.16.0.0/12"),
        ("private", "192.168.0.0/16"),
        ("shared (CGNAT)", "100.64.0.0/10"),
        ("link-local (cloud metadata 169.254.169.254)", "169.254.0.0/16"),
        ("link-local", "fe80::/10"),
        ("unique-local (cloud metadata fd00:ec2::254)", "fc00::/7"),
        ("multicast", "224.0.0.0/4"),
        ("multicast", "ff00::/8"),
        ("reserved", "240.0.0.0/4"),
        ("IPv4-mapped", "::ffff:0:0/96"),
        ("NAT64", "64:ff9b::/96"),
    )
)

DEFAULT_PORTS = {"http": 80, "https": 443}


def literal_address(host: str) -> IPAddress | None:
    """The address when `host` is an IP literal (brackets allowed), else None (a name to resolve)."""
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


def normalised_host(host: str) -> str:
    """Lower case, without brackets or the root's trailing dot: `DB.` and `db` are the same host."""
    return host.strip("[]").rstrip(".").lower()


def is_bare_name(host: str) -> bool:
    """A single-label name (`db`, `redis`, `localhost`): a service on WithU's own network, never a receiver."""
    return literal_address(host) is None and "." not in normalised_host(host)


def _embedded_ipv4(address: IPAddress) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 transition address carries (mapped, 6to4, Teredo), whose network it reaches."""
    if not isinstance(address, ipaddress.IPv6Address):
        return None
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    return None


def refused_kind(address: IPAddress) -> str | None:
    """Why WithU may not connect to `address` (a network kind), or None for a public address."""
    for kind, network in REFUSED_NETWORKS:
        if address.version == network.version and address in network:
            return kind
    if address.is_multicast:
        return "multicast"
    if address.is_reserved or address.is_unspecified:
        return "reserved"
    if not address.is_global:
        return "not globally reachable"
    embedded = _embedded_ipv4(address)
    if embedded is not None:
        return refused_kind(embedded)
    return None


@dataclass(frozen=True)
class AllowList:
    """The operator's exceptions: host names (with or without a port), and networks (an address is a /32 or
    /128), optionally with a port. Empty by default: no exception."""

    names: frozenset[tuple[str, int | None]] = frozenset()
    networks: tuple[tuple[IPNetwork, int | None], ...] = ()

    def admits_name(self, host: str, port: int) -> bool:
        host = normalised_host(host)
        return (host, None) in self.names or (host, port) in self.names

    def admits_address(self, address: IPAddress, port: int) -> bool:
        return any(
            address.version == network.version and address in network and allowed_port in (None, port)
            for network, allowed_port in self.networks
        )


def _split_port(entry: str) -> tuple[str, int | None]:
    if entry.startswith("["):  # [v6] or [v6]:port
        host, _, rest = entry[1:].partition("]")
        return host, int(rest[1:]) if rest.startswith(":") else None
    if entry.count(":") == 1:  # name:port or v4:port; a bare v6 address has several colons
        host, _, port = entry.partition(":")
        return host, int(port)
    return entry, None


def parse_allow_list(entries: Iterable[str]) -> AllowList:
    """`127.0.0.1`, `[::1]:9000`, `10.1.0.0/16`, `hr.intranet.example`, `hr-receiver:8443`. ValueError on
    an entry that is none of these (an empty entry, a bad port or network, a `*`)."""
    names: set[tuple[str, int | None]] = set()
    networks: list[tuple[IPNetwork, int | None]] = []
    for raw in entries:
        entry = raw.strip()
        if not entry or "*" in entry:
            raise ValueError(f"not a host, address or network: {raw!r}")
        if "/" in entry:
            networks.append((ipaddress.ip_network(entry, strict=False), None))
            continue
        host, port = _split_port(entry)
        if port is not None and not 0 < port < 65536:
            raise ValueError(f"not a port: {raw!r}")
        address = literal_address(host)
        if address is not None:
            networks.append((ipaddress.ip_network(address), port))
        elif host and all(part for part in normalised_host(host).split(".")):
            names.add((normalised_host(host), port))
        else:
            raise ValueError(f"not a host, address or network: {raw!r}")
    return AllowList(frozenset(names), tuple(networks))


def name_refusal(host: str, port: int, allowed: AllowList) -> str | None:
    """Before resolving: a bare service name is refused unless allow-listed (it is never looked up)."""
    if allowed.admits_name(host, port):
        return None
    return "bare-name" if is_bare_name(host) else None


def destination_refusal(host: str, port: int, addresses: Sequence[IPAddress], allowed: AllowList) -> str | None:
    """Why a delivery to `host:port`, resolving to `addresses`, is refused — or None when every address may be
    reached. An allow-listed name admits whatever it resolves to; otherwise each address must be public or
    allow-listed. One refused address refuses the host: the connection could land on any of them."""
    if allowed.admits_name(host, port):
        return None
    if is_bare_name(host):
        return "bare-name"
    if not addresses:
        return "unresolved"
    for address in addresses:
        if not allowed.admits_address(address, port) and refused_kind(address) is not None:
            return "refused-address"
    return None
