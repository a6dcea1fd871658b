"""The platform end to end: every process as a real process, through the gateway only."""

from __future__ import annotations

import secrets

import httpx
import pytest
from devstack.stack import Stack
from servicekit.testing.data import organisation_number, unique_name
from servicekit.testing.otlp import OtlpReceiver
from servicekit.testing.wait import wait_for

pytestmark = pytest.mark.e2e

OTLP_PRODUCER, OTLP_CONSUMER = 4, 5  # SpanKind values of the OTLP protocol

CONSUMERS = {
    "cases": "/api/v1/cases/creditors/{}",
    "ledger": "/api/v1/ledger/creditor-accounts/{}",
    "reports": "/api/v1/reports/organisations/{}",
    "credit": "/api/v1/credit/creditors/{}",
}


async def register(gateway: httpx.AsyncClient, admin: dict[str, str], **headers: str) -> str:
    response = await gateway.post(
        "/api/v1/auth/organisations",
        json={
            "name": unique_name("Kreditor"),
            "organisation_number": organisation_number(),
        },
        headers={**admin, **headers},
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


async def arrived_everywhere(gateway: httpx.AsyncClient, admin: dict[str, str], org: str) -> bool:
    for path in CONSUMERS.values():
        response = await gateway.get(path.format(org), headers=admin)
        if response.status_code != 200:
            return False
    return True


async def test_every_service_is_ready_behind_the_gateway(gateway: httpx.AsyncClient) -> None:
    response = await gateway.get("/health/ready")
    assert response.status_code == 200, response.text
    services = response.json()["services"]
    assert set(services) == {
        "auth",
        "cases",
        "ledger",
        "reports",
        "credit",
        "integrations",
        "webhooks",
    }
    assert all(s["status"] == "ready" for s in services.values())


async def test_an_event_travels_from_auth_to_every_consumer(
    gateway: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    org = await register(gateway, admin)

    async def arrived() -> bool:
        return await arrived_everywhere(gateway, admin, org)

    await wait_for(
        arrived, what="the organisation in cases, ledger, reports and credit", seconds=30
    )


async def test_one_trace_spans_gateway_service_relay_and_consumers(
    gateway: httpx.AsyncClient, admin: dict[str, str], otlp: OtlpReceiver
) -> None:
    trace_id = secrets.token_hex(16)
    org = await register(gateway, admin, traceparent=f"00-{trace_id}-{secrets.token_hex(8)}-01")

    async def arrived() -> bool:
        return await arrived_everywhere(gateway, admin, org)

    await wait_for(arrived, what="the organisation everywhere")

    def processes_in_trace() -> set[tuple[str, str]]:
        return {(s.service, s.process or "api") for s in otlp.trace(trace_id)}

    expected = {("gateway", "api"), ("auth", "api"), ("auth", "relay")} | {
        (service, "consumer") for service in CONSUMERS
    }

    async def complete() -> bool:
        return expected <= processes_in_trace()

    await wait_for(complete, what=f"spans of {sorted(expected)} in one trace")
    spans = otlp.trace(trace_id)
    producers = {s.span_id for s in spans if s.process == "relay" and s.kind == OTLP_PRODUCER}
    consumers = [s for s in spans if s.process == "consumer" and s.kind == OTLP_CONSUMER]
    assert producers, "the relay's publish span is in the trace"
    assert {s.service for s in consumers} == set(CONSUMERS)
    assert all(s.parent_span_id in producers for s in consumers), (
        "each consumer's span continues the relay's publish span"
    )


async def test_a_killed_relay_loses_nothing(
    stack: Stack, gateway: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    stack.kill("auth-relay")
    org = await register(gateway, admin)  # committed to the outbox while no relay runs
    response = await gateway.get(CONSUMERS["cases"].format(org), headers=admin)
    assert response.status_code == 404
    stack.start_process("auth-relay")

    async def arrived() -> bool:
        return await arrived_everywhere(gateway, admin, org)

    await wait_for(arrived, what="the event once the relay is back", seconds=60)


async def test_the_gateway_answers_problems_for_what_it_does_not_route(
    gateway: httpx.AsyncClient,
) -> None:
    response = await gateway.get("/api/v1/nowhere/at-all")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")


async def test_one_merged_openapi_covers_every_service(gateway: httpx.AsyncClient) -> None:
    spec = (await gateway.get("/openapi.json")).json()
    paths = set(spec["paths"])
    assert "/api/v1/auth/organisations" in paths
    for path in CONSUMERS.values():
        assert path.format("{organisation_id}") in paths
    assert all(p.startswith("/api/v1/") for p in paths)
