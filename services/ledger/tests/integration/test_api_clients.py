"""An API client at the ledger: settlements with ``settlements:read`` only, synced by
``updated_since``; nothing of the agency's."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from ledger.adapters.orm import settlements
from ledger.bootstrap import LedgerService
from servicekit.roles import Roles
from servicekit.testing.http import assert_problem
from servicekit.testing.tokens import TestSigner
from sqlalchemy import insert

pytestmark = pytest.mark.integration

P = "/api/v1/ledger"


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


async def a_settlement(
    service: LedgerService, creditor_id: uuid.UUID, *, created: datetime, **changes: object
) -> uuid.UUID:
    settlement_id = uuid.uuid4()
    values: dict[str, object] = {
        "settlement_id": settlement_id,
        "number": f"A-{uuid.uuid4().hex[:10].upper()}",
        "creditor_id": creditor_id,
        "period_end": created.date(),
        "status": "pending",
        "line_count": 0,
        "collected_ore": 0,
        "commission_ore": 0,
        "credit_report_charges_ore": 0,
        "agency_fees_ore": 0,
        "payout_ore": 0,
        "created_at": created,
        **changes,
    }
    async with service.session_factory() as session:
        await session.execute(insert(settlements).values(**values))
        await session.commit()
    return settlement_id


async def test_a_client_syncs_settlements_by_updated_since(
    service: LedgerService, client: httpx.AsyncClient, signer: TestSigner
) -> None:
    creditor = uuid.uuid4()
    now = datetime.now(UTC)
    old = await a_settlement(service, creditor, created=now - timedelta(days=40))
    voided_lately = await a_settlement(
        service,
        creditor,
        created=now - timedelta(days=30),
        status="voided",
        voided_at=now - timedelta(hours=1),
        void_reason="test",
    )
    new = await a_settlement(service, creditor, created=now - timedelta(minutes=5))
    reader = client_headers(signer, creditor, "settlements:read")

    since = (now - timedelta(days=1)).isoformat()
    listed = await client.get(f"{P}/settlements", params={"updated_since": since}, headers=reader)
    assert listed.status_code == 200, listed.text
    assert {s["settlement_id"] for s in listed.json()} == {str(voided_lately), str(new)}
    everything = await client.get(f"{P}/settlements", headers=reader)
    assert str(old) in {s["settlement_id"] for s in everything.json()}

    naive = await client.get(
        f"{P}/settlements", params={"updated_since": "2026-01-01T00:00:00"}, headers=reader
    )
    assert_problem(naive, 400, "invalid-query")

    cases_only = client_headers(signer, creditor, "cases:read")
    assert_problem(
        await client.get(f"{P}/settlements", headers=cases_only), 403, "insufficient-scope"
    )
    assert_problem(
        await client.get(f"{P}/unmatched-payments", headers=reader), 403, "client-not-allowed"
    )
    stranger = client_headers(signer, uuid.uuid4(), "settlements:read")
    assert (await client.get(f"{P}/settlements", headers=stranger)).json() == []
    assert_problem(await client.get(f"{P}/settlements/{new}", headers=stranger), 404)
