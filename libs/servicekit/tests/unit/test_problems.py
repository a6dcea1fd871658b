"""Every error a service answers is RFC 9457 problem+json, never a bare 500."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI, HTTPException
from opentelemetry import trace
from pydantic import BaseModel, Field
from servicekit.errors import Conflict, DomainError
from servicekit.http import RequestContextMiddleware
from servicekit.problems import install_problem_handlers

pytestmark = pytest.mark.unit


class Body(BaseModel):
    amount_ore: int = Field(ge=0)
    reference: str = Field(min_length=1)


class Overdrawn(DomainError):
    status, type, title = 422, "overdrawn", "Overdrawn"


def app() -> FastAPI:
    application = FastAPI()
    application.add_middleware(RequestContextMiddleware, service="test")
    install_problem_handlers(application)

    @application.post("/things")
    async def things(body: Body) -> dict[str, int]:
        if body.reference == "dup":
            raise Conflict("Already registered.")
        if body.reference == "over":
            raise Overdrawn("Too much.", errors=[{"field": "amount_ore", "reason": "too large"}])
        if body.reference == "http":
            raise HTTPException(status_code=403, detail="Nope")
        if body.reference == "boom":
            raise RuntimeError("secret internals")
        return {"amount_ore": body.amount_ore}

    return application


@pytest.fixture
def client() -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app(), raise_app_exceptions=False)
    return httpx.AsyncClient(transport=transport, base_url="http://test")


async def test_validation_errors_name_field_and_reason(client: httpx.AsyncClient) -> None:
    response = await client.post("/things", json={"amount_ore": -1, "reference": ""})
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["type"].endswith("/validation-error")
    assert {e["field"] for e in problem["errors"]} == {"amount_ore", "reference"}
    assert all(e["reason"] for e in problem["errors"])


async def test_malformed_json_is_a_problem_not_a_crash(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/things", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize(
    ("reference", "status", "slug"),
    [("dup", 409, "conflict"), ("over", 422, "overdrawn"), ("http", 403, "forbidden")],
)
async def test_domain_and_http_errors(
    client: httpx.AsyncClient, reference: str, status: int, slug: str
) -> None:
    response = await client.post("/things", json={"amount_ore": 1, "reference": reference})
    assert response.status_code == status
    assert response.json()["type"].endswith("/" + slug)
    assert response.json()["instance"] == "/things"


async def test_unexpected_error_is_500_problem_without_internals(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post("/things", json={"amount_ore": 1, "reference": "boom"})
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    assert "secret" not in response.text


async def test_unknown_route_is_404_problem(client: httpx.AsyncClient) -> None:
    response = await client.get("/nowhere")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"


async def test_request_id_is_echoed_or_made(client: httpx.AsyncClient) -> None:
    given = "3f0b2a1c-6a0e-4a55-9d6c-0d2f3f2b9a10"
    response = await client.post(
        "/things", json={"amount_ore": 1, "reference": "x"}, headers={"x-request-id": given}
    )
    assert response.headers["x-request-id"] == given
    response = await client.post(
        "/things", json={"amount_ore": 1, "reference": "x"}, headers={"x-request-id": "<script>"}
    )
    assert response.headers["x-request-id"] != "<script>"
    assert len(response.headers["x-request-id"]) == 36


async def test_header_bytes_that_are_not_utf8_are_no_crash(client: httpx.AsyncClient) -> None:
    response = await client.get(
        "/nowhere", headers={"x-request-id": b"\xff\xfe", "x-other": b"\xe9"}
    )
    assert response.status_code == 404
    assert len(response.headers["x-request-id"]) == 36


async def test_edge_app_puts_the_request_id_even_on_a_crash() -> None:
    from opentelemetry.sdk.trace import TracerProvider
    from servicekit.http import EdgeApp

    application = EdgeApp(service="test")
    install_problem_handlers(application)
    seen: list[int] = []

    @application.get("/boom")
    async def boom() -> None:
        seen.append(trace.get_current_span().get_span_context().trace_id)
        raise RuntimeError("crash")

    transport = httpx.ASGITransport(app=application, raise_app_exceptions=False)
    tracer = TracerProvider().get_tracer("test")
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        with tracer.start_as_current_span("left over from another request") as stale:
            response = await client.get("/boom")
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    assert len(response.headers["x-request-id"]) == 36
    # the request did not run inside the span that was current when it arrived
    assert seen
    assert seen[0] != stale.get_span_context().trace_id
