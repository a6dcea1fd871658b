"""The keep-alive pool of forwarded requests against a real (minimal) HTTP server."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest
from gateway.pool import KeepAlivePool

pytestmark = pytest.mark.integration

TIMEOUTS = {"connect": 5.0, "read": 5.0, "write": 5.0, "pool": 0.05}


class Service:
    """Answers ``ok`` to every request; ``close`` answers with ``Connection: close``."""

    def __init__(self) -> None:
        self.connections = 0
        self.server: asyncio.Server | None = None

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                closing = b" /close " in head
                extra = b"connection: close\r\n" if closing else b""
                writer.write(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n" + extra + b"\r\nok")
                await writer.drain()
                if closing:
                    break
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    @property
    def url(self) -> httpx.URL:
        assert self.server is not None
        port = self.server.sockets[0].getsockname()[1]
        return httpx.URL(f"http://127.0.0.1:{port}")


@pytest.fixture
async def service() -> AsyncIterator[Service]:
    result = Service()
    result.server = await asyncio.start_server(result.handle, "127.0.0.1", 0)
    yield result
    result.server.close()
    await result.server.wait_closed()


def pool_for(service: Service, *, max_connections: int = 10) -> KeepAlivePool:
    return KeepAlivePool(
        service.url,
        max_connections=max_connections,
        max_keepalive_connections=10,
        keepalive_expiry=5.0,
    )


async def get(pool: KeepAlivePool, service: Service, path: str = "/x") -> httpx.Response:
    request = httpx.Request(
        "GET", service.url.copy_with(raw_path=path.encode()), extensions={"timeout": TIMEOUTS}
    )
    return await pool.handle_async_request(request)


async def test_an_ended_response_leaves_its_connection_for_the_next_request(
    service: Service,
) -> None:
    pool = pool_for(service)
    for _ in range(3):
        response = await get(pool, service)
        assert await response.aread() == b"ok"
        await response.aclose()

    assert service.connections == 1
    await pool.aclose()


async def test_a_connection_the_service_closed_is_not_used_again(service: Service) -> None:
    pool = pool_for(service)
    closing = await get(pool, service, "/close")
    await closing.aread()
    await closing.aclose()

    response = await get(pool, service)

    assert await response.aread() == b"ok"
    assert service.connections == 2
    await response.aclose()
    await pool.aclose()


async def test_with_every_connection_busy_a_request_waits_then_fails_with_pool_timeout(
    service: Service,
) -> None:
    pool = pool_for(service, max_connections=1)
    busy = await get(pool, service)

    with pytest.raises(httpx.PoolTimeout):
        await get(pool, service)

    await busy.aclose()
    freed = await get(pool, service)
    assert await freed.aread() == b"ok"
    await freed.aclose()
    await pool.aclose()


async def test_a_refused_connection_is_a_connect_error_and_frees_its_slot(
    refused_url: str,
) -> None:
    pool = KeepAlivePool(
        httpx.URL(refused_url),
        max_connections=1,
        max_keepalive_connections=1,
        keepalive_expiry=5.0,
    )
    request = httpx.Request("GET", refused_url + "/x", extensions={"timeout": TIMEOUTS})

    for _ in range(2):  # the slot of the first attempt is free again
        with pytest.raises(httpx.ConnectError):
            await pool.handle_async_request(request)
