"""The case statement (saksoppstilling) with the forsinkelsesrente by rate period: the
golden text (pdftotext) of a hand-worked example across the half-year boundary of
1 July 2023, compared with ``golden/saksoppstilling-100023-20230831.txt``.

The example is the ledger's (``services/ledger/tests/unit/test_balance_event_interest.py``,
where the ledger is checked to state exactly these figures); rates from
``shared/domain/rates.csv``: 10,75 % from 2023-01-01, 11,75 % from 2023-07-01; simple
interest, actual days, 1/365 of the yearly rate per day (2023 is not a leap year).

One claim of 10 000,00 kr due Monday 15.05.2023; collection fees 35,00 + 560,00 = 595,00;
a payment of 4 000,00 kr on 01.08.2023 (costs, then interest, then principal); the
statement as of Thursday 31.08.2023, from the ledger's balance event of that day:

  16.05-30.06  46 days on 10 000,00 at 10,75 %: 1 000 000 x 0,1075 x 46 / 365 = 13 547,945 øre
  01.07-01.08  32 days on 10 000,00 at 11,75 %: 1 000 000 x 0,1175 x 32 / 365 = 10 301,370 øre
  payment 01.08: interest 13 547,945 + 10 301,370 = 23 849,315 → 238,49 kr; costs 595,00;
                 principal 4 000,00 - 595,00 - 238,49 = 3 166,51; left 6 833,49 kr
  02.08-31.08  30 days on 6 833,49 at 11,75 %: 683 349 x 0,1175 x 30 / 365 = 6 599,466 øre
  accrued through 31.08: 30 448,781 → 304,49 kr; by period (rounded down, the 2 øre left to
  the largest fractions 0,945 and 0,466): 135,48 + 103,01 + 66,00 = 304,49
  outstanding: interest 304,49 - 238,49 = 66,00; costs 0,00; principal 6 833,49;
  balance 6 833,49 + 66,00 = 6 899,49 kr
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from reports.adapters.rendering import PdfDocuments
from reports.domain.case_statement import (
    BookedBalance,
    CaseStatement,
    InterestPeriod,
    InterestStatement,
    StatementClaim,
    StatementPayment,
)
from reports.domain.order_confirmation import Party

from .test_golden_documents import _check, _text

pytestmark = pytest.mark.unit

ISSUED_AT = datetime(2023, 9, 1, 7, 0, tzinfo=UTC)


def example() -> CaseStatement:
    return CaseStatement(
        agency=Party("InfoCenter Inkasso AS", "923609016"),
        creditor=Party("Nordlys Elektro AS", "974760673"),
        case_number="100023",
        creditor_reference="F-2023-0107",
        kid="1000235",
        debtor_name="Ola Nordmann",
        status="demand_sent",
        as_of=date(2023, 8, 31),
        claims=(StatementClaim("2023-0107", date(2023, 5, 1), date(2023, 5, 15), 1_000_000),),
        payments=(StatementPayment(date(2023, 8, 1), 400_000, 316_651, 23_849, 59_500, 0),),
        balance=BookedBalance(date(2023, 8, 31), 683_349, 0, 0, 683_349),
        interest=InterestStatement(
            through=date(2023, 8, 31),
            accrued_ore=30_449,
            outstanding_ore=6_600,
            balance_ore=689_949,
            periods=(
                InterestPeriod(
                    date(2023, 5, 16), date(2023, 6, 30), 46, 1_000_000, Decimal("10.75"), 13_548
                ),
                InterestPeriod(
                    date(2023, 7, 1), date(2023, 8, 1), 32, 1_000_000, Decimal("11.75"), 10_301
                ),
                InterestPeriod(
                    date(2023, 8, 2), date(2023, 8, 31), 30, 683_349, Decimal("11.75"), 6_600
                ),
            ),
        ),
    )


def test_the_case_statements_text_is_the_golden_one() -> None:
    text = _text(PdfDocuments().case_statement(example(), issued_at=ISSUED_AT))
    _check("saksoppstilling-100023-20230831.txt", text)
    flat = " ".join(text.replace("\u202f", " ").split())
    for expected in (
        "Forsinkelsesrente per renteperiode",
        "16.05.2023 30.06.2023 46 10 000,00 10,75 % 135,48",
        "01.07.2023 01.08.2023 32 10 000,00 11,75 % 103,01",
        "02.08.2023 31.08.2023 30 6 833,49 11,75 % 66,00",
        "Sum påløpt til og med 31.08.2023 304,49",
        "01.08.2023 4 000,00 3 166,51 238,49 595,00 0,00",
        "Hovedstol 6 833,49",
        "Renter til og med 31.08.2023 66,00",
        "Omkostninger 0,00",
        "Saldo 6 899,49",
    ):
        assert expected in flat, expected


def test_a_balance_without_the_ledgers_interest_is_shown_as_booked() -> None:
    text = _text(
        PdfDocuments().case_statement(
            CaseStatement(**{**_fields(example()), "interest": None}), issued_at=ISSUED_AT
        )
    )
    flat = " ".join(text.replace("\u202f", " ").split())
    assert "Renten per renteperiode er ikke oppgitt" in flat
    assert "Saldo 6 833,49" in flat
    assert "Saldo som bokført 31.08.2023" in flat


def _fields(statement: CaseStatement) -> dict[str, object]:
    return {name: getattr(statement, name) for name in statement.__slots__}
