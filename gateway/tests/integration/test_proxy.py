"""The reverse proxy against real upstream servers: what arrives, what comes back."""

from __future__ import annotations

import hashlib
import re
import tracemalloc
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from servicekit.testing.http import assert_problem

from .support import CHUNK, GatewayFactory, Upstreams, pattern_chunk

pytestmark = pytest.mark.integration

TRACEPARENT = re.compile(r"^00-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}$")


def seen_headers(body: dict[str, Any]) -> dict[str, list[str]]:
    headers: dict[str, list[str]] = {}
    for name, value in body["headers"]:
        headers.setdefault(name, []).append(value)
    return headers


async def test_a_get_reaches_the_owning_service_with_path_query_and_end_to_end_headers(
    gateway: httpx.AsyncClient,
) -> None:
    response = await gateway.get(
        "/api/v1/cases/echo/a/b%20c?x=1&y=%20z&x=2",
        headers={
            "Cookie": "session=abc",
            "Accept": "application/json",
            "Accept-Language": "nb-NO",
            "Idempotency-Key": "key-1",
            "X-Admin-Key": "retired-interim-key",
            "X-Internal-Organisation": "smuggled",
            "X-User-Id": "00000000-0000-0000-0000-000000000001",
            "X-User-Roles": "agency_admin",
            "X-Principal": "someone-else",
            "X-Organisation-Id": "00000000-0000-0000-0000-000000000002",
            "X-Forwarded-For": "203.0.113.9",
            "X-Forwarded-Host": "evil.example",
            "Proxy-Authorization": "Basic c2VjcmV0",
        },
    )

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["service"] == "cases"
    assert body["method"] == "GET"
    assert body["raw_path"] == "/api/v1/cases/echo/a/b%20c"
    assert body["query"] == "x=1&y=%20z&x=2"
    seen = seen_headers(body)
    assert seen["authorization"] == [gateway.headers["authorization"]]
    assert seen["cookie"] == ["session=abc"]
    assert seen["accept"] == ["application/json"]
    assert seen["accept-language"] == ["nb-NO"]
    assert seen["idempotency-key"] == ["key-1"]
    assert "x-admin-key" not in seen  # not on the allow-list
    assert "x-internal-organisation" not in seen
    assert not [h for h in seen if h.startswith(("x-user", "x-principal", "x-organisation"))]
    assert "proxy-authorization" not in seen
    assert seen["x-forwarded-for"] == ["127.0.0.1"]
    assert seen["x-forwarded-proto"] == ["http"]
    assert seen["x-forwarded-host"] == [gateway.base_url.netloc.decode()]
    assert seen["host"] == [f"127.0.0.1:{seen['host'][0].rsplit(':', 1)[1]}"]


async def test_the_response_comes_back_with_status_headers_and_repeated_cookies(
    gateway: httpx.AsyncClient,
) -> None:
    response = await gateway.get("/api/v1/auth/echo/x", params={"status": "418"})

    assert response.status_code == 418
    assert response.headers["x-upstream"] == "auth"
    assert response.headers.get_list("set-cookie") == [
        "a=1; Path=/; HttpOnly",
        "b=2; Path=/; HttpOnly",
    ]
    assert len(response.headers.get_list("date")) == 1
    assert len(response.headers.get_list("server")) <= 1


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE", "OPTIONS"])
async def test_every_method_and_its_body_is_forwarded(
    gateway: httpx.AsyncClient, method: str
) -> None:
    payload = b'{"name": "Kreditor AS", "amount_ore": 12345}'

    response = await gateway.request(
        method,
        "/api/v1/ledger/echo/entries",
        content=payload,
        headers={"Content-Type": "application/json"},
    )

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["method"] == method
    assert body["body_bytes"] == len(payload)
    assert body["body_sha256"] == hashlib.sha256(payload).hexdigest()
    assert seen_headers(body)["content-type"] == ["application/json"]


async def test_head_answers_headers_only(gateway: httpx.AsyncClient) -> None:
    response = await gateway.head("/api/v1/reports/echo/x")

    assert response.status_code == 200
    assert response.headers["x-upstream"] == "reports"
    assert response.content == b""


async def generated(chunks: int) -> AsyncIterator[bytes]:
    for index in range(chunks):
        yield pattern_chunk(index)


def expected_digest(chunks: int) -> str:
    digest = hashlib.sha256()
    for index in range(chunks):
        digest.update(pattern_chunk(index))
    return digest.hexdigest()


async def test_a_50_mb_upload_is_streamed_through_without_being_buffered(
    gateway: httpx.AsyncClient,
) -> None:
    chunks = 50
    digest = expected_digest(chunks)
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        response = await gateway.post(
            "/api/v1/cases/imports",
            content=generated(chunks),
            headers={
                "Content-Type": "application/octet-stream",
                "Content-Length": str(chunks * CHUNK),
            },
        )
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert response.status_code == 200, response.text
    body = response.json()
    assert body == {
        "bytes": chunks * CHUNK,
        "sha256": digest,
        "transfer_encoding": None,
        "content_length": str(chunks * CHUNK),
    }
    # Client, gateway and upstream share this process: buffering the body anywhere
    # would show as a peak of at least 50 MiB.
    assert peak < 20 * CHUNK, f"peak Python allocation {peak / CHUNK:.1f} MiB"


async def test_a_chunked_upload_of_unknown_length_arrives_whole(
    gateway: httpx.AsyncClient,
) -> None:
    response = await gateway.post("/api/v1/ledger/bank-files", content=generated(8))

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["bytes"] == 8 * CHUNK
    assert body["sha256"] == expected_digest(8)
    assert body["transfer_encoding"] == "chunked"


async def test_a_large_download_is_streamed_back(gateway: httpx.AsyncClient) -> None:
    size = 20 * CHUNK + 123
    digest, received = hashlib.sha256(), 0
    async with gateway.stream("GET", "/api/v1/reports/download", params={"size": size}) as r:
        assert r.status_code == 200
        async for chunk in r.aiter_raw():
            digest.update(chunk)
            received += len(chunk)

    expected = hashlib.sha256()
    for index in range(21):
        expected.update(pattern_chunk(index))
    whole = b"".join(pattern_chunk(i) for i in range(21))[:size]
    assert received == size
    assert digest.hexdigest() == hashlib.sha256(whole).hexdigest()


async def test_the_clients_request_id_reaches_the_service_and_comes_back_once(
    gateway: httpx.AsyncClient,
) -> None:
    request_id = str(uuid.uuid4())

    response = await gateway.get("/api/v1/credit/echo/x", headers={"X-Request-ID": request_id})

    body = response.json()
    assert seen_headers(body)["x-request-id"] == [request_id]
    assert body["correlation_id"] == request_id
    assert response.headers.get_list("x-request-id") == [request_id]


@pytest.mark.parametrize("sent", [None, "not-a-uuid"])
async def test_the_gateway_makes_a_request_id_the_service_shares(
    gateway: httpx.AsyncClient, sent: str | None
) -> None:
    headers = {"X-Request-ID": sent} if sent else {}

    response = await gateway.get("/api/v1/auth/echo/x", headers=headers)

    [request_id] = response.headers.get_list("x-request-id")
    assert uuid.UUID(request_id)
    body = response.json()
    assert seen_headers(body)["x-request-id"] == [request_id]
    assert body["correlation_id"] == request_id


async def test_the_trace_continues_from_the_client_through_the_gateway_to_the_service(
    gateway: httpx.AsyncClient,
) -> None:
    trace_id, parent = uuid.uuid4().hex, uuid.uuid4().hex[:16]

    response = await gateway.get(
        "/api/v1/cases/echo/x", headers={"traceparent": f"00-{trace_id}-{parent}-01"}
    )

    [traceparent] = seen_headers(response.json())["traceparent"]
    match = TRACEPARENT.match(traceparent)
    assert match, traceparent
    assert match.group(1) == trace_id, "same trace"
    assert match.group(2) != parent, "a gateway span is the service's parent"


async def test_a_trace_starts_at_the_gateway_when_the_client_sends_none(
    gateway: httpx.AsyncClient,
) -> None:
    response = await gateway.get("/api/v1/cases/echo/x")

    [traceparent] = seen_headers(response.json())["traceparent"]
    assert TRACEPARENT.match(traceparent)


@pytest.mark.parametrize(
    "path",
    [
        "/api",
        "/api/",
        "/api/v1",
        "/api/v1/nowhere/at-all",
        "/api/v2/cases/echo/x",
        "/api/v1/casesx/echo/x",
        "/api/internal/only",
        "/api/v1/auth/%2e%2e/cases/echo/x",
        "/api/v1/auth/.%2e/cases/echo/x",
        "/api/v1/auth/%2E/echo/x",
    ],
)
async def test_what_the_route_table_does_not_list_is_a_problem_404(
    gateway: httpx.AsyncClient, path: str
) -> None:
    response = await gateway.get(path)

    body = assert_problem(response, 404, "not-found")
    assert body["instance"].startswith("/api")
    assert response.headers.get("x-upstream") is None


async def test_a_path_outside_the_api_is_a_problem_404_too(gateway: httpx.AsyncClient) -> None:
    assert_problem(await gateway.get("/internal/only"), 404, "not-found")


async def test_a_service_that_refuses_connections_is_a_503_naming_it(
    start_gateway: GatewayFactory, refused_url: str
) -> None:
    gateway = await start_gateway(credit_url=refused_url)

    response = await gateway.post("/api/v1/credit/echo/x", json={"a": 1})

    body = assert_problem(response, 503, "service-unavailable")
    assert "credit" in body["detail"]
    assert "127.0.0.1" not in response.text
    assert "Error" not in response.text, "no exception names"
    assert response.headers["retry-after"] == "5"
    assert len(response.headers.get_list("x-request-id")) == 1


async def test_a_service_that_does_not_answer_in_time_is_a_504(
    start_gateway: GatewayFactory, upstreams: Upstreams
) -> None:
    gateway = await start_gateway(upstream_read_timeout=0.3)

    response = await gateway.get("/api/v1/ledger/slow")

    body = assert_problem(response, 504, "gateway-timeout")
    assert "ledger" in body["detail"]


async def test_after_a_large_upload_the_next_request_on_the_connection_keeps_its_own_trace(
    start_gateway: GatewayFactory,
) -> None:
    """The plain asyncio loop can leak the upload's context into the connection's next
    request (python/cpython#140947); the gateway must still continue the new trace."""
    gateway = await start_gateway()  # one client, one keep-alive connection
    upload = await gateway.post(
        "/api/v1/cases/imports",
        content=generated(4),
        headers={"Content-Length": str(4 * CHUNK)},
    )
    assert upload.status_code == 200
    trace_id = uuid.uuid4().hex

    response = await gateway.get(
        "/api/v1/cases/echo/x", headers={"traceparent": f"00-{trace_id}-{'1' * 16}-01"}
    )

    [traceparent] = seen_headers(response.json())["traceparent"]
    assert traceparent.split("-")[1] == trace_id


async def test_an_oversized_body_is_refused_as_it_streams_in_and_never_forwarded(
    gateway: httpx.AsyncClient, upstreams: Upstreams
) -> None:
    """1 MiB for an ordinary request; an upload only where the services take files."""
    before = list(upstreams.apps["cases"].state.echoed)

    declared = await gateway.post(
        "/api/v1/cases/echo/notes",
        content=b"x" * (CHUNK + 1),
        headers={"Content-Type": "application/json"},
    )
    streamed = await gateway.post("/api/v1/cases/echo/notes", content=generated(3))
    # not an upload path of its service: the small limit, though the stand-in would count it
    elsewhere = await gateway.post("/api/v1/reports/upload", content=generated(2))

    for response in (declared, streamed, elsewhere):
        body = assert_problem(response, 413, "payload-too-large")
        assert str(CHUNK) in body["detail"]
    assert upstreams.apps["cases"].state.echoed == before  # the declared one never left
