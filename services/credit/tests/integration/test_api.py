"""``GET /api/v1/credit/creditors/{organisation_id}``: agency admins only, problem+json."""

from __future__ import annotations

import uuid

import pytest
from credit.adapters.repository import CreditorRepository
from credit.bootstrap import CreditService
from credit.domain.model import Creditor
from credit.entrypoints.api import create_app
from servicekit.roles import Roles
from servicekit.testing.data import unique_name
from servicekit.testing.http import asgi_client, assert_problem
from servicekit.testing.tokens import TestSigner

pytestmark = pytest.mark.integration


async def test_read_a_creditor(service: CreditService, signer: TestSigner) -> None:
    creditor = Creditor(organisation_id=uuid.uuid4(), name=unique_name())
    async with service.session_factory() as session, session.begin():
        await CreditorRepository(session).upsert_registration(creditor)
    path = f"/api/v1/credit/creditors/{creditor.organisation_id}"
    admin = signer.headers(organisation_id=uuid.uuid4(), roles=[Roles.AGENCY_ADMIN])
    creditor_admin = signer.headers(organisation_id=uuid.uuid4(), roles=[Roles.CREDITOR_ADMIN])

    async with asgi_client(create_app(service)) as client:
        assert_problem(await client.get(path), 401, "unauthorized")
        assert_problem(await client.get(path, headers={"Authorization": "Bearer forged"}), 401)
        assert_problem(await client.get(path, headers=creditor_admin), 403, "forbidden")
        assert_problem(
            await client.get(f"/api/v1/credit/creditors/{uuid.uuid4()}", headers=admin),
            404,
            "not-found",
        )
        response = await client.get(path, headers=admin)

    assert response.status_code == 200, response.text
    assert response.json() == {
        "organisation_id": str(creditor.organisation_id),
        "name": creditor.name,
        "active": True,
        "organisation_number": None,
    }
