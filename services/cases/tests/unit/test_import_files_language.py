"""The import files in the user's language: bokmål headers are read as the English keys,
the templates and error reports (headers, columns and reasons) come in bokmål or English,
and a template uploaded unchanged registers nothing (its example row is marked as a comment)."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator, Iterable
from pathlib import Path

import pytest
from cases.adapters.import_files import exports
from cases.adapters.import_files.job_store import ErrorRow
from cases.adapters.import_files.source import OpenedFile
from cases.domain.import_layout import COLUMN_NAMES, LABELS_NB, check_header, is_comment
from openpyxl import load_workbook

ROW = "A;person;Ola;31129956715;;Gata 1;;;0155;Oslo;;;;F1;01.01.2025;15.01.2025;100;;;"


def test_a_bokmal_header_row_is_read_as_the_english_keys() -> None:
    assert set(LABELS_NB) == set(COLUMN_NAMES)
    header = check_header([LABELS_NB[name] for name in COLUMN_NAMES])
    assert header.names == COLUMN_NAMES
    mixed = check_header(["Referanse", "debtor_kind", " NAVN ", *COLUMN_NAMES[3:]])
    assert mixed.names == COLUMN_NAMES  # bokmål and English keys side by side


@pytest.mark.parametrize("lang", exports.LANGUAGES)
def test_each_template_uploaded_unchanged_registers_nothing(tmp_path: Path, lang: str) -> None:
    csv_path = tmp_path / "mal.csv"
    csv_path.write_bytes(exports.template_csv(lang))
    xlsx_path = tmp_path / "mal.xlsx"
    xlsx_path.write_bytes(exports.template_xlsx(lang))
    assert list(OpenedFile("csv", csv_path).cases()) == []
    assert list(OpenedFile("xlsx", xlsx_path).cases()) == []
    # the same row with the mark taken away is a case
    text = csv_path.read_bytes().decode("utf-8-sig").replace("#K-", "K-", 1)
    csv_path.write_text(text, encoding="utf-8")
    assert [c.reference for c in OpenedFile("csv", csv_path).cases()] == ["K-2025-0001"]


def test_the_bokmal_templates_speak_bokmal() -> None:
    header = exports.template_csv("nb").decode("utf-8-sig").splitlines()[0]
    assert header.startswith("Referanse;Skyldnertype;Navn;Fødselsnummer")
    workbook = load_workbook(io.BytesIO(exports.template_xlsx("nb")))
    assert workbook.sheetnames == ["saker", "kolonner"]
    help_rows = list(workbook["kolonner"].iter_rows(values_only=True))
    assert help_rows[0] == ("kolonne", "påkrevd", "forklaring")
    assert help_rows[1][:2] == ("Referanse", "ja")
    assert "begynner med #" in str(help_rows[-1][0])
    assert is_comment(workbook["saker"]["A2"].value)
    english = exports.template_csv("en").decode("utf-8-sig").splitlines()[0]
    assert english.startswith("creditor_reference;debtor_kind;debtor_name")


async def _pages() -> AsyncIterator[Iterable[ErrorRow]]:
    yield [
        ErrorRow(2, "national_id", "not a valid national identity number", "A", "national_id", {})
    ]
    yield [
        ErrorRow(3, "creditor_reference", "(for developers)", "A", "case_has_errors", {"line": "2"})
    ]


async def test_the_error_report_names_columns_and_reasons_in_the_users_language(
    tmp_path: Path,
) -> None:
    nb = b"".join([chunk async for chunk in exports.error_report_csv(_pages(), "nb")])
    assert nb.decode("utf-8-sig").splitlines() == [
        "Linje;Kolonne;Feil;Referanse",
        "2;Fødselsnummer;Er ikke et gyldig fødselsnummer;A",
        "3;Referanse;Ikke registrert: saken har feil (linje 2);A",
    ]
    en = b"".join([chunk async for chunk in exports.error_report_csv(_pages())])
    assert en.decode("utf-8-sig").splitlines() == [
        "line;column;reason;creditor_reference",
        "2;national_id;Is not a valid national identity number;A",
        "3;creditor_reference;Not registered: the case has errors (line 2);A",
    ]
    path = await exports.error_report_xlsx(_pages(), tmp_path, "nb")
    rows = list(load_workbook(path)["feil"].iter_rows(values_only=True))
    assert rows == [
        ("Linje", "Kolonne", "Feil", "Referanse"),
        (2, "Fødselsnummer", "Er ikke et gyldig fødselsnummer", "A"),
        (3, "Referanse", "Ikke registrert: saken har feil (linje 2)", "A"),
    ]


def test_a_row_of_a_file_is_read_unless_its_reference_is_a_comment(tmp_path: Path) -> None:
    path = tmp_path / "f.csv"
    header = ";".join(LABELS_NB[name] for name in COLUMN_NAMES)
    path.write_text(f"{header}\n#{ROW}\n{ROW.replace('A;', 'B;', 1)}\n", encoding="utf-8")
    assert [c.reference for c in OpenedFile("csv", path).cases()] == ["B"]
