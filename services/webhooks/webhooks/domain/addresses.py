"""Which network addresses a webhook may be sent to (the SSRF guard's rule).

A creditor names the URL, so the sender must never become a way into our own network:
after DNS resolution every address is checked, and only public unicast addresses pass.
Refused: loopback, link-local, private (RFC 1918, ULA), shared address space (CGNAT,
100.64.0.0/10), multicast, unspecified, reserved and documentation ranges, the cloud
metadata addresses, and any IPv6 form that embeds one of those IPv4 addresses (mapped,
NAT64, 6to4, Teredo). An explicit allow-list (networks) exists for development and tests.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

METADATA = frozenset(
    {ipaddress.ip_address("169.254.169.254"), ipaddress.ip_address("fd00:ec2::254")}
)
_CGNAT = ipaddress.ip_network("100.64.0.0/10")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    return None


def refusal(address: IPAddress) -> str | None:
    """Why ``address`` is refused (a stable reason code), or None when it is public."""
    if address in METADATA:
        return "metadata"
    if isinstance(address, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(address)
        if embedded is not None:
            return refusal(embedded)
    checks = (
        ("unspecified", address.is_unspecified),
        ("loopback", address.is_loopback),
        ("link-local", address.is_link_local),
        ("multicast", address.is_multicast),
        ("shared", isinstance(address, ipaddress.IPv4Address) and address in _CGNAT),
        ("private", address.is_private),
        ("reserved", address.is_reserved),
    )
    for reason, hit in checks:
        if hit:
            return reason
    if not address.is_global:
        return "not-global"
    return None


class AddressPolicy:
    """The rule plus the allow-list (networks that pass anyway: development and tests)."""

    def __init__(self, allowed: Iterable[str] = ()) -> None:
        self.allowed: tuple[IPNetwork, ...] = tuple(
            ipaddress.ip_network(n, strict=False) for n in allowed
        )

    def refusal(self, address: str | IPAddress) -> str | None:
        ip = ipaddress.ip_address(address) if isinstance(address, str) else address
        if any(ip.version == n.version and ip in n for n in self.allowed):
            return None
        return refusal(ip)
