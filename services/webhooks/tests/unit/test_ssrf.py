"""The SSRF guard: forbidden addresses in every spelling, after resolution, at connect."""

from __future__ import annotations

import ipaddress

import httpx
import pytest
from webhooks.adapters.guarded_network import (
    AddressRefused,
    GuardedTransport,
    IPAddress,
    checked_address,
    resolve,
)
from webhooks.domain.addresses import AddressPolicy, refusal

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("127.0.0.1", "loopback"),
        ("127.255.0.9", "loopback"),
        ("::1", "loopback"),
        ("0.0.0.0", "unspecified"),
        ("::", "unspecified"),
        ("10.1.2.3", "private"),
        ("172.16.0.1", "private"),
        ("192.168.1.1", "private"),
        ("fd12:3456::1", "private"),
        ("100.64.0.1", "shared"),
        ("100.127.255.254", "shared"),
        ("169.254.10.10", "link-local"),
        ("fe80::1", "link-local"),
        ("169.254.169.254", "metadata"),
        ("fd00:ec2::254", "metadata"),
        ("224.0.0.1", "multicast"),
        ("ff02::1", "multicast"),
        ("240.0.0.1", "private"),  # reserved (class E); Python counts it private too
        ("::ffff:127.0.0.1", "loopback"),
        ("::ffff:169.254.169.254", "metadata"),
        ("::ffff:10.0.0.1", "private"),
        ("64:ff9b::a00:1", "private"),
        ("2002:7f00:1::", "loopback"),
        ("192.0.2.1", "private"),
    ],
)
def test_forbidden_addresses(address: str, reason: str) -> None:
    assert refusal(ipaddress.ip_address(address)) == reason


@pytest.mark.parametrize("address", ["93.184.216.34", "2606:2800:220:1::1", "::ffff:8.8.8.8"])
def test_public_addresses_pass(address: str) -> None:
    assert refusal(ipaddress.ip_address(address)) is None


def test_the_allow_list_lets_its_networks_through_only() -> None:
    policy = AddressPolicy(["127.0.0.1/32"])
    assert policy.refusal("127.0.0.1") is None
    assert policy.refusal("127.0.0.2") == "loopback"
    assert policy.refusal("::1") == "loopback"


@pytest.mark.parametrize("host", ["2130706433", "0x7f000001", "0177.0.0.1", "127.1", "localhost"])
async def test_decimal_octal_hex_and_names_resolve_to_loopback_and_are_refused(host: str) -> None:
    with pytest.raises(AddressRefused) as refused:
        await checked_address(AddressPolicy(), host, 443)
    assert refused.value.reason == "loopback"


async def test_an_ipv6_literal_in_brackets_is_checked() -> None:
    with pytest.raises(AddressRefused, match="loopback"):
        await checked_address(AddressPolicy(), "[::1]", 443)
    with pytest.raises(AddressRefused, match="loopback"):
        await checked_address(AddressPolicy(), "[::ffff:127.0.0.1]", 443)


def _dns(table: dict[str, list[str]]):  # type: ignore[no-untyped-def]
    async def resolver(host: str, port: int) -> list[IPAddress]:
        if host not in table:
            return await resolve(host, port)
        return [ipaddress.ip_address(a) for a in table[host]]

    return resolver


async def test_a_name_with_any_forbidden_address_is_refused() -> None:
    resolver = _dns({"mixed.test": ["93.184.216.34", "10.0.0.7"]})
    with pytest.raises(AddressRefused, match="private"):
        await checked_address(AddressPolicy(), "mixed.test", 443, resolver)


async def test_an_unresolvable_name_is_refused() -> None:
    with pytest.raises(AddressRefused, match="unresolvable"):
        await checked_address(AddressPolicy(), "no-such-host.invalid", 443)


async def test_the_transport_refuses_at_connect_a_name_resolving_to_loopback() -> None:
    """The check sits in the connection itself: nothing reaches the socket."""
    resolver = _dns({"evil.test": ["127.0.0.1"]})
    async with httpx.AsyncClient(
        transport=GuardedTransport(AddressPolicy(), resolver=resolver)
    ) as client:
        with pytest.raises(AddressRefused, match="loopback"):
            await client.post("http://evil.test:9/hook", content=b"{}")
        with pytest.raises(AddressRefused, match="metadata"):
            await client.get("http://169.254.169.254/latest/meta-data/")
        with pytest.raises(AddressRefused, match="loopback"):
            await client.get("http://[::ffff:7f00:1]:9/")
