"""A ZIP archive written as a stream: one member at a time, never the whole archive.

:class:`zipfile.ZipFile` writes to a non-seekable sink with data descriptors after each
member, so the bytes it has written can be handed on at once; memory holds one member's
content (a document) and the compressor's state, whatever the archive's size.
"""

from __future__ import annotations

import zipfile
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

OSLO = ZoneInfo("Europe/Oslo")


class _Sink:
    """A write-only, non-seekable file that keeps what was written until taken."""

    def __init__(self) -> None:
        self.chunks: list[bytes] = []
        self.position = 0

    def write(self, data: bytes) -> int:
        self.chunks.append(bytes(data))
        self.position += len(data)
        return len(data)

    def tell(self) -> int:
        return self.position

    def flush(self) -> None:
        return None

    def take(self) -> bytes:
        data, self.chunks = b"".join(self.chunks), []
        return data


async def zip_stream(
    members: Sequence[tuple[str, datetime]],
    content_of: Callable[[int], Awaitable[bytes]],
) -> AsyncIterator[bytes]:
    """The ZIP of ``members`` (name, time); ``content_of(i)`` fetches member ``i``'s bytes
    when its turn comes. Names are made unique (``name (2).pdf``)."""
    sink = _Sink()
    seen: dict[str, int] = {}
    with zipfile.ZipFile(sink, mode="w", compression=zipfile.ZIP_DEFLATED) as archive:  # type: ignore[call-overload]
        for index, (name, at) in enumerate(members):
            count = seen.get(name, 0) + 1
            seen[name] = count
            if count > 1:
                stem, dot, extension = name.rpartition(".")
                name = f"{stem} ({count}).{extension}" if dot else f"{name} ({count})"
            local = at.astimezone(OSLO)
            info = zipfile.ZipInfo(name, date_time=local.timetuple()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, await content_of(index))
            yield sink.take()
    yield sink.take()
