"""Cases from a creditor's ERP: the integrations service's handovers, registered as batches.

A handover (``integrations.invoices.handed_over``) is registered like an API submission:
the same rules (:func:`cases.domain.registration.validated`), the same refusal of a
reference already registered, one batch whose id is the handover's (so the integrations
service can match the batch's refused rows), completed at once. Runs in the consumer's
transaction: the inbox makes a redelivered handover a no-op.
"""

from __future__ import annotations

from datetime import datetime

from contracts.integrations import DirectPaymentNoticed, HandedOverCase, InvoicesHandedOver
from sqlalchemy.ext.asyncio import AsyncSession

from cases.adapters import workflow_store
from cases.domain.registration import Address, CaseRegistration, Claim, Debtor
from cases.service_layer.registration import (
    RegistrationContext,
    RegistrationTx,
    Submitter,
    complete_batch,
    open_batch,
    register_chunk,
    rejected_rows,
)


def _registration(case: HandedOverCase) -> CaseRegistration:
    debtor = case.debtor
    return CaseRegistration(
        creditor_reference=case.creditor_reference,
        debtor=Debtor(
            kind=debtor.kind,
            name=debtor.name,
            address=Address(
                lines=tuple(debtor.address.lines),
                postal_code=debtor.address.postal_code,
                city=debtor.address.city,
                country=debtor.address.country,
            ),
            organisation_number=debtor.organisation_number,
            email=debtor.email,
            phone=debtor.phone,
        ),
        claims=tuple(
            Claim(
                invoice_number=c.invoice_number,
                invoice_date=c.invoice_date,
                due_date=c.due_date,
                principal_ore=c.principal_ore,
                reminder_fee_ore=c.reminder_fee_ore,
            )
            for c in case.claims
        ),
    )


async def register_handover(
    tx: RegistrationTx, ctx: RegistrationContext, event: InvoicesHandedOver
) -> None:
    """Register the handover's valid cases in one batch; the refused rows on its event."""
    batch = await open_batch(
        tx, ctx, Submitter(event.creditor_id, "api", None), batch_id=event.handover_id
    )
    items = [(i, _registration(case)) for i, case in enumerate(event.cases)]
    outcome = await register_chunk(tx, ctx, batch, items)
    await complete_batch(
        tx,
        ctx,
        batch.batch_id,
        rejected=len(outcome.rejected),
        rejected_rows=rejected_rows(outcome.rejected, lambda i: event.cases[i].creditor_reference),
    )


TIMELINE_KINDS = {"payment": "paid_directly", "credit_note": "credited_directly"}
"""The timeline's kind for money the creditor received itself, by the ERP's kind."""


async def record_direct_payment(
    session: AsyncSession, event: DirectPaymentNoticed, *, at: datetime
) -> bool:
    """A payment or credit note the creditor's ERP shows, on the case's timeline (the case
    handler sees it, and the creditor on the case page). The ledger has no notion of a
    payment made to the creditor directly, so the balance is not moved here (ADR 0045).
    ``False`` when the case is not the creditor's (or gone): nothing is written."""
    owner = await workflow_store.case_creditor(session, event.case_id)
    if owner != event.creditor_id:
        return False
    await workflow_store.append_timeline(
        session,
        event.case_id,
        occurred_at=at,
        kind=TIMELINE_KINDS[event.kind],
        actor_kind="system",
        actor_id=None,
        effective_date=event.noticed_on,
        detail={
            "amount_ore": event.amount_ore,
            "invoice_number": event.invoice_number,
            "source": event.erp,
        },
    )
    return True
