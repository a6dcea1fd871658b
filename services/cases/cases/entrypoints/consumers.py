"""Event handlers of the cases service: envelope → command → service layer.

Each runs inside the consumer's transaction, together with the inbox claim.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Callable, Sequence

from contracts import Envelope
from contracts.auth import OrganisationDeactivated, OrganisationRegistered
from contracts.integrations import DirectPaymentNoticed, InvoicesHandedOver
from contracts.ledger import (
    CaseBalanceChanged,
    CaseSettledInFull,
    PaymentReceived,
    PaymentReversed,
)
from servicekit.bus.consumer import BatchHandler, EventHandler
from sqlalchemy.ext.asyncio import AsyncSession

from cases.adapters import balances
from cases.adapters.orm import outbox
from cases.adapters.repository import CreditorRepository
from cases.service_layer import erp_handovers, handlers, workflow
from cases.service_layer.registration import RegistrationContext


async def organisation_registered(session: AsyncSession, envelope: Envelope) -> None:
    """``auth.organisation.registered.v1``: a creditor cases can be registered for."""
    event = envelope.payload(OrganisationRegistered)
    await handlers.record_organisation_registered(
        handlers.RecordOrganisationRegistered(
            organisation_id=event.organisation_id,
            kind=event.kind,
            name=event.name,
            organisation_number=event.organisation_number,
            registered_at=envelope.occurred_at,
        ),
        CreditorRepository(session),
    )


async def organisation_deactivated(session: AsyncSession, envelope: Envelope) -> None:
    """``auth.organisation.deactivated.v1``: no new cases for that creditor."""
    event = envelope.payload(OrganisationDeactivated)
    await handlers.record_organisation_deactivated(
        handlers.RecordOrganisationDeactivated(organisation_id=event.organisation_id),
        CreditorRepository(session),
    )


def case_settled_in_full(context: Callable[[], workflow.WorkflowContext]) -> EventHandler:
    """``ledger.case.settled_in_full.v1``: close the case as paid (a closed case stays)."""

    async def handle(session: AsyncSession, envelope: Envelope) -> None:
        event = envelope.payload(CaseSettledInFull)
        tx = workflow.ConsumerTransaction(session, outbox)
        await workflow.settle_in_full(tx, context(), event.case_id, event.settled_on)
        await tx.flush()

    return handle


def payments_received(context: Callable[[], workflow.WorkflowContext]) -> BatchHandler:
    """``ledger.payment.received.v1`` (batch: payments come in volume): each payment the
    ledger booked interrupts limitation on its case from its value date (a part payment
    acknowledges the debt, foreldelsesloven § 14), unless the claim was already barred
    then. Kept as facts and folded in value-date order, so arrival order does not matter
    (ADR 0068); cases taken in id order (one lock order for all)."""

    async def handle(session: AsyncSession, envelopes: Sequence[Envelope]) -> None:
        payments = [envelope.payload(PaymentReceived) for envelope in envelopes]
        await _apply_payments(
            session,
            context(),
            [(p.case_id, workflow.LedgerPayment(p.payment_id, p.value_date)) for p in payments],
        )

    return BatchHandler(handle)


def payments_reversed(context: Callable[[], workflow.WorkflowContext]) -> BatchHandler:
    """``ledger.payment.reversed.v1``: a payment taken back no longer interrupts limitation
    (ADR 0068); its case's dates are computed again without it, whether it arrives after
    the payment or before."""

    async def handle(session: AsyncSession, envelopes: Sequence[Envelope]) -> None:
        taken_back = [envelope.payload(PaymentReversed) for envelope in envelopes]
        await _apply_payments(
            session,
            context(),
            [
                (p.case_id, workflow.LedgerPayment(p.payment_id, p.value_date, reversed=True))
                for p in taken_back
            ],
        )

    return BatchHandler(handle)


async def _apply_payments(
    session: AsyncSession,
    ctx: workflow.WorkflowContext,
    payments: Sequence[tuple[uuid.UUID, workflow.LedgerPayment]],
) -> None:
    by_case: dict[uuid.UUID, list[workflow.LedgerPayment]] = defaultdict(list)
    for case_id, payment in payments:
        by_case[case_id].append(payment)
    tx = workflow.ConsumerTransaction(session, outbox)
    for case_id in sorted(by_case, key=str):
        await workflow.ledger_payments(tx, ctx, case_id, by_case[case_id])
    await tx.flush()


async def balances_changed(session: AsyncSession, envelopes: Sequence[Envelope]) -> None:
    """``ledger.case.balance_changed.v1`` (batch: one per payment, fee and step): each
    case keeps the newest balance and paid amount the ledger stated, for the case list
    (ADR 0055)."""
    stated = []
    for envelope in envelopes:
        event = envelope.payload(CaseBalanceChanged)
        stated.append(
            balances.StatedBalance(
                case_id=event.case_id,
                balance_ore=event.balance_ore,
                paid_ore=event.paid_ore,
                at=event.changed_at,
            )
        )
    await balances.apply(session, stated)


def invoices_handed_over(context: Callable[[], RegistrationContext]) -> EventHandler:
    """``integrations.invoices.handed_over.v1``: overdue invoices of a creditor's ERP, as
    one registration batch (refused rows on ``cases.batch.registered``)."""

    async def handle(session: AsyncSession, envelope: Envelope) -> None:
        event = envelope.payload(InvoicesHandedOver)
        tx = workflow.ConsumerTransaction(session, outbox)
        await erp_handovers.register_handover(tx, context(), event)
        await tx.flush()

    return handle


async def direct_payment_noticed(session: AsyncSession, envelope: Envelope) -> None:
    """``integrations.direct_payment.noticed.v1``: the creditor's ERP shows money received
    or credited directly: on the case's timeline."""
    await erp_handovers.record_direct_payment(
        session, envelope.payload(DirectPaymentNoticed), at=envelope.occurred_at
    )
