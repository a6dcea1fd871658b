"""Keep-alive HTTP/1.1 connections to one service, for the forwarded requests.

An httpx transport over httpcore's connections, with a pool that does only what a
reverse proxy needs: take the most recently used idle connection (checked alone for
expiry or a close by the service), else open one, at most ``max_connections`` at a time
(waiting ``pool`` seconds for a free one, then ``PoolTimeout``). httpcore's own pool
checks every idle connection with a ``select()`` and scans the whole pool for every
request and every response that ends, a good part of the gateway's CPU under load
(bench/README.md, api_reads). A connection goes back to the pool when its response has
been read or closed; one that failed, or one the pool has no room to keep, is closed.
No retries, no HTTP/2, no proxies, no TLS (the services are reached over plain HTTP
inside the deployment; an ``https`` service URL gets httpx's own transport).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Iterator

import httpcore
import httpx

_ERRORS: tuple[tuple[type[Exception], type[httpx.TransportError]], ...] = (
    (httpcore.PoolTimeout, httpx.PoolTimeout),
    (httpcore.ConnectTimeout, httpx.ConnectTimeout),
    (httpcore.ReadTimeout, httpx.ReadTimeout),
    (httpcore.WriteTimeout, httpx.WriteTimeout),
    (httpcore.ConnectError, httpx.ConnectError),
    (httpcore.ReadError, httpx.ReadError),
    (httpcore.WriteError, httpx.WriteError),
    (httpcore.RemoteProtocolError, httpx.RemoteProtocolError),
    (httpcore.LocalProtocolError, httpx.LocalProtocolError),
    (httpcore.TimeoutException, httpx.TimeoutException),
    (httpcore.NetworkError, httpx.NetworkError),
    (httpcore.ProtocolError, httpx.ProtocolError),
    (httpcore.UnsupportedProtocol, httpx.UnsupportedProtocol),
)
"""httpcore's errors as httpx's (the first match wins), as httpx's own transport maps them."""


@contextlib.contextmanager
def _as_httpx_errors() -> Iterator[None]:
    try:
        yield
    except Exception as exc:
        for core, mapped in _ERRORS:
            if isinstance(exc, core):
                raise mapped(str(exc)) from exc
        raise


class KeepAlivePool(httpx.AsyncBaseTransport):
    """The connections to one service (``origin``), idle ones reused last in, first out."""

    def __init__(
        self,
        origin: httpx.URL,
        *,
        max_connections: int,
        max_keepalive_connections: int,
        keepalive_expiry: float,
    ) -> None:
        self.origin = httpcore.Origin(origin.raw_scheme, origin.raw_host, origin.port or 80)
        self.max_keepalive = max_keepalive_connections
        self.keepalive_expiry = keepalive_expiry
        self._slots = asyncio.Semaphore(max_connections)
        self._idle: list[httpcore.AsyncHTTPConnection] = []

    async def _acquire(self, wait: float | None) -> httpcore.AsyncHTTPConnection:
        try:
            async with asyncio.timeout(wait):
                await self._slots.acquire()
        except TimeoutError:
            raise httpcore.PoolTimeout("no free connection to the service") from None
        try:
            while self._idle:
                connection = self._idle.pop()
                if connection.is_idle() and not connection.has_expired():
                    return connection
                await connection.aclose()
        except BaseException:
            self._slots.release()
            raise
        return httpcore.AsyncHTTPConnection(self.origin, keepalive_expiry=self.keepalive_expiry)

    async def release(self, connection: httpcore.AsyncHTTPConnection) -> None:
        """Back to the pool once its response has ended (closed, when it cannot be kept)."""
        self._slots.release()
        if connection.is_idle() and len(self._idle) < self.max_keepalive:
            self._idle.append(connection)
        else:
            await connection.aclose()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        assert isinstance(request.stream, httpx.AsyncByteStream)
        timeouts = request.extensions.get("timeout", {})
        outgoing = httpcore.Request(
            method=request.method,
            url=httpcore.URL(
                scheme=request.url.raw_scheme,
                host=request.url.raw_host,
                port=request.url.port,
                target=request.url.raw_path,
            ),
            headers=request.headers.raw,
            content=request.stream,
            extensions=request.extensions,
        )
        with _as_httpx_errors():
            connection = await self._acquire(timeouts.get("pool"))
            try:
                response = await connection.handle_async_request(outgoing)
            except BaseException:
                self._slots.release()
                await connection.aclose()
                raise
        return httpx.Response(
            status_code=response.status,
            headers=response.headers,
            stream=_Body(self, connection, response),
            extensions=response.extensions,
        )

    async def aclose(self) -> None:
        idle, self._idle = self._idle, []
        for connection in idle:
            await connection.aclose()


class _Body(httpx.AsyncByteStream):
    """A response body; its connection goes back to the pool once it is closed."""

    def __init__(
        self,
        pool: KeepAlivePool,
        connection: httpcore.AsyncHTTPConnection,
        response: httpcore.Response,
    ) -> None:
        self._pool = pool
        self._connection = connection
        self._response = response
        self._closed = False

    async def __aiter__(self) -> AsyncIterator[bytes]:
        with _as_httpx_errors():
            async for chunk in self._response.aiter_stream():
                yield chunk

    async def aclose(self) -> None:
        if self._closed:
            return
        self._closed = True
        try:
            with _as_httpx_errors():
                await self._response.aclose()
        finally:
            await self._pool.release(self._connection)
