"""No answer of the API is kept by a cache (issue 18, finding 7; ASVS 5.0 14.3.2).

Every GET operation of the gateway's merged OpenAPI is called through the gateway (path
parameters filled with ids that exist nowhere, so the answers are the whole range: 200,
403, 404, 422): each carries ``Cache-Control: no-store``, set by the service and passed
through, or set by the gateway for its own answers. The public key set is the one answer
with a policy of its own.
"""

from __future__ import annotations

import re
import uuid

import httpx
import pytest

from ..e2e.identity import SignedIn

pytestmark = pytest.mark.e2e

OWN_POLICY = {"/api/v1/auth/.well-known/jwks.json": "public, max-age=30"}


async def test_every_api_get_answer_is_no_store(
    gateway: httpx.AsyncClient, agency_admin: SignedIn
) -> None:
    document = (await gateway.get("/openapi.json")).json()
    paths = [
        path
        for path, item in document["paths"].items()
        if "get" in item and path.startswith("/api/v1/")
    ]
    assert len(paths) >= 20, paths
    seen: dict[str, tuple[int, str | None]] = {}
    for path in paths:
        concrete = re.sub(r"\{[^}]+\}", str(uuid.uuid4()), path)
        for headers in (await agency_admin.headers(), {}):  # signed in, and refused
            response = await gateway.get(concrete, headers=headers)
            seen[f"{path} ({'signed in' if headers else 'anonymous'})"] = (
                response.status_code,
                response.headers.get("cache-control"),
            )
    wrong = {
        operation: answer
        for operation, answer in seen.items()
        if answer[1] != OWN_POLICY.get(operation.split(" ")[0], "no-store")
    }
    assert wrong == {}
    assert {status for status, _ in seen.values()} >= {200, 401}
