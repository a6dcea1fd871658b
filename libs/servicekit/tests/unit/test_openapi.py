"""The OpenAPI document of a service names the problem+json answers it really gives."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from fastapi import APIRouter, Depends, FastAPI
from pydantic import BaseModel, Field
from servicekit.auth import CurrentPrincipal, require_agency_admin
from servicekit.errors import NotFound
from servicekit.idempotency import IdempotencyKeyHeader, check_key
from servicekit.openapi import PROBLEM_REF, PROBLEM_SCHEMA, document_problems, problem_responses
from servicekit.problems import PROBLEM_JSON, install_problem_handlers

pytestmark = pytest.mark.unit


class Body(BaseModel):
    reference: str = Field(min_length=1)


def app() -> FastAPI:
    application = FastAPI()
    application.state.token_verifier = object()  # never reached: no token is sent
    install_problem_handlers(application)

    router = APIRouter(prefix="/things")

    @router.post(
        "/{thing_id}",
        responses=problem_responses(404, 409),
        dependencies=[Depends(require_agency_admin)],
    )
    async def post_thing(thing_id: int, body: Body) -> dict[str, str]:
        raise NotFound("No such thing.")

    application.include_router(router)  # routes of included routers are found too

    @application.get("/me")
    async def me(principal: CurrentPrincipal) -> dict[str, str]:
        return {"user": str(principal.user_id)}

    @application.post("/notes")
    async def note(body: Body) -> dict[str, str]:
        return {"reference": body.reference}

    @application.post("/notes/{note_id}/read", status_code=204)
    async def read(note_id: int, idempotency_key: IdempotencyKeyHeader = None) -> None:
        check_key(idempotency_key or "-")

    document_problems(application)
    return application


def problem_statuses(operation: dict[str, Any]) -> set[str]:
    return {
        status
        for status, response in operation["responses"].items()
        if response.get("content", {}).get(PROBLEM_JSON, {}).get("schema") == {"$ref": PROBLEM_REF}
    }


def test_every_operation_names_its_problem_answers() -> None:
    document = app().openapi()
    paths = document["paths"]
    thing = problem_statuses(paths["/things/{thing_id}"]["post"])
    assert thing == {"400", "401", "403", "404", "409", "422", "503"}
    assert problem_statuses(paths["/me"]["get"]) == {"401", "422", "503"}
    assert problem_statuses(paths["/notes"]["post"]) == {"400", "422"}
    assert list(paths["/notes"]["post"]["responses"]) == ["200", "400", "422"]
    # no body, but a key that is not printable ASCII is a 400 all the same
    assert problem_statuses(paths["/notes/{note_id}/read"]["post"]) == {"400", "422"}
    schemas = document["components"]["schemas"]
    assert schemas["Problem"] == PROBLEM_SCHEMA
    assert "HTTPValidationError" not in schemas  # FastAPI's shape, never sent
    assert "ValidationError" not in schemas
    assert "application/json" not in paths["/notes"]["post"]["responses"]["422"]["content"]


def test_the_document_is_amended_once() -> None:
    application = app()
    first = application.openapi()
    assert application.openapi() is first
    assert list(first["paths"]["/me"]["get"]["responses"]) == ["200", "401", "422", "503"]


@pytest.mark.parametrize(
    ("method", "path", "body", "status"),
    [
        ("POST", "/things/1", {"reference": "x"}, 401),
        ("GET", "/me", None, 401),
        ("POST", "/notes", {"reference": "x"}, 200),
        ("POST", "/notes/1/read", None, 204),
    ],
)
async def test_the_answers_are_what_the_document_says(
    method: str, path: str, body: dict[str, str] | None, status: int
) -> None:
    transport = httpx.ASGITransport(app=app())
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        response = await client.request(method, path, json=body)
    assert response.status_code == status
    if status >= 400:
        assert response.headers["content-type"] == PROBLEM_JSON
        assert set(PROBLEM_SCHEMA["required"]) <= set(response.json())


async def test_a_validation_error_matches_the_problem_schema() -> None:
    transport = httpx.ASGITransport(app=app())
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        response = await client.post("/notes", json={"reference": ""})
    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM_JSON
    problem = response.json()
    assert set(PROBLEM_SCHEMA["required"]) <= set(problem) <= set(PROBLEM_SCHEMA["properties"])
    item_keys = set(PROBLEM_SCHEMA["properties"]["errors"]["items"]["properties"])
    assert problem["errors"]
    for error in problem["errors"]:
        assert {"field", "reason"} <= set(error) <= item_keys
