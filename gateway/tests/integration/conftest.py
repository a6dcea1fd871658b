"""Fixtures: the service stand-ins and gateways in front of them, as real servers."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from gateway.app import create_app
from gateway.settings import GatewaySettings
from servicekit.testing.tokens import AUDIENCE, ISSUER, TestSigner

from .support import (
    GATEWAY_SECRET,
    METRICS_TOKEN,
    SERVICES,
    GatewayFactory,
    RunningServer,
    Upstreams,
    identity_app,
    mint,
    upstream_app,
)


@pytest.fixture(scope="session")
def signer() -> TestSigner:
    """The identity stand-in's signing key (its JWKS is what the gateways trust)."""
    return TestSigner()


@pytest.fixture(scope="session")
async def upstreams(signer: TestSigner) -> AsyncIterator[Upstreams]:
    """One running stand-in per service, shared by the whole session (auth: identity too)."""
    result = Upstreams()
    for name in SERVICES:
        result.apps[name] = identity_app(signer) if name == "auth" else upstream_app(name)
        result.servers[name] = await RunningServer(result.apps[name]).start()
    yield result
    for name, server in result.servers.items():
        result.apps[name].state.release.set()
        await server.stop()


@pytest.fixture(scope="session")
def refused_url() -> Iterator[str]:
    """A localhost port that refuses connections: bound, never listening, for the session."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    sock.close()


@pytest.fixture(scope="session")
async def start_gateway(upstreams: Upstreams, signer: TestSigner) -> AsyncIterator[GatewayFactory]:
    """Factory: a gateway served on its own port, wired to the stand-ins, with overrides.

    Its client sends a valid access token (a session of its own) unless ``signed_in`` is
    false.
    """
    started: list[tuple[RunningServer, httpx.AsyncClient]] = []

    async def start(
        prepare: Callable[[FastAPI], None] | None = None,
        *,
        signed_in: bool = True,
        **overrides: Any,
    ) -> httpx.AsyncClient:
        values: dict[str, Any] = {
            "environment": "test",
            "rate_limit_per_second": 10_000.0,
            "rate_limit_burst": 100_000,
            "auth_rate_limit_per_minute": 600_000.0,
            "auth_rate_limit_burst": 100_000,
            "openapi_cache_seconds": 0.0,
            "token_issuer": ISSUER,
            "token_audience": AUDIENCE,
            "internal_secret": GATEWAY_SECRET,
            "metrics_token": METRICS_TOKEN,
            # the signing keys and session checks from the stand-ins wait 10 s, not
            # production's 2 s: they fail closed (503), and under a full suite a JWKS fetch
            # once took longer (as the stacks' PATIENT_AUTH_CHECKS in devstack)
            "auth_check_timeout": 10.0,
            **upstreams.urls(),
        }
        values.update(overrides)
        app = create_app(GatewaySettings(**values))
        if prepare is not None:
            prepare(app)
        server = await RunningServer(app).start()
        headers = {"Authorization": f"Bearer {mint(signer)}"} if signed_in else None
        client = httpx.AsyncClient(base_url=server.url, timeout=30, headers=headers)
        started.append((server, client))
        return client

    yield start
    for server, client in started:
        await client.aclose()
        await server.stop()


@pytest.fixture(scope="session")
async def gateway(start_gateway: GatewayFactory) -> httpx.AsyncClient:
    """The gateway with every service up (shared: tests must not change its upstreams)."""
    return await start_gateway()
