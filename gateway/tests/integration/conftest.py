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

from .support import SERVICES, GatewayFactory, RunningServer, Upstreams, upstream_app


@pytest.fixture(scope="session")
async def upstreams() -> AsyncIterator[Upstreams]:
    """One running stand-in per service, shared by the whole session."""
    result = Upstreams()
    for name in SERVICES:
        result.apps[name] = upstream_app(name)
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
async def start_gateway(upstreams: Upstreams) -> AsyncIterator[GatewayFactory]:
    """Factory: a gateway served on its own port, wired to the stand-ins, with overrides."""
    started: list[tuple[RunningServer, httpx.AsyncClient]] = []

    async def start(
        prepare: Callable[[FastAPI], None] | None = None, **overrides: Any
    ) -> httpx.AsyncClient:
        values: dict[str, Any] = {
            "environment": "test",
            "rate_limit_per_second": 10_000.0,
            "rate_limit_burst": 100_000,
            "openapi_cache_seconds": 0.0,
            **upstreams.urls(),
        }
        values.update(overrides)
        app = create_app(GatewaySettings(**values))
        if prepare is not None:
            prepare(app)
        server = await RunningServer(app).start()
        client = httpx.AsyncClient(base_url=server.url, timeout=30)
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
