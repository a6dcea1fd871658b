"""The case list as a file: its columns, their headers in the reader's language, and how
each value is written (ADR 0055).

The file is a document for people, so it speaks their language (bokmål or English), as
the portal does: the headers and the workflow states are translated here, every cell
else is data. Money is integer øre until the writer: kroner with two decimals, a
decimal comma in a Norwegian CSV, a number with a number format in XLSX.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal
from zoneinfo import ZoneInfo

Language = Literal["nb", "en"]
ExportFormat = Literal["csv", "xlsx"]
Kind = Literal["text", "money", "date"]
OSLO = ZoneInfo("Europe/Oslo")


@dataclass(frozen=True)
class ExportColumn:
    key: str
    """The list row's field the value comes from."""
    kind: Kind
    nb: str
    en: str

    def header(self, language: Language) -> str:
        return self.nb if language == "nb" else self.en


COLUMNS: tuple[ExportColumn, ...] = (
    ExportColumn("case_number", "text", "Saksnummer", "Case number"),
    ExportColumn("creditor_reference", "text", "Referanse", "Reference"),
    ExportColumn("debtor_name", "text", "Skyldner", "Debtor"),
    ExportColumn("status", "text", "Status", "Status"),
    ExportColumn("principal_total_ore", "money", "Hovedstol (kr)", "Principal (NOK)"),
    ExportColumn("paid_ore", "money", "Innbetalt (kr)", "Paid (NOK)"),
    ExportColumn("balance_ore", "money", "Saldo (kr)", "Balance (NOK)"),
    ExportColumn("earliest_due_date", "date", "Forfall", "Due date"),
    ExportColumn("registered_at", "date", "Registrert", "Registered"),
)

STATUS_NAMES: dict[str, tuple[str, str]] = {
    "registered": ("Registrert", "Registered"),
    "notice_sent": ("Inkassovarsel sendt", "Collection notice sent"),
    "demand_sent": ("Betalingsoppfordring sendt", "Demand for payment sent"),
    "disputed": ("Innsigelse", "Disputed"),
    "payment_plan": ("Avdragsordning", "Payment plan"),
    "legal": ("Rettslig inndriving", "Legal collection"),
    "closed": ("Avsluttet", "Closed"),
}
"""The workflow states as the portal names them (``status.*`` in its catalogue)."""

FILE_STEM: dict[Language, str] = {"nb": "saker", "en": "cases"}


def headers(language: Language) -> list[str]:
    return [c.header(language) for c in COLUMNS]


def status_name(status: str, language: Language) -> str:
    names = STATUS_NAMES.get(status)
    if names is None:
        return status
    return names[0] if language == "nb" else names[1]


def kroner(ore: int, language: Language) -> str:
    """``123456`` → ``1234,56`` (nb) or ``1234.56`` (en): no thousands separator, so a
    spreadsheet opening the CSV in that locale reads a number."""
    sign = "-" if ore < 0 else ""
    whole, cents = divmod(abs(ore), 100)
    return f"{sign}{whole}{',' if language == 'nb' else '.'}{cents:02d}"


def day_of(value: date | datetime) -> date:
    """A date as is; an instant as its day in Oslo."""
    if isinstance(value, datetime):
        return value.astimezone(OSLO).date()
    return value


def cell(column: ExportColumn, row: dict[str, Any], language: Language) -> Any:
    """The value of ``column`` in ``row``: text (workflow states named), øre as int, a date."""
    value = row[column.key]
    if value is None:
        return None
    if column.key == "status":
        return status_name(str(value), language)
    if column.kind == "money":
        return int(value)
    if column.kind == "date":
        return day_of(value)
    return str(value)
