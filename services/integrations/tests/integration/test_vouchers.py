"""A settlement's posting proposal, announced by the reports service over the real broker,
lands once as a balanced voucher in the Tripletex simulator; a voucher the ERP refuses is
recorded with its code; without an active connection nothing is posted."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from cases.adapters.orm import outbox as cases_outbox
from contracts.reports import PostingProposalIssued, ProposedPosting
from integrations.adapters.orm import erp_vouchers
from servicekit.outbox import add_to_outbox, envelope_for
from servicekit.testing.wait import wait_for
from simulators.tripletex import ACCOUNT_ID_BASE, TripletexSimulator
from sqlalchemy import select

from .conftest import Stack
from .test_connector import connect

pytestmark = pytest.mark.integration


def proposal(creditor_id: uuid.UUID, *, interest_account: str = "8050") -> PostingProposalIssued:
    rows = [
        ProposedPosting(
            account="1920", vat_code="0", debit_ore=96_000, credit_ore=0, text="Utbetalt"
        ),
        ProposedPosting(
            account="7770", vat_code="0", debit_ore=14_000, credit_ore=0, text="Provisjon"
        ),
        ProposedPosting(
            account="1500",
            vat_code="0",
            debit_ore=0,
            credit_ore=100_000,
            text="Hovedstol",
            case_number="IC-0000042",
        ),
        ProposedPosting(
            account=interest_account, vat_code="0", debit_ore=0, credit_ore=10_000, text="Renter"
        ),
        ProposedPosting(account="6790", vat_code="0", debit_ore=0, credit_ore=0, text="Tom rad"),
    ]
    return PostingProposalIssued(
        document_id=uuid.uuid4(),
        statement_document_id=uuid.uuid4(),
        organisation_id=creditor_id,
        settlement_id=uuid.uuid4(),
        voucher_number=f"AVR-2026-{uuid.uuid4().int % 10**6:06d}",
        issued_on=date(2026, 12, 7),
        postings=rows,
    )


async def announce(stack: Stack, *events: PostingProposalIssued) -> None:
    """Over the broker: through the cases service's outbox and relay (the stack has no
    reports service; the routing key is the reports service's)."""
    async with stack.cases.session_factory() as session:
        await add_to_outbox(session, cases_outbox, [envelope_for(e) for e in events])
        await session.commit()


async def outcome_of(stack: Stack, document_id: uuid.UUID) -> str | None:
    async with stack.integrations.session_factory() as session:
        found = await session.scalar(
            select(erp_vouchers.c.outcome).where(erp_vouchers.c.document_id == document_id)
        )
    return None if found is None else str(found)


async def test_a_proposal_becomes_one_balanced_voucher(
    stack: Stack, tripletex: TripletexSimulator
) -> None:
    await connect(stack, tripletex)
    event = proposal(stack.creditor_id)
    await announce(stack, event, event.model_copy())  # the same proposal, announced twice

    await wait_for(lambda: outcome_of(stack, event.document_id), what="the voucher posted")
    assert await outcome_of(stack, event.document_id) == "posted"
    (voucher,) = tripletex.vouchers()
    assert voucher["description"] == f"Avregning {event.voucher_number} fra inkassobyrå"
    assert voucher["date"] == "2026-12-07"
    amounts = {
        (p["account"]["id"] - ACCOUNT_ID_BASE, p["amountGross"]) for p in voucher["postings"]
    }
    assert amounts == {(1920, 960.0), (7770, 140.0), (1500, -1000.0), (8050, -100.0)}
    assert any("IC-0000042" in p["description"] for p in voucher["postings"])


async def test_a_refused_voucher_is_recorded_and_nothing_is_posted_without_a_connection(
    stack: Stack, tripletex: TripletexSimulator
) -> None:
    elsewhere = proposal(uuid.uuid4())  # a creditor without a connection
    await connect(stack, tripletex)
    refused = proposal(stack.creditor_id, interest_account="8999")  # not in the chart
    await announce(stack, elsewhere, refused)

    await wait_for(lambda: outcome_of(stack, refused.document_id), what="the refusal recorded")
    assert await outcome_of(stack, refused.document_id) == "erp_rejected"
    assert tripletex.vouchers() == []
    assert await outcome_of(stack, elsewhere.document_id) is None
