"""The portal's calls survive what a browser or a changed form can send (issue 18).

A non-ASCII ``User-Agent``, a hidden ``idempotency_key`` changed to hold a NUL or a
``ø``, and a NUL in an id the page took from its own path each made the HTTP client fail
(a 500 or a 502); the call now goes out (or is a 404) over an in-memory transport here.
"""

from __future__ import annotations

import httpx
import pytest
from gateway.portal.api import ApiProblem, Backend
from gateway.settings import GatewaySettings
from gateway.upstream import Upstreams
from starlette.requests import Request

pytestmark = pytest.mark.unit

SERVICES = ("auth", "cases", "ledger", "reports", "credit")


def backend(seen: list[httpx.Request], user_agent: bytes = b"Mozilla/5.0") -> Backend:
    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(201, json={"ok": True})

    settings = GatewaySettings(**{f"{s}_url": f"http://{s}.test" for s in SERVICES})
    upstreams = Upstreams(settings, httpx.AsyncClient(transport=httpx.MockTransport(handler)))
    scope = {
        "type": "http",
        "method": "POST",
        "path": "/saker",
        "headers": [(b"user-agent", user_agent), (b"host", b"portal.test")],
        "client": ("127.0.0.1", 1234),
        "scheme": "https",
    }
    return Backend(upstreams, Request(scope), token="token")


async def test_a_non_ascii_user_agent_is_passed_on_as_ascii() -> None:
    seen: list[httpx.Request] = []
    answer = await backend(seen, "Nettleser é".encode("latin-1")).get("/api/v1/cases")
    assert answer == {"ok": True}
    assert seen[0].headers["user-agent"] == "Nettleser ?"


@pytest.mark.parametrize("changed", ["nøkkel", "key\x00", "x" * 201, "two words"])
async def test_a_changed_idempotency_key_is_replaced_by_a_new_one(changed: str) -> None:
    seen: list[httpx.Request] = []
    await backend(seen).post("/api/v1/cases/1/notes", {"body": "x"}, idempotency_key=changed)
    sent = seen[0].headers["idempotency-key"]
    assert sent != changed
    assert len(sent) == 36


async def test_a_good_idempotency_key_is_sent_as_it_is() -> None:
    seen: list[httpx.Request] = []
    await backend(seen).post("/api/v1/cases/1/notes", {}, idempotency_key="a1b2-c3d4")
    assert seen[0].headers["idempotency-key"] == "a1b2-c3d4"


@pytest.mark.parametrize("case_id", ["\x00", "a\udc00b"])
async def test_an_id_no_url_can_carry_is_not_found(case_id: str) -> None:
    seen: list[httpx.Request] = []
    with pytest.raises(ApiProblem) as refused:
        await backend(seen).post(f"/api/v1/cases/{case_id}/notes", {"body": "x"})
    assert refused.value.status == 404
    assert seen == []
