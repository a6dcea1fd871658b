"""The import layout: values, headers, rows into cases, and what exports write."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from cases.adapters.import_files.csv_file import CsvFile, detect_encoding
from cases.adapters.import_files.source import OpenedFile, Resume
from cases.domain.import_layout import (
    COLUMN_NAMES,
    CaseGrouper,
    LayoutError,
    SourceRow,
    ValueProblem,
    case_from_json,
    check_header,
    parse_date,
    parse_kroner,
    spreadsheet_safe,
    text_of,
)
from cases.domain.registration import MAX_CLAIMS
from hypothesis import given
from hypothesis import strategies as st


@pytest.mark.parametrize(
    ("text", "ore"),
    [
        ("1 234,50", 123_450),
        ("1234.50", 123_450),
        ("1.234,50", 123_450),
        ("1,234.50", 123_450),
        ("kr 100", 10_000),
        ("100,-", 10_000),
        ("12\u00a0000", 1_200_000),
        ("-35,5", -3_550),
        (1234.5, 123_450),
        (Decimal("0.01"), 1),
        (7, 700),
    ],
)
def test_kroner_as_norwegians_write_them(text: object, ore: int) -> None:
    assert parse_kroner(text) == ore  # type: ignore[arg-type]


@pytest.mark.parametrize("text", ["1.234", "12,345", "abc", "1 2 3,4,5", "--1", True])
def test_amounts_that_are_not_clear_are_refused(text: object) -> None:
    with pytest.raises(ValueProblem):
        parse_kroner(text)  # type: ignore[arg-type]


def test_an_empty_optional_amount_is_zero() -> None:
    assert parse_kroner("", required=False) == 0
    with pytest.raises(ValueProblem, match="required"):
        parse_kroner("")


@given(st.integers(min_value=-(10**12), max_value=10**12))
def test_kroner_written_with_spaces_and_a_comma_read_back(ore: int) -> None:
    whole, fraction = divmod(abs(ore), 100)
    text = ("-" if ore < 0 else "") + f"{whole:,}".replace(",", " ") + f",{fraction:02d}"
    assert parse_kroner(text) == ore


def _kroner_through_decimal(value: str, *, required: bool = True) -> int:
    """How every text amount was read before the plain ones got a path of their own."""
    from cases.domain import import_layout as layout

    text = layout._CURRENCY.sub("", layout._AMOUNT_SPACES.sub("", text_of(value)))
    if not text:
        if required:
            raise ValueProblem("is required", "required")
        return 0
    ore = layout._decimal_of(text, value) * 100
    if ore != ore.to_integral_value():
        raise ValueProblem(
            f"{layout._shown(value)} has more than two decimals (øre)", "too_many_decimals"
        )
    return int(ore)


def _read(parse: object, text: str) -> object:
    try:
        return parse(text)  # type: ignore[operator]
    except ValueProblem as exc:
        return str(exc)


@given(st.text(alphabet="0123456789 ,.-'kr\u00a0٣", max_size=14))
def test_plain_amounts_read_as_through_decimal(text: str) -> None:
    assert _read(parse_kroner, text) == _read(_kroner_through_decimal, text)


def test_dates() -> None:
    assert parse_date("01.09.2025") == date(2025, 9, 1)
    assert parse_date("1.9.2025") == date(2025, 9, 1)
    assert parse_date("2025-09-01") == date(2025, 9, 1)
    assert parse_date(datetime(2025, 9, 1, 0, 0)) == date(2025, 9, 1)
    for bad in ("31.02.2025", "2025/09/01", "09-01-2025", ""):
        with pytest.raises(ValueProblem):
            parse_date(bad)


def test_the_header_names_what_is_missing() -> None:
    header = check_header([" Creditor Reference", *COLUMN_NAMES[1:], "notes"])
    assert header.ignored == ("notes",)
    with pytest.raises(LayoutError, match="missing columns: debtor_name, city"):
        check_header([c for c in COLUMN_NAMES if c not in ("debtor_name", "city")])
    with pytest.raises(LayoutError, match="national_id or an organisation_number"):
        check_header([c for c in COLUMN_NAMES if c not in ("national_id", "organisation_number")])
    with pytest.raises(LayoutError, match="given twice: city"):
        check_header([*COLUMN_NAMES, "City"])


def _row(line: int, reference: str, **values: str) -> SourceRow:
    base = {
        "creditor_reference": reference,
        "debtor_kind": "person",
        "debtor_name": "Ola",
        "national_id": "31129956715",
        "address_line_1": "Gata 1",
        "postal_code": "0155",
        "city": "Oslo",
        "invoice_number": f"F{line}",
        "invoice_date": "01.01.2025",
        "due_date": "15.01.2025",
        "principal": "100",
    }
    return SourceRow(line=line, values={**base, **values})


def _cases(rows: list[SourceRow], grouper: CaseGrouper | None = None) -> list:
    grouper = grouper or CaseGrouper()
    found = [case for row in rows for case in grouper.feed(row)]
    return found + list(grouper.finish())


def test_consecutive_rows_of_one_reference_are_one_case() -> None:
    rows = [_row(2, "A"), _row(3, "A", debtor_name=""), _row(4, "B"), _row(5, "A")]
    cases = _cases(rows)
    assert [(c.reference, c.lines, c.end_record) for c in cases] == [
        ("A", (2, 3), 2),
        ("B", (4,), 3),
        ("A", (5,), 4),
    ]
    assert len(cases[0].registration.claims) == 2


def test_a_later_row_naming_another_debtor_refuses_the_case() -> None:
    [case] = _cases([_row(2, "A"), _row(3, "A", debtor_name="Kari")])
    assert case.registration is None
    assert [(e.line, e.column) for e in case.errors] == [(3, "debtor_name")]


def test_a_case_with_too_many_rows_is_refused_and_resumes_in_the_same_state() -> None:
    rows = [_row(i + 2, "BIG") for i in range(MAX_CLAIMS + 5)] + [_row(200, "NEXT")]
    cases = _cases(rows)
    assert cases[0].registration is None
    assert len(cases[0].lines) == MAX_CLAIMS + 1
    assert [c.counts_as_case for c in cases] == [True, False, False, False, False, True]
    assert cases[-1].registration is not None
    # resume after the third of the further rows, as a checkpoint would
    checkpoint = cases[2]
    resumed = _cases(
        rows[checkpoint.end_record :],
        CaseGrouper(records=checkpoint.end_record, draining=checkpoint.draining),
    )
    assert [(c.lines, c.end_record) for c in resumed] == [
        (c.lines, c.end_record) for c in cases[3:]
    ]
    assert resumed[0].registration is None


def test_json_cases_name_fields_by_path() -> None:
    case = case_from_json(
        {"creditor_reference": "X", "debtor": {"kind": "alien"}, "claims": [{"due_date": 5}]},
        position=7,
    )
    fields = {(e.line, e.column) for e in case.errors}
    assert (7, "debtor.kind") in fields
    assert (7, "claims[0].due_date") in fields
    assert (7, "claims[0].principal_ore") in fields
    assert case_from_json([], position=1).errors[0].column == "case"


def test_formula_cells_are_neutralised_and_read_back() -> None:
    for hostile in ("=1+1", "+47", "-2", "@SUM(A1)", "\tx", "\rx"):
        assert spreadsheet_safe(hostile) == "'" + hostile
    assert spreadsheet_safe("Ola") == "Ola"
    assert text_of("'+4791234567") == "+4791234567"
    assert text_of("'ordinary") == "'ordinary"


def test_encodings_are_detected() -> None:
    assert detect_encoding("\ufeffa;b".encode()) == "utf-8-sig"
    assert detect_encoding("Bjørn".encode()) == "utf-8-sig"
    assert detect_encoding("Bjørn".encode("cp1252")) == "cp1252"
    # a multi-byte character cut at the end of the sniffed bytes is still UTF-8
    assert detect_encoding("Bjø".encode()[:-1]) == "utf-8-sig"


def test_a_csv_reader_reports_bad_lines_and_goes_on(tmp_path: Path) -> None:
    header = ",".join(COLUMN_NAMES)
    good = "A,person,Ola,31129956715,,Gata 1,,,0155,Oslo,,,,F1,01.01.2025,15.01.2025,100,"
    long_line = "B," + "x" * 70_000
    path = tmp_path / "f.csv"
    path.write_bytes(
        f"sep=,\n{header}\n{good}\n{long_line}\n\n{good.replace('A,', 'C,', 1)}\n".encode()
    )
    opened = CsvFile(path)
    assert opened.facts.delimiter == ","
    rows = list(opened.rows())
    assert [r.line for r in rows] == [3, 4, 6]
    assert rows[1].errors[0].column == "(encoding)"
    assert "longer than 64 KiB" in rows[1].errors[0].reason
    assert [r.line for r in opened.rows(skip=2)] == [6]
    cases = list(OpenedFile("csv", path).cases(Resume(records=1)))
    assert [c.reference for c in cases] == ["", "C"]  # the long line's cells are lost


def test_files_that_are_not_csv(tmp_path: Path) -> None:
    for content, message in [
        (b"", "empty"),
        (b"PK\x03\x04rest", "XLSX"),
        (b"a,b\x00c", "binary"),
    ]:
        path = tmp_path / "f.csv"
        path.write_bytes(content)
        with pytest.raises(LayoutError, match=message):
            CsvFile(path)


def test_a_file_says_which_claims_are_loans_and_which_had_no_agreed_due_date() -> None:
    rows = [
        _row(2, "A", claim_type="loan"),
        _row(3, "A", debtor_name="", demand_date="01.03.2025"),
        _row(4, "B", claim_type="LOAN"),
    ]
    first, second = _cases(rows)
    loan, demanded = first.registration.claims
    assert (loan.claim_type, loan.demand_sent_on) == ("loan", None)
    assert (demanded.claim_type, demanded.demand_sent_on) == ("ordinary", date(2025, 3, 1))
    assert demanded.interest_due_date == date(2025, 3, 31)  # 30 days after the påkrav
    assert second.registration.claims[0].claim_type == "loan"
    # a bad demand date is an error in its column
    (bad,) = _cases([_row(2, "C", demand_date="31.02.2025")])
    assert [(e.line, e.column) for e in bad.errors] == [(2, "demand_date")]


def test_json_claims_carry_the_type_and_the_demand() -> None:
    case = case_from_json(
        {
            "creditor_reference": "X",
            "debtor": {"kind": "alien"},
            "claims": [{"claim_type": 5, "demand_sent_on": "1. mars"}],
        },
        position=3,
    )
    fields = {(e.line, e.column) for e in case.errors}
    assert (3, "claims[0].claim_type") in fields
    assert (3, "claims[0].demand_sent_on") in fields
