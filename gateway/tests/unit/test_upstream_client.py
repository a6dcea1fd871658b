from __future__ import annotations

import httpx
import pytest
from gateway.settings import GatewaySettings
from gateway.upstream import make_client

pytestmark = pytest.mark.unit


async def test_the_shared_client_keeps_no_cookie_a_service_set() -> None:
    """One user's call must not carry a cookie a service answered to another's."""
    seen: list[str | None] = []

    def service(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers.get("cookie"))
        return httpx.Response(200, headers={"Set-Cookie": "session=alice; Path=/"})

    async with make_client(GatewaySettings(), httpx.MockTransport(service)) as client:
        await client.get("http://127.0.0.1:8002/api/v1/cases")
        await client.get("http://127.0.0.1:8002/api/v1/cases")

    assert seen == [None, None]
    assert not client.cookies
