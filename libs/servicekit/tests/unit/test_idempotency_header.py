"""The check behind "every POST of the API declares Idempotency-Key"."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from servicekit.idempotency import IdempotencyKeyHeader
from servicekit.testing.idempotency import posts, posts_without_idempotency_key

pytestmark = pytest.mark.unit


def document() -> dict[str, Any]:
    app = FastAPI()

    @app.post("/api/v1/things")
    async def make_thing(idempotency_key: IdempotencyKeyHeader = None) -> None:
        return None

    @app.post("/api/v1/things/{thing_id}/poke")
    async def poke_thing(thing_id: int) -> None:
        return None

    @app.post("/api/v1/sign-in")
    async def sign_in() -> None:
        return None

    @app.put("/api/v1/things/{thing_id}")
    async def put_thing(thing_id: int) -> None:
        return None

    return app.openapi()


def test_a_post_without_the_header_is_named_unless_exempt() -> None:
    found = document()

    assert posts(found) == [
        "POST /api/v1/things",
        "POST /api/v1/things/{thing_id}/poke",
        "POST /api/v1/sign-in",
    ]
    assert posts_without_idempotency_key(found, exempt={"POST /api/v1/sign-in"}) == [
        "POST /api/v1/things/{thing_id}/poke"
    ]


def test_a_header_given_by_reference_counts() -> None:
    found: dict[str, Any] = {
        "paths": {"/a": {"post": {"parameters": [{"$ref": "#/components/parameters/Key"}]}}},
        "components": {
            "parameters": {"Key": {"name": "idempotency-key", "in": "header", "schema": {}}}
        },
    }

    assert posts_without_idempotency_key(found) == []
    assert posts_without_idempotency_key({"paths": {"/a": {"post": {}}}}) == ["POST /a"]
