"""Golden documents: the text of the settlement statement of reports.md §1.4's worked
example (pdftotext from poppler-utils), its CSVs and its PDF/A-3 attachments, compared
with the files checked in under ``golden/``.

When a template changes on purpose, write the files again with ``REPORTS_WRITE_GOLDEN=1``
set for ``pytest services/reports/tests/unit/test_golden_documents.py`` and review the diff.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from reports.adapters.rendering import PdfDocuments
from reports.domain.layouts import postings_csv, statement_csv
from reports.domain.postings import posting_proposal

from .worked_example import ISSUED_AT, order_confirmation, worked_example

GOLDEN = Path(__file__).parent / "golden"


def _check(name: str, actual: str) -> None:
    path = GOLDEN / name
    if os.environ.get("REPORTS_WRITE_GOLDEN"):
        path.write_bytes(actual.encode("utf-8"))
    expected = path.read_bytes().decode("utf-8")
    assert actual == expected, f"{name} differs from the golden file"


@pytest.fixture(scope="module")
def statement_pdf() -> bytes:
    header, statement, _ = worked_example()
    return PdfDocuments().settlement_statement(
        header,
        statement,
        issued_at=ISSUED_AT,
        lines_csv=statement_csv(statement),
        postings_csv=postings_csv(
            posting_proposal(statement), voucher=header.number, on=header.issued_on
        ),
    )


def _text(pdf: bytes) -> str:
    assert shutil.which("pdftotext"), "install poppler-utils (deploy/local/install.sh)"
    return subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()


def test_the_statements_text_is_the_golden_one(statement_pdf: bytes) -> None:
    _check("avregning-1.4.txt", _text(statement_pdf))


def test_the_order_confirmations_text_is_the_golden_one() -> None:
    pdf = PdfDocuments().order_confirmation(order_confirmation(), issued_at=ISSUED_AT)
    _check("ordrebekreftelse-B-0000042.txt", _text(pdf))


def test_the_statements_csvs_are_the_golden_ones() -> None:
    header, statement, _ = worked_example()
    _check("avregning-1.4-linjer.csv", statement_csv(statement).decode("utf-8"))
    proposal = postings_csv(posting_proposal(statement), voucher=header.number, on=header.issued_on)
    _check("avregning-1.4-bokforingsforslag.csv", proposal.decode("utf-8"))


def test_the_pdf_is_pdf_a_3b_with_both_csvs_attached(statement_pdf: bytes, tmp_path: Path) -> None:
    path = tmp_path / "avregning.pdf"
    path.write_bytes(statement_pdf)
    xmp = subprocess.run(
        ["pdfinfo", "-meta", str(path)], capture_output=True, check=True
    ).stdout.decode()
    assert 'pdfaid:part="3"' in xmp
    assert 'pdfaid:conformance="B"' in xmp
    assert "2026-03-05T09:00:00Z" in xmp  # the issue time, not the time of rendering
    listing = subprocess.run(
        ["pdfdetach", "-list", str(path)], capture_output=True, check=True
    ).stdout.decode()
    assert "avregning-AVR-2026-000001.csv" in listing
    assert "bokforingsforslag-AVR-2026-000001.csv" in listing
    subprocess.run(["pdfdetach", "-saveall", "-o", str(tmp_path), str(path)], check=True)
    header, statement, _ = worked_example()
    attached = (tmp_path / "bokforingsforslag-AVR-2026-000001.csv").read_bytes()
    assert attached == postings_csv(
        posting_proposal(statement), voucher=header.number, on=header.issued_on
    )
