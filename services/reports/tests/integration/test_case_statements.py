"""The case statement (saksoppstilling): payments and booked balances projected from the
ledger's events, the statement as of a date issued once, for the case's creditor only."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from contracts.ledger import CaseBalanceChanged, CaseInterest, InterestRatePeriod, PaymentReceived
from reports.adapters.orm import payments
from reports.bootstrap import ReportsService
from reports.entrypoints.api import create_app
from servicekit.roles import Roles
from servicekit.testing.http import asgi_client, assert_problem
from servicekit.testing.tokens import TestSigner
from sqlalchemy import func, select

from .events import Batch, organisation, pdf_text, wrap
from .rendering import rendered, running_reports
from .test_documents import issued_events

pytestmark = pytest.mark.integration

P = "/api/v1/reports/case-statements"


def booked(case_id: uuid.UUID, creditor: uuid.UUID, on: date, principal: int) -> Any:
    return CaseBalanceChanged(
        case_id=case_id,
        creditor_id=creditor,
        effective_date=on,
        principal_ore=principal,
        interest_ore=1_250,
        costs_ore=70_000,
        balance_ore=principal + 71_250,
        overpaid_ore=0,
        cause="payment",
        changed_at=datetime.combine(on, datetime.min.time(), tzinfo=UTC),
    )


async def test_a_case_statement_as_of_a_date(service: ReportsService, signer: TestSigner) -> None:
    creditor = organisation("creditor")
    a = creditor.organisation_id
    batch = Batch(a)
    case = batch.case(1_000_000, "Kari Nordmann", reference="REF-CS")
    payment = PaymentReceived(
        payment_id=uuid.uuid4(),
        case_id=case.case_id,
        creditor_id=a,
        amount_ore=300_000,
        value_date=date(2026, 2, 10),
        principal_ore=228_750,
        interest_ore=1_250,
        costs_ore=70_000,
        overpaid_ore=0,
        received_at=datetime(2026, 2, 10, 12, tzinfo=UTC),
    )
    later = PaymentReceived(
        **{**payment.model_dump(), "payment_id": uuid.uuid4(), "value_date": date(2026, 3, 10)}
    )
    async with running_reports(service) as run:
        for event in (organisation("agency"), creditor, case, batch.registered()):
            await run.publish(wrap(event))
        for event in (
            payment,
            later,
            booked(case.case_id, a, date(2026, 1, 20), 1_000_000),
            booked(case.case_id, a, date(2026, 2, 10), 771_250),
            booked(case.case_id, a, date(2026, 3, 10), 542_500),
        ):
            await run.publish(wrap(event), times=2)

        async def both_payments() -> bool:
            async with service.session_factory() as session:
                count = await session.scalar(
                    select(func.count())
                    .select_from(payments)
                    .where(payments.c.case_id == case.case_id)
                )
            return count == 2

        await run.wait_for(both_payments, what="the payments")
        await run.settled(duplicate=5)
        await rendered(service)

    own = signer.headers(organisation_id=a, roles=[Roles.CREDITOR])
    other = signer.headers(organisation_id=uuid.uuid4(), roles=[Roles.CREDITOR])
    handler = signer.headers(organisation_id=uuid.uuid4(), roles=[Roles.CASE_HANDLER])
    body = {"case_id": str(case.case_id), "as_of": "2026-02-28"}
    async with asgi_client(create_app(service)) as client:
        assert_problem(await client.post(P, json=body, headers=other), 404, "case-not-found")
        assert_problem(await client.post(P, json=body), 401)
        assert_problem(
            await client.post(P, json={**body, "as_of": "2999-01-01"}, headers=own),
            422,
            "as-of-in-the-future",
        )
        first = await client.post(P, json=body, headers=own)
        assert first.status_code == 201, first.text
        again = await client.post(P, json=body, headers=handler)
        assert again.status_code == 200
        assert again.json()["document_id"] == first.json()["document_id"]
        keyed = {**own, "Idempotency-Key": str(uuid.uuid4())}
        march = {**body, "as_of": "2026-03-15"}
        issued = await client.post(P, json=march, headers=keyed)
        replayed = await client.post(P, json=march, headers=keyed)  # the first answer: 201
        assert (issued.status_code, replayed.status_code) == (201, 201), issued.text
        assert replayed.json() == issued.json()
        assert_problem(
            await client.post(P, json={**march, "as_of": "2026-03-16"}, headers=keyed),
            422,
            "idempotency-key-reused",
        )
        document = first.json()
        assert (document["kind"], document["number"]) == (
            "case_statement",
            f"{case.case_number}-20260228",
        )
        content = await client.get(document["content_url"], headers=own)
        assert_problem(await client.get(document["content_url"], headers=other), 404)

    # the user downloads a case statement at once: only the batch's confirmation is announced
    assert [e.kind for e in await issued_events(service, a)] == ["order_confirmation"]

    text = pdf_text(content.content)
    assert f"Saksoppstilling {case.case_number}" in text
    assert "Kari Nordmann" in text
    assert "3 000,00" in text  # the payment of 10 February
    assert "10.03.2026" not in text  # the later one is after the date
    assert "7 712,50" in text  # the balance as booked on 10 February


async def test_the_statement_shows_the_ledgers_interest_by_rate_period(
    service: ReportsService, signer: TestSigner
) -> None:
    """The ledger's event of 28.02.2026 states 12,00 % (as the test gives it) on 10 000,00
    due 16.01.2026: 17.01-28.02 is 43 days, 1 000 000 x 0,12 x 43 / 365 = 14 136,99 øre →
    141,37 kr; with costs 700,00 the balance is 10 000,00 + 700,00 + 141,37 = 10 841,37 kr."""
    creditor = organisation("creditor")
    a = creditor.organisation_id
    batch = Batch(a)
    case = batch.case(1_000_000, "Kari Nordmann")
    on = date(2026, 2, 28)
    event = CaseBalanceChanged(
        case_id=case.case_id,
        creditor_id=a,
        effective_date=on,
        principal_ore=1_000_000,
        interest_ore=0,
        costs_ore=70_000,
        balance_ore=1_070_000,
        overpaid_ore=0,
        cause="fee",
        changed_at=datetime(2026, 2, 28, 6, tzinfo=UTC),
        interest_rate_percent=Decimal("12.00"),
        interest_rate_from=date(2026, 1, 1),
        interest_rate_to=date(2026, 6, 30),
        interest=CaseInterest(
            through=on,
            accrued_ore=14_137,
            outstanding_ore=14_137,
            balance_ore=1_084_137,
            periods=[
                InterestRatePeriod(
                    first=date(2026, 1, 17),
                    last=on,
                    days=43,
                    principal_ore=1_000_000,
                    rate_percent=Decimal("12.00"),
                    rate_from=date(2026, 1, 1),
                    interest_ore=14_137,
                )
            ],
        ),
    )
    async with running_reports(service) as run:
        for message in (organisation("agency"), creditor, case, batch.registered(), event):
            await run.publish(wrap(message))
        await run.settled(handled=5)

    own = signer.headers(organisation_id=a, roles=[Roles.CREDITOR])
    async with asgi_client(create_app(service)) as client:
        made = await client.post(
            P, json={"case_id": str(case.case_id), "as_of": "2026-03-05"}, headers=own
        )
        assert made.status_code == 201, made.text
        content = await client.get(made.json()["content_url"], headers=own)
    text = " ".join(pdf_text(content.content).replace("\u202f", " ").split())
    assert "17.01.2026 28.02.2026 43 10 000,00 12,00 % 141,37" in text
    assert "Sum påløpt til og med 28.02.2026 141,37" in text
    assert "Renter til og med 28.02.2026 141,37" in text
    assert "Saldo 10 841,37" in text
