"""A request that crashes a service must not cost the next, healthy request its answer.

The fuzzing of issue 18 saw a 502 for an ordinary request right after three 500s. A
service answers an unhandled exception with its 500 handler, and Starlette then raises
the exception again for the server; uvicorn, seeing an exception after the answer, logs
it and closes the connection. The gateway has the 500 by then and puts the keep-alive
connection back in its pool; the next request sent on it before the close arrives is
lost (``RemoteProtocolError``), a 502. Here the service is a real servicekit app served
by uvicorn in a thread of its own, and writing the log takes a moment (as a traceback
does on a busy host), so that window is certain instead of a matter of luck.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import threading
import time
from collections.abc import Iterator

import httpx
import pytest
import uvicorn
from servicekit.http import EdgeApp
from servicekit.problems import install_problem_handlers
from servicekit.testing.http import assert_problem

from .support import GatewayFactory

pytestmark = pytest.mark.integration

PREFIX = "/api/v1/reports"
LOG_WRITE_SECONDS = 0.3


def crashing_service() -> EdgeApp:
    app = EdgeApp(service="crashing", title="crashing")
    install_problem_handlers(app)

    @app.get(PREFIX + "/crash")
    async def crash() -> None:
        raise RuntimeError("a bug the input found")

    @app.get(PREFIX + "/fine")
    async def fine() -> dict[str, str]:
        return {"status": "fine"}

    return app


class _SlowLog(logging.Handler):
    """Writing uvicorn's "Exception in ASGI application" takes a moment."""

    def emit(self, record: logging.LogRecord) -> None:
        if record.exc_info:
            time.sleep(LOG_WRITE_SECONDS)


@contextlib.contextmanager
def slow_uvicorn_log() -> Iterator[None]:
    """Installed once every server has started: uvicorn's logging setup drops handlers."""
    slow, uvicorn_log = _SlowLog(), logging.getLogger("uvicorn.error")
    uvicorn_log.addHandler(slow)
    try:
        yield
    finally:
        uvicorn_log.removeHandler(slow)


class _Server(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


@pytest.fixture
def service_url() -> Iterator[str]:
    """The crashing service, served by uvicorn on its own thread and event loop."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    config = uvicorn.Config(crashing_service(), log_level="warning", access_log=False)
    server = _Server(config)
    thread = threading.Thread(target=lambda: asyncio.run(server.serve(sockets=[sock])))
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        assert time.monotonic() < deadline, "the service did not start"
        time.sleep(0.01)
    yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    server.should_exit = True
    thread.join(timeout=15)
    sock.close()


async def test_after_a_request_that_crashed_the_service_the_next_one_is_answered(
    start_gateway: GatewayFactory, service_url: str
) -> None:
    gateway: httpx.AsyncClient = await start_gateway(reports_url=service_url)
    with slow_uvicorn_log():
        for _ in range(3):
            assert_problem(await gateway.get(PREFIX + "/crash"), 500, "internal-error")
            response = await gateway.get(PREFIX + "/fine")
            assert response.status_code == 200, response.text
            assert response.json() == {"status": "fine"}


async def test_a_service_keeps_the_connection_of_a_request_that_crashed(
    service_url: str,
) -> None:
    """The same without the gateway: one client, one keep-alive connection."""
    limits = httpx.Limits(max_connections=1)
    async with httpx.AsyncClient(base_url=service_url, limits=limits) as client:
        with slow_uvicorn_log():
            crashed = await client.get(PREFIX + "/crash")
            assert crashed.status_code == 500
            assert crashed.headers.get("connection") != "close"
            response = await client.get(PREFIX + "/fine")
            assert response.status_code == 200
