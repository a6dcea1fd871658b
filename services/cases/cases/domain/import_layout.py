"""The column layout of case files (CSV, XLSX) and JSON imports, and how rows become cases.

Pure: text and cell values in, :class:`~cases.domain.registration.CaseRegistration` and
:class:`RowError` out. The readers (``cases.adapters.import_files``) turn bytes into
:class:`SourceRow` records; :class:`CaseGrouper` turns consecutive rows into cases;
registration then applies the one set of rules every channel shares (``validated``), and
:func:`row_errors` names each of its findings by the line and column it came from.

One row is one claim. Consecutive rows with the same ``creditor_reference`` are one case
with several claims; the debtor columns of its later rows may be left empty (or must say
the same as its first row).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any, Literal

from cases.domain.import_reasons import GENERIC
from cases.domain.registration import (
    MAX_CLAIMS,
    Address,
    CaseRegistration,
    Claim,
    Debtor,
    DebtorKind,
    FieldError,
)

ImportFormat = Literal["csv", "xlsx", "json"]
FORMATS: tuple[ImportFormat, ...] = ("csv", "xlsx", "json")


@dataclass(frozen=True)
class Column:
    """One column of the layout."""

    name: str
    description: str
    example: str
    required: bool = False
    debtor: bool = False
    """Describes the debtor: equal on every row of one case (or left empty after the first)."""


COLUMNS: tuple[Column, ...] = (
    Column(
        "creditor_reference",
        "Your reference of the case, unique per creditor (1-60 letters, digits, space "
        "- . / : # _). Consecutive rows with the same reference are one case.",
        "K-2025-0001",
        required=True,
    ),
    Column(
        "debtor_kind",
        "person or business (also: privat, bedrift)",
        "person",
        required=True,
        debtor=True,
    ),
    Column("debtor_name", "The debtor's full name", "Ola Nordmann", required=True, debtor=True),
    Column(
        "national_id",
        "Fødselsnummer or D-nummer (11 digits) of a person debtor",
        "31129956715",
        debtor=True,
    ),
    Column(
        "organisation_number",
        "Organisasjonsnummer (9 digits) of a business debtor",
        "",
        debtor=True,
    ),
    Column("address_line_1", "Street address", "Storgata 1", required=True, debtor=True),
    Column("address_line_2", "Second address line (optional)", "", debtor=True),
    Column("address_line_3", "Third address line (optional)", "", debtor=True),
    Column("postal_code", "Postal code (4 digits in Norway)", "0155", required=True, debtor=True),
    Column("city", "Postal town", "Oslo", required=True, debtor=True),
    Column("country", "ISO 3166 country code; empty means NO", "NO", debtor=True),
    Column("email", "The debtor's e-mail address (optional)", "ola@example.no", debtor=True),
    Column("phone", "The debtor's phone number (optional)", "+4791234567", debtor=True),
    Column("invoice_number", "Invoice number of the claim", "10001", required=True),
    Column("invoice_date", "Invoice date: dd.mm.yyyy or yyyy-mm-dd", "01.09.2025", required=True),
    Column("due_date", "Due date: dd.mm.yyyy or yyyy-mm-dd", "15.09.2025", required=True),
    Column(
        "principal",
        "Unpaid principal in kroner, without fees or interest: 1 234,50 or 1234.50",
        "1 234,50",
        required=True,
    ),
    Column("reminder_fee", "Reminder fees already charged, kroner (empty: 0)", "35,00"),
    Column(
        "claim_type",
        "Empty or 'ordinary'; 'loan' for a loan or a claim with a gjeldsbrev "
        "(ten-year limitation, foreldelsesloven § 5)",
        "",
    ),
    Column(
        "demand_date",
        "Only if no due date was agreed: the date the written demand (påkrav) was sent; "
        "interest runs from 30 days after it",
        "",
    ),
)
COLUMN_NAMES: tuple[str, ...] = tuple(c.name for c in COLUMNS)
REQUIRED_COLUMNS: tuple[str, ...] = tuple(c.name for c in COLUMNS if c.required)
DEBTOR_COLUMNS: tuple[str, ...] = tuple(c.name for c in COLUMNS if c.debtor)
ID_COLUMNS = ("national_id", "organisation_number")
"""At least one of these must be in the header."""

MAX_ERRORS_PER_ROW = 20
MAX_VALUE_IN_REASON = 40

Cell = str | int | float | Decimal | date | datetime | bool | None
"""A value as a reader delivers it: text from CSV, typed cells from XLSX."""


Values = tuple[tuple[str, str], ...]
"""The values a reason's words need (``(("line", "7"),)``), as text."""


@dataclass(frozen=True, slots=True)
class RowError:
    """One problem of one row: the file's line (XLSX: row), the column, and why: its
    stable ``code`` with its ``values`` (the error files' words,
    :mod:`cases.domain.import_reasons`), and ``reason`` in English for developers."""

    line: int
    column: str
    reason: str
    code: str
    values: Values = ()

    @classmethod
    def of(cls, line: int, column: str, problem: ValueProblem | FieldError) -> RowError:
        """A problem found with a value, or by the registration's checks, at a place."""
        return cls(line, column, problem.reason, problem.code or GENERIC, problem.values)


@dataclass(slots=True)
class SourceRow:
    """One record of a tabular file: its line and its cells by column name."""

    line: int
    values: Mapping[str, Cell]
    errors: list[RowError] = field(default_factory=list)
    """What the reader found wrong with the record itself (encoding, quoting, length)."""


class LayoutError(ValueError):
    """The file cannot be imported at all (its header, its format); the message says why."""


def normalise_header(name: str) -> str:
    """``" Debtor Name "`` → ``debtor_name`` (case, spaces, hyphens and a BOM do not matter)."""
    return re.sub(r"[\s\-]+", "_", name.replace("\ufeff", "").strip().lower())


@dataclass(frozen=True)
class Header:
    """The columns a file has, by position, and the ones it has that the layout does not."""

    names: tuple[str | None, ...]
    """Layout column at each position (``None``: not a layout column, ignored)."""
    ignored: tuple[str, ...]


LABELS_NB: dict[str, str] = {
    "creditor_reference": "Referanse",
    "debtor_kind": "Skyldnertype",
    "debtor_name": "Navn",
    "national_id": "Fødselsnummer",
    "organisation_number": "Organisasjonsnummer",
    "address_line_1": "Adresse",
    "address_line_2": "Adresselinje 2",
    "address_line_3": "Adresselinje 3",
    "postal_code": "Postnummer",
    "city": "Poststed",
    "country": "Land",
    "email": "E-post",
    "phone": "Telefon",
    "invoice_number": "Fakturanummer",
    "invoice_date": "Fakturadato",
    "due_date": "Forfallsdato",
    "principal": "Hovedstol",
    "reminder_fee": "Purregebyr",
    "claim_type": "Kravtype",
    "demand_date": "Påkravsdato",
}
"""Each column's bokmål header: a header row of these («Referanse;Navn;…») is read as
the English keys are (the templates and error files in bokmål use them)."""

_FROM_NB = {normalise_header(label): name for name, label in LABELS_NB.items()}

EXAMPLE_MARK = "#"
"""A row whose reference starts with ``#`` is a comment (the templates' example row): it
is skipped like a blank row, so uploading a template unchanged registers nothing."""


def is_comment(reference: Cell) -> bool:
    """Whether a row's first cell (its reference) marks it as a comment."""
    return isinstance(reference, str) and reference.lstrip().startswith(EXAMPLE_MARK)


def column_label(name: str, lang: str) -> str:
    """A column's header in a language (``nb``: «Referanse»; otherwise the key)."""
    return LABELS_NB.get(name, name) if lang == "nb" else name


def check_header(cells: Sequence[Cell]) -> Header:
    """The header row's columns (English keys or bokmål labels), or :class:`LayoutError`
    naming what is missing or doubled."""
    normalised = [normalise_header(str(c)) if c is not None else "" for c in cells]
    normalised = [_FROM_NB.get(name, name) for name in normalised]
    known = set(COLUMN_NAMES)
    seen: set[str] = set()
    doubled: list[str] = []
    for name in normalised:
        if name in known:
            if name in seen:
                doubled.append(name)
            seen.add(name)
    missing = [name for name in REQUIRED_COLUMNS if name not in seen]
    problems = []
    if missing:
        problems.append(f"missing columns: {', '.join(missing)}")
    if not seen & set(ID_COLUMNS):
        problems.append("needs a national_id or an organisation_number column")
    if doubled:
        problems.append(f"columns given twice: {', '.join(sorted(set(doubled)))}")
    if problems:
        raise LayoutError(
            "The first row is not the header of the import layout ("
            + "; ".join(problems)
            + "). Download the template to see the columns."
        )
    names = tuple(n if n in known else None for n in normalised)
    ignored = tuple(c for c in normalised if c and c not in known)
    return Header(names=names, ignored=ignored)


# -- values ------------------------------------------------------------------------------

_DATE_NO = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")
_DATE_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_AMOUNT_SPACES = re.compile(r"[\s\u00a0\u202f\u2009']")
_AMOUNT = re.compile(r"^-?\d+$")
_PLAIN_AMOUNT = re.compile(r"(-?)([0-9]+)(?:[.,]([0-9]{1,2}))?")
_WHITESPACE = re.compile(r"\s")
_PHONE_SEPARATORS = re.compile(r"[\s\-()]")
_CURRENCY = re.compile(r"^(?:kr\.?|nok)\s*|\s*(?:kr\.?|nok|,-)$", re.IGNORECASE)
_KINDS: dict[str, DebtorKind] = {
    "person": "person",
    "privat": "person",
    "privatperson": "person",
    "p": "person",
    "business": "business",
    "bedrift": "business",
    "firma": "business",
    "foretak": "business",
    "b": "business",
}


_FORMULA_LEAD = ("=", "+", "-", "@")


class ValueProblem(ValueError):
    """A cell that cannot be read as what its column holds: English for developers, the
    stable ``code`` and the ``values`` its words need for the error files."""

    def __init__(self, reason: str, code: str, **values: object) -> None:
        super().__init__(reason)
        self.reason = reason
        self.code = code
        self.values: Values = tuple((k, str(v)) for k, v in values.items())


def _shown(value: object) -> str:
    text = str(value)
    if len(text) > MAX_VALUE_IN_REASON:
        text = text[:MAX_VALUE_IN_REASON] + "…"
    return repr(text)


def text_of(value: Cell) -> str:
    """A cell as text (numbers without a spurious ``.0``; ``None`` as empty)."""
    if isinstance(value, str):  # the usual cell first (CSV has nothing else)
        text = value.strip()
        if text[:1] == "'" and text[1:2] in _FORMULA_LEAD:
            return text[1:]  # as our own exports write it (see spreadsheet_safe)
        return text
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else str(value)
    return str(value)


def digits_of(value: Cell, width: int) -> str:
    """An identifier cell: a number (a spreadsheet dropped its leading zeros) is padded."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        text = text_of(value)
        return text.zfill(width) if text.isdigit() else text
    text = text_of(value)
    return _WHITESPACE.sub("", text) if _WHITESPACE.search(text) else text


def parse_date(value: Cell) -> date:
    """``dd.mm.yyyy`` (also ``d.m.yyyy``) or ISO ``yyyy-mm-dd``; a spreadsheet date as is."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return _date_of(text_of(value))


@lru_cache(maxsize=4096)
def _date_of(text: str) -> date:
    """A date's text read (the few dates of a file recur on every row: kept)."""
    if not text:
        raise ValueProblem("is required", "required")
    try:
        if match := _DATE_NO.fullmatch(text):
            day, month, year = (int(g) for g in match.groups())
            return date(year, month, day)
        if match := _DATE_ISO.fullmatch(text):
            year, month, day = (int(g) for g in match.groups())
            return date(year, month, day)
    except ValueError:
        raise ValueProblem(f"{_shown(text)} is not a date in the calendar", "not_a_date") from None
    raise ValueProblem(f"{_shown(text)} is not a date (dd.mm.yyyy or yyyy-mm-dd)", "not_a_date")


def parse_kroner(value: Cell, *, required: bool = True) -> int:
    """Kroner as øre: ``1 234,50``, ``1234.50``, ``1.234,50``, ``kr 100``; at most 2 decimals.

    A lone ``.`` or ``,`` is the decimal sign; when both occur the last one is, and the
    other groups thousands. ``1.234`` (three decimals or a thousands dot?) is refused.
    """
    if isinstance(value, bool):
        raise ValueProblem(f"{_shown(value)} is not an amount", "not_an_amount")
    if isinstance(value, int):
        return value * 100
    if isinstance(value, float | Decimal):
        return _ore_of(Decimal(str(value)), value)
    return _kroner_of_text(text_of(value), value, required)


def _kroner_of_text(text: str, original: Cell, required: bool) -> int:
    """:func:`parse_kroner` of a text cell (``text`` is its :func:`text_of`)."""
    if plain := _PLAIN_AMOUNT.fullmatch(text):  # 1234,50 and the like: nothing to remove
        sign, whole, fraction = plain.groups()
        ore = int(whole) * 100 + (int(fraction.ljust(2, "0")) if fraction else 0)
        return -ore if sign else ore
    text = _CURRENCY.sub("", _AMOUNT_SPACES.sub("", text))
    if not text:
        if required:
            raise ValueProblem("is required", "required")
        return 0
    if plain := _PLAIN_AMOUNT.fullmatch(text):  # 1 234,50, kr 100: no Decimal either
        sign, whole, fraction = plain.groups()
        ore = int(whole) * 100 + (int(fraction.ljust(2, "0")) if fraction else 0)
        return -ore if sign else ore
    return _ore_of(_decimal_of(text, original), original)


def _ore_of(amount: Decimal, original: Cell) -> int:
    ore = amount * 100
    if ore != ore.to_integral_value():
        raise ValueProblem(
            f"{_shown(original)} has more than two decimals (øre)", "too_many_decimals"
        )
    return int(ore)


def _decimal_of(text: str, original: Cell) -> Decimal:
    sign = ""
    if text.startswith("-"):
        sign, text = "-", text[1:]
    last_comma, last_dot = text.rfind(","), text.rfind(".")
    if last_comma >= 0 and last_dot >= 0:
        decimal_sign = "," if last_comma > last_dot else "."
        grouping = "." if decimal_sign == "," else ","
        whole, _, fraction = text.rpartition(decimal_sign)
        whole = whole.replace(grouping, "")
    elif last_comma >= 0 or last_dot >= 0:
        decimal_sign = "," if last_comma >= 0 else "."
        whole, _, fraction = text.rpartition(decimal_sign)
    else:
        whole, fraction = text, ""
    if not _AMOUNT.fullmatch(whole or "0") or (fraction and not fraction.isdigit()):
        raise ValueProblem(
            f"{_shown(original)} is not an amount (for example 1 234,50)", "not_an_amount"
        )
    if len(fraction) > 2:
        raise ValueProblem(
            f"{_shown(original)} has more than two decimals (øre)", "too_many_decimals"
        )
    try:
        return Decimal(f"{sign}{whole or '0'}.{fraction or '0'}")
    except InvalidOperation:
        raise ValueProblem(f"{_shown(original)} is not an amount", "not_an_amount") from None


def parse_kind(value: Cell) -> DebtorKind:
    text = text_of(value).lower()
    kind = _KINDS.get(text)
    if kind is None:
        if not text:
            raise ValueProblem("is required", "required")
        raise ValueProblem(
            f"{_shown(text)} is not a debtor kind (person or business)", "debtor_kind"
        )
    return kind


# -- rows to cases -----------------------------------------------------------------------


@dataclass(slots=True)
class ParsedCase:
    """One case read from a file, ready for registration or already found wanting.

    ``end_record`` counts the records of the file up to and including this case's last
    row: an import that has committed this case resumes after that many records.
    """

    reference: str
    lines: tuple[int, ...]
    """The line of each claim (JSON: the case's position in the array, once)."""
    end_record: int
    registration: CaseRegistration | None = None
    errors: list[RowError] = field(default_factory=list)
    draining: tuple[str, int] | None = None
    """The grouper's state after this case (see :class:`CaseGrouper`)."""
    counts_as_case: bool = True
    """``False`` for a further row of a case refused for having too many rows."""

    @property
    def first_line(self) -> int:
        return self.lines[0]


class CaseGrouper:
    """Consecutive rows with the same reference → one :class:`ParsedCase`.

    A case with more than ``MAX_CLAIMS`` rows is refused; its further rows are refused
    one by one as they come (``draining``: the reference and its first line), so memory
    stays bounded whatever the file holds. ``draining`` survives a resume through the
    checkpoint.
    """

    def __init__(self, *, records: int = 0, draining: tuple[str, int] | None = None) -> None:
        self._records = records
        self._rows: list[SourceRow] = []
        self._reference: str | None = None
        self._draining = draining

    @property
    def records(self) -> int:
        return self._records

    def feed(self, row: SourceRow) -> Iterator[ParsedCase]:
        """Take the next record; yield the cases it completes."""
        reference = text_of(row.values.get("creditor_reference"))
        if self._draining is not None:
            if reference == self._draining[0] and reference:
                self._records += 1
                yield self._drained(row)
                return
            self._draining = None
        if self._rows and (reference != self._reference or not reference):
            yield self._complete()
        self._records += 1
        self._rows.append(row)
        self._reference = reference
        if len(self._rows) > MAX_CLAIMS:
            yield self._too_many()

    def finish(self) -> Iterator[ParsedCase]:
        """The last case of the file."""
        if self._rows:
            yield self._complete()

    def _drained(self, row: SourceRow) -> ParsedCase:
        assert self._draining is not None
        reference, first_line = self._draining
        reason = (
            f"belongs to the case that starts on line {first_line}, which has more than "
            f"{MAX_CLAIMS} rows (claims)"
        )
        return ParsedCase(
            reference=reference,
            lines=(row.line,),
            end_record=self._records,
            errors=[
                *row.errors,
                RowError(
                    row.line,
                    "creditor_reference",
                    reason,
                    "case_too_many_rows",
                    (("line", str(first_line)),),
                ),
            ],
            draining=self._draining,
            counts_as_case=False,
        )

    def _too_many(self) -> ParsedCase:
        rows, self._rows = self._rows, []
        first = rows[0].line
        self._draining = (self._reference or "", first)
        reason = f"a case has at most {MAX_CLAIMS} rows (claims); this one has more"
        errors = [e for r in rows for e in r.errors]
        errors.append(
            RowError(
                first,
                "creditor_reference",
                reason,
                "too_many_claims",
                (("limit", str(MAX_CLAIMS)),),
            )
        )
        return ParsedCase(
            reference=self._reference or "",
            lines=tuple(r.line for r in rows),
            end_record=self._records,
            errors=errors,
            draining=self._draining,
        )

    def _complete(self) -> ParsedCase:
        rows, self._rows = self._rows, []
        return case_from_rows(rows, end_record=self._records)


def _texts(values: Mapping[str, Cell]) -> dict[str, str]:
    """:func:`text_of` of every cell of a record, a plain string the quick way."""
    texts: dict[str, str] = {}
    for name, value in values.items():
        if isinstance(value, str):
            text = value.strip()
            if text[:1] != "'":
                texts[name] = text
                continue
        texts[name] = text_of(value)
    return texts


def _identifier(value: Cell, text: str, width: int) -> str:
    """:func:`digits_of` the cell whose text is ``text``."""
    if value is None or isinstance(value, str):
        return _WHITESPACE.sub("", text) if _WHITESPACE.search(text) else text
    return digits_of(value, width)


def case_from_rows(rows: Sequence[SourceRow], *, end_record: int) -> ParsedCase:
    """The case the rows describe (the first row's debtor, one claim per row)."""
    first = rows[0]
    values = first.values
    errors: list[RowError] = [e for r in rows for e in r.errors]
    line = first.line
    get = values.get
    texts = _texts(values)

    def cell(name: str) -> str:
        return texts.get(name, "")

    for row in rows[1:]:
        for name in DEBTOR_COLUMNS:
            later = row.values.get(name)
            if later is None or text_of(later) == "":
                continue
            if _debtor_value(name, later) != _debtor_value(name, values.get(name)):
                errors.append(
                    RowError(
                        row.line,
                        name,
                        f"differs from line {line}: the rows of one case "
                        "(same creditor_reference) must name the same debtor",
                        "differs_from_line",
                        (("line", str(line)),),
                    )
                )
    kind = _KINDS.get(cell("debtor_kind").lower())
    if kind is None:
        try:
            parse_kind(get("debtor_kind"))
        except ValueProblem as exc:
            errors.append(RowError.of(line, "debtor_kind", exc))
    country = (cell("country") or "NO").upper()
    postal_code = (
        _identifier(get("postal_code"), cell("postal_code"), 4)
        if country == "NO"
        else cell("postal_code")
    )
    lines = [cell("address_line_1"), cell("address_line_2"), cell("address_line_3")]
    while len(lines) > 1 and not lines[-1]:
        lines.pop()
    national_id = _identifier(get("national_id"), cell("national_id"), 11) or None
    orgnr = _identifier(get("organisation_number"), cell("organisation_number"), 9) or None
    claims: list[Claim] = []
    for row in rows:
        claim = _claim(row, texts if row is first else _texts(row.values), errors)
        if claim is not None:
            claims.append(claim)
    reference = cell("creditor_reference")
    parsed = ParsedCase(
        reference=reference,
        lines=(line,) if len(rows) == 1 else tuple(r.line for r in rows),
        end_record=end_record,
    )
    if errors or kind is None:
        parsed.errors = errors
        return parsed
    phone = cell("phone")
    parsed.registration = CaseRegistration(
        creditor_reference=reference,
        debtor=Debtor(
            kind=kind,
            name=cell("debtor_name"),
            address=Address(
                lines=tuple(lines),
                postal_code=postal_code,
                city=cell("city"),
                country=country,
            ),
            national_id=national_id,
            organisation_number=orgnr,
            email=cell("email") or None,
            phone=(_PHONE_SEPARATORS.sub("", phone) if phone else "") or None,
        ),
        claims=tuple(claims),
    )
    return parsed


def _debtor_value(name: str, value: Cell) -> str:
    if name == "national_id":
        return digits_of(value, 11)
    if name == "organisation_number":
        return digits_of(value, 9)
    if name == "postal_code":
        return digits_of(value, 4)
    if name == "debtor_kind":
        text = text_of(value).lower()
        return _KINDS.get(text, text)
    return text_of(value).casefold()


def _day(value: Cell, text: str) -> date:
    """:func:`parse_date` of the cell whose text is ``text``."""
    if isinstance(value, date):
        return value.date() if isinstance(value, datetime) else value
    return _date_of(text)


def _kroner(value: Cell, text: str, *, required: bool = True) -> int:
    """:func:`parse_kroner` of the cell whose text is ``text``."""
    if value is None or isinstance(value, str):
        return _kroner_of_text(text, value, required)
    return parse_kroner(value, required=required)


def _claim(row: SourceRow, texts: Mapping[str, str], errors: list[RowError]) -> Claim | None:
    get, line = row.values.get, row.line
    try:
        return Claim(
            invoice_number=texts.get("invoice_number", ""),
            invoice_date=_day(get("invoice_date"), texts.get("invoice_date", "")),
            due_date=_day(get("due_date"), texts.get("due_date", "")),
            principal_ore=_kroner(get("principal"), texts.get("principal", "")),
            reminder_fee_ore=_kroner(
                get("reminder_fee"), texts.get("reminder_fee", ""), required=False
            ),
            claim_type=texts.get("claim_type", "").lower() or "ordinary",
            demand_sent_on=(
                _day(get("demand_date"), texts["demand_date"]) if texts.get("demand_date") else None
            ),
        )
    except ValueProblem:
        pass  # say what is wrong with each of the cells
    for name in ("invoice_date", "due_date", "demand_date"):
        if name == "demand_date" and not texts.get(name):
            continue
        try:
            parse_date(get(name))
        except ValueProblem as exc:
            errors.append(RowError.of(line, name, exc))
    for name, required in (("principal", True), ("reminder_fee", False)):
        try:
            parse_kroner(get(name), required=required)
        except ValueProblem as exc:
            errors.append(RowError.of(line, name, exc))
    return None


# -- registration's findings, by line and column -----------------------------------------

_CLAIM_FIELD = re.compile(r"^claims\[(\d+)\]\.(\w+)$")
_LINE_FIELD = re.compile(r"^debtor\.address\.lines\[(\d+)\]$")
_TABULAR_COLUMNS = {
    "creditor_reference": "creditor_reference",
    "claims": "creditor_reference",
    "debtor.kind": "debtor_kind",
    "debtor.name": "debtor_name",
    "debtor.national_id": "national_id",
    "debtor.organisation_number": "organisation_number",
    "debtor.address.lines": "address_line_1",
    "debtor.address.postal_code": "postal_code",
    "debtor.address.city": "city",
    "debtor.address.country": "country",
    "debtor.email": "email",
    "debtor.phone": "phone",
}
_CLAIM_COLUMNS = {
    "principal_ore": "principal",
    "reminder_fee_ore": "reminder_fee",
    "demand_sent_on": "demand_date",
}


def tabular_error(case: ParsedCase, error: FieldError) -> RowError:
    """A registration finding (``claims[1].due_date``) as the line and column of a file."""
    if match := _CLAIM_FIELD.fullmatch(error.field):
        index, name = int(match.group(1)), match.group(2)
        line = case.lines[index] if index < len(case.lines) else case.first_line
        return RowError.of(line, _CLAIM_COLUMNS.get(name, name), error)
    if match := _LINE_FIELD.fullmatch(error.field):
        return RowError.of(case.first_line, f"address_line_{int(match.group(1)) + 1}", error)
    column = _TABULAR_COLUMNS.get(error.field, error.field)
    return RowError.of(case.first_line, column, error)


def json_error(case: ParsedCase, error: FieldError) -> RowError:
    """A registration finding of a JSON case: its position and the field's path."""
    return RowError.of(case.first_line, error.field, error)


def with_siblings(case: ParsedCase, errors: Sequence[RowError]) -> list[RowError]:
    """``errors``, plus one for each row of the case that is refused with it without a fault
    of its own, so that every line of a refused case is in the report."""
    faulty = {e.line for e in errors}
    result = list(errors)
    if not faulty:
        return result
    first_fault = min(faulty)
    for line in case.lines:
        if line not in faulty:
            result.append(
                RowError(
                    line,
                    "creditor_reference",
                    f"not registered: the case it belongs to has errors (line {first_fault})",
                    "case_has_errors",
                    (("line", str(first_fault)),),
                )
            )
            faulty.add(line)
    result.sort(key=lambda e: e.line)
    return result


# -- JSON: the registration body of the API, one case per element -----------------------

_CASE_KEYS = frozenset({"creditor_reference", "debtor", "claims"})
_DEBTOR_KEYS = frozenset(
    {"kind", "name", "national_id", "organisation_number", "address", "email", "phone"}
)
_ADDRESS_KEYS = frozenset({"lines", "postal_code", "city", "country"})
_CLAIM_KEYS = frozenset(
    {
        "invoice_number",
        "invoice_date",
        "due_date",
        "principal_ore",
        "reminder_fee_ore",
        "claim_type",
        "demand_sent_on",
    }
)


class _Problems:
    def __init__(self) -> None:
        self.errors: list[FieldError] = []

    def add(self, path: str, reason: str, code: str) -> None:
        if len(self.errors) < MAX_ERRORS_PER_ROW:
            self.errors.append(FieldError(path, reason, code))

    def obj(self, value: Any, path: str, keys: frozenset[str]) -> Mapping[str, Any]:
        if not isinstance(value, dict):
            self.add(path or "case", "must be an object", "not_an_object")
            return {}
        for extra in sorted(set(value) - keys):
            self.add(
                f"{path}.{extra}" if path else str(extra),
                "is not a field of the layout",
                "not_in_layout",
            )
        return value

    def text(self, data: Mapping[str, Any], key: str, path: str, *, optional: bool = False) -> str:
        value = data.get(key)
        if value is None:
            if not optional:
                self.add(path, "is required", "required")
            return ""
        if not isinstance(value, str):
            self.add(path, "must be a string", "not_a_string")
            return ""
        return value

    def integer(self, data: Mapping[str, Any], key: str, path: str, default: int | None) -> int:
        value = data.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int | Decimal):
            if value is None:
                self.add(path, "is required", "required")
            else:
                self.add(path, "must be an integer (øre)", "not_an_integer")
            return 0
        if isinstance(value, Decimal) and value != value.to_integral_value():
            self.add(path, "must be an integer (øre)", "not_an_integer")
            return 0
        return int(value)

    def day(self, data: Mapping[str, Any], key: str, path: str) -> date:
        value = data.get(key)
        if not isinstance(value, str):
            if value is None:
                self.add(path, "is required", "required")
            else:
                self.add(path, "must be a date (yyyy-mm-dd)", "not_a_date")
            return date.min
        try:
            return date.fromisoformat(value)
        except ValueError:
            self.add(path, f"{_shown(value)} is not a date (yyyy-mm-dd)", "not_a_date")
            return date.min


def case_from_json(item: Any, *, position: int) -> ParsedCase:
    """One element of a JSON import (the API's registration body for one case).

    ``position`` (from 1) stands in for the line in the error report; the column is the
    field's path (``claims[0].due_date``).
    """
    p = _Problems()
    case = p.obj(item, "", _CASE_KEYS)
    reference = p.text(case, "creditor_reference", "creditor_reference")
    debtor = p.obj(case.get("debtor"), "debtor", _DEBTOR_KEYS)
    address = p.obj(debtor.get("address"), "debtor.address", _ADDRESS_KEYS)
    kind_value = debtor.get("kind")
    kind: DebtorKind = "person"
    if kind_value in ("person", "business"):
        kind = kind_value
    else:
        p.add("debtor.kind", "must be 'person' or 'business'", "debtor_kind")
    raw_lines = address.get("lines")
    lines: list[str] = []
    if not isinstance(raw_lines, list) or not all(isinstance(x, str) for x in raw_lines):
        p.add("debtor.address.lines", "must be a list of strings", "not_a_list")
    else:
        lines = list(raw_lines)
    raw_claims = case.get("claims")
    claims: list[Claim] = []
    if not isinstance(raw_claims, list):
        p.add("claims", "must be a list of claims", "not_a_list")
        raw_claims = []
    for i, raw in enumerate(raw_claims[: MAX_CLAIMS + 1]):
        path = f"claims[{i}]"
        data = p.obj(raw, path, _CLAIM_KEYS)
        claims.append(
            Claim(
                invoice_number=p.text(data, "invoice_number", f"{path}.invoice_number"),
                invoice_date=p.day(data, "invoice_date", f"{path}.invoice_date"),
                due_date=p.day(data, "due_date", f"{path}.due_date"),
                principal_ore=p.integer(data, "principal_ore", f"{path}.principal_ore", None),
                reminder_fee_ore=p.integer(data, "reminder_fee_ore", f"{path}.reminder_fee_ore", 0),
                claim_type=p.text(data, "claim_type", f"{path}.claim_type", optional=True)
                or "ordinary",
                demand_sent_on=(
                    p.day(data, "demand_sent_on", f"{path}.demand_sent_on")
                    if data.get("demand_sent_on") is not None
                    else None
                ),
            )
        )
    registration = CaseRegistration(
        creditor_reference=reference,
        debtor=Debtor(
            kind=kind,
            name=p.text(debtor, "name", "debtor.name"),
            address=Address(
                lines=tuple(lines),
                postal_code=p.text(address, "postal_code", "debtor.address.postal_code"),
                city=p.text(address, "city", "debtor.address.city"),
                country=p.text(address, "country", "debtor.address.country", optional=True) or "NO",
            ),
            national_id=p.text(debtor, "national_id", "debtor.national_id", optional=True) or None,
            organisation_number=p.text(
                debtor, "organisation_number", "debtor.organisation_number", optional=True
            )
            or None,
            email=p.text(debtor, "email", "debtor.email", optional=True) or None,
            phone=p.text(debtor, "phone", "debtor.phone", optional=True) or None,
        ),
        claims=tuple(claims),
    )
    parsed = ParsedCase(reference=reference, lines=(position,), end_record=position)
    if p.errors:
        parsed.errors = [RowError.of(position, e.field, e) for e in p.errors]
    else:
        parsed.registration = registration
    return parsed


# -- exports -----------------------------------------------------------------------------

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: str) -> str:
    """A cell a spreadsheet will show as text, never run as a formula (CSV/XLSX injection).

    A value that starts with ``= + - @``, a tab or a carriage return gets a leading
    apostrophe (OWASP's advice for CSV injection).
    """
    return "'" + value if value.startswith(_FORMULA_START) else value
