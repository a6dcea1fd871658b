"""Documents the reports service issues, and how they are numbered.

A document is immutable once issued: its bytes and SHA-256 are stored and never made
again; a correction is a new document that names the one it corrects.

Settlement statements are sales documents (bokføringsforskriften § 5-1-1): they are
numbered in one gapless series per agency and year, ``AVR-2026-000001``; the next number
is taken from a counter row locked in the transaction that issues the statement, so a
statement that is not issued (the transaction rolls back) leaves no gap.
Order confirmations carry their batch's number. A statement's credit note (kreditnota)
and its replacement take their numbers from the statements' series: the series holds every
voucher of the settlements, so its completeness is checked in one place.
"""

from __future__ import annotations

from typing import Literal

DocumentKind = Literal[
    "order_confirmation",
    "settlement_statement",
    "posting_proposal",
    "case_statement",
    "report_run",
    "debtor_letter",
    "credit_note",
]
DOCUMENT_KINDS: tuple[DocumentKind, ...] = (
    "order_confirmation",
    "settlement_statement",
    "posting_proposal",
    "case_statement",
    "report_run",
    "debtor_letter",
    "credit_note",
)

PDF = "application/pdf"
CSV = "text/csv; charset=utf-8"


def statement_series(year: int) -> str:
    """The counter row of the statements issued in ``year`` (one agency per deployment)."""
    return f"settlement_statement:{year}"


def statement_number(year: int, sequence: int) -> str:
    """``AVR-2026-000042``: the ``sequence``-th statement of ``year``."""
    if sequence < 1:
        raise ValueError("statement numbers start at 1")
    return f"AVR-{year}-{sequence:06d}"


def file_name(kind: DocumentKind, number: str) -> str:
    """The name a download is saved under (ASCII only)."""
    stem = {
        "order_confirmation": "ordrebekreftelse",
        "settlement_statement": "avregning",
        "posting_proposal": "bokforingsforslag",
        "case_statement": "saksoppstilling",
        "debtor_letter": "brev",
        "credit_note": "kreditnota",
    }[kind]
    extension = "csv" if kind == "posting_proposal" else "pdf"
    safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in number)
    return f"{stem}-{safe}.{extension}"
