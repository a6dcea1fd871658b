"""A webhook receiver: what a creditor's system looks like to our webhook sender.

It accepts ``POST`` on any path, verifies the Standard Webhooks signature with the
reference library (``standardwebhooks``) when it knows the path's secret, records every
request (id, timestamp, signatures, body, whether it verified, what it answered) and
answers as scripted per path: a status (5xx, 410, a 3xx with ``Location``), a delay (a
slow or hung receiver), ``Retry-After``, or a reset connection. After the script, a path
answers its default (200 unless set).

Control API (JSON, no access control: a local test double only):

``PUT /_sim/paths/<path>``  ``{"secrets": ["whsec_…"], "script": [{"status": 503}, …],
"default": {"status": 200, "delay": 0}}``; an action is ``{"status", "delay",
"retry_after", "location", "reset"}``.
``GET /_sim/received[?path=<path>]``  what arrived, oldest first.
``DELETE /_sim/received``  forget it all (paths and what arrived).
``GET /health``.

Use :class:`WebhookReceiver` from a test (``with WebhookReceiver() as r: r.url``) or run
``python -m simulators.webhook_receiver --port 8030``.
"""

from __future__ import annotations

import argparse
import json
import signal
import socket
import struct
import threading
import time
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import FrameType, TracebackType
from typing import Any
from urllib.parse import parse_qs, urlsplit

from standardwebhooks.webhooks import Webhook, WebhookVerificationError

MAX_BODY = 256 * 1024
CONTROL = "/_sim/"


@dataclass
class Action:
    status: int = 200
    delay: float = 0.0
    retry_after: str | None = None
    location: str | None = None
    reset: bool = False

    @classmethod
    def of(cls, raw: Mapping[str, Any]) -> Action:
        return cls(
            status=int(raw.get("status", 200)),
            delay=min(float(raw.get("delay", 0.0)), 120.0),
            retry_after=raw.get("retry_after"),
            location=raw.get("location"),
            reset=bool(raw.get("reset", False)),
        )


@dataclass
class PathScript:
    secrets: list[str] = field(default_factory=list)
    script: list[Action] = field(default_factory=list)
    default: Action = field(default_factory=Action)

    def next_action(self) -> Action:
        return self.script.pop(0) if self.script else self.default


@dataclass
class Received:
    path: str
    webhook_id: str | None
    timestamp: str | None
    signature: str | None
    body: str
    verified: bool | None
    """True/False when the path has secrets; None when there was nothing to verify with."""
    answered: str
    received_at: float


class Inbox:
    """Thread-safe: the scripts per path and what arrived."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.paths: dict[str, PathScript] = {}
        self.received: list[Received] = []

    def configure(self, path: str, raw: Mapping[str, Any]) -> None:
        script = PathScript(
            secrets=[str(s) for s in raw.get("secrets", [])],
            script=[Action.of(a) for a in raw.get("script", [])],
            default=Action.of(raw.get("default", {})),
        )
        with self._lock:
            self.paths[path] = script

    def take(self, path: str, headers: Mapping[str, str], body: bytes) -> tuple[Action, Received]:
        with self._lock:
            script = self.paths.get(path) or PathScript()
            action = script.next_action()
        verified: bool | None = None
        if script.secrets:
            verified = any(_verifies(s, headers, body) for s in script.secrets)
        answered = "reset" if action.reset else str(action.status)
        entry = Received(
            path=path,
            webhook_id=headers.get("webhook-id"),
            timestamp=headers.get("webhook-timestamp"),
            signature=headers.get("webhook-signature"),
            body=body.decode("utf-8", errors="replace"),
            verified=verified,
            answered=answered,
            received_at=time.time(),
        )
        with self._lock:
            self.received.append(entry)
        return action, entry

    def listing(self, path: str | None) -> list[dict[str, Any]]:
        with self._lock:
            return [asdict(r) for r in self.received if path is None or r.path == path]

    def clear(self) -> None:
        with self._lock:
            self.paths.clear()
            self.received.clear()


def _verifies(secret: str, headers: Mapping[str, str], body: bytes) -> bool:
    try:
        Webhook(secret).verify(body, dict(headers), json_parse=False)
    except WebhookVerificationError:
        return False
    return True


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        return

    def _json(self, status: int, body: Any) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _body(self) -> bytes | None:
        length = int(self.headers.get("content-length") or 0)
        if length > MAX_BODY:
            self._json(413, {"code": "too-large"})
            return None
        return self.rfile.read(length) if length else b""

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        if parts.path == "/health":
            self._json(200, {"status": "ok"})
        elif parts.path == CONTROL + "received":
            path = parse_qs(parts.query).get("path", [None])[0]
            self._json(200, self.server.inbox.listing(path))
        else:
            self._json(404, {"code": "not-found"})

    def do_PUT(self) -> None:
        body = self._body()
        if body is None:
            return
        if not self.path.startswith(CONTROL + "paths/"):
            self._json(404, {"code": "not-found"})
            return
        path = "/" + self.path.removeprefix(CONTROL + "paths/").lstrip("/")
        self.server.inbox.configure(path, json.loads(body or b"{}"))
        self._json(200, {"path": path})

    def do_DELETE(self) -> None:
        if self.path == CONTROL + "received":
            self.server.inbox.clear()
            self._json(200, {"status": "cleared"})
        else:
            self._json(404, {"code": "not-found"})

    def do_POST(self) -> None:
        body = self._body()
        if body is None:
            return
        path = urlsplit(self.path).path
        headers = {k.lower(): v for k, v in self.headers.items()}
        action, _ = self.server.inbox.take(path, headers, body)
        if action.delay:
            time.sleep(action.delay)
        if action.reset:
            # SO_LINGER 0: close() sends a TCP reset instead of a clean end
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.close_connection = True
            self.connection.close()
            return
        answer = b'{"ok":true}' if 200 <= action.status < 300 else b'{"error":"scripted"}'
        self.send_response(action.status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(answer)))
        if action.retry_after is not None:
            self.send_header("retry-after", action.retry_after)
        if action.location is not None:
            self.send_header("location", action.location)
        self.end_headers()
        try:
            self.wfile.write(answer)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # the sender gave up waiting (its timeout)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256

    def __init__(self, address: tuple[str, int], inbox: Inbox) -> None:
        super().__init__(address, _Handler)
        self.inbox = inbox


class WebhookReceiver:
    """The receiver on a background thread: ``with WebhookReceiver() as r: r.url``."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.inbox = Inbox()
        self._server = _Server((host, port), self.inbox)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> WebhookReceiver:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> WebhookReceiver:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8030)
    args = parser.parse_args(argv)
    server = _Server((args.host, args.port), Inbox())
    stopping = threading.Event()

    def stop(signum: int, frame: FrameType | None) -> None:
        if not stopping.is_set():
            stopping.set()
            threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    host, port = server.server_address[:2]
    print(f"webhook receiver ready http://{host!s}:{port}", flush=True)
    server.serve_forever()
    server.server_close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
