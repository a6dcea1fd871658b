"""reports.md §1.4's worked example as one statement line and header.

Principal 10 000, interest 100 of which 80 to the agency (its commission), inkassosalær
1 300 to the agency; the debtor paid 11 400. VAT base 1 380, VAT 345. The ledger pays the
creditor its share less commission: 10 100 - 80 = 10 020 (it does not withhold the VAT).
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

from reports.domain.order_confirmation import (
    ConfirmedCase,
    OrderConfirmation,
    Party,
    RefusedRow,
)
from reports.domain.statement import (
    LedgerTotals,
    Statement,
    StatementHeader,
    StatementLine,
    line_vat,
    statement_of,
)

ISSUED_AT = datetime(2026, 3, 5, 9, 0, tzinfo=UTC)


def worked_example() -> tuple[StatementHeader, Statement, LedgerTotals]:
    line = StatementLine(
        line_id=1,
        case_id=uuid.UUID(int=1),
        case_number="100017",
        creditor_reference="F-2026-0042",
        payment_id=uuid.UUID(int=2),
        value_date=date(2026, 3, 2),
        principal_ore=1_000_000,
        interest_ore=10_000,
        reminder_fees_ore=0,
        collection_fees_ore=130_000,
        court_fees_ore=0,
        commission_ore=8_000,
        net_ore=1_002_000,
        vat_ore=line_vat(collection_fees_ore=130_000, commission_ore=8_000, vat_deductible=True),
    )
    statement = statement_of([line], credit_report_charges_ore=0, vat_deductible=True)
    header = StatementHeader(
        agency_name="InfoCenter Inkasso AS",
        agency_organisation_number="923609016",
        creditor_name="Nordlys Elektro AS",
        creditor_organisation_number="974760673",
        number="AVR-2026-000001",
        issued_on=date(2026, 3, 5),
        period_start=date(2026, 3, 2),
        period_end=date(2026, 3, 4),
        settlement_number="AV-0000001",
        payout_date=date(2026, 3, 5),
        client_account="15032080119",
        payout_account="12345678903",
    )
    ledger = LedgerTotals(
        collected_ore=1_010_000,
        commission_ore=8_000,
        credit_report_charges_ore=0,
        agency_fees_ore=130_000,
        payout_ore=1_002_000,
        line_count=1,
    )
    return header, statement, ledger


def order_confirmation() -> OrderConfirmation:
    """A batch of two cases (the worked example's among them) and one refused row."""
    return OrderConfirmation(
        agency=Party("InfoCenter Inkasso AS", "923609016"),
        creditor=Party("Nordlys Elektro AS", "974760673"),
        batch_number="B-0000042",
        channel="import",
        registered_at=datetime(2026, 2, 2, 8, 15, tzinfo=UTC),
        cases=(
            ConfirmedCase("100017", "F-2026-0042", "Kari Nordmann", 1_000_000, date(2026, 1, 16),
                          "1000170"),
            ConfirmedCase("100018", "F-2026-0043", "Nordmann Bygg AS", 2_512_550,
                          date(2026, 1, 20), "1000188"),
        ),
        refused=(RefusedRow(7, "F-2026-0049", ("debtor.national_id", "claims[0].due_date")),),
        refused_count=1,
    )  # fmt: skip
