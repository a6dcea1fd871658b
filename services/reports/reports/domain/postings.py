"""The posting proposal (bokføringsforslag) beside a settlement statement: the voucher a
creditor's accounting system imports, one row per posting, balanced.

Accounts are the Norwegian standard chart (NS 4102) defaults below; a creditor maps them
to its own chart on import. Gross form (brutto): the salær the debtor paid is shown as
both a cost and a refund of collection costs, so the debtor's whole payment is visible;
net form (netto) leaves it out. Both balance: debit = credit.

| account | debit | credit |
| --- | --- | --- |
| 1920 Bank | payout | |
| 7770 Inkassokostnader | commission (+ salær, gross) | |
| 6790 Andre fremmede tjenester | credit-report charges | |
| 2710 Inngående MVA | VAT (a creditor that deducts it) | |
| 7770 → the VAT a creditor cannot deduct is a cost | VAT (otherwise) | |
| 1500 Kundefordringer | | principal, per case |
| 8050 Renteinntekt | | interest |
| 3900 Annen driftsinntekt | | the creditor's reminder fees |
| 3990 Erstatning inkassokostnader (gross) | | salær |
| 2400 Leverandørgjeld (the agency's invoice of VAT) | | VAT |
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from reports.domain.statement import Statement

Form = Literal["gross", "net"]

BANK = "1920"
COLLECTION_COSTS = "7770"
OTHER_SERVICES = "6790"
INPUT_VAT = "2710"
RECEIVABLES = "1500"
INTEREST_INCOME = "8050"
OTHER_INCOME = "3900"
COSTS_RECOVERED = "3990"
PAYABLE_TO_AGENCY = "2400"


@dataclass(frozen=True, slots=True)
class Posting:
    account: str
    vat_code: str
    debit_ore: int
    credit_ore: int
    text: str
    case_number: str = ""
    creditor_reference: str = ""


def posting_proposal(statement: Statement, *, form: Form = "gross") -> list[Posting]:
    """The statement's voucher in ``form``; rows with nothing on them are left out."""
    t = statement.totals
    gross = form == "gross"
    vat_code = "14" if statement.vat_deductible else "0"
    rows = [
        Posting(BANK, "0", t.payout_ore, 0, "Utbetalt fra inkassobyrå"),
        Posting(
            COLLECTION_COSTS,
            "0",
            t.commission_ore + (t.collection_fees_ore if gross else 0),
            0,
            "Inkassokostnader (provisjon" + (" og salær)" if gross else ")"),
        ),
        Posting(OTHER_SERVICES, "0", t.credit_report_charges_ore, 0, "Kredittopplysninger"),
        Posting(
            INPUT_VAT if statement.vat_deductible else COLLECTION_COSTS,
            vat_code,
            t.vat_ore,
            0,
            "MVA på inkassobyråets vederlag",
        ),
    ]
    by_case: dict[tuple[str, str], int] = {}
    for line in statement.lines:
        key = (line.case_number, line.creditor_reference)
        by_case[key] = by_case.get(key, 0) + line.principal_ore
    rows.extend(
        Posting(RECEIVABLES, "0", 0, amount, "Innbetalt hovedstol", case, reference)
        for (case, reference), amount in sorted(by_case.items())
    )
    rows += [
        Posting(INTEREST_INCOME, "0", 0, t.interest_ore, "Forsinkelsesrente"),
        Posting(OTHER_INCOME, "0", 0, t.reminder_fees_ore, "Purregebyr"),
        Posting(COSTS_RECOVERED, "0", 0, t.collection_fees_ore if gross else 0, "Salær betalt"),
        Posting(PAYABLE_TO_AGENCY, "0", 0, t.vat_ore, "MVA fakturert av inkassobyrå"),
    ]
    return [r for r in rows if r.debit_ore or r.credit_ore]


def balanced(postings: list[Posting]) -> bool:
    return sum(p.debit_ore for p in postings) == sum(p.credit_ore for p in postings)
