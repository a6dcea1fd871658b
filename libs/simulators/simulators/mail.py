"""A mail sink: a real SMTP server that accepts every message and keeps it for reading.

The identity service sends invitations and password resets through an SMTP relay we
cannot reach from here. This sink stands in for that relay, in tests and in the local
stack, so that the real adapter (``aiosmtplib``) talks real SMTP over loopback:

- SMTP (``aiosmtpd``), optionally with STARTTLS (a self-signed certificate made at start)
  and AUTH PLAIN/LOGIN after STARTTLS, as a relay with credentials would demand;
- every accepted message is written as ``<id>.eml`` (the bytes as received) and listed in
  ``index.json`` in the sink's directory, which survives a restart;
- a small read API over HTTP (standard library, JSON):

  ``GET /messages[?to=<address>]``  newest first: id, from, to, subject, received_at,
  tls, text, html (bodies decoded, with ``\n`` line ends);
  ``GET /messages/<id>``  one message, with its headers too;
  ``GET /messages/<id>/raw``  the ``.eml`` as received (``message/rfc822``);
  ``DELETE /messages[?to=<address>]``  forget all messages (or one recipient's);
  ``GET /health``  ``{"status": "ok"}``.

Use :class:`MailSink` from a pytest fixture (ports 0 pick free ports) or run it for the
local stack: ``python -m simulators.mail --smtp-port 8025 --http-port 8026 --dir var/mail``.
It binds to loopback unless told otherwise, has no access control on its read API and
keeps everything it receives: never point a production service at it.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import hmac
import ipaddress
import json
import logging
import os
import re
import shutil
import signal
import ssl
import sys
import tempfile
import threading
import uuid
from collections.abc import Mapping, Sequence
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import FrameType, TracebackType
from typing import Any, TypedDict, cast
from urllib.parse import parse_qs, urlsplit

from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

log = logging.getLogger("simulators.mail")

INDEX_FILE = "index.json"
DATA_SIZE_LIMIT = 10 * 1024 * 1024
_ID = re.compile(r"[0-9a-f]{32}")
_URL = re.compile(r"https?://[^\s<>\"']+")


class StoredMail(TypedDict):
    """One line of ``index.json``: the envelope and what the listing needs without parsing."""

    id: str
    mail_from: str
    to: list[str]
    subject: str
    received_at: str
    tls: bool


class MailStore:
    """The sink's directory: ``<id>.eml`` per message and ``index.json`` in arrival order.

    Thread-safe: the SMTP server writes from its event-loop thread while the read API
    answers from its own threads.
    """

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.directory.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._entries: list[StoredMail] = self._load()

    def _load(self) -> list[StoredMail]:
        index = self.directory / INDEX_FILE
        if not index.exists():
            return []
        return cast(list[StoredMail], json.loads(index.read_text(encoding="utf-8")))

    def _write_index(self) -> None:
        self._write_atomically(
            self.directory / INDEX_FILE,
            json.dumps(self._entries, ensure_ascii=False, indent=1).encode("utf-8"),
        )

    def _write_atomically(self, path: Path, data: bytes) -> None:
        fd, tmp = tempfile.mkstemp(dir=self.directory, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise

    def add(self, mail_from: str, to: Sequence[str], content: bytes, *, tls: bool) -> StoredMail:
        """Keep one message as received; returns its index entry."""
        message = _parse(content)
        entry = StoredMail(
            id=uuid.uuid4().hex,
            mail_from=mail_from,
            to=list(to),
            subject=str(message.get("Subject", "")),
            received_at=dt.datetime.now(dt.UTC).isoformat(),
            tls=tls,
        )
        with self._lock:
            self._write_atomically(self._eml(entry["id"]), content)
            self._entries.append(entry)
            self._write_index()
        return entry

    def entries(self, to: str | None = None) -> list[StoredMail]:
        """Index entries, newest first, only those addressed to ``to`` when given."""
        with self._lock:
            return list(reversed(_addressed_to(self._entries, to)))

    def raw(self, message_id: str) -> bytes | None:
        if not _ID.fullmatch(message_id):
            return None
        try:
            return self._eml(message_id).read_bytes()
        except FileNotFoundError:
            return None

    def describe(self, entry: StoredMail, *, headers: bool = False) -> dict[str, Any] | None:
        """What the read API shows of one message (``None`` when its file is gone)."""
        content = self.raw(entry["id"])
        if content is None:
            return None
        message = _parse(content)
        described: dict[str, Any] = {
            "id": entry["id"],
            "from": entry["mail_from"],
            "to": entry["to"],
            "subject": entry["subject"],
            "received_at": entry["received_at"],
            "tls": entry["tls"],
            "text": _body(message, "plain"),
            "html": _body(message, "html"),
        }
        if headers:
            described["headers"] = [[name, str(value)] for name, value in message.items()]
        return described

    def get(self, message_id: str) -> dict[str, Any] | None:
        with self._lock:
            entry = next((e for e in self._entries if e["id"] == message_id), None)
        return None if entry is None else self.describe(entry, headers=True)

    def delete(self, to: str | None = None) -> int:
        """Forget every message (or those addressed to ``to``); returns how many."""
        with self._lock:
            doomed = {e["id"] for e in _addressed_to(self._entries, to)}
            self._entries = [e for e in self._entries if e["id"] not in doomed]
            self._write_index()
            for message_id in doomed:
                with contextlib.suppress(FileNotFoundError):
                    self._eml(message_id).unlink()
        return len(doomed)

    def _eml(self, message_id: str) -> Path:
        return self.directory / f"{message_id}.eml"


def _addressed_to(entries: list[StoredMail], to: str | None) -> list[StoredMail]:
    if to is None:
        return list(entries)
    wanted = to.strip().lower()
    return [e for e in entries if wanted in (r.lower() for r in e["to"])]


def _parse(content: bytes) -> EmailMessage:
    return BytesParser(policy=policy.default).parsebytes(content)


def _body(message: EmailMessage, subtype: str) -> str | None:
    part = message.get_body(preferencelist=(subtype,))
    if part is None:
        return None
    # Line ends as in Python text, not as on the wire (CRLF).
    return cast(str, part.get_content()).replace("\r\n", "\n")


class _SmtpHandler:
    """aiosmtpd handler: accept every recipient, keep every message."""

    def __init__(self, store: MailStore) -> None:
        self._store = store

    async def handle_DATA(  # noqa: N802 (aiosmtpd's hook name)
        self, server: SMTP, session: Session, envelope: Envelope
    ) -> str:
        content = envelope.original_content or envelope.content or b""
        if isinstance(content, str):
            content = content.encode("utf-8")
        entry = await asyncio.to_thread(
            self._store.add,
            envelope.mail_from or "",
            envelope.rcpt_tos,
            content,
            tls=session.ssl is not None,
        )
        log.info("accepted message %s for %d recipient(s)", entry["id"], len(entry["to"]))
        return "250 2.0.0 Ok: queued as " + entry["id"]


class _ReadApiServer(ThreadingHTTPServer):
    request_queue_size = 256  # many clients at once (a bench's 50): the default backlog is 5
    daemon_threads = True
    store: MailStore


class _ReadApi(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "InfoCenterMailSink/1"

    @property
    def _store(self) -> MailStore:
        return cast(_ReadApiServer, self.server).store

    def _query(self) -> tuple[str, str | None]:
        url = urlsplit(self.path)
        to = parse_qs(url.query).get("to", [None])[0]
        return url.path.rstrip("/") or "/", to

    def do_GET(self) -> None:
        path, to = self._query()
        if path == "/messages":
            listed = (self._store.describe(e) for e in self._store.entries(to))
            self._json(200, [m for m in listed if m is not None])
            return
        if path == "/health":
            self._json(200, {"status": "ok"})
            return
        parts = path.split("/")
        if len(parts) in (3, 4) and parts[1] == "messages" and _ID.fullmatch(parts[2]):
            if len(parts) == 3:
                message = self._store.get(parts[2])
                if message is not None:
                    self._json(200, message)
                    return
            elif parts[3] == "raw":
                raw = self._store.raw(parts[2])
                if raw is not None:
                    self._send(200, raw, "message/rfc822")
                    return
        self._json(404, {"error": "not found"})

    def do_DELETE(self) -> None:
        path, to = self._query()
        if path != "/messages":
            self._json(404, {"error": "not found"})
            return
        self._json(200, {"deleted": self._store.delete(to)})

    def _json(self, status: int, body: object) -> None:
        data = json.dumps(body, ensure_ascii=False).encode("utf-8")
        self._send(status, data, "application/json; charset=utf-8")

    def _send(self, status: int, data: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("read api: " + format, *args)


class MailSink:
    """SMTP sink plus read API, each in a thread of its own: start it, send to it, read it.

    ``smtp_port``/``http_port`` 0 pick free ports, exposed after :meth:`start` as
    :attr:`smtp_port`, :attr:`http_port` and :attr:`http_url`. ``directory`` defaults to a
    fresh temporary directory that :meth:`stop` removes; a given directory is kept.
    ``starttls`` offers STARTTLS with a self-signed certificate (trust it with
    :meth:`client_tls_context`); ``credentials`` (login → password) demands AUTH, which,
    as on a real relay, is only offered after STARTTLS.
    """

    def __init__(
        self,
        smtp_port: int = 0,
        http_port: int = 0,
        directory: str | os.PathLike[str] | None = None,
        *,
        host: str = "127.0.0.1",
        starttls: bool = False,
        credentials: Mapping[str, str] | None = None,
    ) -> None:
        if credentials and not starttls:
            raise ValueError("AUTH is only offered after STARTTLS: pass starttls=True too")
        self.host = host
        self.smtp_port = smtp_port
        self.http_port = http_port
        self._own_directory = directory is None
        self.directory = Path(
            tempfile.mkdtemp(prefix="mail-sink-") if directory is None else directory
        )
        self._starttls = starttls
        self._credentials = dict(credentials or {})
        self.store: MailStore | None = None
        self._tls_dir: Path | None = None
        self._server_tls: ssl.SSLContext | None = None
        self._certificate_pem: str | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._smtp_thread: threading.Thread | None = None
        self._smtp_server: asyncio.Server | None = None
        self._http: _ReadApiServer | None = None
        self._http_thread: threading.Thread | None = None

    @property
    def http_url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.http_port}"

    def client_tls_context(self) -> ssl.SSLContext:
        """A client context that trusts this sink's self-signed certificate (and only it)."""
        if self._certificate_pem is None:
            raise RuntimeError("the sink offers no STARTTLS (or is not started)")
        return ssl.create_default_context(cadata=self._certificate_pem)

    def start(self) -> MailSink:
        if self._loop is not None:
            raise RuntimeError("the mail sink is already running")
        self.store = MailStore(self.directory)
        if self._starttls:
            self._make_certificate()
        try:
            self._start_smtp()
            self._start_http()
        except BaseException:
            self.stop()
            raise
        log.info("mail sink: smtp %s:%d, read api %s", self.host, self.smtp_port, self.http_url)
        return self

    def stop(self) -> None:
        """Stop both servers; remove the directory only if the sink made it."""
        if self._http is not None:
            self._http.shutdown()
            self._http.server_close()
            self._http = None
        if self._http_thread is not None:
            self._http_thread.join(timeout=10)
            self._http_thread = None
        if self._loop is not None:
            loop = self._loop
            if self._smtp_server is not None:
                with contextlib.suppress(Exception):
                    asyncio.run_coroutine_threadsafe(self._close_smtp(), loop).result(10)
            loop.call_soon_threadsafe(loop.stop)
            if self._smtp_thread is not None:
                self._smtp_thread.join(timeout=10)
            loop.close()
            self._loop = None
            self._smtp_thread = None
        if self._tls_dir is not None:
            shutil.rmtree(self._tls_dir, ignore_errors=True)
            self._tls_dir = None
        if self._own_directory:
            shutil.rmtree(self.directory, ignore_errors=True)

    def __enter__(self) -> MailSink:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- SMTP ------------------------------------------------------------------------------

    def _start_smtp(self) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        self._smtp_thread = threading.Thread(
            target=loop.run_forever, name="mail-sink-smtp", daemon=True
        )
        self._smtp_thread.start()
        self._smtp_server = asyncio.run_coroutine_threadsafe(self._open_smtp(), loop).result(10)
        self.smtp_port = self._smtp_server.sockets[0].getsockname()[1]

    async def _open_smtp(self) -> asyncio.Server:
        loop = asyncio.get_running_loop()
        assert self.store is not None
        handler = _SmtpHandler(self.store)

        def protocol() -> SMTP:
            return SMTP(
                handler,
                hostname="mail-sink.infocenter.local",
                ident="InfoCenter mail sink",
                data_size_limit=DATA_SIZE_LIMIT,
                enable_SMTPUTF8=True,
                tls_context=self._server_tls,
                auth_required=bool(self._credentials),
                auth_require_tls=True,
                authenticator=self._authenticate if self._credentials else None,
                loop=loop,
            )

        return await loop.create_server(protocol, host=self.host, port=self.smtp_port)

    async def _close_smtp(self) -> None:
        assert self._smtp_server is not None
        self._smtp_server.close()
        # Since 3.12 wait_closed() also waits for open client connections: bounded.
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._smtp_server.wait_closed(), 2)
        current = asyncio.current_task()
        tasks = [t for t in asyncio.all_tasks() if t is not current]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._smtp_server = None

    def _authenticate(
        self, server: SMTP, session: Session, envelope: Envelope, mechanism: str, auth_data: Any
    ) -> AuthResult:
        if not isinstance(auth_data, LoginPassword):
            return AuthResult(success=False, handled=False)
        login = auth_data.login.decode("utf-8", "replace")
        expected = self._credentials.get(login)
        ok = expected is not None and hmac.compare_digest(
            expected.encode("utf-8"), auth_data.password
        )
        return AuthResult(success=ok, handled=False)

    def _make_certificate(self) -> None:
        """A throw-away self-signed certificate for the sink's host (and localhost)."""
        from cryptography import x509
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import ec
        from cryptography.x509.oid import NameOID

        key = ec.generate_private_key(ec.SECP256R1())
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "InfoCenter mail sink")])
        names: list[x509.GeneralName] = [x509.DNSName("localhost")]
        try:
            names.append(x509.IPAddress(ipaddress.ip_address(self.host)))
        except ValueError:
            names.append(x509.DNSName(self.host))
        now = dt.datetime.now(dt.UTC)
        certificate = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=2))
            .add_extension(x509.SubjectAlternativeName(names), critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256())
        )
        self._certificate_pem = certificate.public_bytes(serialization.Encoding.PEM).decode()
        self._tls_dir = Path(tempfile.mkdtemp(prefix="mail-sink-tls-"))
        cert_file, key_file = self._tls_dir / "cert.pem", self._tls_dir / "key.pem"
        cert_file.write_text(self._certificate_pem)
        key_file.write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert_file, key_file)
        self._server_tls = context

    # -- read API --------------------------------------------------------------------------

    def _start_http(self) -> None:
        server = _ReadApiServer((self.host, self.http_port), _ReadApi)
        assert self.store is not None
        server.store = self.store
        self._http = server
        self.http_port = server.server_address[1]
        self._http_thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.1},
            name="mail-sink-http",
            daemon=True,
        )
        self._http_thread.start()


def extract_link(text: str, path_prefix: str) -> str:
    """The one link in ``text`` whose path (or whole URL) starts with ``path_prefix``.

    Give it a message's plain-text body. The same link written twice (Norwegian and
    English) counts once; none, or two different ones, raise :class:`LookupError`.
    """
    found: list[str] = []
    for match in _URL.findall(text):
        url = match.rstrip(".,;:!?)]")
        if (url.startswith(path_prefix) or urlsplit(url).path.startswith(path_prefix)) and (
            url not in found
        ):
            found.append(url)
    if len(found) != 1:
        raise LookupError(f"expected one link under {path_prefix!r}, found {len(found)}")
    return found[0]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m simulators.mail",
        description="SMTP mail sink with a JSON read API, for tests and the local stack.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (loopback)")
    parser.add_argument("--smtp-port", type=int, default=8025, help="SMTP port (0: any free)")
    parser.add_argument("--http-port", type=int, default=8026, help="read API port (0: any)")
    parser.add_argument("--dir", default="var/mail", help="where .eml files and index.json go")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")

    stopping = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stopping.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    sink = MailSink(args.smtp_port, args.http_port, args.dir, host=args.host).start()
    print(
        f"mail sink ready: smtp {sink.host}:{sink.smtp_port}, read api {sink.http_url}, "
        f"dir {sink.directory}",
        flush=True,
    )
    try:
        stopping.wait()
    finally:
        sink.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
