"""What the processes without an API expose, and the pool and worker metrics (no I/O but
a loopback socket)."""

from __future__ import annotations

import asyncio

import pytest
from prometheus_client import REGISTRY
from pydantic import SecretStr
from servicekit.db import make_engine
from servicekit.metrics import worker_pass
from servicekit.metrics_server import answer, serve_metrics
from servicekit.pool_metrics import watch_pool

pytestmark = pytest.mark.unit

TOKEN = SecretStr("scraper-secret")


def _get(path: str, authorization: str | None = None) -> bytes:
    head = f"GET {path} HTTP/1.1\r\nHost: x"
    if authorization is not None:
        head += f"\r\nAuthorization: {authorization}"
    return answer(head.encode(), TOKEN)


def test_metrics_need_the_scrapers_token() -> None:
    assert _get("/metrics").startswith(b"HTTP/1.1 401")
    assert _get("/metrics", "Bearer wrong").startswith(b"HTTP/1.1 401")
    assert _get("/metrics", "Basic scraper-secret").startswith(b"HTTP/1.1 401")
    assert answer(b"GET /metrics HTTP/1.1\r\nAuthorization: Bearer x", None).startswith(
        b"HTTP/1.1 401"
    )


def test_metrics_are_served_to_the_scraper_and_nothing_else_is() -> None:
    worker_pass("svc-test", "scheduler", 3)
    response = _get("/metrics?x=1", "Bearer scraper-secret")
    assert response.startswith(b"HTTP/1.1 200")
    assert b'worker_items_total{service="svc-test",worker="scheduler"} 3.0' in response
    assert _get("/health/live").startswith(b"HTTP/1.1 200")
    assert _get("/other", "Bearer scraper-secret").startswith(b"HTTP/1.1 404")
    assert answer(b"POST /metrics HTTP/1.1", TOKEN).startswith(b"HTTP/1.1 405")


async def test_the_listener_answers_over_http_and_bounds_the_request_head() -> None:
    server = await serve_metrics("127.0.0.1", 0, TOKEN)
    port = server.sockets[0].getsockname()[1]
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"GET /metrics HTTP/1.1\r\nAuthorization: Bearer scraper-secret\r\n\r\n")
        body = await reader.read()
        writer.close()
        assert body.startswith(b"HTTP/1.1 200")
        assert b"worker_last_run_timestamp_seconds" in body

        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"GET /metrics HTTP/1.1\r\nX-Filler: " + b"a" * 20_000 + b"\r\n\r\n")
        assert await reader.read() == b""  # dropped, not answered
        writer.close()
    finally:
        server.close()
        await server.wait_closed()


async def test_pool_use_and_size_are_read_from_the_pool_at_scrape_time() -> None:
    engine = make_engine("postgresql+asyncpg://nobody@127.0.0.1:1/none", pool_size=3)
    watch_pool(engine, "pool-test")
    try:
        labels = {"service": "pool-test"}
        assert REGISTRY.get_sample_value("db_pool_size", labels) == 3
        assert REGISTRY.get_sample_value("db_pool_connections_in_use", labels) == 0
    finally:
        await engine.dispose()
