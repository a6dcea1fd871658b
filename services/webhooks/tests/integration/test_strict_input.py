"""Every input of the webhooks API is bounded and refuses NUL (ADR 0022)."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import httpx
import pytest
from servicekit.testing.input_schema import loose_inputs
from webhooks.bootstrap import WebhooksService
from webhooks.entrypoints.api import create_app

pytestmark = pytest.mark.integration


def test_every_input_is_bounded_in_the_openapi_document(service: WebhooksService) -> None:
    assert loose_inputs(create_app(service).openapi()) == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"url": "https://a.example/\x00", "event_types": ["case.registered"]}, "url"),
        ({"url": "https://a.example/", "event_types": ["case.registered\x00"]}, "event_types"),
        ({"url": "https://a.example/", "event_types": ["case.registered"], "x": 1}, "x"),
        ({"url": "https://a.example/", "event_types": "case.registered"}, "event_types"),
    ],
)
async def test_bad_bodies_are_422_naming_the_field(
    api: httpx.AsyncClient,
    admin_of: Callable[[uuid.UUID], dict[str, str]],
    body: dict[str, object],
    field: str,
) -> None:
    response = await api.post(
        "/api/v1/webhooks/endpoints", headers=admin_of(uuid.uuid4()), json=body
    )
    assert response.status_code == 422
    assert any(field in e["field"] for e in response.json()["errors"])


async def test_enabled_must_be_a_real_boolean(
    api: httpx.AsyncClient, admin_of: Callable[[uuid.UUID], dict[str, str]]
) -> None:
    path = f"/api/v1/webhooks/endpoints/{uuid.uuid4()}"
    response = await api.patch(path, headers=admin_of(uuid.uuid4()), json={"enabled": "yes"})
    assert response.status_code == 422
