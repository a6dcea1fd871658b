"""No API answer may be kept by a cache unless it says so itself (ASVS 5.0 14.3.2)."""

from __future__ import annotations

import uuid

import httpx
import pytest
from fastapi import APIRouter, FastAPI, HTTPException, Response
from pydantic import BaseModel
from servicekit.http import EdgeApp
from servicekit.problems import install_problem_handlers

pytestmark = pytest.mark.unit

PUBLIC = "public, max-age=30"


class Debtor(BaseModel):
    name: str
    balance_ore: int


def service_app() -> FastAPI:
    """An app built as every service's is: the edge, problem+json, routers."""
    app = EdgeApp(service="test", title="test")
    install_problem_handlers(app)
    router = APIRouter(prefix="/api/v1/things")

    @router.get("/{thing_id}")
    async def get_thing(thing_id: uuid.UUID) -> Debtor:
        return Debtor(name="Kari Nordmann", balance_ore=125_000)

    @router.get("")
    async def list_things(page: int = 1) -> list[Debtor]:
        return []

    @router.get("/{thing_id}/missing")
    async def missing(thing_id: uuid.UUID) -> None:
        raise HTTPException(404, "No such thing.")

    @router.get("/{thing_id}/crash")
    async def crash(thing_id: uuid.UUID) -> None:
        raise RuntimeError("boom")

    @router.get("/.well-known/keys")
    async def public_keys(response: Response) -> dict[str, str]:
        response.headers["Cache-Control"] = PUBLIC
        return {}

    app.include_router(router)
    return app


def _concrete(path: str) -> str:
    return path.replace("{thing_id}", str(uuid.uuid4()))


async def test_every_get_operation_of_the_openapi_answers_no_store() -> None:
    app = service_app()
    operations = [path for path, item in app.openapi()["paths"].items() if "get" in item]
    assert len(operations) == 5
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    seen: dict[str, tuple[int, str | None]] = {}
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        for path in operations:
            response = await client.get(_concrete(path))
            seen[path] = (response.status_code, response.headers.get("cache-control"))
        invalid = await client.get("/api/v1/things/not-a-uuid")
        unknown = await client.get("/api/v1/nowhere")

    assert seen == {
        "/api/v1/things/{thing_id}": (200, "no-store"),
        "/api/v1/things": (200, "no-store"),
        "/api/v1/things/{thing_id}/missing": (404, "no-store"),
        "/api/v1/things/{thing_id}/crash": (500, "no-store"),
        "/api/v1/things/.well-known/keys": (200, PUBLIC),  # its own policy is kept
    }
    assert (invalid.status_code, invalid.headers["cache-control"]) == (422, "no-store")
    assert (unknown.status_code, unknown.headers["cache-control"]) == (404, "no-store")
    assert unknown.headers.get_list("cache-control") == ["no-store"]
