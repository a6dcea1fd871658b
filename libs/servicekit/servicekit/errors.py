"""Errors a service raises on purpose, and how to tell a database outage apart.

Pure: no web framework here, so domain modules may raise these. ``servicekit.problems``
renders them as RFC 9457 ``application/problem+json``.
"""

from __future__ import annotations

import socket
from typing import Any


class DomainError(Exception):
    """Base of errors a service raises on purpose; rendered as problem+json.

    Subclasses set ``status`` and ``type`` (a short slug); ``detail`` is for people.
    """

    status: int = 400
    type: str = "bad-request"
    title: str = "Bad request"
    headers: dict[str, str] | None = None

    def __init__(self, detail: str, *, errors: list[dict[str, Any]] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = errors or []


class NotFound(DomainError):
    status, type, title = 404, "not-found", "Not found"


class Conflict(DomainError):
    status, type, title = 409, "conflict", "Conflict"


class Forbidden(DomainError):
    status, type, title = 403, "forbidden", "Forbidden"


class Unauthorized(DomainError):
    status, type, title = 401, "unauthorized", "Authentication required"
    headers = {"WWW-Authenticate": 'Bearer realm="infocenter"'}


def is_database_unavailable(exc: BaseException) -> bool:
    """True when ``exc`` (or its cause) means the database cannot be reached right now."""
    import asyncpg
    from sqlalchemy import exc as sa_exc

    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, sa_exc.DBAPIError) and current.connection_invalidated:
            return True
        if isinstance(
            current,
            (
                ConnectionError,
                socket.gaierror,
                TimeoutError,
                asyncpg.exceptions.ConnectionDoesNotExistError,
                asyncpg.exceptions.CannotConnectNowError,
                asyncpg.exceptions.AdminShutdownError,
                asyncpg.exceptions.ConnectionFailureError,
                asyncpg.exceptions.TooManyConnectionsError,
            ),
        ):
            return True
        if isinstance(current, OSError) and current.errno is not None:
            return True
        orig = getattr(current, "orig", None)  # SQLAlchemy keeps the driver's error here
        current = (
            orig if isinstance(orig, BaseException) else (current.__cause__ or current.__context__)
        )
    return False
