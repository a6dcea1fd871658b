"""The portal's calls to the services: the same ``/api/v1`` the mobile clients use.

The portal's server side sends each call straight to the service the route table names,
over the gateway's shared upstream client, with the signed-in person's access token as
``Authorization: Bearer`` (the browser holds it only in an HttpOnly cookie). A service's
problem+json answer becomes an :class:`ApiProblem` that pages turn into messages.
"""

from __future__ import annotations

import contextlib
import json
import re
import uuid
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx
from fastapi import Request
from opentelemetry import propagate

from gateway.headers import forwarded_headers
from gateway.routes import resolve
from gateway.upstream import Upstreams, correlation_headers

Params = Mapping[str, Any] | list[tuple[str, Any]] | None


@dataclass(frozen=True)
class FieldProblem:
    """One field's problem: its stable ``code`` (and the ``values`` the code's words need,
    such as ``case_number``) is what a page translates; ``reason`` is the service's own
    English, for developers and the English page's last resort."""

    field: str
    reason: str
    code: str = ""
    values: tuple[tuple[str, str | int], ...] = ()


_FIELD_MEMBERS = frozenset({"field", "reason", "message", "code", "location"})


def _field_problem(error: Mapping[str, Any]) -> FieldProblem:
    values = tuple(
        (str(name), value)
        for name, value in error.items()
        if name not in _FIELD_MEMBERS
        and isinstance(value, str | int)
        and not isinstance(value, bool)
    )
    return FieldProblem(
        str(error.get("field", "")),
        str(error.get("reason", error.get("message", ""))),
        str(error.get("code", "")),
        values,
    )


@dataclass
class ApiProblem(Exception):
    """A service (or the way to it) said no: RFC 9457 problem details, parsed."""

    status: int
    title: str = ""
    detail: str = ""
    type: str = ""
    errors: list[FieldProblem] = field(default_factory=list)
    retry_after: int | None = None
    extensions: dict[str, Any] = field(default_factory=dict)
    """The problem's own members beyond RFC 9457's (``order_id``, a new price, …): only
    the scalars and lists of scalars a page may use, never shown as they are."""

    def __str__(self) -> str:
        return f"{self.status} {self.title}: {self.detail}"

    @classmethod
    def of(cls, response: httpx.Response, body: bytes) -> ApiProblem:
        try:
            data = json.loads(body) if body else {}
        except ValueError:
            data = {}
        if not isinstance(data, dict):
            data = {}
        errors = [_field_problem(e) for e in data.get("errors") or [] if isinstance(e, dict)]
        retry = response.headers.get("retry-after", "")
        extensions = {
            str(name): value
            for name, value in data.items()
            if name not in _STANDARD_MEMBERS and _scalar_or_list(value)
        }
        return cls(
            status=response.status_code,
            title=str(data.get("title", "")),
            detail=str(data.get("detail", "")),
            type=str(data.get("type", "")),
            errors=errors,
            retry_after=int(retry) if retry.isdigit() else None,
            extensions=extensions,
        )

    @classmethod
    def unreachable(cls, status: int) -> ApiProblem:
        return cls(status=status, title="Service unavailable", type="service-unavailable")

    @classmethod
    def no_such_path(cls) -> ApiProblem:
        """A path no service could be asked for (a NUL in an id taken from the page's
        own path): nothing is there."""
        return cls(status=404, title="Not found", type="not-found")


MAX_ERROR_BYTES = 256 * 1024
_STANDARD_MEMBERS = frozenset({"type", "title", "status", "detail", "instance", "errors"})


def _scalar_or_list(value: Any) -> bool:
    scalars = (str, int, float, bool)
    if isinstance(value, list):
        return len(value) <= 50 and all(isinstance(v, scalars) for v in value)
    return isinstance(value, scalars)


_IDEMPOTENCY_KEY = re.compile(r"^[\x21-\x7e]{1,200}$")
"""What a service takes as an ``Idempotency-Key`` (the forms' hidden field holds a UUID)."""


def _header_value(value: str) -> str:
    """A browser's header value that the HTTP client can send: httpx encodes header text
    as ASCII and would fail on an ``é`` in a User-Agent (it becomes ``?``)."""
    return value.encode("ascii", "replace").decode("ascii")


class Backend:
    """Calls the services on behalf of one request (and one signed-in person, if any)."""

    def __init__(self, upstreams: Upstreams, request: Request, token: str | None) -> None:
        self.upstreams = upstreams
        self.request = request
        self.token = token

    def _headers(self, extra: Mapping[str, str] | None) -> dict[str, str]:
        request = self.request
        headers: dict[str, str] = {"accept": "application/json"}
        for name in ("user-agent", "accept-language"):
            value = request.headers.get(name)
            if value:
                headers[name] = _header_value(value)
        if self.token:
            headers["authorization"] = f"Bearer {self.token}"
        client = request.scope.get("client")
        headers.update(
            forwarded_headers(
                client_host=client[0] if client else None,
                scheme=request.scope.get("scheme", "http"),
                host=request.headers.get("host"),
            )
        )
        headers.update(correlation_headers())
        propagate.inject(headers)
        if extra:
            headers.update(extra)
        key = headers.get("idempotency-key")
        if key is not None and not _IDEMPOTENCY_KEY.fullmatch(key):
            # From a form's hidden field, changed on the way (a person never types it):
            # a new key, rather than a header the HTTP client refuses to send.
            headers["idempotency-key"] = new_idempotency_key()
        return headers

    def _url(self, path: str) -> httpx.URL:
        route = resolve(path)
        if route is None:
            raise ValueError(f"no service serves {path}")
        try:
            return httpx.URL(self.upstreams.urls[route.service] + path)
        except (httpx.InvalidURL, UnicodeError):
            raise ApiProblem.no_such_path() from None

    @contextlib.asynccontextmanager
    async def stream(
        self,
        method: str,
        path: str,
        *,
        params: Params = None,
        json_body: Any = None,
        content: bytes | AsyncIterator[bytes] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> AsyncIterator[httpx.Response]:
        """The service's answer, not yet read (for streams); raises :class:`ApiProblem`."""
        client = self.upstreams.client
        request = client.build_request(
            method,
            self._url(path),
            params=params,
            json=json_body,
            content=content,
            headers=self._headers(headers),
        )
        try:
            response = await client.send(request, stream=True)
        except (httpx.ConnectError, httpx.PoolTimeout) as exc:
            raise ApiProblem.unreachable(503) from exc
        except httpx.TimeoutException as exc:
            raise ApiProblem.unreachable(504) from exc
        except httpx.HTTPError as exc:
            raise ApiProblem.unreachable(502) from exc
        try:
            if response.status_code >= 400:
                body = bytearray()
                async for chunk in response.aiter_bytes():
                    body.extend(chunk)
                    if len(body) > MAX_ERROR_BYTES:
                        break
                raise ApiProblem.of(response, bytes(body))
            yield response
        finally:
            await response.aclose()

    async def call(
        self,
        method: str,
        path: str,
        *,
        params: Params = None,
        json_body: Any = None,
        content: bytes | AsyncIterator[bytes] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Any:
        """The JSON answer (``None`` for an empty one); raises :class:`ApiProblem`."""
        _, answer = await self.call_with_status(
            method, path, params=params, json_body=json_body, content=content, headers=headers
        )
        return answer

    async def call_with_status(
        self,
        method: str,
        path: str,
        *,
        params: Params = None,
        json_body: Any = None,
        content: bytes | AsyncIterator[bytes] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> tuple[int, Any]:
        """The status and the JSON answer, for a page that tells a 200 from a 201 (a file
        imported before, or now); raises :class:`ApiProblem`."""
        try:
            async with self.stream(
                method, path, params=params, json_body=json_body, content=content, headers=headers
            ) as response:
                body = await response.aread()
                status = response.status_code
        except httpx.HTTPError as exc:
            raise ApiProblem.unreachable(502) from exc
        if not body:
            return status, None
        try:
            return status, json.loads(body)
        except ValueError as exc:
            raise ApiProblem.unreachable(502) from exc

    async def get(self, path: str, params: Params = None) -> Any:
        return await self.call("GET", path, params=params)

    async def post(self, path: str, body: Any = None, *, idempotency_key: str | None = None) -> Any:
        headers = {"idempotency-key": idempotency_key} if idempotency_key else None
        return await self.call("POST", path, json_body=body, headers=headers)

    async def patch(self, path: str, body: Any) -> Any:
        return await self.call("PATCH", path, json_body=body)

    async def put(self, path: str, body: Any) -> Any:
        return await self.call("PUT", path, json_body=body)

    async def delete(self, path: str) -> Any:
        return await self.call("DELETE", path)


def new_idempotency_key() -> str:
    return str(uuid.uuid4())
