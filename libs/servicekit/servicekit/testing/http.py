"""Calling a service's FastAPI app in-process, and checking problem+json answers."""

from __future__ import annotations

from typing import Any

import httpx
from fastapi import FastAPI

from servicekit.problems import PROBLEM_BASE, PROBLEM_JSON


def asgi_client(app: FastAPI, *, headers: dict[str, str] | None = None) -> httpx.AsyncClient:
    """An ``httpx.AsyncClient`` that calls ``app`` in-process (no lifespan, no sockets)."""
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver", headers=headers
    )


def assert_problem(
    response: httpx.Response, status: int, slug: str | None = None
) -> dict[str, Any]:
    """Check an RFC 9457 problem response; return its body for further checks."""
    assert response.status_code == status, (
        f"expected {status}, got {response.status_code}: {response.text}"
    )
    content_type = response.headers.get("content-type", "")
    assert content_type.startswith(PROBLEM_JSON), f"not problem+json: {content_type}"
    body: dict[str, Any] = response.json()
    assert body["status"] == status, body
    if slug is not None:
        assert body["type"] == PROBLEM_BASE + slug, body
    return body
