"""ClamAV's daemon (clamd) over its INSTREAM protocol: is this file malware?

The protocol (clamd(8)): send ``zINSTREAM\\0``, then the file in chunks, each a 4-byte
big-endian length and the bytes, then a zero length; clamd answers one NUL-terminated line,
``stream: OK`` or ``stream: <signature> FOUND`` (or ``… ERROR``). Anything else — no
connection, a timeout, an error line — means the file could not be scanned: the caller keeps
it held, never released.
"""

from __future__ import annotations

import asyncio
import struct
from dataclasses import dataclass
from typing import Literal, Protocol

CHUNK_BYTES = 64 * 1024
MAX_REPLY_BYTES = 4096
"""clamd's answer is one short line; more is not clamd."""


class ScannerUnavailable(Exception):
    """The file could not be scanned (clamd down, slow, or answering an error)."""


@dataclass(frozen=True)
class Verdict:
    outcome: Literal["clean", "infected"]
    signature: str | None = None
    """The malware's name (``Eicar-Test-Signature``) when infected."""


class Scanner(Protocol):
    async def scan(self, data: bytes) -> Verdict: ...


def parse_reply(reply: bytes) -> Verdict:
    """clamd's INSTREAM answer as a verdict; an error or a strange line is unavailability."""
    line = reply.rstrip(b"\0\n").decode("utf-8", "replace")
    _, sep, result = line.partition(": ")
    if not sep:
        raise ScannerUnavailable("clamd answered without a result")
    if result == "OK":
        return Verdict("clean")
    if result.endswith(" FOUND"):
        return Verdict("infected", result.removesuffix(" FOUND").strip()[:200])
    raise ScannerUnavailable("clamd could not scan the stream")


class ClamdScanner:
    """A clamd reachable over TCP (``host:port``)."""

    def __init__(self, address: str, *, timeout_seconds: float = 30.0) -> None:
        host, _, port = address.rpartition(":")
        self.host, self.port = host or "127.0.0.1", int(port)
        self.timeout = timeout_seconds

    async def scan(self, data: bytes) -> Verdict:
        try:
            return await asyncio.wait_for(self._scan(data), timeout=self.timeout)
        except (OSError, TimeoutError, asyncio.IncompleteReadError) as exc:
            raise ScannerUnavailable(
                f"clamd at {self.host}:{self.port}: {type(exc).__name__}"
            ) from exc

    async def ping(self) -> bool:
        """Whether clamd answers ``PONG`` (readiness)."""
        try:
            reader, writer = await asyncio.wait_for(
                asyncio.open_connection(self.host, self.port), timeout=self.timeout
            )
        except (OSError, TimeoutError):
            return False
        try:
            writer.write(b"zPING\0")
            await writer.drain()
            reply = await asyncio.wait_for(reader.read(MAX_REPLY_BYTES), timeout=self.timeout)
            return reply.rstrip(b"\0\n") == b"PONG"
        except (OSError, TimeoutError):
            return False
        finally:
            writer.close()

    async def _scan(self, data: bytes) -> Verdict:
        reader, writer = await asyncio.open_connection(self.host, self.port)
        try:
            writer.write(b"zINSTREAM\0")
            view = memoryview(data)
            for start in range(0, len(view), CHUNK_BYTES):
                chunk = view[start : start + CHUNK_BYTES]
                writer.write(struct.pack(">I", len(chunk)))
                writer.write(chunk)
                await writer.drain()
            writer.write(struct.pack(">I", 0))
            await writer.drain()
            reply = await reader.readuntil(b"\0")
            return parse_reply(reply[:MAX_REPLY_BYTES])
        except asyncio.LimitOverrunError as exc:
            raise ScannerUnavailable("clamd's answer is too long") from exc
        finally:
            writer.close()
