"""Bank files (pure): which format a file is, and a refused file's problems as rows."""

from __future__ import annotations

from datetime import date

import pytest
from gateway.portal import bank_upload
from gateway.portal.api import ApiProblem, FieldProblem
from simulators.bank import IncomingPayment, camt054_file, ocr_giro_file

ACCOUNT = "15030212344"


def test_the_simulators_files_are_told_apart() -> None:
    ocr = ocr_giro_file(
        [IncomingPayment(amount_ore=100, kid="10000000009")],
        account=ACCOUNT,
        settlement_date=date(2026, 11, 2),
    )
    camt = camt054_file(
        [IncomingPayment(amount_ore=100, kid="10000000009")],
        account=ACCOUNT,
        booking_date=date(2026, 11, 2),
        message_id="T-1",
    )
    assert bank_upload.detect_format(ocr[:64]) == "ocr"
    assert bank_upload.detect_format(camt[:64]) == "camt054"
    assert bank_upload.detect_format(b"\xef\xbb\xbf  \r\n<?xml version='1.0'?>") == "camt054"
    assert bank_upload.detect_format(b"invoice;amount\n") is None
    assert bank_upload.detect_format(b"") is None


@pytest.mark.parametrize(
    ("choice", "head", "expected"),
    [
        ("ocr", b"<xml/>", "ocr"),  # what the person chose wins: the ledger says if it is wrong
        ("camt054", b"NY000010", "camt054"),
        ("auto", b"NY000010", "ocr"),
        ("", b"<Document/>", "camt054"),
        ("auto", b"PK\x03\x04", None),
        ("pain002", b"<Document/>", None),
    ],
)
def test_the_format_sent_is_the_one_chosen_or_the_one_it_looks_like(
    choice: str, head: bytes, expected: str | None
) -> None:
    assert bank_upload.chosen_format(choice, head) == expected


def test_a_refused_files_problems_are_rows_by_line() -> None:
    problem = ApiProblem(
        422,
        type="https://infocenter.example/problems/bank-file-rejected",
        errors=[
            FieldProblem("line 5: record type", "'99' is not an OCR giro record type"),
            FieldProblem("line 12:amount", "not a number"),
            FieldProblem("forsendelse 1728401", "declares 1 payments of 12345 øre, read 0"),
        ],
    )
    rows = bank_upload.file_problems(problem)
    assert rows == [
        bank_upload.FileProblem(5, "record type", "'99' is not an OCR giro record type"),
        bank_upload.FileProblem(12, "amount", "not a number"),
        bank_upload.FileProblem(
            None, "forsendelse 1728401", "declares 1 payments of 12345 øre, read 0"
        ),
    ]
    assert len(bank_upload.file_problems(problem, limit=1)) == 1
