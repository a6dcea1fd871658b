"""Golden credit note: reports.md §1.4's worked example statement (AVR-2026-000001 of
5 March 2026) credited on 20 March 2026 because the creditor's name was wrong, so a
replacement (AVR-2026-000003) is issued beside the credit note (AVR-2026-000002).

Worked by hand from the statement (docs/reports.md, «Corrections»): every amount of the
line negated: paid -11 400,00 = -(10 000,00 + 100,00 + 1 300,00); principal -10 000,00;
interest -100,00; salær -1 300,00; commission -80,00; VAT -345,00 (= -25 % of 1 380,00,
the statement's, not computed again); net -10 020,00 = -(10 100,00 - 80,00). The posting
proposal is the statement's with debit and credit swapped: bank 1920 credited 10 020,00,
1500 debited 10 000,00 and so on; debit = credit = 11 745,00 as in the statement.

The two CSVs under ``golden/kreditnota-1.4-*.csv`` were written by hand from these figures
(never by ``REPORTS_WRITE_GOLDEN``); the PDF texts are golden files reviewed by hand.
"""

from __future__ import annotations

import dataclasses
import re
import shutil
import subprocess
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from reports.adapters.rendering import PdfDocuments
from reports.domain.corrections import (
    CorrectedDocument,
    credit_of,
    replaces_statement,
    reversed_postings,
)
from reports.domain.layouts import parse_postings_csv, postings_csv, statement_csv
from reports.domain.postings import balanced, posting_proposal

from .test_golden_documents import _check
from .worked_example import worked_example

GOLDEN = Path(__file__).parent / "golden"
CORRECTED_AT = datetime(2026, 3, 20, 10, 0, tzinfo=UTC)
CORRECTED_ON = date(2026, 3, 20)
CREDIT_NUMBER = "AVR-2026-000002"
REPLACEMENT_NUMBER = "AVR-2026-000003"


def _corrected() -> CorrectedDocument:
    return CorrectedDocument(
        number="AVR-2026-000001",
        issued_on=date(2026, 3, 5),
        reason="creditor_name",
        credit_note_number=CREDIT_NUMBER,
        replacement_number=REPLACEMENT_NUMBER,
    )


def _credit_csvs() -> tuple[bytes, bytes]:
    header, statement, _ = worked_example()
    original = postings_csv(posting_proposal(statement), voucher=header.number, on=header.issued_on)
    credit = credit_of(statement)
    postings = reversed_postings(parse_postings_csv(original))
    return statement_csv(credit), postings_csv(postings, voucher=CREDIT_NUMBER, on=CORRECTED_ON)


@pytest.fixture(scope="module")
def credit_note_pdf() -> bytes:
    header, statement, _ = worked_example()
    lines, postings = _credit_csvs()
    return PdfDocuments().credit_note(
        dataclasses.replace(header, number=CREDIT_NUMBER, issued_on=CORRECTED_ON),
        credit_of(statement),
        corrects=_corrected(),
        issued_at=CORRECTED_AT,
        lines_csv=lines,
        postings_csv=postings,
    )


def _text(pdf: bytes) -> str:
    assert shutil.which("pdftotext"), "install poppler-utils (deploy/local/install.sh)"
    return subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()


def test_the_credit_notes_csvs_are_the_hand_worked_ones() -> None:
    lines, postings = _credit_csvs()
    assert lines == (GOLDEN / "kreditnota-1.4-linjer.csv").read_bytes()
    assert postings == (GOLDEN / "kreditnota-1.4-bokforingsforslag.csv").read_bytes()


def test_the_credit_notes_totals_are_the_statements_negated() -> None:
    _, statement, _ = worked_example()
    t = credit_of(statement).totals
    assert (t.paid_ore, t.vat_ore, t.payout_ore) == (-1_140_000, -34_500, -1_002_000)
    assert t.agency_consideration_ore == -138_000
    postings = reversed_postings(posting_proposal(statement))
    assert balanced(postings)
    assert sum(p.debit_ore for p in postings) == 1_174_500


def test_only_master_data_makes_a_replacement() -> None:
    assert replaces_statement("creditor_name")
    assert replaces_statement("account_mapping")
    assert not replaces_statement("issued_in_error")
    assert not replaces_statement("settlement_reversed")


def test_the_credit_notes_text_is_the_golden_one(credit_note_pdf: bytes) -> None:
    text = _text(credit_note_pdf)
    _check("kreditnota-1.4.txt", text)
    assert "AVR-2026-000001 av 05.03.2026" in text
    assert re.search(r"Utbetaling kreditert\s+-10\s020,00", text)


def test_the_replacements_text_names_the_statement_and_the_credit_note() -> None:
    header, statement, _ = worked_example()
    number = REPLACEMENT_NUMBER
    pdf = PdfDocuments().settlement_statement(
        dataclasses.replace(header, number=number, issued_on=CORRECTED_ON),
        statement,
        issued_at=CORRECTED_AT,
        lines_csv=statement_csv(statement),
        postings_csv=postings_csv(posting_proposal(statement), voucher=number, on=CORRECTED_ON),
        corrects=_corrected(),
    )
    _check("avregning-1.4-erstatning.txt", _text(pdf))


def test_the_credit_note_is_pdf_a_3b_with_both_csvs_attached(
    credit_note_pdf: bytes, tmp_path: Path
) -> None:
    path = tmp_path / "kreditnota.pdf"
    path.write_bytes(credit_note_pdf)
    xmp = subprocess.run(
        ["pdfinfo", "-meta", str(path)], capture_output=True, check=True
    ).stdout.decode()
    assert 'pdfaid:part="3"' in xmp
    subprocess.run(["pdfdetach", "-saveall", "-o", str(tmp_path), str(path)], check=True)
    assert (tmp_path / f"kreditnota-{CREDIT_NUMBER}.csv").read_bytes() == (
        GOLDEN / "kreditnota-1.4-linjer.csv"
    ).read_bytes()
    assert (tmp_path / f"bokforingsforslag-{CREDIT_NUMBER}.csv").read_bytes() == (
        GOLDEN / "kreditnota-1.4-bokforingsforslag.csv"
    ).read_bytes()
