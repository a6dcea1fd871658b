"""An API client at the reports API: documents with ``documents:read``, synced by
``updated_since`` (issued since); nothing else."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from reports.bootstrap import ReportsService
from reports.entrypoints.api import create_app
from servicekit.roles import Roles
from servicekit.testing.http import asgi_client, assert_problem
from servicekit.testing.tokens import TestSigner

from .test_documents_api import P, issue

pytestmark = pytest.mark.integration


@pytest.fixture
async def client(service: ReportsService) -> AsyncIterator[httpx.AsyncClient]:
    async with asgi_client(create_app(service)) as http:
        yield http


def client_headers(signer: TestSigner, organisation_id: uuid.UUID, *scopes: str) -> dict[str, str]:
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


async def test_a_client_lists_documents_issued_since_and_reads_them(
    client: httpx.AsyncClient, service: ReportsService, signer: TestSigner
) -> None:
    creditor = uuid.uuid4()
    now = datetime.now(UTC)
    old = await issue(service, creditor, at=now - timedelta(days=3))
    new = await issue(service, creditor, at=now - timedelta(minutes=1))
    reader = client_headers(signer, creditor, "documents:read")

    since = (now - timedelta(hours=1)).isoformat()
    page = await client.get(f"{P}/documents", params={"updated_since": since}, headers=reader)
    assert page.status_code == 200, page.text
    assert [d["document_id"] for d in page.json()["items"]] == [str(new)]
    content = await client.get(f"{P}/documents/{old}/content", headers=reader)
    assert content.status_code == 200

    naive = await client.get(
        f"{P}/documents", params={"updated_since": "2026-01-01T00:00:00"}, headers=reader
    )
    assert assert_problem(naive, 422, "validation-error")["errors"][0]["field"] == "updated_since"

    cases_only = client_headers(signer, creditor, "cases:read")
    assert_problem(
        await client.get(f"{P}/documents", headers=cases_only), 403, "insufficient-scope"
    )
    assert_problem(await client.get(f"{P}/catalogue", headers=reader), 403, "client-not-allowed")
    stranger = client_headers(signer, uuid.uuid4(), "documents:read")
    assert_problem(await client.get(f"{P}/documents/{new}", headers=stranger), 404)
