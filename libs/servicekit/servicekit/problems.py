"""RFC 9457 ``application/problem+json`` rendering of every error a service answers."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from servicekit.context import correlation_id
from servicekit.db import is_database_unavailable
from servicekit.errors import DomainError
from servicekit.types import TEXT_PATTERN

log = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"
PROBLEM_BASE = "https://infocenter.no/problems/"


def problem(
    status: int,
    type_: str,
    title: str,
    detail: str | None = None,
    *,
    instance: str | None = None,
    errors: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
    extensions: dict[str, Any] | None = None,
) -> JSONResponse:
    """A problem+json response. ``errors`` lists ``{field, reason}`` pairs; ``extensions``
    are further members (RFC 9457 §3.2), such as the id of what the problem is about.
    ``request_id`` (the ``X-Request-ID`` of the request, when one is being served) is
    always added, so a client can quote it to support."""
    body: dict[str, Any] = {**(extensions or {})}
    body.update({"type": PROBLEM_BASE + type_, "title": title, "status": status})
    if detail:
        body["detail"] = detail
    if instance:
        body["instance"] = instance
    if errors:
        body["errors"] = errors
    request_id = correlation_id.get()
    if request_id is not None and "request_id" not in body:
        body["request_id"] = str(request_id)
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


_LOCATIONS = ("body", "query", "path", "header", "cookie")


def _field(loc: tuple[Any, ...] | list[Any]) -> str:
    """``("body", "claims", 0, "due_date")`` → ``claims.0.due_date``; a field may itself be
    called ``body`` (a note's), so only the first part is taken for the location."""
    parts = [str(p) for p in loc]
    if len(parts) > 1 and parts[0] in _LOCATIONS:
        parts = parts[1:]
    return ".".join(parts)


_TEXT_RULES: dict[str, tuple[str, str]] = {
    # pydantic's error type → the field code and reason of servicekit.types.Text's rules
    "string_pattern_mismatch": ("text_nul", "must not contain the character U+0000 (NUL)"),
    "string_unicode": ("text_unicode", "must be valid Unicode text (no unpaired surrogates)"),
}


def field_error(error: Mapping[str, Any]) -> dict[str, str]:
    """One request-validation error as ``{field, code, reason, location}``.

    ``code`` is stable (pydantic's error type, or ``servicekit.types``' own: ``text_nul``,
    ``date_format`` …) for clients that translate; ``reason`` is for developers.
    """
    loc = error.get("loc", ())
    code, reason = str(error.get("type", "invalid")), str(error.get("msg", "invalid"))
    ctx = error.get("ctx") or {}
    if code == "string_unicode" or (
        code == "string_pattern_mismatch" and ctx.get("pattern") == TEXT_PATTERN
    ):
        code, reason = _TEXT_RULES[code]
    return {
        "field": _field(loc),
        "code": code,
        "reason": reason,
        "location": str(loc[0]) if loc else "body",
    }


def install_problem_handlers(app: FastAPI) -> None:
    """Render validation errors, HTTP errors, domain errors and crashes as problem+json."""

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [field_error(e) for e in exc.errors()]
        return problem(
            422,
            "validation-error",
            "Invalid request",
            "One or more fields are invalid.",
            instance=request.url.path,
            errors=errors,
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        slug = {
            404: "not-found",
            405: "method-not-allowed",
            401: "unauthorized",
            403: "forbidden",
        }.get(exc.status_code, "http-error")
        return problem(
            exc.status_code,
            slug,
            str(exc.detail),
            instance=request.url.path,
            headers=getattr(exc, "headers", None),
        )

    @app.exception_handler(DomainError)
    async def _domain(request: Request, exc: DomainError) -> JSONResponse:
        return problem(
            exc.status,
            exc.type,
            exc.title,
            exc.detail,
            instance=request.url.path,
            errors=exc.errors,
            headers=exc.headers,
            extensions=exc.extensions,
        )

    @app.exception_handler(Exception)
    async def _crash(request: Request, exc: Exception) -> JSONResponse:
        if is_database_unavailable(exc):
            return problem(
                503,
                "unavailable",
                "Service temporarily unavailable",
                "A dependency is unavailable; try again shortly.",
                instance=request.url.path,
                headers={"Retry-After": "5"},
            )
        log.exception("unhandled error", extra={"path": request.url.path})
        return problem(
            500,
            "internal-error",
            "Internal error",
            "Something went wrong on our side; it has been logged.",
            instance=request.url.path,
        )
