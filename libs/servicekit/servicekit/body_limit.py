"""Request bodies bounded as they stream in: 413 before a byte too many is read.

Every request is held to a limit: a small one for ordinary (JSON) bodies, and a larger one
only for the operations that take files, named explicitly. A declared ``Content-Length``
over the limit is refused before the application runs; a body that grows past the limit
(chunked, or lying about its length) stops the application's reading with
:class:`BodyTooLarge`, and the answer is 413 whatever the application made of it (FastAPI
turns a failed body read into a 400, for one), unless it had already begun answering.
Nothing beyond the limit is ever buffered, whatever the application does with the body.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from fnmatch import fnmatchcase

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from servicekit.errors import DomainError

DEFAULT_MAX_BODY_BYTES = 1024 * 1024
"""An ordinary request body: a registration, a note, a form (1 MiB)."""


class BodyTooLarge(DomainError):
    """The request body passed its limit while it was read (413 ``payload-too-large``)."""

    status, type, title = 413, "payload-too-large", "Payload too large"

    def __init__(self, limit: int) -> None:
        super().__init__(f"The request body may be at most {limit} bytes.")
        self.limit = limit


@dataclass(frozen=True)
class BodyLimits:
    """How many bytes a request body may have: ``default`` unless its operation is named.

    ``uploads`` maps ``(method, path)`` to the limit of an operation that takes a file
    (the path as routed, exact or a :mod:`fnmatch` pattern such as ``/settlements/*/answer``).
    """

    default: int = DEFAULT_MAX_BODY_BYTES
    uploads: Mapping[tuple[str, str], int] = field(default_factory=dict)

    def for_request(self, method: str, path: str) -> int:
        limit = self.uploads.get((method, path))
        if limit is not None:
            return limit
        for (m, pattern), value in self.uploads.items():
            if m == method and "*" in pattern and fnmatchcase(path, pattern):
                return value
        return self.default


def _declared_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


def _problem(limit: int) -> tuple[bytes, list[tuple[bytes, bytes]]]:
    body = json.dumps(
        {
            "type": "https://infocenter.no/problems/payload-too-large",
            "title": "Payload too large",
            "status": 413,
            "detail": f"The request body may be at most {limit} bytes.",
            "limit_bytes": limit,
        }
    ).encode()
    headers = [
        (b"content-type", b"application/problem+json"),
        (b"content-length", str(len(body)).encode()),
    ]
    return body, headers


class BodyLimitMiddleware:
    """ASGI middleware holding every HTTP request body to :class:`BodyLimits`."""

    def __init__(self, app: ASGIApp, *, limits: BodyLimits | Callable[[], BodyLimits]) -> None:
        self.app = app
        self._limits = limits

    @property
    def limits(self) -> BodyLimits:
        return self._limits() if callable(self._limits) else self._limits

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limits.for_request(scope.get("method", "GET"), scope.get("path", ""))
        declared = _declared_length(scope)
        if declared is not None and declared > limit:
            await _refuse(send, limit)
            return
        received = 0
        tripped = False
        started = False

        async def bounded_receive() -> Message:
            nonlocal received, tripped
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    tripped = True
                    raise BodyTooLarge(limit)
            return message

        async def watched_send(message: Message) -> None:
            nonlocal started
            if tripped and not started:
                return  # whatever the app made of the cut-off body: the answer is 413
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, bounded_receive, watched_send)
        except Exception:
            if not tripped or started:
                raise
        if tripped and not started:
            await _refuse(send, limit)


async def _refuse(send: Send, limit: int) -> None:
    body, headers = _problem(limit)
    await send({"type": "http.response.start", "status": 413, "headers": headers})
    await send({"type": "http.response.body", "body": body, "more_body": False})
