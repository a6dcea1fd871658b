"""Event handlers of the ledger service: envelope → command → service layer.

Each runs inside the consumer's transaction, together with the inbox claim; what it books
and publishes is flushed to the journal and the outbox before the consumer commits.
``cases.case.registered`` and ``cases.case.status_changed`` come in volume (imports of a
million cases, the scheduler's daily steps), so they are batch handlers: one transaction
and a few statements for every event that arrived together.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from contracts import Envelope
from contracts.auth import OrganisationDeactivated, OrganisationRegistered
from contracts.cases import CaseClosed, CaseRegistered, CaseStatusChanged, ClaimTimeBarred
from contracts.credit import CreditReportPurchased
from sqlalchemy import Table
from sqlalchemy.ext.asyncio import AsyncSession

from ledger.adapters.repository import CreditorAccountRepository
from ledger.adapters.settlement_store import SettlementStore
from ledger.domain.case_ledger import CaseFacts, Claim
from ledger.domain.fees import Reminder, Step
from ledger.service_layer import handlers
from ledger.service_layer.books import Books
from ledger.service_layer.cases import (
    CaseRegistration,
    StepTaken,
    claim_time_barred,
    close_case,
    record_steps,
    register_cases,
)
from ledger.service_layer.creditors import record_credit_report_charge
from ledger.service_layer.policy import LedgerPolicy


async def organisation_registered(session: AsyncSession, envelope: Envelope) -> None:
    """``auth.organisation.registered.v1``: open the creditor's client-funds account."""
    event = envelope.payload(OrganisationRegistered)
    await handlers.open_creditor_account(
        handlers.OpenCreditorAccount(
            organisation_id=event.organisation_id,
            kind=event.kind,
            registered_at=envelope.occurred_at,
        ),
        CreditorAccountRepository(session),
    )


async def organisation_deactivated(session: AsyncSession, envelope: Envelope) -> None:
    """``auth.organisation.deactivated.v1``: nothing new is booked for that creditor."""
    event = envelope.payload(OrganisationDeactivated)
    await handlers.deactivate_creditor_account(
        handlers.DeactivateCreditorAccount(organisation_id=event.organisation_id),
        CreditorAccountRepository(session),
    )


async def credit_report_purchased(session: AsyncSession, envelope: Envelope) -> None:
    """``credit.report.purchased.v1``: the creditor bought a credit report; the charge
    (price and VAT) is deducted at its next settlement. One charge per order: the order id
    is the charge id, so even a re-publication under a new event id books nothing twice
    (the inbox already dedupes a redelivery by event id)."""
    event = envelope.payload(CreditReportPurchased)
    await record_credit_report_charge(
        SettlementStore(session),
        charge_id=event.order_id,
        creditor_id=event.creditor_id,
        amount_ore=event.price_ore + event.vat_ore,
        on=event.purchased_on,
    )


def registration(event: CaseRegistered) -> CaseRegistration:
    """The ledger's view of a registered case: ids, dates and amounts."""
    starts = {s.claim_id: s.interest_due_date for s in event.interest_starts or ()}
    sent: dict[uuid.UUID, list[Reminder]] = {}
    for r in event.reminders or ():
        sent.setdefault(r.claim_id, []).append(Reminder(r.sent_on, r.fee_ore))
    facts = CaseFacts(
        case_id=event.case_id,
        creditor_id=event.creditor_id,
        kid=event.kid,
        debtor_kind=event.debtor_kind,
        currency=event.currency,
        claims=tuple(
            Claim(
                c.claim_id,
                c.due_date,
                c.principal_ore,
                c.reminder_fee_ore,
                interest_due_date=starts.get(c.claim_id),
                reminders=(  # a claim with no events: its total decides (as before)
                    tuple(sorted(sent[c.claim_id], key=lambda r: r.sent_on))
                    if c.claim_id in sent
                    else None
                ),
            )
            for c in event.claims
        ),
    )
    return CaseRegistration(facts, event.case_number, event.registered_at)


class CaseEvents:
    """Handlers of the cases service's events (they need the outbox and the policy)."""

    def __init__(self, outbox: Table, policy: LedgerPolicy) -> None:
        self.outbox = outbox
        self.policy = policy

    async def registered(self, session: AsyncSession, envelopes: Sequence[Envelope]) -> None:
        """``cases.case.registered.v1`` (batch): book each new case's claims."""
        books = Books(session, self.outbox)
        await register_cases(
            books, [registration(e.payload(CaseRegistered)) for e in envelopes], self.policy
        )
        await books.flush()

    async def status_changed(self, session: AsyncSession, envelopes: Sequence[Envelope]) -> None:
        """``cases.case.status_changed.v1`` (batch): keep the steps, charge their fees."""
        books = Books(session, self.outbox)
        steps = []
        for envelope in envelopes:
            event = envelope.payload(CaseStatusChanged)
            steps.append(
                StepTaken(
                    event.case_id,
                    Step(event.step, event.effective_date, event.instalments),
                    envelope.event_id,
                )
            )
        await record_steps(books, steps, self.policy)
        await books.flush()

    async def closed(self, session: AsyncSession, envelope: Envelope) -> None:
        """``cases.case.closed.v1``: a case closed unpaid stops interest and is written off."""
        event = envelope.payload(CaseClosed)
        books = Books(session, self.outbox)
        await close_case(books, event.case_id, event.closed_on, event.reason, self.policy)
        await books.flush()

    async def time_barred(self, session: AsyncSession, envelope: Envelope) -> None:
        """``cases.claim.time_barred.v1``: no interest or fee on the claim from the day it is
        time-barred (or again, when an earlier interruption renewed it)."""
        event = envelope.payload(ClaimTimeBarred)
        books = Books(session, self.outbox)
        await claim_time_barred(
            books,
            event.case_id,
            event.claim_id,
            event.time_barred_on,
            event.limitation_date,
            self.policy,
        )
        await books.flush()
