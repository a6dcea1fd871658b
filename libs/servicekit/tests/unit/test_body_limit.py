"""Request bodies are bounded as they stream in (``servicekit.body_limit``)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI, Request
from pydantic import BaseModel
from servicekit.body_limit import BodyLimitMiddleware, BodyLimits
from servicekit.problems import install_problem_handlers

LIMIT = 1000
UPLOAD_LIMIT = 50_000


class Note(BaseModel):
    text: str


def _app(read: list[int]) -> FastAPI:
    app = FastAPI()
    install_problem_handlers(app)
    app.add_middleware(
        BodyLimitMiddleware,
        limits=BodyLimits(
            LIMIT,
            {("POST", "/files"): UPLOAD_LIMIT, ("POST", "/settlements/*/answer"): UPLOAD_LIMIT},
        ),
    )

    @app.post("/notes")
    async def note(body: Note) -> dict[str, int]:
        return {"length": len(body.text)}

    async def count(request: Request) -> dict[str, int]:
        size = 0
        async for chunk in request.stream():
            size += len(chunk)
            read.append(size)
        return {"size": size}

    app.add_api_route("/files", count, methods=["POST"])
    app.add_api_route("/settlements/{sid}/answer", count, methods=["POST"])
    app.add_api_route("/other", count, methods=["POST"])
    return app


async def _chunks(total: int, size: int = 100) -> AsyncIterator[bytes]:
    sent = 0
    while sent < total:
        yield b"x" * min(size, total - sent)
        sent += size


@pytest.fixture
def read() -> list[int]:
    return []


@pytest.fixture
async def client(read: list[int]) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=_app(read))
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        yield client


def _assert_too_large(response: httpx.Response, limit: int) -> None:
    assert response.status_code == 413, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["type"].endswith("/payload-too-large")
    assert str(limit) in body["detail"]


async def test_a_declared_length_over_the_limit_is_refused_before_reading(
    client: httpx.AsyncClient, read: list[int]
) -> None:
    response = await client.post("/other", content=b"x" * (LIMIT + 1))

    _assert_too_large(response, LIMIT)
    assert read == []


async def test_a_streamed_body_is_cut_off_at_the_limit(
    client: httpx.AsyncClient, read: list[int]
) -> None:
    response = await client.post("/other", content=_chunks(10 * LIMIT))

    _assert_too_large(response, LIMIT)
    assert max(read, default=0) <= LIMIT  # nothing past the limit reached the endpoint


async def test_a_json_body_over_the_limit_is_413_not_a_validation_error(
    client: httpx.AsyncClient,
) -> None:
    big = b'{"text": "' + b"a" * 5 * LIMIT + b'"}'

    declared = await client.post(
        "/notes", content=big, headers={"content-type": "application/json"}
    )
    streamed = await client.post(
        "/notes",
        content=_chunks_of(big),
        headers={"content-type": "application/json"},
    )

    _assert_too_large(declared, LIMIT)
    _assert_too_large(streamed, LIMIT)


async def _chunks_of(data: bytes) -> AsyncIterator[bytes]:
    for i in range(0, len(data), 100):
        yield data[i : i + 100]


async def test_bodies_within_their_limits_pass(client: httpx.AsyncClient) -> None:
    note = await client.post("/notes", json={"text": "hei"})
    file = await client.post("/files", content=_chunks(UPLOAD_LIMIT))
    answer = await client.post("/settlements/abc/answer", content=b"x" * UPLOAD_LIMIT)
    exact = await client.post("/other", content=b"x" * LIMIT)

    assert note.json() == {"length": 3}
    assert file.json() == {"size": UPLOAD_LIMIT}
    assert answer.json() == {"size": UPLOAD_LIMIT}
    assert exact.json() == {"size": LIMIT}


async def test_an_upload_has_its_own_larger_limit(client: httpx.AsyncClient) -> None:
    _assert_too_large(await client.post("/files", content=_chunks(UPLOAD_LIMIT + 1)), UPLOAD_LIMIT)
    _assert_too_large(
        await client.post("/settlements/abc/answer", content=b"x" * (UPLOAD_LIMIT + 1)),
        UPLOAD_LIMIT,
    )
    # the pattern is for that operation only
    _assert_too_large(await client.request("GET", "/files", content=b"x" * (LIMIT + 1)), LIMIT)


def test_limits_for_requests() -> None:
    limits = BodyLimits(10, {("POST", "/a"): 20, ("PUT", "/b/*/c"): 30})

    assert limits.for_request("POST", "/a") == 20
    assert limits.for_request("GET", "/a") == 10
    assert limits.for_request("PUT", "/b/1/c") == 30
    assert limits.for_request("PUT", "/b/1/d") == 10
    assert limits.for_request("POST", "/a/b") == 10
