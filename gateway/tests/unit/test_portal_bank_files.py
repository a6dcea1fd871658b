"""Bank files (pure): which format a file is, and a refused file's problems as rows."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from gateway.portal import bank_upload
from gateway.portal.api import ApiProblem, FieldProblem
from gateway.portal.i18n import Translator
from simulators.bank import IncomingPayment, camt054_file, ocr_giro_file

ACCOUNT = "15030212344"
CODES_SOURCE = (
    Path(__file__).parents[3] / "services/ledger/ledger/adapters/bankfiles/codes.py"
).read_text(encoding="utf-8")
LEDGER_CODES = sorted(set(re.findall(r'"(bank-file-[a-z0-9-]+)"', CODES_SOURCE)))
_LOCATION_BLOCK = CODES_SOURCE[CODES_SOURCE.index("OTHER_LOCATION: Final") :]
LEDGER_WHERE = sorted(
    set(re.findall(r':\s*"([a-z][a-z-]*)",', _LOCATION_BLOCK))
    | set(re.findall(r'OTHER_LOCATION: Final = "([a-z-]+)"', CODES_SOURCE))
)


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
    rows = bank_upload.file_problems(problem, Translator("en"))
    elsewhere = "Elsewhere in the file"  # no location code: never the format's own name
    assert rows == [
        bank_upload.FileProblem(5, elsewhere, "'99' is not an OCR giro record type"),
        bank_upload.FileProblem(12, elsewhere, "not a number"),
        bank_upload.FileProblem(None, elsewhere, "declares 1 payments of 12345 øre, read 0"),
    ]
    assert len(bank_upload.file_problems(problem, Translator("en"), limit=1)) == 1
    nb = bank_upload.file_problems(problem, Translator("nb"))
    assert {row.reason for row in nb} == {"Er ikke gyldig"}  # no code: never the English


def _coded(field: str, reason: str, code: str, **values: str | int) -> FieldProblem:
    return FieldProblem(field, reason, code, tuple(values.items()))


REFUSED = ApiProblem(
    422,
    type="https://infocenter.example/problems/bank-file-rejected",
    errors=[
        _coded(
            "line 12: beløp",
            "'12a' is not a number (positions 33-49)",
            "bank-file-not-a-number",
            line=12,
            element="beløp",
            where="amount",
        ),
        _coded(
            "line 3: KID",
            "the KID's MOD10 check digit is wrong",
            "bank-file-kid",
            line=3,
            element="KID",
            where="kid",
        ),
        _coded(
            "oppdrag 1",
            "declares 2 payments",
            "bank-file-totals",
            element="oppdrag 1",
            where="assignment-totals",
        ),
        _coded(
            "line 9: Ntry/BookgDt",
            "a reason of tomorrow",
            "bank-file-something-new",
            line=9,
            element="Ntry/BookgDt",
            where="booking-date",
        ),
    ],
)


@pytest.mark.parametrize(
    ("lang", "reasons"),
    [
        (
            "nb",
            [
                "Er ikke et tall",
                "KID-en er ikke gyldig",
                "Kontrollsummene stemmer ikke",
                "Er ikke gyldig",
            ],
        ),
        (
            "en",
            [
                "Is not a number",
                "The KID is not valid",
                "The control totals do not agree",
                "a reason of tomorrow",
            ],
        ),
    ],
)
def test_a_refused_files_problems_are_written_from_their_codes(
    lang: str, reasons: list[str]
) -> None:
    rows = bank_upload.file_problems(REFUSED, Translator(lang))
    assert [(row.line, row.reason) for row in rows] == list(
        zip([12, 3, None, 9], reasons, strict=True)
    )


@pytest.mark.parametrize(
    ("lang", "places"),
    [
        ("nb", ["Beløp", "KID", "Kontrollsummer for oppdraget", "Bokføringsdato"]),
        ("en", ["Amount", "KID", "Control totals of the assignment", "Booking date"]),
    ],
)
def test_a_refused_files_problems_say_where_by_name_not_by_the_formats_field(
    lang: str, places: list[str]
) -> None:
    rows = bank_upload.file_problems(REFUSED, Translator(lang))
    assert [row.where for row in rows] == places
    assert not {"beløp", "Ntry/BookgDt", "oppdrag 1"} & {row.where for row in rows}


def test_a_payout_answers_problems_say_where_in_the_pages_language() -> None:
    assert bank_upload.explained(REFUSED, Translator("nb"), limit=3) == (
        "Linje 12, Beløp: Er ikke et tall. Linje 3, KID: KID-en er ikke gyldig. "
        "Kontrollsummene stemmer ikke."
    )
    assert bank_upload.explained(REFUSED, Translator("en"), limit=1) == (
        "Line 12, Amount: Is not a number."
    )


def test_every_code_the_ledger_gives_has_words_in_both_languages() -> None:
    """Every code the ledger's bank-file readers can send (read from the ledger's source,
    which the gateway does not import) has words in the nb and en catalogs."""
    assert len(LEDGER_CODES) >= 20
    for lang in ("nb", "en"):
        t = Translator(lang)
        for code in LEDGER_CODES:
            key = "reason." + code.replace("-", "_")
            assert t.has(key), (lang, key)
    assert Translator("nb")("reason.bank_file_missing") != Translator("en")(
        "reason.bank_file_missing"
    )


def test_every_location_code_the_ledger_gives_has_a_name_in_both_languages() -> None:
    """The ledger's location codes (``where``: ``amount``, ``booking-date``, …, read from
    its source) are each named in the nb and en catalogs, differently where the words
    differ."""
    assert len(LEDGER_WHERE) >= 25
    assert {"amount", "kid", "booking-date", "assignment-totals", "other"} <= set(LEDGER_WHERE)
    for lang in ("nb", "en"):
        t = Translator(lang)
        for code in LEDGER_WHERE:
            key = "bankfiles.where." + code.replace("-", "_")
            assert t.has(key), (lang, key)
    problem = FieldProblem(
        "line 2: x", "?", "bank-file-missing", (("line", 2), ("where", "amount"))
    )
    assert bank_upload.where(problem, Translator("nb")) == "Beløp"
    assert bank_upload.where(problem, Translator("en")) == "Amount"
