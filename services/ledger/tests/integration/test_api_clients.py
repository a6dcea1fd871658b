"""An API client at the ledger: settlements with ``settlements:read`` only, synced by
``updated_since``; nothing of the agency's."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from ledger.adapters.orm import ledger_cases, payments, settlements
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


async def a_payment(
    service: LedgerService, case_id: uuid.UUID, *, received: datetime, updated: datetime
) -> uuid.UUID:
    payment_id = uuid.uuid4()
    async with service.session_factory() as session:
        await session.execute(
            insert(payments).values(
                payment_id=payment_id,
                source="manual",
                transaction_id=f"test:{payment_id}",
                amount_ore=10_000,
                currency="NOK",
                value_date=received.date(),
                status="allocated",
                case_id=case_id,
                received_at=received,
                updated_at=updated,
            )
        )
        await session.commit()
    return payment_id


async def test_a_client_syncs_payments_by_updated_since_page_by_page(
    service: LedgerService, client: httpx.AsyncClient, signer: TestSigner
) -> None:
    creditor, case_id = uuid.uuid4(), uuid.uuid4()
    now = datetime.now(UTC)
    async with service.session_factory() as session:
        await session.execute(
            insert(ledger_cases).values(
                case_id=case_id,
                creditor_id=creditor,
                case_number=f"T-{uuid.uuid4().hex[:8]}",
                kid="0000000000",
                debtor_kind="person",
                currency="NOK",
                principal_ore=100_000,
                latest_due_date=(now - timedelta(days=60)).date(),
                registered_at=now - timedelta(days=50),
            )
        )
        await session.commit()
    old = await a_payment(
        service, case_id, received=now - timedelta(days=40), updated=now - timedelta(days=40)
    )
    moved_lately = await a_payment(
        service, case_id, received=now - timedelta(days=30), updated=now - timedelta(hours=1)
    )
    new = [await a_payment(service, case_id, received=now, updated=now) for _ in range(3)]
    reader = client_headers(signer, creditor, "settlements:read")
    since = (now - timedelta(days=1)).isoformat()

    seen: list[str] = []
    params: dict[str, str | int] = {"updated_since": since, "limit": 2}
    while True:
        page = await client.get(f"{P}/payments", params=params, headers=reader)
        assert page.status_code == 200, page.text
        items = page.json()
        seen += [p["payment_id"] for p in items]
        if len(items) < 2:
            break
        params["after"] = items[-1]["payment_id"]
    assert sorted(seen) == sorted(str(p) for p in [moved_lately, *new])
    everything = await client.get(f"{P}/payments", headers=reader)
    assert str(old) in {p["payment_id"] for p in everything.json()}
    naive = await client.get(
        f"{P}/payments", params={"updated_since": "2026-01-01T00:00:00"}, headers=reader
    )
    assert_problem(naive, 400, "invalid-query")
