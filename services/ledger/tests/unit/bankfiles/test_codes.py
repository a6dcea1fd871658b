"""Every refusal of a bank-file reader carries a stable code (the portal translates it):
the samples, cut and mutated a thousand ways, and the cases the readers' tests name, give
no reason without one."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from ledger.adapters.bankfiles import BankFileError, parse_camt054, parse_ocr, parse_pain002
from ledger.adapters.bankfiles.codes import (
    CODES,
    GENERIC,
    OTHER_LOCATION,
    WHERE_CODES,
    location_code,
    reason_code,
)

pytestmark = pytest.mark.unit

SAMPLES = Path(__file__).parent / "samples"
OCR = (SAMPLES / "ocr_giro_two_assignments.txt").read_bytes()
XML = [
    (SAMPLES / "camt054_001_08_client_account.xml").read_bytes(),
    (SAMPLES / "camt054_001_02_batch.xml").read_bytes(),
]
PAIN002 = (SAMPLES / "pain002_001_10_partly_rejected.xml").read_bytes()
_BYTES = [b"0", b"9", b"-", b" ", b"X", b"<", b">", b"&", b"/", b"\n", b"\x00", b"\xf8", b"\xc3"]


def _mutated(data: bytes, rng: random.Random) -> bytes:
    for _ in range(rng.randint(1, 4)):
        at = rng.randrange(len(data) + 1)
        piece = rng.choice(_BYTES) * rng.randint(1, 3)
        data = data[:at] + piece + data[at + len(piece) :]
    return data


def _errors() -> list[BankFileError]:
    rng = random.Random(20251207)
    found: list[BankFileError] = []
    for _ in range(600):
        found += parse_ocr(_mutated(OCR, rng)).errors
        found += parse_camt054(_mutated(rng.choice(XML), rng)).errors
        found += parse_pain002(_mutated(PAIN002, rng)).errors
    for data in (b"", b"\n\n", b"\xef\xbb\xbf" + OCR, OCR[: len(OCR) // 2], b"<a/>", b"<x"):
        found += parse_ocr(data).errors
        found += parse_camt054(data).errors
        found += parse_pain002(data).errors
    return found


def test_every_refusal_of_the_readers_has_a_code() -> None:
    errors = _errors()
    codes = {e.code for e in errors}
    assert len(codes) >= 12  # the mutations reach most kinds of refusal
    assert codes <= CODES
    unknown = sorted({e.reason for e in errors if e.code == GENERIC})
    assert unknown == []


def test_a_refusal_goes_out_with_its_code_line_and_element() -> None:
    problem = BankFileError(12, "beløp", "'12a' is not a number (positions 33-49)").as_problem()
    assert problem == {
        "field": "line 12: beløp",
        "reason": "'12a' is not a number (positions 33-49)",
        "code": "bank-file-not-a-number",
        "line": 12,
        "element": "beløp",
        "where": "amount",
    }


def test_every_location_the_readers_name_has_a_code() -> None:
    """The formats' own names (``beløp``, ``Ntry/BookgDt``) go out as location codes; only
    an XML document's unexpected root or an element past the limits is ``other``."""
    errors = _errors()
    wheres = {location_code(e.field) for e in errors}
    assert len(wheres) >= 12
    assert wheres <= WHERE_CODES
    other = sorted({(e.field, e.code) for e in errors if location_code(e.field) == OTHER_LOCATION})
    assert {code for _, code in other} <= {"bank-file-wrong-document", "bank-file-too-large"}, other


@pytest.mark.parametrize(
    ("field", "where"),
    [
        ("sum beløp", "declared-sum"),
        ("CdtrRefInf/Ref", "kid"),
        ("TxInfAndSts/OrgnlEndToEndId", "end-to-end-id"),
        ("oppdrag 1000001", "assignment-totals"),
        ("forsendelse 0170604", "transmission-totals"),
        ("notification NTF-1 credits", "notification-totals"),
        ("Snurr", "other"),
    ],
)
def test_a_location_and_a_control_totals_scope_have_their_codes(field: str, where: str) -> None:
    assert location_code(field) == where


@pytest.mark.parametrize(
    ("reason", "field", "code"),
    [
        ("'311399' is not a date DDMMYY", "oppgjørsdato", "bank-file-not-a-date"),
        ("the KID's MOD10 check digit is wrong", "KID", "bank-file-kid"),
        (
            "a KID has only digits (its MOD11 check digit may be '-')",
            "CdtrRefInf/Ref",
            "bank-file-kid",
        ),
        ("missing", "TxInfAndSts/TxSts", "bank-file-missing"),
        ("'XXXX' is not an ISO 20022 status code", "TxSts", "bank-file-status-code"),
        ("not well-formed: syntax error", "XML", "bank-file-not-xml"),
        ("the file is empty", "file", "bank-file-empty"),
        (
            "sum beløp declares 5 øre, the transactions read sum to 4",
            "sum beløp",
            "bank-file-totals",
        ),
        ("something the reader will say one day", "x", GENERIC),
    ],
)
def test_reasons_have_their_codes(reason: str, field: str, code: str) -> None:
    assert reason_code(reason, field) == code
