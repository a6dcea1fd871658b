"""``GET /api/v1/credit/creditors/{organisation_id}``: agency admins only, problem+json."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from credit.adapters.repository import CreditorRepository
from credit.bootstrap import CreditService
from credit.domain.model import Creditor
from credit.entrypoints.api import create_app
from servicekit.roles import Roles
from servicekit.testing.data import unique_name
from servicekit.testing.http import asgi_client, assert_problem
from servicekit.testing.input_schema import loose_inputs
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


def test_every_input_is_bounded_in_the_openapi_document(service: CreditService) -> None:
    assert loose_inputs(create_app(service).openapi()) == []


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda b: b.update(accepted_price_ore="100"), "accepted_price_ore"),
        (lambda b: b.update(accepted_price_ore=True), "accepted_price_ore"),
        (lambda b: b.update(accepted_price_ore=1e3), "accepted_price_ore"),
        (lambda b: b.update(accepted_price_ore=10**30), "accepted_price_ore"),
        (lambda b: b["purpose"].update(text="Vurdering\x00 av saken"), "purpose.text"),
        (
            lambda b: b["subject"].update(organisation_number="999\x00100007"),
            "subject.organisation_number",
        ),
    ],
)
async def test_hostile_order_fields_are_422_with_the_field(
    service: CreditService, signer: TestSigner, change: Any, field: str
) -> None:
    body: dict[str, Any] = {
        "product_code": "COMPANY_STANDARD",
        "subject": {"kind": "company", "organisation_number": "999100007"},
        "purpose": {"code": "CASE_ASSESSMENT", "text": "Vurdering av inndriving i saken"},
        "accepted_price_ore": 12_000,
    }
    change(body)
    orderer = signer.headers(
        organisation_id=uuid.uuid4(), roles=[Roles.CREDITOR, Roles.CREDIT_ORDERER]
    )
    headers = {**orderer, "Idempotency-Key": str(uuid.uuid4())}
    async with asgi_client(create_app(service)) as client:
        response = await client.post("/api/v1/credit/orders", json=body, headers=headers)

    problem = assert_problem(response, 422)
    assert field in [e["field"] for e in problem["errors"]], problem
