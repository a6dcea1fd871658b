"""Handlers of the reports service (projections of other services' events).

They take the repository as a port (:class:`Organisations`), so that an event consumer
can run them on its own transaction and unit tests on an in-memory fake.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from contracts.cases import BatchRegistered, CaseRegistered
from contracts.ledger import CaseBalanceChanged, PaymentReceived, SettlementCompleted

from reports.domain.errors import OrganisationNotInReadModel
from reports.domain.model import Organisation


class Organisations(Protocol):
    async def upsert_registration(self, organisation: Organisation) -> None: ...

    async def deactivate(self, organisation_id: uuid.UUID) -> bool: ...


@dataclass(frozen=True)
class ProjectOrganisationRegistered:
    organisation_id: uuid.UUID
    kind: str
    name: str
    organisation_number: str
    registered_at: datetime


@dataclass(frozen=True)
class ProjectOrganisationDeactivated:
    organisation_id: uuid.UUID


async def project_organisation_registered(
    cmd: ProjectOrganisationRegistered, organisations: Organisations
) -> Organisation:
    """Every registered organisation, of either kind, enters the read model."""
    organisation = Organisation(
        organisation_id=cmd.organisation_id,
        name=cmd.name,
        organisation_number=cmd.organisation_number,
        kind=cmd.kind,
        registered_at=cmd.registered_at,
    )
    await organisations.upsert_registration(organisation)
    return organisation


async def project_organisation_deactivated(
    cmd: ProjectOrganisationDeactivated, organisations: Organisations
) -> None:
    """A deactivated organisation stays in reports (its history does), marked inactive.

    The read model holds every organisation, so an unknown one means that its
    registration has not been applied yet (it is being retried): refuse the deactivation
    so that it is retried too, rather than lose it. If its registration never comes, the
    deactivation ends up in the dead-letter queue, where ops can see and replay it.
    """
    if not await organisations.deactivate(cmd.organisation_id):
        raise OrganisationNotInReadModel(cmd.organisation_id)


def case_row(event: CaseRegistered) -> dict[str, Any]:
    """A registered case as the read model keeps it (the claims summed)."""
    return {
        "case_id": event.case_id,
        "creditor_id": event.creditor_id,
        "batch_id": event.batch_id,
        "case_number": event.case_number,
        "kid": event.kid,
        "creditor_reference": event.creditor_reference,
        "debtor_kind": event.debtor_kind,
        "debtor_name": event.debtor_name,
        "principal_ore": sum(c.principal_ore for c in event.claims),
        "due_date": min(c.due_date for c in event.claims),
        "claim_count": len(event.claims),
        "registered_at": event.registered_at,
        "claims": [
            {
                "invoice_number": c.invoice_number,
                "invoice_date": c.invoice_date.isoformat(),
                "due_date": c.due_date.isoformat(),
                "principal_ore": c.principal_ore,
            }
            for c in event.claims
        ],
    }


def payment_row(event: PaymentReceived) -> dict[str, Any]:
    return {
        "payment_id": event.payment_id,
        "case_id": event.case_id,
        "creditor_id": event.creditor_id,
        "value_date": event.value_date,
        "amount_ore": event.amount_ore,
        "principal_ore": event.principal_ore,
        "interest_ore": event.interest_ore,
        "costs_ore": event.costs_ore,
        "overpaid_ore": event.overpaid_ore,
        "received_at": event.received_at,
    }


def balance_row(event: CaseBalanceChanged) -> dict[str, Any]:
    return {
        "case_id": event.case_id,
        "changed_at": event.changed_at,
        "effective_date": event.effective_date,
        "principal_ore": event.principal_ore,
        "interest_ore": event.interest_ore,
        "costs_ore": event.costs_ore,
        "balance_ore": event.balance_ore,
        "cause": event.cause[:30],
        "interest_rate_percent": event.interest_rate_percent,
        "interest_rate_from": event.interest_rate_from,
        "interest_rate_to": event.interest_rate_to,
        "interest": None if event.interest is None else event.interest.model_dump(mode="json"),
    }


def batch_row(event: BatchRegistered) -> dict[str, Any]:
    return {
        "batch_id": event.batch_id,
        "batch_number": event.batch_number,
        "creditor_id": event.creditor_id,
        "channel": event.channel,
        "case_count": event.case_count,
        "claim_count": event.claim_count,
        "principal_total_ore": event.principal_total_ore,
        "rejected_count": event.rejected_count,
        "rejected_rows": [r.model_dump(mode="json") for r in event.rejected_rows],
        "registered_at": event.registered_at,
    }


def settlement_rows(event: SettlementCompleted) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """A completed settlement and its lines as the read model keeps them."""
    row = {
        "settlement_id": event.settlement_id,
        "settlement_number": event.settlement_number,
        "creditor_id": event.creditor_id,
        "period_end": event.period_end,
        "payout_date": event.payout_date,
        "client_account": event.client_account,
        "payout_account": event.payout_account,
        "vat_deductible": True if event.vat_deductible is None else event.vat_deductible,
        "line_count": event.line_count,
        "collected_ore": event.collected_ore,
        "commission_ore": event.commission_ore,
        "credit_report_charges_ore": event.credit_report_charges_ore,
        "agency_fees_ore": event.agency_fees_ore,
        "payout_ore": event.payout_ore,
        "completed_at": event.completed_at,
    }
    lines = [
        {"settlement_id": event.settlement_id, **line.model_dump()} for line in event.lines or ()
    ]
    return row, lines
