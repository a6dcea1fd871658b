"""The SSRF guard at the socket: resolve, check every address, connect to the checked one.

A custom httpcore network backend: httpcore asks it for a TCP connection to the URL's host;
it resolves the name itself, refuses when any resolved address is forbidden (a name that
resolves to a public and a private address is refused: that is how rebinding is tried),
and connects to the address it checked, so nothing resolves the name again between the
check and the connection (no time-of-check/time-of-use gap). TLS still verifies the
certificate against the URL's host name (httpcore passes it as the server name).
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

import httpcore
import httpx

from webhooks.domain.addresses import AddressPolicy, IPAddress

Resolver = Callable[[str, int], Awaitable[list[IPAddress]]]


class AddressRefused(Exception):
    """The URL's host is, or resolves to, an address the policy forbids (or to none)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


async def resolve(host: str, port: int) -> list[IPAddress]:
    """Every address ``host`` resolves to (a literal, in any form getaddrinfo accepts,
    resolves to itself: ``2130706433`` and ``0177.0.0.1`` become ``127.0.0.1``)."""
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise AddressRefused("unresolvable") from exc
    found: list[IPAddress] = []
    for *_, sockaddr in infos:
        address = ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])
        if address not in found:
            found.append(address)
    if not found:
        raise AddressRefused("unresolvable")
    return found


async def checked_address(
    policy: AddressPolicy, host: str, port: int, resolver: Resolver = resolve
) -> IPAddress:
    """The address to connect to for ``host``, after checking all it resolves to."""
    addresses = await resolver(host.strip("[]"), port)
    for address in addresses:
        reason = policy.refusal(address)
        if reason is not None:
            raise AddressRefused(reason)
    return addresses[0]


class GuardedBackend(httpcore.AsyncNetworkBackend):
    def __init__(
        self,
        policy: AddressPolicy,
        resolver: Resolver = resolve,
        inner: httpcore.AsyncNetworkBackend | None = None,
    ) -> None:
        self.policy = policy
        self.resolver = resolver
        self.inner = inner or httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,  # noqa: ASYNC109 (httpcore's signature)
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        address = await checked_address(self.policy, host, port, self.resolver)
        return await self.inner.connect_tcp(
            str(address),
            port,
            timeout=timeout,
            local_address=local_address,
            socket_options=socket_options,
        )

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,  # noqa: ASYNC109 (httpcore's signature)
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise AddressRefused("unix-socket")

    async def sleep(self, seconds: float) -> None:
        await self.inner.sleep(seconds)


class GuardedTransport(httpx.AsyncHTTPTransport):
    """httpx's transport with its connection pool on the guarded backend (no proxies)."""

    def __init__(
        self,
        policy: AddressPolicy,
        *,
        resolver: Resolver = resolve,
        max_connections: int = 100,
        max_keepalive_connections: int = 20,
    ) -> None:
        super().__init__(retries=0)
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=httpx.create_ssl_context(),
            max_connections=max_connections,
            max_keepalive_connections=max_keepalive_connections,
            keepalive_expiry=30.0,
            network_backend=GuardedBackend(policy, resolver),
        )
