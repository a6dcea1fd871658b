"""``GET /api/v1/reports/organisations/{organisation_id}``: agency admins only."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from reports.adapters.repository import OrganisationRepository
from reports.bootstrap import ReportsService
from reports.domain.model import Organisation
from reports.entrypoints.api import create_app
from servicekit.roles import Roles
from servicekit.testing.data import organisation_number, unique_name
from servicekit.testing.http import asgi_client, assert_problem
from servicekit.testing.tokens import TestSigner

pytestmark = pytest.mark.integration


async def test_read_an_organisation(service: ReportsService, signer: TestSigner) -> None:
    organisation = Organisation(
        organisation_id=uuid.uuid4(),
        name=unique_name(),
        organisation_number=organisation_number(),
        kind="creditor",
        registered_at=datetime(2025, 3, 1, 9, 30, tzinfo=UTC),
    )
    async with service.session_factory() as session, session.begin():
        await OrganisationRepository(session).upsert_registration(organisation)
    path = f"/api/v1/reports/organisations/{organisation.organisation_id}"
    admin = signer.headers(organisation_id=uuid.uuid4(), roles=[Roles.AGENCY_ADMIN])
    creditor_admin = signer.headers(organisation_id=uuid.uuid4(), roles=[Roles.CREDITOR_ADMIN])

    async with asgi_client(create_app(service)) as client:
        assert_problem(await client.get(path), 401, "unauthorized")
        assert_problem(await client.get(path, headers={"Authorization": "Bearer forged"}), 401)
        assert_problem(await client.get(path, headers=creditor_admin), 403, "forbidden")
        assert_problem(
            await client.get(f"/api/v1/reports/organisations/{uuid.uuid4()}", headers=admin),
            404,
            "not-found",
        )
        response = await client.get(path, headers=admin)

    assert response.status_code == 200, response.text
    assert response.json() == {
        "organisation_id": str(organisation.organisation_id),
        "name": organisation.name,
        "organisation_number": organisation.organisation_number,
        "kind": "creditor",
        "active": True,
        "registered_at": "2025-03-01T09:30:00Z",
    }
