"""The OCR giro reader against a sample file and against every way a file can be wrong.

``samples/ocr_giro_two_assignments.txt`` was written by hand after Nets' *OCR giro —
Systemspesifikasjon* (records 10/20/30/31/32/88/89, 80 characters, ISO-8859-1, CRLF), with
the field positions as ``otovo/python-netsgiro`` reads them: one forsendelse of two oppdrag,
into the client-funds account 1503.12.34562 (transaksjonstype 10, 13, 15, a reversal 18 and
a purchase with text 21) and into the agency's own account 6023.10.00006.
"""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pytest
from ledger.adapters.bankfiles import BankPayment, parse_ocr

pytestmark = pytest.mark.unit

SAMPLE = Path(__file__).parent / "samples" / "ocr_giro_two_assignments.txt"


def sample_records() -> list[str]:
    return SAMPLE.read_bytes().decode("iso-8859-1").splitlines()


def ocr(records: list[str]) -> bytes:
    return ("\r\n".join(records) + "\r\n").encode("iso-8859-1")


def with_record(records: list[str], line: int, record: str) -> list[str]:
    """The records with the one on (1-based) ``line`` replaced."""
    assert len(record) == 80, len(record)
    return [*records[: line - 1], record, *records[line:]]


def field(record: str, start: int, value: str) -> str:
    """``record`` with ``value`` written from (1-based) position ``start``."""
    return record[: start - 1] + value + record[start - 1 + len(value) :]


def reasons(data: bytes) -> list[tuple[int, str]]:
    return [(error.line, error.field) for error in parse_ocr(data).errors]


def test_the_sample_file_reads_to_its_six_payments_with_every_control_agreeing() -> None:
    parsed = parse_ocr(SAMPLE.read_bytes())

    assert parsed.ok, parsed.errors
    assert parsed.file_id == "0170604"
    assert [p.amount_ore for p in parsed.payments] == [150000, 25050, 120000, -10000, 9950, 250000]
    assert parsed.total_ore == 545000
    assert [(c.scope, c.declared_count, c.declared_amount_ore) for c in parsed.controls] == [
        ("oppdrag 0000417", 5, 315000),
        ("oppdrag 0000418", 1, 250000),
        ("forsendelse 0170604", 6, 565000),
    ]
    assert all(control.matches for control in parsed.controls)


def test_a_kid_payment_carries_every_field_the_ledger_needs() -> None:
    first = parse_ocr(SAMPLE.read_bytes()).payments[0]

    assert first == BankPayment(
        transaction_id="ocr:15031234562:20250314:1314100417:099038562:0000001",
        kid="00000000422",
        amount_ore=150000,
        booking_date=date(2025, 3, 14),
        value_date=date(2025, 3, 14),
        payer_account="30001543217",
        payer_name=None,
        free_text=None,
        source_format="ocr",
        line=3,
        creditor_account="15031234562",
        transaction_type="10",
        payment_date=date(2025, 3, 13),
    )


def test_mod11_kid_with_a_minus_a_reversal_and_a_payment_with_text() -> None:
    payments = parse_ocr(SAMPLE.read_bytes()).payments

    assert payments[1].kid == "0000006-"
    assert payments[1].payment_date is None  # oppdragsdato 000000
    assert payments[1].payer_account is None  # debetkonto 00000000000
    assert payments[3].is_reversal
    assert payments[3].transaction_type == "18"
    assert payments[4].kid is None
    assert payments[4].free_text == "IC-0000117 gjelder hovedstol Bølgen"
    assert payments[5].creditor_account == "60231000006"


def test_reading_again_gives_the_same_transaction_ids() -> None:
    first = parse_ocr(SAMPLE.read_bytes())
    again = parse_ocr(io.BytesIO(SAMPLE.read_bytes()))

    ids = [p.transaction_id for p in first.payments]
    assert ids == [p.transaction_id for p in again.payments]
    assert len(set(ids)) == len(ids)


def test_a_file_object_and_an_iterable_of_lines_read_like_bytes() -> None:
    data = SAMPLE.read_bytes()

    from_stream = parse_ocr(io.BytesIO(data))
    from_lines = parse_ocr(data.splitlines(keepends=True))

    assert from_stream == parse_ocr(data) == from_lines


def test_lf_line_ends_and_a_missing_last_line_end_are_fine() -> None:
    data = "\n".join(sample_records()).encode("iso-8859-1")

    assert parse_ocr(data).ok


def test_a_wrong_kid_check_digit_keeps_the_payment_without_its_kid() -> None:
    records = with_record(
        sample_records(), 3, field(sample_records()[2], 50, f"{'00000000423':>25}")
    )

    parsed = parse_ocr(ocr(records))

    payment = parsed.payments[0]
    assert payment.kid is None
    assert payment.rejected_kid == "00000000423"
    assert payment.amount_ore == 150000
    assert [(e.line, e.field) for e in parsed.errors] == [(3, "KID")]
    assert "check digit" in parsed.errors[0].reason
    assert len(parsed.payments) == 6  # nothing else is lost


def test_the_agreed_kid_scheme_is_enforced() -> None:
    parsed = parse_ocr(SAMPLE.read_bytes(), kid_scheme="mod10")

    # 0000006- and 00000000426 are MOD11 KIDs
    assert {p.rejected_kid for p in parsed.payments if p.rejected_kid} == {
        "0000006-",
        "00000000426",
    }


def test_non_digits_in_an_amount_spoil_that_transaction_and_the_totals_say_so() -> None:
    records = sample_records()
    records = with_record(records, 5, field(records[4], 33, "00000000000025O50"))

    parsed = parse_ocr(ocr(records))

    assert [p.transaction_type for p in parsed.payments] == ["10", "15", "18", "21", "10"]
    assert (5, "beløp") in [(e.line, e.field) for e in parsed.errors]
    assert (14, "antall transaksjoner") in [(e.line, e.field) for e in parsed.errors]
    assert (14, "sum beløp") in [(e.line, e.field) for e in parsed.errors]
    assert not parsed.ok


def test_wrong_totals_in_the_end_records_are_reported_with_their_lines() -> None:
    records = sample_records()
    records = with_record(records, 14, field(records[13], 25, f"{315001:017d}"))
    records = with_record(records, 19, field(records[18], 9, f"{7:08d}"))

    parsed = parse_ocr(ocr(records))

    assert [(e.line, e.field) for e in parsed.errors] == [
        (14, "sum beløp"),
        (19, "antall transaksjoner"),
    ]
    assert len(parsed.payments) == 6
    assert [c.matches for c in parsed.controls] == [False, True, False]


def test_a_wrong_record_count_is_reported() -> None:
    records = sample_records()
    records = with_record(records, 18, field(records[17], 17, f"{5:08d}"))

    assert reasons(ocr(records)) == [(18, "antall records")]


def test_an_unknown_record_type_and_a_wrong_format_code_are_reported() -> None:
    records = sample_records()
    records = with_record(records, 4, field(records[3], 7, "99"))
    records = with_record(records, 6, "XY" + records[5][2:])

    errors = reasons(ocr(records))

    assert (4, "record type") in errors
    assert (6, "format code") in errors
    # the two transactions lack their beløpspost 2, and the totals disagree
    assert {(3, "record type"), (5, "record type")} <= set(errors)


def test_a_record_of_the_wrong_length_is_reported_with_its_length() -> None:
    records = sample_records()
    records[6] = records[6][:79]

    parsed = parse_ocr(ocr(records))

    assert parsed.errors[0].line == 7
    assert "79" in parsed.errors[0].reason


def test_an_overlong_line_in_a_stream_is_skipped_without_reading_it_whole() -> None:
    records = sample_records()
    data = ocr(records[:3]) + b"9" * 5_000_000 + b"\r\n" + ocr(records[3:])

    parsed = parse_ocr(io.BytesIO(data))

    assert (4, "record") in [(e.line, e.field) for e in parsed.errors]
    assert "5000000" in parsed.errors[0].reason


def test_utf8_text_in_an_iso_8859_1_file_is_named_as_such() -> None:
    data = SAMPLE.read_bytes().decode("iso-8859-1").encode("utf-8")

    parsed = parse_ocr(data)

    assert (parsed.errors[0].line, parsed.errors[0].field) == (13, "record")
    assert "UTF-8" in parsed.errors[0].reason


def test_a_byte_order_mark_and_control_characters_are_reported() -> None:
    records = sample_records()
    records[12] = records[12][:20] + "\x07" + records[12][21:]

    parsed = parse_ocr(b"\xef\xbb\xbf" + ocr(records))

    assert [(e.line, e.field) for e in parsed.errors][:2] == [(1, "encoding"), (13, "encoding")]


def test_a_file_cut_short_is_reported() -> None:
    parsed = parse_ocr(ocr(sample_records()[:12]))

    assert [(e.line, e.reason) for e in parsed.errors][-2:] == [
        (2, "oppdrag 0000417 has no end record (88)"),
        (12, "no forsendelse end record (89): the file may be cut short"),
    ]
    assert len(parsed.payments) == 5


def test_records_after_the_end_and_a_second_start_are_reported() -> None:
    records = sample_records()

    assert reasons(ocr([*records, records[0]])) == [(20, "record type")]
    assert reasons(ocr([records[0], *records])) == [(2, "record type"), (20, "antall records")]


def test_a_beløpspost_2_without_its_beløpspost_1_is_reported() -> None:
    records = sample_records()
    records = with_record(records, 4, field(records[3], 9, "0000009"))

    errors = reasons(ocr(records))

    assert (4, "transaction number") in errors
    assert (3, "record type") in errors  # transaction 1 never got its beløpspost 2


def test_an_avtalegiro_assignment_is_not_read_as_payments() -> None:
    records = sample_records()
    records = with_record(records, 15, field(records[14], 3, "21"))

    parsed = parse_ocr(ocr(records))

    assert (15, "service code") in [(e.line, e.field) for e in parsed.errors]
    assert len(parsed.payments) == 5


def test_an_empty_file_and_a_file_of_blank_lines() -> None:
    assert reasons(b"") == [(0, "file")]
    assert reasons(b"\r\n\r\n") == [(0, "file")]


def test_a_file_not_starting_with_a_transmission_start_is_reported_once() -> None:
    errors = reasons(ocr(sample_records()[1:]))

    assert errors.count((1, "record type")) == 1


def test_a_flood_of_errors_stops_reading() -> None:
    garbage = ("X" * 80 + "\r\n").encode() * 10_000

    parsed = parse_ocr(garbage, max_errors=50)

    assert len(parsed.errors) == 51
    assert parsed.errors[-1].reason == "too many errors: reading stopped"
