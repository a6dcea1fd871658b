"""A post: the print-and-post / digital-mailbox service letters to debtors are handed to.

The reports service cannot reach a real print house or digital mailbox (Digipost, e-Boks)
from here. This simulator is a real HTTP server that the real adapter
(``reports.adapters.post``) talks to, and that records what it got:

- ``POST /v1/letters`` (JSON: ``letter_id``, ``kind``, ``recipient`` {name, address_lines,
  postal_code, city, country}, ``pdf_base64``): accepts a letter for posting and answers
  ``201`` with a ``reference``; the same ``letter_id`` again is **not posted twice**: it
  answers ``200`` with the first reference and counts the repeat (``deliveries``);
  a body over 10 MiB is ``413``, a malformed one ``400``;
- ``GET /v1/letters`` every letter received (without the PDF), oldest first, with how many
  times it was handed over; ``GET /v1/letters/<letter_id>/pdf`` the PDF as received;
- ``POST /v1/faults`` ``{"fail_next": n}``: the next ``n`` letters are refused with ``503``
  (tests of the sender's retry); ``DELETE /v1/letters`` forgets everything;
- ``GET /health`` ``{"status": "ok"}``.

Use :class:`PostSimulator` from a pytest fixture (port 0 picks a free port) or run it for
the local stack: ``python -m simulators.post --port 8027``. It keeps everything in memory,
binds to loopback and has no access control: never point a production service at it.
"""

from __future__ import annotations

import argparse
import base64
import binascii
import hashlib
import json
import re
import signal
import sys
import threading
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import FrameType, TracebackType
from typing import Any

MAX_BODY_BYTES = 10 * 1024 * 1024
_LETTER_PDF = re.compile(r"^/v1/letters/([0-9a-f-]{36})/pdf$")
_KINDS = frozenset({"inkassovarsel", "betalingsoppfordring"})


@dataclass
class ReceivedLetter:
    """One letter as the post got it, and how many times it was handed over."""

    letter_id: str
    kind: str
    recipient: dict[str, Any]
    pdf: bytes
    reference: str
    received_at: str
    deliveries: int = 1

    def describe(self) -> dict[str, Any]:
        return {
            "letter_id": self.letter_id,
            "kind": self.kind,
            "recipient": self.recipient,
            "reference": self.reference,
            "received_at": self.received_at,
            "deliveries": self.deliveries,
            "size": len(self.pdf),
            "sha256": hashlib.sha256(self.pdf).hexdigest(),
        }


@dataclass
class PostOffice:
    """The letters received, deduplicated by letter id (thread-safe)."""

    letters: dict[str, ReceivedLetter] = field(default_factory=dict)
    fail_next: int = 0
    refused: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def receive(self, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        """``(status, answer)`` for one handed-over letter."""
        try:
            letter_id = str(uuid.UUID(str(body["letter_id"])))
            kind = str(body["kind"])
            recipient = body["recipient"]
            pdf = base64.b64decode(str(body["pdf_base64"]), validate=True)
        except (KeyError, ValueError, TypeError, binascii.Error):
            return 400, {"code": "malformed_letter"}
        if kind not in _KINDS or not isinstance(recipient, dict) or not recipient.get("name"):
            return 400, {"code": "malformed_letter"}
        if not pdf.startswith(b"%PDF-"):
            return 400, {"code": "not_a_pdf"}
        with self.lock:
            if self.fail_next > 0:
                self.fail_next -= 1
                self.refused += 1
                return 503, {"code": "print_queue_unavailable"}
            seen = self.letters.get(letter_id)
            if seen is not None:
                seen.deliveries += 1
                return 200, {"reference": seen.reference, "duplicate": True}
            letter = ReceivedLetter(
                letter_id=letter_id,
                kind=kind,
                recipient=recipient,
                pdf=pdf,
                reference=f"POST-{len(self.letters) + 1:08d}",
                received_at=datetime.now(UTC).isoformat(),
            )
            self.letters[letter_id] = letter
            return 201, {"reference": letter.reference, "duplicate": False}

    def listing(self) -> list[dict[str, Any]]:
        with self.lock:
            return [x.describe() for x in self.letters.values()]

    def pdf(self, letter_id: str) -> bytes | None:
        with self.lock:
            letter = self.letters.get(letter_id)
            return None if letter is None else letter.pdf

    def fail(self, count: int) -> None:
        with self.lock:
            self.fail_next = max(0, count)

    def clear(self) -> None:
        with self.lock:
            self.letters.clear()
            self.fail_next = 0
            self.refused = 0


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        return  # letters hold personal data: nothing is logged

    def _json(self, status: int, value: Any) -> None:
        data = json.dumps(value, ensure_ascii=False).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _body(self) -> dict[str, Any] | None:
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY_BYTES:
            self._json(413, {"code": "too_large"})
            self.close_connection = True
            return None
        try:
            value = json.loads(self.rfile.read(length) or b"{}")
        except ValueError:
            self._json(400, {"code": "malformed_letter"})
            return None
        if not isinstance(value, dict):
            self._json(400, {"code": "malformed_letter"})
            return None
        return value

    def do_GET(self) -> None:
        office = self.server.office
        if self.path == "/health":
            self._json(200, {"status": "ok"})
        elif self.path == "/v1/letters":
            self._json(200, office.listing())
        elif match := _LETTER_PDF.match(self.path):
            pdf = office.pdf(match.group(1))
            if pdf is None:
                self._json(404, {"code": "not_found"})
                return
            self.send_response(200)
            self.send_header("Content-Type", "application/pdf")
            self.send_header("Content-Length", str(len(pdf)))
            self.end_headers()
            self.wfile.write(pdf)
        else:
            self._json(404, {"code": "not_found"})

    def do_POST(self) -> None:
        body = self._body()
        if body is None:
            return
        if self.path == "/v1/letters":
            status, answer = self.server.office.receive(body)
            self._json(status, answer)
        elif self.path == "/v1/faults":
            self.server.office.fail(int(body.get("fail_next", 0)))
            self._json(200, {"fail_next": self.server.office.fail_next})
        else:
            self._json(404, {"code": "not_found"})

    def do_DELETE(self) -> None:
        if self.path == "/v1/letters":
            self.server.office.clear()
            self._json(200, {"status": "cleared"})
        else:
            self._json(404, {"code": "not_found"})


class _Server(ThreadingHTTPServer):
    request_queue_size = 256  # many clients at once (a bench's 50): the default backlog is 5
    daemon_threads = True

    def __init__(self, address: tuple[str, int], office: PostOffice) -> None:
        super().__init__(address, _Handler)
        self.office = office


class PostSimulator:
    """The post on a background thread: ``with PostSimulator() as post: post.url``."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.office = PostOffice()
        self._server = _Server((host, port), self.office)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> PostSimulator:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> PostSimulator:
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
    parser.add_argument("--port", type=int, default=8027)
    args = parser.parse_args(argv)
    server = _Server((args.host, args.port), PostOffice())
    stopping = threading.Event()

    def stop(signum: int, frame: FrameType | None) -> None:
        if not stopping.is_set():
            stopping.set()
            threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    print(f"post simulator on http://{args.host}:{args.port}", file=sys.stderr, flush=True)
    server.serve_forever()
    server.server_close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
