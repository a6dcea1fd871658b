"""The CSV files beside the documents, in their documented layouts (docs/reports.md).

Norwegian spreadsheet conventions: UTF-8 with a byte order mark, ``;`` between fields,
a decimal comma, dates ``YYYY-MM-DD``; one header row of fixed column names.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date

from reports.domain.order_confirmation import OrderConfirmation
from reports.domain.postings import Posting
from reports.domain.statement import Statement

STATEMENT_COLUMNS = (
    "saksnummer",
    "oppdragsgivers_referanse",
    "innbetaling_id",
    "valuteringsdato",
    "innbetalt",
    "hovedstol",
    "renter",
    "oppdragsgivers_gebyrer",
    "inkassosalaer",
    "rettsgebyr_og_utlegg",
    "provisjon",
    "mva_byraets_andel",
    "netto_til_oppdragsgiver",
)
POSTING_COLUMNS = (
    "dato",
    "bilagsnummer",
    "konto",
    "mva_kode",
    "debet",
    "kredit",
    "tekst",
    "saksnummer",
    "oppdragsgivers_referanse",
)
ORDER_COLUMNS = (
    "saksnummer",
    "oppdragsgivers_referanse",
    "skyldner",
    "hovedstol",
    "forfallsdato",
    "kid",
)


def amount(ore: int) -> str:
    """``123456`` → ``1234,56``."""
    sign = "-" if ore < 0 else ""
    whole, cents = divmod(abs(ore), 100)
    return f"{sign}{whole},{cents:02d}"


def _csv(header: Sequence[str], rows: Iterable[Sequence[str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def statement_csv(statement: Statement) -> bytes:
    """One row per statement line."""
    return _csv(
        STATEMENT_COLUMNS,
        (
            (
                x.case_number,
                x.creditor_reference,
                str(x.payment_id or ""),
                x.value_date.isoformat(),
                amount(x.paid_ore),
                amount(x.principal_ore),
                amount(x.interest_ore),
                amount(x.reminder_fees_ore),
                amount(x.collection_fees_ore),
                amount(x.court_fees_ore),
                amount(x.commission_ore),
                amount(x.vat_ore),
                amount(x.net_ore),
            )
            for x in statement.lines
        ),
    )


def postings_csv(postings: Sequence[Posting], *, voucher: str, on: date) -> bytes:
    """The posting proposal: one row per posting, the statement number as voucher number."""
    return _csv(
        POSTING_COLUMNS,
        (
            (
                on.isoformat(),
                voucher,
                p.account,
                p.vat_code,
                amount(p.debit_ore) if p.debit_ore else "",
                amount(p.credit_ore) if p.credit_ore else "",
                p.text,
                p.case_number,
                p.creditor_reference,
            )
            for p in postings
        ),
    )


def order_csv(confirmation: OrderConfirmation) -> bytes:
    """Every confirmed case of a batch."""
    return _csv(
        ORDER_COLUMNS,
        (
            (
                c.case_number,
                c.creditor_reference,
                c.debtor_name,
                amount(c.principal_ore),
                c.due_date.isoformat(),
                c.kid,
            )
            for c in confirmation.cases
        ),
    )


class LayoutError(ValueError):
    """A file is not in the layout this module writes."""


def parse_amount(text: str) -> int:
    """``1234,56`` / ``-1234,56`` / empty → øre (the inverse of :func:`amount`)."""
    if not text:
        return 0
    negative = text.startswith("-")
    whole, sep, cents = text.removeprefix("-").partition(",")
    if not (whole.isdigit() and sep and len(cents) == 2 and cents.isdigit()):
        raise LayoutError(f"not an amount: {text[:20]!r}")
    ore = int(whole) * 100 + int(cents)
    return -ore if negative else ore


MAX_POSTING_ROWS = 200_000
"""A bound on the rows read back from a posting proposal (ours: one per case at most)."""


def parse_postings_csv(content: bytes) -> list[Posting]:
    """The postings of a posting proposal this module wrote (:func:`postings_csv`)."""
    text = content.decode("utf-8").removeprefix("\ufeff")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=";")
    if tuple(next(reader, ())) != POSTING_COLUMNS:
        raise LayoutError("not a posting proposal")
    postings = []
    for number, row in enumerate(reader, start=1):
        if number > MAX_POSTING_ROWS or len(row) != len(POSTING_COLUMNS):
            raise LayoutError(f"row {number} is not a posting")
        _, _, account, vat_code, debit, credit, text_, case_number, reference = row
        postings.append(
            Posting(
                account=account,
                vat_code=vat_code,
                debit_ore=parse_amount(debit),
                credit_ore=parse_amount(credit),
                text=text_,
                case_number=case_number,
                creditor_reference=reference,
            )
        )
    return postings
