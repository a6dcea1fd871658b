"""An organisation's API client at the cases API: scopes per operation, sync by
``updated_since``, and nothing of another organisation's."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from cases.adapters.orm import cases as cases_table
from cases.bootstrap import CasesService
from cases.entrypoints.api import create_app
from servicekit.roles import Roles
from servicekit.testing.http import asgi_client, assert_problem
from servicekit.testing.tokens import TestSigner
from sqlalchemy import update

from .conftest import add_creditor
from .test_cases_api import case_body

pytestmark = pytest.mark.integration

P = "/api/v1/cases"


def client_headers(signer: TestSigner, organisation_id: uuid.UUID, *scopes: str) -> dict[str, str]:
    """A client-credentials token as the identity service mints it (ADR 0040)."""
    client_id = uuid.uuid4()
    token = signer.mint(
        organisation_id=organisation_id,
        roles=[Roles.CREDITOR],
        user_id=client_id,
        session_id=client_id,
        client_id=str(client_id),
        scope=" ".join(scopes),
    )
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
async def api(service: CasesService) -> httpx.AsyncClient:
    return asgi_client(create_app(service))


async def test_scopes_decide_what_a_client_may_do(
    service: CasesService, api: httpx.AsyncClient, signer: TestSigner
) -> None:
    creditor = await add_creditor(service)
    reader = client_headers(signer, creditor, "cases:read")
    writer = client_headers(signer, creditor, "cases:read", "cases:write")

    refused = await api.post(P, json=case_body(), headers=reader)
    problem = assert_problem(refused, 403, "insufficient-scope")
    assert problem["required_scope"] == ["cases:write"]
    assert problem["request_id"]
    assert 'error="insufficient_scope"' in refused.headers["www-authenticate"]

    made = await api.post(P, json=case_body(), headers={**writer, "Idempotency-Key": "k-1"})
    assert made.status_code == 201, made.text
    case_id = made.json()["case_id"]
    assert (await api.get(f"{P}/{case_id}", headers=reader)).status_code == 200

    # the case handlers' operations and the creditor's own workflow name no scope
    for method, path, body in (
        ("GET", f"{P}/work-queue", None),
        ("POST", f"{P}/{case_id}/close", {"reason": "withdrawn"}),
        ("POST", f"{P}/{case_id}/withdraw", {}),
    ):
        answer = await api.request(method, path, json=body, headers=writer)
        assert_problem(answer, 403, "client-not-allowed")

    # no scope at all: even reading is refused
    nothing = client_headers(signer, creditor, "documents:read")
    assert_problem(await api.get(P, headers=nothing), 403, "insufficient-scope")


async def test_another_organisations_case_is_not_found_by_a_client(
    service: CasesService, api: httpx.AsyncClient, signer: TestSigner
) -> None:
    owner = await add_creditor(service)
    other = await add_creditor(service)
    made = await api.post(P, json=case_body(), headers=client_headers(signer, owner, "cases:write"))
    case_id = made.json()["case_id"]
    stranger = client_headers(signer, other, "cases:read")
    assert_problem(await api.get(f"{P}/{case_id}", headers=stranger), 404, "not-found")
    listed = await api.get(P, headers=stranger)
    assert listed.json()["items"] == []


async def test_updated_since_lists_the_changed_cases_oldest_change_first(
    service: CasesService, api: httpx.AsyncClient, signer: TestSigner
) -> None:
    creditor = await add_creditor(service)
    writer = client_headers(signer, creditor, "cases:read", "cases:write")
    ids = []
    for _ in range(3):
        made = await api.post(P, json=case_body(), headers=writer)
        ids.append(made.json()["case_id"])
    # the first case changes afterwards: the trigger moves its updated_at
    async with service.session_factory() as session:
        await session.execute(
            update(cases_table)
            .where(cases_table.c.id == uuid.UUID(ids[0]))
            .values(deadline=datetime.now(UTC).date())
        )
        await session.commit()

    since = (datetime.now(UTC) - timedelta(minutes=5)).isoformat()
    seen: list[str] = []
    cursor = None
    while True:
        params = {"updated_since": since, "sort": "updated", "order": "asc", "limit": 2}
        if cursor:
            params["cursor"] = cursor
        page = (await api.get(P, params=params, headers=writer)).json()
        seen += [item["case_id"] for item in page["items"]]
        assert all(item["updated_at"] for item in page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [ids[1], ids[2], ids[0]]

    future = (datetime.now(UTC) + timedelta(minutes=5)).isoformat()
    later = await api.get(P, params={"updated_since": future}, headers=writer)
    assert later.json()["items"] == []

    naive = await api.get(P, params={"updated_since": "2026-01-01T00:00:00"}, headers=writer)
    assert_problem(naive, 400, "invalid-query")
