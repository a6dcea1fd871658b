"""A service's OpenAPI document tells the truth about its errors: RFC 9457 problem+json.

FastAPI documents a 422 of its own shape (``HTTPValidationError``, ``application/json``)
that these services never send (``servicekit.problems`` answers every error as
``application/problem+json``), and nothing about 401, 403, 404, 409 …. With
:func:`document_problems` (``Service.create_app`` installs it) the document has:

* one ``Problem`` schema (the body ``servicekit.problems.problem`` writes);
* every 422 as ``application/problem+json`` ``Problem``, and a 400 wherever there is a
  request body (one that is not UTF-8 cannot be read) or an ``Idempotency-Key`` header
  (one that is not printable ASCII cannot be used);
* the statuses of an operation's dependencies, declared with :func:`raises` where the
  dependency is defined (``servicekit.auth``: 401 wherever a caller is needed, 403
  where a role is checked);
* the statuses a route declares itself: ``responses=problem_responses(404, 409)``.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Sequence
from http import HTTPStatus
from typing import Any, TypeVar
from weakref import WeakKeyDictionary

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, iter_route_contexts
from starlette.routing import BaseRoute

from servicekit.idempotency import HEADER as IDEMPOTENCY_KEY
from servicekit.problems import PROBLEM_JSON
from servicekit.scopes import Scopes, dependant_scopes

PROBLEM_SCHEMA_NAME = "Problem"
PROBLEM_REF = f"#/components/schemas/{PROBLEM_SCHEMA_NAME}"

PROBLEM_SCHEMA: dict[str, Any] = {
    "title": PROBLEM_SCHEMA_NAME,
    "description": "RFC 9457 problem details.",
    "type": "object",
    "required": ["type", "title", "status"],
    "properties": {
        "type": {"type": "string", "description": "A URI naming the kind of problem"},
        "title": {"type": "string"},
        "status": {"type": "integer", "description": "The HTTP status"},
        "detail": {"type": "string", "description": "For people: what went wrong"},
        "instance": {"type": "string", "description": "The path asked for"},
        "request_id": {
            "type": "string",
            "description": "The request's `X-Request-ID`: quote it when asking for help",
        },
        "errors": {
            "type": "array",
            "description": "One entry per field that is not right",
            "items": {
                "type": "object",
                "required": ["field", "reason"],
                "properties": {
                    "field": {"type": "string"},
                    "code": {
                        "type": "string",
                        "description": "What is wrong, stable (e.g. `text_nul`, `int_type`, "
                        "`date_format`, `less_than_equal`)",
                    },
                    "reason": {"type": "string"},
                    "location": {"type": "string", "description": "body, path, query, …"},
                },
            },
        },
    },
}

DESCRIPTIONS: dict[int, str] = {
    400: "The body could not be read (not UTF-8 JSON), or the Idempotency-Key cannot be used",
    401: "Not signed in, or the access token is invalid or has expired",
    403: "Not allowed",
    404: "Not found (or not yours to see)",
    409: "In conflict with the current state",
    410: "The link has expired or has been used",
    422: "Invalid request: `errors` names each field and why",
    429: "Too many attempts: wait the seconds `Retry-After` gives",
    503: "Temporarily unavailable (sign-in cannot be checked): try again after `Retry-After`",
}

# FastAPI's own validation-error schemas, dropped once nothing refers to them.
_FASTAPI_VALIDATION_SCHEMAS = ("HTTPValidationError", "ValidationError")

USER_SCHEME = "userToken"
CLIENT_SCHEME = "clientCredentials"
TOKEN_URL = "/api/v1/auth/oauth/token"
SECURITY_SCHEMES: dict[str, Any] = {
    USER_SCHEME: {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
        "description": "A person's access token (sign-in with password and second factor).",
    },
    CLIENT_SCHEME: {
        "type": "oauth2",
        "description": "An organisation's API client: OAuth 2.0 client credentials "
        "(RFC 6749 §4.4). Operations that list scopes here accept its token; every other "
        "operation refuses it (403 `client-not-allowed`).",
        "flows": {"clientCredentials": {"tokenUrl": TOKEN_URL, "scopes": Scopes.DESCRIPTIONS}},
    },
}

_F = TypeVar("_F", bound=Callable[..., Any])
_RAISED: WeakKeyDictionary[Callable[..., Any], tuple[int, ...]] = WeakKeyDictionary()


def problem_response(status: int, description: str | None = None) -> dict[str, Any]:
    """One response object: ``status`` answered as problem+json."""
    return {
        "description": description or DESCRIPTIONS.get(status) or HTTPStatus(status).phrase,
        "content": {PROBLEM_JSON: {"schema": {"$ref": PROBLEM_REF}}},
    }


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """For a route's ``responses=``: the problem statuses it answers beyond the usual."""
    return {status: problem_response(status) for status in statuses}


def raises(*statuses: int) -> Callable[[_F], _F]:
    """Mark a dependency: every operation that depends on it may answer ``statuses``."""

    def mark(dependency: _F) -> _F:
        _RAISED[dependency] = statuses
        return dependency

    return mark


def _dependency_statuses(dependant: Dependant) -> set[int]:
    found = set(_RAISED.get(dependant.call, ())) if dependant.call is not None else set()
    for sub in dependant.dependencies:
        found |= _dependency_statuses(sub)
    return found


def _takes_idempotency_key(operation: dict[str, Any]) -> bool:
    return any(
        isinstance(p, dict) and p.get("in") == "header" and p.get("name") == IDEMPOTENCY_KEY
        for p in operation.get("parameters", ())
    )


def _status_order(item: tuple[str, Any]) -> tuple[bool, str]:
    return not item[0].isdigit(), item[0]


def with_problems(document: dict[str, Any], routes: Sequence[BaseRoute]) -> dict[str, Any]:
    """``document`` (FastAPI's, changed in place) with the problem responses above."""
    paths: dict[str, Any] = document.get("paths") or {}
    for route in iter_route_contexts(routes):
        if not isinstance(route.original_route, APIRoute) or not route.include_in_schema:
            continue
        statuses = _dependency_statuses(route.dependant)
        scopes = dependant_scopes(route.dependant)
        if scopes:
            statuses.add(403)
        for method in route.methods or ():
            operation = paths.get(route.path_format or "", {}).get(method.lower())
            if operation is None:
                continue
            if 401 in statuses:
                security: list[dict[str, list[str]]] = [{USER_SCHEME: []}]
                if scopes:
                    security.append({CLIENT_SCHEME: sorted(scopes)})
                operation["security"] = security
            responses = operation.setdefault("responses", {})
            for status in sorted(statuses):
                responses.setdefault(str(status), problem_response(status))
    for item in paths.values():
        for operation in item.values():
            if not isinstance(operation, dict):
                continue
            responses = operation.setdefault("responses", {})
            if "422" in responses:
                responses["422"] = problem_response(422)
            if "requestBody" in operation or _takes_idempotency_key(operation):
                responses.setdefault("400", problem_response(400))
            operation["responses"] = dict(sorted(responses.items(), key=_status_order))
    components = document.setdefault("components", {})
    components.setdefault("securitySchemes", {}).update(copy.deepcopy(SECURITY_SCHEMES))
    schemas = components.setdefault("schemas", {})
    schemas.setdefault(PROBLEM_SCHEMA_NAME, copy.deepcopy(PROBLEM_SCHEMA))
    for name in _FASTAPI_VALIDATION_SCHEMAS:
        definition = schemas.pop(name, None)
        if definition is not None and f'"#/components/schemas/{name}"' in json.dumps(document):
            schemas[name] = definition  # still used by something else
    return document


def document_problems(app: FastAPI) -> None:
    """Make ``app.openapi()`` document the problem responses (FastAPI builds the document
    again when routes change; each new one is amended once)."""
    generate = app.openapi
    amended: list[dict[str, Any]] = []

    def openapi() -> dict[str, Any]:
        document = generate()
        if not amended or amended[0] is not document:
            amended[:] = [with_problems(document, app.routes)]
        return document

    app.openapi = openapi  # type: ignore[method-assign]  # FastAPI's documented way
