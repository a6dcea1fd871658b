"""Errors a service raises on purpose, and how to tell a database outage apart.

Pure: no web framework or database driver here, so domain modules may raise these.
``servicekit.problems`` renders them as RFC 9457 ``application/problem+json``.
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """Base of errors a service raises on purpose; rendered as problem+json.

    Subclasses set ``status`` and ``type`` (a short slug); ``detail`` is for people.
    """

    status: int = 400
    type: str = "bad-request"
    title: str = "Bad request"
    headers: dict[str, str] | None = None
    extensions: dict[str, Any] | None = None
    """Further members of the problem (RFC 9457 §3.2), e.g. the id of an order that failed."""

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


class ServiceUnavailable(DomainError):
    """A dependency this request needs cannot answer now; the client may try again."""

    status, type, title = 503, "unavailable", "Service temporarily unavailable"
    headers = {"Retry-After": "5"}
