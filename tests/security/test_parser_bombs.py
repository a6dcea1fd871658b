"""Parser bombs against the whole stack: each fails once, clearly, bounded in memory.

The finding behind it (issue 18, finding 1): a 200 KB JSON upload of nested arrays grew the
importer to ~22 GB; the kernel killed it, the next importer took the job again, five times,
and the host ran out of memory. Here each bomb goes through the gateway as a creditor or a
case handler would send it, and the processes that read it are watched: no restart, a
peak resident size far from the host's memory, and an answer that says what was wrong.
"""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from devstack.stack import Stack
from servicekit.testing.wait import wait_for

from ..e2e.identity import Login, SignedIn, sign_in
from ..e2e.money_support import keyed

pytestmark = pytest.mark.e2e

CREDITOR = "kari@nordlys.example"
CASE_HANDLER = "saksbehandler@infocenter.example"
MIB = 1024 * 1024
NESTING_BOMB = b"[" * 100_000 + b"]" * 100_000
BILLION_LAUGHS = (
    b'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(
        b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10)
        for i in range(1, 10)
    )
    + b']>\n<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.08">&lol9;</Document>'
)


def _process(stack: Stack, suffix: str) -> tuple[int, int]:
    """``(pid, restarts)`` of the stack's process whose name ends in ``suffix``."""
    [status] = [s for s in stack.status() if s.name.endswith(suffix)]
    assert status.pid is not None, status
    return status.pid, status.restarts


def _peak_rss(pid: int) -> int:
    """The process's peak resident set (``VmHWM``), in bytes."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    raise AssertionError(f"no VmHWM for {pid}")


@pytest.fixture
async def creditor(gateway: httpx.AsyncClient, demo: dict[str, Login]) -> SignedIn:
    return await sign_in(gateway, demo[CREDITOR])


async def test_the_nesting_bomb_fails_once_and_the_importer_stays_small(
    stack: Stack, gateway: httpx.AsyncClient, creditor: SignedIn
) -> None:
    pid, restarts = _process(stack, "importer")
    headers = await creditor.headers()

    uploaded = await gateway.post(
        "/api/v1/cases/imports",
        params={"format": "json"},
        content=NESTING_BOMB,
        headers={**headers, "content-type": "application/json"},
    )
    assert uploaded.status_code == 202, uploaded.text
    job_path = f"/api/v1/cases/imports/{uploaded.json()['job_id']}"

    async def finished() -> dict[str, object] | None:
        job = (await gateway.get(job_path, headers=await creditor.headers())).json()
        return job if job["status"] in ("completed", "failed") else None

    job = await wait_for(finished, what="the import to end", seconds=60)

    assert job["status"] == "failed"
    assert "nested deeper than 8 levels" in str(job["error"])
    assert "/tmp" not in str(job["error"])
    assert _process(stack, "importer") == (pid, restarts)  # never killed, never restarted
    assert _peak_rss(pid) < 400 * MIB


async def test_an_oversized_body_is_refused_by_the_gateway_as_it_streams(
    gateway: httpx.AsyncClient, creditor: SignedIn
) -> None:
    headers = {**(await creditor.headers()), "content-type": "application/json"}

    async def endless() -> object:
        for _ in range(64):  # 64 MiB if nobody stops it
            yield b" " * MIB

    declared = await gateway.post("/api/v1/cases", content=b" " * (2 * MIB), headers=headers)
    streamed = await gateway.post("/api/v1/cases", content=endless(), headers=headers)

    for response in (declared, streamed):
        assert response.status_code == 413, response.text
        assert response.headers["content-type"] == "application/problem+json"


async def test_deep_json_in_a_request_body_is_a_client_error(
    gateway: httpx.AsyncClient, creditor: SignedIn
) -> None:
    deep = b"[" * 400_000 + b"]" * 400_000  # under 1 MiB

    response = await gateway.post(
        "/api/v1/cases",
        content=deep,
        headers={**(await creditor.headers()), "content-type": "application/json"},
    )

    assert 400 <= response.status_code < 500, response.text
    assert response.headers["content-type"] == "application/problem+json"


async def test_an_entity_bomb_in_a_bank_file_is_refused(
    stack: Stack, gateway: httpx.AsyncClient, demo: dict[str, Login]
) -> None:
    handler = await sign_in(gateway, demo[CASE_HANDLER])
    pid, restarts = _process(stack, "ledger-api")

    response = await gateway.post(
        "/api/v1/ledger/bank-files",
        params={"format": "camt054"},
        content=BILLION_LAUGHS,
        headers={**keyed(await handler.headers()), "content-type": "application/xml"},
    )

    assert response.status_code == 422, response.text
    assert "forbidden" in response.text
    assert _process(stack, "ledger-api") == (pid, restarts)
    assert _peak_rss(pid) < 400 * MIB
