"""Test helpers of the credit service: creditors with price lists, orders, the bureau."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import httpx
from credit.adapters.repository import CreditorRepository
from credit.bootstrap import CreditService
from credit.domain.model import Creditor
from servicekit.roles import Roles
from servicekit.testing.data import organisation_number, unique_name
from servicekit.testing.tokens import TestSigner
from sqlalchemy import text

BUREAU_SECRET = "test-bureau-secret"
COMPANY_PRICE = 4_900
PERSON_PRICE = 7_900


@dataclass
class Bureau:
    """The simulator's inspection endpoints."""

    http: httpx.AsyncClient

    async def faults(self, *scenarios: str) -> None:
        response = await self.http.post("/_sim/faults", json={"scenarios": list(scenarios)})
        assert response.status_code == 200, response.text

    async def gjenparter(self, reference: uuid.UUID | None = None) -> list[dict[str, Any]]:
        params = {"clientReference": str(reference)} if reference else None
        return (await self.http.get("/_sim/gjenparter", params=params)).json()  # type: ignore[no-any-return]

    async def calls(self, reference: uuid.UUID | None = None) -> list[dict[str, Any]]:
        calls = (await self.http.get("/_sim/calls")).json()
        return [c for c in calls if reference is None or c["clientReference"] == str(reference)]


@dataclass
class CreditorWorld:
    """A creditor with its own price list, its users, and the agency's admin."""

    service: CreditService
    signer: TestSigner
    client: httpx.AsyncClient
    creditor_id: uuid.UUID = field(default_factory=uuid.uuid4)
    name: str = field(default_factory=unique_name)
    orderer_id: uuid.UUID = field(default_factory=uuid.uuid4)

    def headers(
        self, *roles: str, user: uuid.UUID | None = None, organisation: uuid.UUID | None = None
    ) -> dict[str, str]:
        token = self.signer.mint(
            organisation_id=organisation or self.creditor_id,
            roles=roles,
            user_id=user or self.orderer_id,
        )
        return {"Authorization": f"Bearer {token}"}

    @property
    def orderer(self) -> dict[str, str]:
        return self.headers(Roles.CREDITOR, Roles.CREDIT_ORDERER)

    @property
    def admin(self) -> dict[str, str]:
        return self.headers(Roles.AGENCY_ADMIN, user=uuid.uuid4(), organisation=AGENCY)

    async def register(self, *, prices: bool = True) -> CreditorWorld:
        async with self.service.session_factory() as session, session.begin():
            await CreditorRepository(session).upsert_registration(
                Creditor(self.creditor_id, self.name, organisation_number=organisation_number())
            )
        if prices:
            await self.price_list(COMPANY_PRICE, PERSON_PRICE)
        return self

    async def price_list(self, company: int, person: int, valid_from: date | None = None) -> str:
        response = await self.client.post(
            "/api/v1/credit/price-lists",
            json={
                "creditor_id": str(self.creditor_id),
                "name": "Test",
                "valid_from": (valid_from or date.today()).isoformat(),
                "items": [
                    {
                        "product_code": "COMPANY_STANDARD",
                        "unit_price_ore": company,
                        "vat_code": "3",
                    },
                    {"product_code": "PERSON_STANDARD", "unit_price_ore": person, "vat_code": "3"},
                ],
            },
            headers={**self.admin, "Idempotency-Key": str(uuid.uuid4())},
        )
        assert response.status_code == 201, response.text
        return str(response.json()["id"])

    async def order(
        self,
        subject: dict[str, str],
        *,
        purpose: str = "CASE_ASSESSMENT",
        price: int | None = None,
        key: str | None = None,
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> httpx.Response:
        product = "COMPANY_STANDARD" if subject["kind"] == "company" else "PERSON_STANDARD"
        default_price = COMPANY_PRICE if subject["kind"] == "company" else PERSON_PRICE
        body = {
            "product_code": product,
            "subject": subject,
            "purpose": {
                "code": purpose,
                "text": "Vurdering av utlegg i saken",
                "case_id": "C-2026-000123",
                **extra,
            },
            "accepted_price_ore": default_price if price is None else price,
        }
        return await self.client.post(
            "/api/v1/credit/orders",
            json=body,
            headers={
                **(self.orderer if headers is None else headers),
                "Idempotency-Key": key or str(uuid.uuid4()),
            },
        )

    async def charges(self) -> list[dict[str, Any]]:
        """The charges this creditor's orders emitted (credit.report.purchased.v1)."""
        async with self.service.session_factory() as session:
            rows = await session.execute(
                text(
                    "SELECT body FROM outbox WHERE routing_key = 'credit.report.purchased.v1'"
                    " AND body::jsonb -> 'data' ->> 'creditor_id' = :creditor ORDER BY id"
                ),
                {"creditor": str(self.creditor_id)},
            )
            return [json.loads(body)["data"] for (body,) in rows]

    async def order_row(self, order_id: str) -> dict[str, Any]:
        async with self.service.session_factory() as session:
            row = (
                (
                    await session.execute(
                        text("SELECT * FROM orders WHERE id = :id"), {"id": order_id}
                    )
                )
                .mappings()
                .one()
            )
            return dict(row)


AGENCY = uuid.UUID("00000000-0000-4000-8000-00000000a9e1")


def company(number: str) -> dict[str, str]:
    return {"kind": "company", "organisation_number": number}


def person(number: str) -> dict[str, str]:
    return {"kind": "person", "national_id": number}
