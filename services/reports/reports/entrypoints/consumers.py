"""Event handlers of the reports service: envelope → projection (→ document job).

Each runs inside the consumer's transaction, together with the inbox claim. A document
is not rendered here: the event that completes its data records a document job, which
commits with it or not at all, and the renderer issues the document (ADR 0066).
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from contracts import Envelope
from contracts.auth import OrganisationDeactivated, OrganisationRegistered
from contracts.cases import (
    BatchRegistered,
    CaseClosed,
    CaseRegistered,
    CaseStatusChanged,
    DebtorLetterRequested,
)
from contracts.ledger import CaseBalanceChanged, PaymentReceived, SettlementCompleted
from sqlalchemy.ext.asyncio import AsyncSession

from reports.adapters.document_store import DocumentStore
from reports.adapters.projections import ProjectionStore
from reports.adapters.repository import OrganisationRepository
from reports.service_layer import handlers, issuing, letters


async def organisation_registered(session: AsyncSession, envelope: Envelope) -> None:
    """``auth.organisation.registered.v1``: the organisation enters the read model."""
    event = envelope.payload(OrganisationRegistered)
    await handlers.project_organisation_registered(
        handlers.ProjectOrganisationRegistered(
            organisation_id=event.organisation_id,
            kind=event.kind,
            name=event.name,
            organisation_number=event.organisation_number,
            registered_at=envelope.occurred_at,
        ),
        OrganisationRepository(session),
    )


async def organisation_deactivated(session: AsyncSession, envelope: Envelope) -> None:
    """``auth.organisation.deactivated.v1``: the organisation is marked inactive."""
    event = envelope.payload(OrganisationDeactivated)
    await handlers.project_organisation_deactivated(
        handlers.ProjectOrganisationDeactivated(organisation_id=event.organisation_id),
        OrganisationRepository(session),
    )


@dataclass(frozen=True)
class DocumentEvents:
    """The handlers that build the documents' read model and issue the documents."""

    issuer: issuing.Issuer

    async def cases_registered(self, session: AsyncSession, envelopes: Sequence[Envelope]) -> None:
        """``cases.case.registered.v1`` (a batch handler): the cases enter the read model;
        a batch whose every case is now there gets its order confirmation (a job)."""
        projections = ProjectionStore(session)
        rows = [handlers.case_row(e.payload(CaseRegistered)) for e in envelopes]
        batch_ids = await projections.add_cases(rows)
        await apply_parked(projections, [row["case_id"] for row in rows])
        await projections.record_progress("cases", max(e.occurred_at for e in envelopes))
        await self._confirm_ready(session, projections, batch_ids)

    async def batch_registered(self, session: AsyncSession, envelope: Envelope) -> None:
        """``cases.batch.registered.v1``: the batch enters the read model; its order
        confirmation is issued once its cases are all there (now, or when they arrive)."""
        event = envelope.payload(BatchRegistered)
        projections = ProjectionStore(session)
        await projections.add_batch(handlers.batch_row(event))
        await projections.record_progress("batches", envelope.occurred_at)
        await self._confirm_ready(session, projections, [event.batch_id])

    async def settlement_completed(self, session: AsyncSession, envelope: Envelope) -> None:
        """``ledger.settlement.completed.v1``: the settlement and its lines enter the read
        model and its statement is checked and recorded for the renderer (a settlement from
        a producer that did not send its lines is kept without a statement)."""
        event = envelope.payload(SettlementCompleted)
        projections = ProjectionStore(session)
        if event.lines is None:
            await projections.record_progress("settlements", envelope.occurred_at)
            return
        row, lines = handlers.settlement_rows(event)
        await projections.add_settlement(row, lines)
        await projections.record_progress("settlements", envelope.occurred_at)
        await issuing.request_settlement_statement(
            projections, DocumentStore(session), self.issuer, event.settlement_id
        )

    async def debtor_letter_requested(self, session: AsyncSession, envelope: Envelope) -> None:
        """``cases.debtor_letter.requested.v1``: the letter is checked and recorded for the
        renderer, which queues it for the post (a case not yet in the read model is
        retried; a letter whose day has no interest rate stated yet is held until a balance
        event states it)."""
        await letters.issue_debtor_letter(
            session, self.issuer, envelope.payload(DebtorLetterRequested)
        )

    async def balances_changed(self, session: AsyncSession, envelopes: Sequence[Envelope]) -> None:
        """``ledger.case.balance_changed.v1`` (a batch handler): each case's newest balance,
        its history (with the interest rate and interest the ledger stated), then the
        letters held for the rate of their day that it now brings."""
        await balances_changed(session, envelopes)
        case_ids = [e.payload(CaseBalanceChanged).case_id for e in envelopes]
        await letters.release_held(session, self.issuer, case_ids)

    async def _confirm_ready(
        self, session: AsyncSession, projections: ProjectionStore, batch_ids: Sequence[uuid.UUID]
    ) -> None:
        store = DocumentStore(session)
        for batch_id in await projections.batches_ready(batch_ids):
            await issuing.request_order_confirmation(projections, store, self.issuer, batch_id)


CaseEvent = CaseStatusChanged | CaseClosed | CaseBalanceChanged | PaymentReceived


async def _apply_statuses(projections: ProjectionStore, envelopes: Sequence[Envelope]) -> None:
    events = [e.payload(CaseStatusChanged) for e in envelopes]
    await projections.apply_statuses([(e.case_id, e.to_status, e.changed_at) for e in events])


async def _apply_balances(projections: ProjectionStore, envelopes: Sequence[Envelope]) -> None:
    events = [e.payload(CaseBalanceChanged) for e in envelopes]
    await projections.apply_balances(
        [
            (e.case_id, e.principal_ore, e.interest_ore, e.costs_ore, e.balance_ore, e.changed_at)
            for e in events
        ]
    )
    await projections.add_balance_history([handlers.balance_row(e) for e in events])


async def _apply_closings(projections: ProjectionStore, envelopes: Sequence[Envelope]) -> None:
    events = [e.payload(CaseClosed) for e in envelopes]
    await projections.close_cases([(e.case_id, e.closed_on, e.reason) for e in events])


async def _apply_payments(projections: ProjectionStore, envelopes: Sequence[Envelope]) -> None:
    events = [e.payload(PaymentReceived) for e in envelopes]
    await projections.add_payments([handlers.payment_row(e) for e in events])


_APPLY: dict[
    str,
    tuple[type[CaseEvent], Callable[[ProjectionStore, Sequence[Envelope]], Awaitable[None]]],
] = {
    CaseStatusChanged.routing_key(): (CaseStatusChanged, _apply_statuses),
    CaseBalanceChanged.routing_key(): (CaseBalanceChanged, _apply_balances),
    CaseClosed.routing_key(): (CaseClosed, _apply_closings),
    PaymentReceived.routing_key(): (PaymentReceived, _apply_payments),
}
"""What each change to a case does to the read model, by routing key."""


async def _apply_or_park(projections: ProjectionStore, envelopes: Sequence[Envelope]) -> None:
    """Apply changes to cases the read model knows; park the others until the case's
    registration arrives (a backfill or replay may deliver them first). A parked change
    is applied by :func:`apply_parked` in the transaction that adds its case."""
    model, apply = _APPLY[envelopes[0].routing_key]
    await projections.guard_parking(registering=False)
    case_of = {e.event_id: e.payload(model).case_id for e in envelopes}
    known = await projections.known_cases(case_of.values())
    await projections.park(
        [(case_of[e.event_id], e) for e in envelopes if case_of[e.event_id] not in known]
    )
    ready = [e for e in envelopes if case_of[e.event_id] in known]
    if ready:
        await apply(projections, ready)


async def apply_parked(projections: ProjectionStore, case_ids: Sequence[uuid.UUID]) -> None:
    """Apply (and forget) the changes parked for cases that have just been added."""
    await projections.guard_parking(registering=True)
    parked = await projections.unpark(case_ids)
    by_kind: dict[str, list[Envelope]] = {}
    for envelope in parked:
        by_kind.setdefault(envelope.routing_key, []).append(envelope)
    for routing_key, envelopes in by_kind.items():
        await _APPLY[routing_key][1](projections, envelopes)


async def statuses_changed(session: AsyncSession, envelopes: Sequence[Envelope]) -> None:
    """``cases.case.status_changed.v1`` (a batch handler): each case's newest status."""
    projections = ProjectionStore(session)
    await _apply_or_park(projections, envelopes)
    await projections.record_progress("case_status", max(e.occurred_at for e in envelopes))


async def balances_changed(session: AsyncSession, envelopes: Sequence[Envelope]) -> None:
    """``ledger.case.balance_changed.v1`` (a batch handler): each case's newest balance."""
    projections = ProjectionStore(session)
    await _apply_or_park(projections, envelopes)
    await projections.record_progress("case_balance", max(e.occurred_at for e in envelopes))


async def cases_closed(session: AsyncSession, envelopes: Sequence[Envelope]) -> None:
    """``cases.case.closed.v1`` (a batch handler): when and why each case closed."""
    await _apply_or_park(ProjectionStore(session), envelopes)


async def payments_received(session: AsyncSession, envelopes: Sequence[Envelope]) -> None:
    """``ledger.payment.received.v1`` (a batch handler): payments on cases, for the case
    statement."""
    projections = ProjectionStore(session)
    await _apply_or_park(projections, envelopes)
    await projections.record_progress("payments", max(e.occurred_at for e in envelopes))
