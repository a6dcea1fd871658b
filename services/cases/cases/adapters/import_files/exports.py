"""What the importer hands back as files: the templates and the error report.

Every cell written goes through
:func:`~cases.domain.import_layout.spreadsheet_safe`: a file's own content (a reference
such as ``=HYPERLINK(…)``) comes back as text a spreadsheet shows, never as a formula it
runs. CSV is written as Norwegian Excel opens it directly: UTF-8 with a BOM, ``;``.
"""

from __future__ import annotations

import asyncio
import csv
import io
import os
import tempfile
from collections.abc import AsyncIterator, Iterable, Sequence
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from cases.adapters.import_files.job_store import ErrorRow
from cases.domain.import_layout import (
    COLUMNS,
    EXAMPLE_MARK,
    Column,
    column_label,
    spreadsheet_safe,
)
from cases.domain.import_reasons import code_text

CSV_MEDIA_TYPE = "text/csv; charset=utf-8"
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ERROR_REPORT_COLUMNS = ("line", "column", "reason", "creditor_reference")
_ERROR_REPORT_NB = ("Linje", "Kolonne", "Feil", "Referanse")
_BOM = "\ufeff"
LANGUAGES = ("en", "nb")
"""The files' languages: English keys (the API's default) or bokmål headers and help."""

DESCRIPTIONS_NB: dict[str, str] = {
    "creditor_reference": "Deres referanse for saken, unik per oppdragsgiver (1-60 bokstaver, "
    "sifre, mellomrom - . / : # _). Rader etter hverandre med samme referanse er én sak.",
    "debtor_kind": "person eller bedrift (også: privat, business)",
    "debtor_name": "Skyldnerens fulle navn",
    "national_id": "Fødselsnummer eller D-nummer (11 sifre) for en person",
    "organisation_number": "Organisasjonsnummer (9 sifre) for en bedrift",
    "address_line_1": "Gateadresse",
    "address_line_2": "Adresselinje 2 (valgfritt)",
    "address_line_3": "Adresselinje 3 (valgfritt)",
    "postal_code": "Postnummer (4 sifre i Norge)",
    "city": "Poststed",
    "country": "Landkode etter ISO 3166; tomt betyr NO",
    "email": "Skyldnerens e-postadresse (valgfritt)",
    "phone": "Skyldnerens telefonnummer (valgfritt)",
    "invoice_number": "Fakturanummeret kravet gjelder",
    "invoice_date": "Fakturadato: dd.mm.åååå eller åååå-mm-dd",
    "due_date": "Forfallsdato: dd.mm.åååå eller åååå-mm-dd",
    "principal": "Ubetalt hovedstol i kroner, uten gebyrer og renter: 1 234,50 eller 1234.50",
    "reminder_fee": "Purregebyr som alt er krevd, i kroner (tomt: 0)",
    "claim_type": "Tomt eller «ordinary»; «loan» for lån eller krav med gjeldsbrev "
    "(tiårig foreldelse, foreldelsesloven § 5)",
    "demand_date": "Bare når forfall ikke er avtalt: datoen det skriftlige påkravet ble sendt; "
    "renten løper fra 30 dager etter",
}
"""The help sheet's descriptions in bokmål (the English ones are the layout's own)."""

_EXAMPLE_NOTE = {
    "en": "A row whose reference starts with # is not read: the example row registers nothing.",
    "nb": "En rad der referansen begynner med # leses ikke inn: eksempelraden registrerer "
    "ingenting.",
}
_HELP_HEADER = {
    "en": ("column", "required", "description"),
    "nb": ("kolonne", "påkrevd", "forklaring"),
}
_YES_NO = {"en": ("yes", "no"), "nb": ("ja", "nei")}


def _example(column: Column) -> str:
    """The example row's value: its reference marked as a comment (``#K-2025-0001``)."""
    if column.name == "creditor_reference":
        return EXAMPLE_MARK + column.example
    return column.example


def _csv_line(cells: Sequence[object]) -> str:
    out = io.StringIO()
    csv.writer(out, delimiter=";", lineterminator="\r\n").writerow(
        [spreadsheet_safe(str(c)) if isinstance(c, str) else c for c in cells]
    )
    return out.getvalue()


def template_csv(lang: str = "en") -> bytes:
    """The CSV template: the header (English keys, or bokmål labels) and one example row,
    marked as a comment so that it registers nothing."""
    header = _csv_line([column_label(c.name, lang) for c in COLUMNS])
    example = _csv_line([_example(c) for c in COLUMNS])
    return (_BOM + header + example).encode("utf-8")


def template_xlsx(lang: str = "en") -> bytes:
    """The XLSX template: a sheet to fill in (its example row marked, grey and italic), and
    one that explains the columns, in the language asked for."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "saker" if lang == "nb" else "cases"
    sheet.append([column_label(c.name, lang) for c in COLUMNS])
    sheet.append([spreadsheet_safe(_example(c)) for c in COLUMNS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for cell in sheet[2]:
        cell.font = Font(italic=True, color="666666")
    for index, column in enumerate(COLUMNS, start=1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = max(14, len(column_label(column.name, lang)) + 2)
        for row in (1, 2):
            sheet.cell(row=row, column=index).number_format = "@"  # text: keeps leading zeros
    about = workbook.create_sheet("kolonner" if lang == "nb" else "columns")
    about.append(list(_HELP_HEADER[lang]))
    yes, no = _YES_NO[lang]
    for column in COLUMNS:
        description = DESCRIPTIONS_NB[column.name] if lang == "nb" else column.description
        label = column_label(column.name, lang)
        about.append([label, yes if column.required else no, description])
    about.append([])
    about.append([_EXAMPLE_NOTE[lang]])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _report_header(lang: str) -> Sequence[str]:
    return _ERROR_REPORT_NB if lang == "nb" else ERROR_REPORT_COLUMNS


async def error_report_csv(
    pages: AsyncIterator[Iterable[ErrorRow]], lang: str = "en"
) -> AsyncIterator[bytes]:
    """The error report as CSV, page by page as the database gives it, in the file's
    language: headers, column names and each reason (written from its stored code)."""
    yield (_BOM + _csv_line(_report_header(lang))).encode("utf-8")
    async for page in pages:
        yield "".join(
            _csv_line(
                [
                    row.line,
                    column_label(row.column, lang),
                    code_text(row.code, row.values, lang),
                    row.creditor_reference or "",
                ]
            )
            for row in page
        ).encode("utf-8")


async def error_report_xlsx(
    pages: AsyncIterator[Iterable[ErrorRow]],
    directory: Path,
    lang: str = "en",
) -> Path:
    """The error report as an XLSX file in ``directory`` (written as a stream), in the
    file's language like :func:`error_report_csv`."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("feil" if lang == "nb" else "errors")
    sheet.append(list(_report_header(lang)))
    async for page in pages:
        for row in page:
            sheet.append(
                [
                    row.line,
                    spreadsheet_safe(column_label(row.column, lang)),
                    spreadsheet_safe(code_text(row.code, row.values, lang)),
                    spreadsheet_safe(row.creditor_reference or ""),
                ]
            )
    handle, name = tempfile.mkstemp(suffix=".xlsx", dir=directory)
    os.close(handle)
    await asyncio.to_thread(workbook.save, name)
    return Path(name)
