"""``GET /api/v1/ledger/creditor-accounts/{organisation_id}``: agency admins only."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from ledger.adapters.repository import CreditorAccountRepository
from ledger.bootstrap import LedgerService
from ledger.domain.model import CreditorAccount
from ledger.entrypoints.api import create_app
from servicekit.roles import Roles
from servicekit.testing.http import asgi_client, assert_problem
from servicekit.testing.tokens import TestSigner

pytestmark = pytest.mark.integration


async def test_read_a_creditor_account(service: LedgerService, signer: TestSigner) -> None:
    account = CreditorAccount(
        organisation_id=uuid.uuid4(), opened_at=datetime(2025, 3, 1, 9, 30, tzinfo=UTC)
    )
    async with service.session_factory() as session, session.begin():
        await CreditorAccountRepository(session).open_if_absent(account)
    path = f"/api/v1/ledger/creditor-accounts/{account.organisation_id}"
    admin = signer.headers(organisation_id=uuid.uuid4(), roles=[Roles.AGENCY_ADMIN])
    creditor_admin = signer.headers(organisation_id=uuid.uuid4(), roles=[Roles.CREDITOR_ADMIN])

    async with asgi_client(create_app(service)) as client:
        assert_problem(await client.get(path), 401, "unauthorized")
        assert_problem(await client.get(path, headers={"Authorization": "Bearer forged"}), 401)
        assert_problem(await client.get(path, headers=creditor_admin), 403, "forbidden")
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
