"""The event types a creditor's endpoint can subscribe to, and the thin payload of each.

A webhook event is a fact about the creditor's own cases and money, translated from the
owning service's event: ids, statuses, dates and amounts (integer øre), never a debtor's
name, address or national id number (the receiver fetches details through the
authenticated API). One source event may give several webhook events (a status change
that is an objection is also ``objection.registered``); each gets its own id, derived from
the source event's id and the type, so a redelivered source event gives the same ids.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from contracts import Envelope
from contracts.cases import (
    BatchRegistered,
    CaseClosed,
    CaseRegistered,
    CaseStatusChanged,
    NoteAdded,
)
from contracts.credit import CreditReportPurchased
from contracts.envelope import EventData
from contracts.ledger import PaymentReceived, SettlementCompleted
from contracts.reports import DocumentIssued

WEBHOOK_ID_NAMESPACE = uuid.UUID("6f1c52f4-6a53-4d52-9c43-54a1b0f8e0a7")
"""Namespace of the webhook event ids (UUIDv5 of ``<source event id>:<type>``)."""

EVENT_TYPES: Mapping[str, str] = {
    "batch.completed": "a registration batch (form, file or API) was registered",
    "case.registered": "a case was registered",
    "case.status_changed": "a case moved to another workflow state",
    "case.closed": "a case was closed (paid, withdrawn or uncollectible)",
    "objection.registered": "the debtor's objection (innsigelse) was registered",
    "objection.resolved": "a disputed case left the disputed state",
    "note.added": "the case handler wrote a note to the creditor",
    "payment.received": "a payment on a case was received and allocated",
    "settlement.completed": "a settlement (avregning) with the creditor was confirmed",
    "document.issued": "a document is ready (order confirmation, settlement statement …)",
    "credit_report.completed": "a credit report the creditor ordered is ready",
}
"""Every event type an endpoint can subscribe to, with what it means."""


@dataclass(frozen=True)
class WebhookEvent:
    """One event to deliver: its id (``webhook-id``), owner, type, time and thin data."""

    id: uuid.UUID
    organisation_id: uuid.UUID
    type: str
    occurred_at: datetime
    data: Mapping[str, Any]

    def body(self) -> str:
        """The exact body sent and signed (compact JSON, Standard Webhooks' shape)."""
        return json.dumps(
            {"type": self.type, "timestamp": self.occurred_at.isoformat(), "data": self.data},
            separators=(",", ":"),
            sort_keys=True,
            default=str,
        )


def webhook_id(source_event_id: uuid.UUID, event_type: str) -> uuid.UUID:
    return uuid.uuid5(WEBHOOK_ID_NAMESPACE, f"{source_event_id}:{event_type}")


def _event(
    envelope: Envelope, organisation_id: uuid.UUID, event_type: str, data: Mapping[str, Any]
) -> WebhookEvent:
    return WebhookEvent(
        id=webhook_id(envelope.event_id, event_type),
        organisation_id=organisation_id,
        type=event_type,
        occurred_at=envelope.occurred_at,
        data={k: str(v) if isinstance(v, uuid.UUID) else v for k, v in data.items()},
    )


def _batch(envelope: Envelope) -> list[WebhookEvent]:
    e = envelope.payload(BatchRegistered)
    data = {
        "batch_id": e.batch_id,
        "batch_number": e.batch_number,
        "channel": e.channel,
        "case_count": e.case_count,
        "rejected_count": e.rejected_count,
        "principal_total_ore": e.principal_total_ore,
    }
    return [_event(envelope, e.creditor_id, "batch.completed", data)]


def _case_registered(envelope: Envelope) -> list[WebhookEvent]:
    e = envelope.payload(CaseRegistered)
    data = {
        "case_id": e.case_id,
        "case_number": e.case_number,
        "creditor_reference": e.creditor_reference,
        "batch_id": e.batch_id,
        "currency": e.currency,
        "principal_ore": sum(c.principal_ore for c in e.claims),
        "claim_count": len(e.claims),
    }
    return [_event(envelope, e.creditor_id, "case.registered", data)]


DISPUTED = "disputed"


def _status_changed(envelope: Envelope) -> list[WebhookEvent]:
    e = envelope.payload(CaseStatusChanged)
    data = {
        "case_id": e.case_id,
        "from_status": e.from_status,
        "to_status": e.to_status,
        "step": e.step,
        "effective_date": e.effective_date.isoformat(),
        "deadline": e.deadline.isoformat() if e.deadline else None,
    }
    events = [_event(envelope, e.creditor_id, "case.status_changed", data)]
    objection = {"case_id": e.case_id, "effective_date": e.effective_date.isoformat()}
    if e.to_status == DISPUTED and e.from_status != DISPUTED:
        events.append(_event(envelope, e.creditor_id, "objection.registered", objection))
    elif e.from_status == DISPUTED and e.to_status != DISPUTED:
        resolved = {**objection, "to_status": e.to_status}
        events.append(_event(envelope, e.creditor_id, "objection.resolved", resolved))
    return events


def _case_closed(envelope: Envelope) -> list[WebhookEvent]:
    e = envelope.payload(CaseClosed)
    data = {"case_id": e.case_id, "reason": e.reason, "closed_on": e.closed_on.isoformat()}
    return [_event(envelope, e.creditor_id, "case.closed", data)]


def _note_added(envelope: Envelope) -> list[WebhookEvent]:
    e = envelope.payload(NoteAdded)
    if e.author_side != "agency" or e.visibility != "shared":
        return []  # the creditor's own notes, and internal ones, are not news to it
    data = {"case_id": e.case_id, "note_id": e.note_id}
    return [_event(envelope, e.creditor_id, "note.added", data)]


def _payment_received(envelope: Envelope) -> list[WebhookEvent]:
    e = envelope.payload(PaymentReceived)
    data = {
        "payment_id": e.payment_id,
        "case_id": e.case_id,
        "amount_ore": e.amount_ore,
        "value_date": e.value_date.isoformat(),
        "allocation": {
            "principal_ore": e.principal_ore,
            "interest_ore": e.interest_ore,
            "costs_ore": e.costs_ore,
            "overpaid_ore": e.overpaid_ore,
        },
    }
    return [_event(envelope, e.creditor_id, "payment.received", data)]


def _settlement(envelope: Envelope) -> list[WebhookEvent]:
    e = envelope.payload(SettlementCompleted)
    data = {
        "settlement_id": e.settlement_id,
        "settlement_number": e.settlement_number,
        "period_end": e.period_end.isoformat(),
        "collected_ore": e.collected_ore,
        "commission_ore": e.commission_ore,
        "payout_ore": e.payout_ore,
        "payout_date": e.payout_date.isoformat() if e.payout_date else None,
    }
    return [_event(envelope, e.creditor_id, "settlement.completed", data)]


def _document(envelope: Envelope) -> list[WebhookEvent]:
    e = envelope.payload(DocumentIssued)
    data = {"document_id": e.document_id, "kind": e.kind}
    return [_event(envelope, e.organisation_id, "document.issued", data)]


def _credit_report(envelope: Envelope) -> list[WebhookEvent]:
    e = envelope.payload(CreditReportPurchased)
    data = {"order_id": e.order_id, "product_code": e.product_code, "case_id": e.case_id}
    return [_event(envelope, e.creditor_id, "credit_report.completed", data)]


Translator = Callable[[Envelope], list[WebhookEvent]]

TRANSLATORS: Mapping[type[EventData], Translator] = {
    BatchRegistered: _batch,
    CaseRegistered: _case_registered,
    CaseStatusChanged: _status_changed,
    CaseClosed: _case_closed,
    NoteAdded: _note_added,
    PaymentReceived: _payment_received,
    SettlementCompleted: _settlement,
    DocumentIssued: _document,
    CreditReportPurchased: _credit_report,
}
"""The source events consumed, each with its translation into webhook events."""


def translate(envelope: Envelope) -> list[WebhookEvent]:
    """The webhook events of one source event (none for an event not forwarded)."""
    for model, translator in TRANSLATORS.items():
        if model.routing_key() == envelope.routing_key:
            return translator(envelope)
    return []
