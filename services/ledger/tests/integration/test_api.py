"""``GET /api/v1/ledger/creditor-accounts/{organisation_id}``: agency admins only."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from ledger.adapters.repository import CreditorAccountRepository
from ledger.bootstrap import LedgerService
from ledger.domain.model import CreditorAccount
from ledger.entrypoints.api import create_app
from servicekit.testing.http import ADMIN_KEY_HEADER, asgi_client, assert_problem

pytestmark = pytest.mark.integration


async def test_read_a_creditor_account(service: LedgerService) -> None:
    account = CreditorAccount(
        organisation_id=uuid.uuid4(), opened_at=datetime(2025, 3, 1, 9, 30, tzinfo=UTC)
    )
    async with service.session_factory() as session, session.begin():
        await CreditorAccountRepository(session).open_if_absent(account)
    path = f"/api/v1/ledger/creditor-accounts/{account.organisation_id}"
    admin = {ADMIN_KEY_HEADER: str(service.settings.admin_api_key)}

    async with asgi_client(create_app(service)) as client:
        assert_problem(await client.get(path), 401, "unauthorized")
        assert_problem(await client.get(path, headers={ADMIN_KEY_HEADER: "wrong"}), 401)
        assert_problem(
            await client.get(f"/api/v1/ledger/creditor-accounts/{uuid.uuid4()}", headers=admin),
            404,
            "not-found",
        )
        response = await client.get(path, headers=admin)

    assert response.status_code == 200, response.text
    assert response.json() == {
        "organisation_id": str(account.organisation_id),
        "opened_at": "2025-03-01T09:30:00Z",
        "active": True,
    }
