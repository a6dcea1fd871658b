"""No input makes a reader raise: random bytes and mutated sample files give errors, not crashes."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from ledger.adapters.bankfiles import (
    BankAnswer,
    ParsedBankFile,
    parse_camt054,
    parse_ocr,
    parse_pain002,
)

pytestmark = pytest.mark.unit

SAMPLES = Path(__file__).parent / "samples"
OCR = (SAMPLES / "ocr_giro_two_assignments.txt").read_bytes()
CAMT = (SAMPLES / "camt054_001_08_client_account.xml").read_bytes()
CAMT02 = (SAMPLES / "camt054_001_02_batch.xml").read_bytes()
PAIN002 = (SAMPLES / "pain002_001_10_partly_rejected.xml").read_bytes()

# bytes that matter to the formats: digits, signs, blanks, markup, Latin-1 and UTF-8 letters
interesting = st.sampled_from(
    [b"0", b"9", b"-", b" ", b"X", b"<", b">", b"&", b"/", b"\n", b"\r", b"\x00", b"\xf8", b"\xc3"]
)
edits = st.lists(
    st.tuples(st.integers(min_value=0), st.one_of(interesting, st.binary(max_size=3))),
    min_size=1,
    max_size=8,
)


def mutate(data: bytes, changes: list[tuple[int, bytes]]) -> bytes:
    for position, replacement in changes:
        at = position % (len(data) + 1)
        data = data[:at] + replacement + data[at + len(replacement) :]
    return data


def never_raises_ocr(data: bytes) -> None:
    parsed = parse_ocr(data)
    assert isinstance(parsed, ParsedBankFile)
    assert parsed.ok or parsed.errors or not all(c.matches for c in parsed.controls)


@settings(max_examples=200)
@given(st.binary(max_size=2000))
def test_random_bytes(data: bytes) -> None:
    never_raises_ocr(data)
    assert isinstance(parse_camt054(data), ParsedBankFile)
    assert isinstance(parse_pain002(data), BankAnswer)


@settings(max_examples=300)
@given(edits)
def test_a_mutated_ocr_file(changes: list[tuple[int, bytes]]) -> None:
    never_raises_ocr(mutate(OCR, changes))


@settings(max_examples=300)
@given(edits, st.sampled_from([CAMT, CAMT02]))
def test_a_mutated_camt054(changes: list[tuple[int, bytes]], sample: bytes) -> None:
    parsed = parse_camt054(mutate(sample, changes))

    assert isinstance(parsed, ParsedBankFile)
    for payment in parsed.payments:
        assert payment.booking_date is not None
        assert payment.transaction_id.startswith("camt054:")


@settings(max_examples=200)
@given(edits)
def test_a_mutated_pain002(changes: list[tuple[int, bytes]]) -> None:
    assert isinstance(parse_pain002(mutate(PAIN002, changes)), BankAnswer)


@given(st.text(max_size=60))
def test_any_text_in_a_camt054_field(text: str) -> None:
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").encode("utf-8", "replace")
    for tag in (b"<Ref>00000000422</Ref>", b'<Amt Ccy="NOK">1500.00</Amt>', b"<Dt>2025-03-13</Dt>"):
        opening, _, rest = tag.partition(b">")
        closing = rest[rest.index(b"<") :]
        assert isinstance(
            parse_camt054(CAMT.replace(tag, opening + b">" + escaped + closing, 1)),
            ParsedBankFile,
        )
