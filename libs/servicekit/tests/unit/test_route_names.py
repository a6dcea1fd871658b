"""Span names keep their route templates when the route look-up is remembered per app."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind
from servicekit import telemetry
from servicekit.testing.http import asgi_client

pytestmark = pytest.mark.unit


def _app(provider: TracerProvider) -> FastAPI:
    app = FastAPI()

    @app.get("/items/special")
    async def special() -> dict[str, str]:
        return {"item": "special"}

    @app.get("/items/{item_id}")
    async def item(item_id: str) -> dict[str, str]:
        return {"item": item_id}

    @app.api_route("/api/{path:path}", methods=["GET", "POST"])
    async def anything(path: str) -> dict[str, str]:
        return {"path": path}

    telemetry.remember_route_names()
    FastAPIInstrumentor.instrument_app(app, tracer_provider=provider)
    return app


async def test_span_names_are_the_routes_and_the_answers_are_remembered_boundedly(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    memory = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(memory))
    app = _app(provider)
    monkeypatch.setattr(telemetry, "ROUTE_NAMES_PER_APP", 3)
    async with asgi_client(app) as client:
        for path in ("/items/1", "/items/special", "/items/1", "/api/v1/x", "/api/v1/y"):
            assert (await client.get(path)).status_code == 200
        assert (await client.post("/api/v1/x")).status_code == 200
    names = [s.name for s in memory.get_finished_spans() if s.kind is SpanKind.SERVER]
    assert names == [
        "GET /items/{item_id}",
        "GET /items/special",
        "GET /items/{item_id}",
        "GET /api/{path:path}",
        "GET /api/{path:path}",
        "POST /api/{path:path}",
    ]
    remembered = app.__dict__["_servicekit_route_names"]
    assert [key[1:] for key in remembered] == [
        ("GET", "", "/api/v1/x"),
        ("GET", "", "/api/v1/y"),
        ("POST", "", "/api/v1/x"),
    ]
    telemetry.remember_route_names()  # a second call does not wrap it twice
    from opentelemetry.instrumentation import fastapi as instrumentation

    assert instrumentation._get_route_details.__servicekit_remembering__  # type: ignore[attr-defined]
    FastAPIInstrumentor.uninstrument_app(app)


async def test_every_uuid_in_a_path_finds_the_route_once() -> None:
    memory = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(memory))
    app = _app(provider)
    ids = ["0b6f6f2e-3f0a-4c8e-9d41-1c2b3a4d5e6f", "f1e2d3c4-b5a6-4789-8abc-def012345678"]
    async with asgi_client(app) as client:
        for path in (f"/items/{ids[0]}", f"/items/{ids[1]}", f"/api/{ids[0]}/x", "/items/A-B"):
            assert (await client.get(path)).status_code == 200
    names = [s.name for s in memory.get_finished_spans() if s.kind is SpanKind.SERVER]
    assert names == [
        "GET /items/{item_id}",
        "GET /items/{item_id}",
        "GET /api/{path:path}",
        "GET /items/{item_id}",
    ]
    remembered = app.__dict__["_servicekit_route_names"]
    assert [key[3] for key in remembered] == ["/items/{uuid}", "/api/{uuid}/x", "/items/A-B"]
    FastAPIInstrumentor.uninstrument_app(app)
