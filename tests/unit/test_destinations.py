"""Security review F7 (SEP-4's webhooks must not become a way into WithU's own network): which destinations a
webhook may reach — public addresses only, unless the operator allow-lists an exception."""

from __future__ import annotations

import ipaddress

import pytest

from app.domain.destinations import (
    AllowList,
    destination_refusal,
    is_bare_name,
    literal_address,
    name_refusal,
    parse_allow_list,
    refused_kind,
)

NOTHING = AllowList()


def ip(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    return ipaddress.ip_address(text)


@pytest.mark.parametrize(
    ("address", "kind"),
    [
        ("10.0.0.5", "private"),
        ("172.16.0.1", "private"),
        ("172.31.255.254", "private"),
        ("192.168.1.1", "private"),
        ("127.0.0.1", "loopback"),
        ("127.8.9.10", "loopback"),
        ("::1", "loopback"),
        ("0.0.0.0", "unspecified"),  # noqa: S104 - an address to refuse, not one to bind
        ("::", "unspecified"),
        ("169.254.169.254", "link-local (cloud metadata 169.254.169.254)"),
        ("fe80::1", "link-local"),
        ("fd00::1", "unique-local (cloud metadata fd00:ec2::254)"),
        ("fd00:ec2::254", "unique-local (cloud metadata fd00:ec2::254)"),
        ("100.64.0.1", "shared (CGNAT)"),
        ("100.100.100.200", "shared (CGNAT)"),  # another cloud's metadata address
        ("224.0.0.1", "multicast"),
        ("ff02::1", "multicast"),
        ("240.0.0.1", "reserved"),
        ("255.255.255.255", "reserved"),
        ("::ffff:127.0.0.1", "IPv4-mapped"),
        ("64:ff9b::a00:5", "NAT64"),
        ("2002:a00:5::1", "private"),  # 6to4 carrying 10.0.0.5
        ("198.18.0.1", "not globally reachable"),  # benchmarking
        ("192.0.2.1", "not globally reachable"),  # documentation
        ("2001:db8::1", "not globally reachable"),  # documentation
    ],
)
def test_f7_internal_addresses_are_refused(address: str, kind: str) -> None:
    """F7: loopback, private (RFC 1918), unique-local, link-local (cloud metadata), CGNAT, unspecified,
    multicast, reserved, and IPv6 wrappings of them are refused, each with its kind."""
    assert refused_kind(ip(address)) == kind


@pytest.mark.parametrize("address", ["8.8.8.8", "93.184.215.14", "1.1.1.1", "2606:4700::1111", "2a00:1450::1"])
def test_f7_public_addresses_are_allowed(address: str) -> None:
    """F7: a globally reachable unicast address is a possible receiver."""
    assert refused_kind(ip(address)) is None


@pytest.mark.parametrize(("host", "bare"), [("db", True), ("redis", True), ("localhost", True), ("DB.", True),
                                            ("hr.example.org", False), ("10.0.0.5", False), ("[::1]", False)])  # fmt: skip
def test_f7_single_label_names_are_service_names(host: str, bare: bool) -> None:
    """F7: a name without a dot (`db`, `redis`, `localhost`) names a service on WithU's own network."""
    assert is_bare_name(host) is bare


def test_f7_bare_names_are_refused_before_any_lookup() -> None:
    """F7: `db` is refused by name alone (the caller never looks it up); a dotted name waits for its addresses."""
    assert name_refusal("db", 5432, NOTHING) == "bare-name"
    assert name_refusal("redis", 6379, NOTHING) == "bare-name"
    assert name_refusal("hr.example.org", 443, NOTHING) is None
    assert destination_refusal("db", 5432, [ip("93.184.215.14")], NOTHING) == "bare-name"


def test_f7_one_internal_address_refuses_the_name() -> None:
    """F7: a name is refused when any of its addresses is internal: the connection could land on any of them."""
    public, internal = ip("93.184.215.14"), ip("10.0.0.5")
    assert destination_refusal("hr.example.org", 443, [public], NOTHING) is None
    assert destination_refusal("hr.example.org", 443, [public, internal], NOTHING) == "refused-address"
    assert destination_refusal("hr.example.org", 443, [ip("::1")], NOTHING) == "refused-address"
    assert destination_refusal("hr.example.org", 443, [], NOTHING) == "unresolved"


def test_f7_the_allow_list_admits_named_exceptions_only() -> None:
    """F7: the operator's allow-list admits an address (any port, or one port), a network, or a name (with or
    without a port) — and nothing else."""
    allowed = parse_allow_list(["127.0.0.1", "[::1]:9000", "10.1.0.0/16", "hr-receiver:8443", "HR.Intranet.Example"])
    assert destination_refusal("127.0.0.1", 8080, [ip("127.0.0.1")], allowed) is None
    assert destination_refusal("localhost.example", 8080, [ip("127.0.0.1")], allowed) is None
    assert destination_refusal("::1", 9000, [ip("::1")], allowed) is None
    assert destination_refusal("::1", 9001, [ip("::1")], allowed) == "refused-address"
    assert destination_refusal("hr.example.org", 443, [ip("10.1.2.3")], allowed) is None
    assert destination_refusal("hr.example.org", 443, [ip("10.2.0.1")], allowed) == "refused-address"
    assert name_refusal("hr-receiver", 8443, allowed) is None
    assert destination_refusal("hr-receiver", 8443, [ip("10.9.9.9")], allowed) is None
    assert name_refusal("hr-receiver", 443, allowed) == "bare-name"
    assert destination_refusal("hr.intranet.example.", 443, [ip("192.168.7.7")], allowed) is None
    assert destination_refusal("127.0.0.2", 80, [ip("127.0.0.2")], allowed) == "refused-address"


@pytest.mark.parametrize("entry", ["", "*", "*.example.org", "10.0.0.0/33", "host:0", "host:99999", "a..b", "x:y"])
def test_f7_a_malformed_allow_list_entry_is_refused(entry: str) -> None:
    """F7: a wildcard or malformed entry is an error at start-up, never a silent "allow everything"."""
    with pytest.raises(ValueError):
        parse_allow_list([entry])


def test_f7_literals_are_recognised_with_or_without_brackets() -> None:
    """F7: an IP literal is checked as it is, never looked up."""
    assert literal_address("[fd00::1]") == ip("fd00::1")
    assert literal_address("10.0.0.5") == ip("10.0.0.5")
    assert literal_address("hr.example.org") is None
