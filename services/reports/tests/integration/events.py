"""Events as the producers send them, for the reports consumer's tests.

:func:`worked_example` is reports.md §1.4's settlement (principal 10 000, interest 100 of
which 80 to the agency as commission, salær 1 300) on one case, with its batch.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from contracts import Envelope
from contracts.auth import OrganisationRegistered
from contracts.cases import BatchRegistered, CaseRegistered, ClaimRegistered, RejectedRow
from contracts.ledger import SettledLine, SettlementCompleted
from servicekit.testing.data import organisation_number, unique_name

REGISTERED_AT = datetime(2026, 3, 2, 9, 15, tzinfo=UTC)


def organisation(kind: str = "creditor", name: str | None = None) -> OrganisationRegistered:
    return OrganisationRegistered(
        organisation_id=uuid.uuid4(),
        kind=kind,  # type: ignore[arg-type]
        name=name or unique_name(),
        organisation_number=organisation_number(),
    )


@dataclass
class Batch:
    """A creditor's batch of cases, with the events that announce it."""

    creditor_id: uuid.UUID
    batch_id: uuid.UUID = field(default_factory=uuid.uuid4)
    number: str = field(default_factory=lambda: f"B-{uuid.uuid4().int % 10**7:07d}")
    cases: list[CaseRegistered] = field(default_factory=list)

    def case(
        self, principal_ore: int, debtor_name: str, reference: str | None = None
    ) -> CaseRegistered:
        sequence = uuid.uuid4().int % 10**6
        event = CaseRegistered(
            case_id=uuid.uuid4(),
            creditor_id=self.creditor_id,
            case_number=f"{sequence:06d}",
            kid=f"{sequence:06d}0",
            creditor_reference=reference or f"F-{sequence}",
            batch_id=self.batch_id,
            channel="api",
            debtor_kind="person",
            claims=[
                ClaimRegistered(
                    claim_id=uuid.uuid4(),
                    invoice_number=f"INV-{sequence}",
                    invoice_date=date(2026, 1, 2),
                    due_date=date(2026, 1, 16),
                    principal_ore=principal_ore,
                    reminder_fee_ore=0,
                    limitation_date=date(2029, 1, 16),
                )
            ],
            registered_at=REGISTERED_AT,
            debtor_name=debtor_name,
        )
        self.cases.append(event)
        return event

    def registered(self, refused: list[RejectedRow] | None = None) -> BatchRegistered:
        refused = refused or []
        return BatchRegistered(
            batch_id=self.batch_id,
            batch_number=self.number,
            creditor_id=self.creditor_id,
            channel="api",
            case_count=len(self.cases),
            claim_count=sum(len(c.claims) for c in self.cases),
            principal_total_ore=sum(c.claims[0].principal_ore for c in self.cases),
            rejected_count=len(refused),
            registered_at=REGISTERED_AT,
            rejected_rows=refused,
        )


def line(
    case: CaseRegistered,
    *,
    principal: int,
    interest: int = 0,
    reminder: int = 0,
    salaer: int = 0,
    court: int = 0,
    commission: int = 0,
    on: date = date(2026, 3, 2),
) -> SettledLine:
    return SettledLine(
        line_id=uuid.uuid4().int % 10**12,
        payment_id=uuid.uuid4(),
        case_id=case.case_id,
        value_date=on,
        principal_ore=principal,
        interest_ore=interest,
        reminder_fees_ore=reminder,
        collection_fees_ore=salaer,
        court_fees_ore=court,
        commission_ore=commission,
        net_ore=principal + interest + reminder - commission,
    )


def settlement(
    creditor_id: uuid.UUID, lines: list[SettledLine], *, charges: int = 0
) -> SettlementCompleted:
    collected = sum(x.principal_ore + x.interest_ore + x.reminder_fees_ore for x in lines)
    commission = sum(x.commission_ore for x in lines)
    return SettlementCompleted(
        settlement_id=uuid.uuid4(),
        settlement_number=f"AV-{uuid.uuid4().int % 10**7:07d}",
        creditor_id=creditor_id,
        period_end=date(2026, 3, 4),
        line_count=len(lines),
        collected_ore=collected,
        commission_ore=commission,
        credit_report_charges_ore=charges,
        agency_fees_ore=sum(x.collection_fees_ore + x.court_fees_ore for x in lines),
        payout_ore=collected - commission - charges,
        completed_at=REGISTERED_AT + timedelta(days=3),
        payout_date=date(2026, 3, 5),
        client_account="15032080119",
        payout_account="12345678903",
        vat_deductible=True,
        lines=lines,
    )


def wrap(event: object) -> Envelope:
    from contracts import EventData

    assert isinstance(event, EventData)
    return Envelope.wrap(event)


def pdf_text(content: bytes) -> str:
    """A PDF's text as pdftotext (poppler-utils) lays it out."""
    import subprocess

    return subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=content, capture_output=True, check=True
    ).stdout.decode()
