"""A small HTTP listener for the processes without an API (relay, consumer, workers).

It answers ``GET /metrics`` (Prometheus text format, for the bearer of the service's
``metrics_token`` only) and ``GET /health/live``; anything else is 404. Requests are
bounded (head size, read time) and the listener runs on the worker's own event loop, so
it needs no thread and stops with the process.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import logging

from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pydantic import SecretStr

log = logging.getLogger(__name__)

MAX_HEAD_BYTES = 8192
READ_TIMEOUT_SECONDS = 5.0


def _authorised(head: list[str], token: SecretStr | None) -> bool:
    if token is None or not token.get_secret_value():
        return False
    for line in head[1:]:
        name, _, value = line.partition(":")
        if name.strip().lower() == "authorization":
            scheme, _, presented = value.strip().partition(" ")
            return scheme.lower() == "bearer" and hmac.compare_digest(
                presented.strip().encode(), token.get_secret_value().encode()
            )
    return False


def _response(status: str, body: bytes, content_type: str, extra: str = "") -> bytes:
    head = (
        f"HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n{extra}\r\n"
    )
    return head.encode("latin-1") + body


def answer(request_head: bytes, token: SecretStr | None) -> bytes:
    """The whole HTTP response to one request head (request line and headers)."""
    lines = request_head.decode("latin-1").split("\r\n")
    method, _, rest = lines[0].partition(" ")
    path = rest.partition(" ")[0].partition("?")[0]
    text = "text/plain; charset=utf-8"
    if method != "GET":
        return _response("405 Method Not Allowed", b"", text, "Allow: GET\r\n")
    if path == "/health/live":
        return _response("200 OK", b'{"status": "live"}', "application/json")
    if path != "/metrics":
        return _response("404 Not Found", b"", text)
    if not _authorised(lines, token):
        return _response("401 Unauthorized", b"", text, "WWW-Authenticate: Bearer\r\n")
    return _response("200 OK", generate_latest(), CONTENT_TYPE_LATEST)


async def _handle(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, token: SecretStr | None
) -> None:
    try:
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), timeout=READ_TIMEOUT_SECONDS)
        writer.write(answer(head[:-4], token))
        await writer.drain()
    except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, TimeoutError, OSError):
        pass
    finally:
        writer.close()
        with contextlib.suppress(Exception):
            await writer.wait_closed()


async def serve_metrics(host: str, port: int, token: SecretStr | None) -> asyncio.Server:
    """Start listening on ``host:port``; close the returned server to stop."""
    server = await asyncio.start_server(
        lambda r, w: _handle(r, w, token), host, port, limit=MAX_HEAD_BYTES
    )
    log.info("metrics on %s:%d", host, port)
    return server
