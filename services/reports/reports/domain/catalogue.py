"""The report catalogue (reports.md §5.2): what each report shows and how it is filtered.

Column and report codes are stable identifiers (ASCII, the Norwegian terms); the portal
names them for people. Values are typed so that each output writes them properly: money
is øre (CSV: decimal comma; XLSX: kroner as numbers; JSON: øre), dates are dates.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

ColumnKind = Literal["text", "date", "money", "count", "percent"]
"""``percent``: a share in percent with one decimal (37.5), ``None`` where there is no base."""
Format = Literal["json", "csv", "xlsx", "pdf"]
FORMATS: tuple[Format, ...] = ("json", "csv", "xlsx", "pdf")
Filter = Literal["period", "status", "debtor_kind", "batch_id", "creditor_id"]

AGEING_BUCKETS: tuple[tuple[str, int, int | None], ...] = (
    ("0-30", 0, 30),
    ("31-60", 31, 60),
    ("61-90", 61, 90),
    ("91-180", 91, 180),
    ("181-365", 181, 365),
    ("365+", 366, None),
)
"""Days since the original due date: (code, from, to) both included; ``None`` = open."""


@dataclass(frozen=True, slots=True)
class Column:
    code: str
    kind: ColumnKind


@dataclass(frozen=True, slots=True)
class ReportDefinition:
    code: str
    columns: tuple[Column, ...]
    filters: tuple[Filter, ...]
    period_of: str
    """What ``period_from``/``period_to`` select on."""


def _c(spec: str) -> tuple[Column, ...]:
    """``"saksnummer:text hovedstol:money"`` → columns."""
    return tuple(
        Column(code, kind)  # type: ignore[arg-type]
        for code, kind in (item.split(":") for item in spec.split())
    )


CATALOGUE: dict[str, ReportDefinition] = {
    d.code: d
    for d in (
        ReportDefinition(
            "saksliste",
            _c(
                "saksnummer:text oppdragsgivers_referanse:text skyldner:text skyldnertype:text "
                "status:text registrert:date forfall:date hovedstol:money "
                "utestaende_hovedstol:money saldo:money avsluttet:date avslutningsarsak:text"
            ),
            ("period", "status", "debtor_kind", "batch_id", "creditor_id"),
            "the date the case was registered",
        ),
        ReportDefinition(
            "nye_saker",
            _c("maned:text antall:count hovedstol:money"),
            ("period", "debtor_kind", "creditor_id"),
            "the date the cases were registered (one row per month)",
        ),
        ReportDefinition(
            "aldersfordeling",
            _c("dager_siden_forfall:text antall:count utestaende_hovedstol:money"),
            ("period", "debtor_kind", "creditor_id"),
            "period_to is the day the ages are counted to (default today); open cases",
        ),
        ReportDefinition(
            "innbetalinger",
            _c(
                "valuteringsdato:date saksnummer:text oppdragsgivers_referanse:text "
                "hovedstol:money renter:money gebyrer:money inkassosalaer:money "
                "rettsgebyr:money provisjon:money netto:money avregning:text"
            ),
            ("period", "creditor_id"),
            "the value date of the payments settled",
        ),
        ReportDefinition(
            "avregninger",
            _c(
                "avregning:text periode_slutt:date utbetalingsdato:date linjer:count "
                "innkrevd:money provisjon:money kredittopplysninger:money utbetalt:money"
            ),
            ("period", "creditor_id"),
            "the payout date",
        ),
        ReportDefinition(
            "statusrapport",
            _c("status:text antall:count hovedstol:money utestaende_hovedstol:money saldo:money"),
            ("period", "status", "debtor_kind", "batch_id", "creditor_id"),
            "the date the cases were registered; open cases only (one row per status)",
        ),
        ReportDefinition(
            "avsluttede_saker",
            _c(
                "maned:text avslutningsarsak:text antall:count hovedstol:money "
                "innkrevd_hovedstol:money"
            ),
            ("period", "debtor_kind", "batch_id", "creditor_id"),
            "the date the cases were closed (one row per month and closing code)",
        ),
        ReportDefinition(
            "losningsgrad",
            _c(
                "registreringsmaned:text saker:count saker_med_innbetaling:count "
                "registrert_hovedstol:money innkrevd_hovedstol:money losningsgrad:percent"
            ),
            ("period", "status", "debtor_kind", "batch_id", "creditor_id"),
            "the date the cases were registered (one row per month of registration: a cohort)",
        ),
        ReportDefinition(
            "tid_til_forste_innbetaling",
            _c(
                "registreringsmaned:text saker:count saker_med_innbetaling:count "
                "snitt_dager:count median_dager:count"
            ),
            ("period", "status", "debtor_kind", "batch_id", "creditor_id"),
            "the date the cases were registered; days from registration to the value date "
            "of the first payment, rounded to whole days",
        ),
        ReportDefinition(
            "avregninger_per_periode",
            _c(
                "maned:text avregninger:count linjer:count innkrevd:money provisjon:money "
                "kredittopplysninger:money utbetalt:money"
            ),
            ("period", "creditor_id"),
            "the payout date (one row per month)",
        ),
    )
}


def ageing_bucket(days: int) -> str:
    """The bucket code of an age in days (negative: not yet due, counted as 0-30)."""
    for code, low, high in AGEING_BUCKETS:
        if days <= (high if high is not None else days) and days >= low:
            return code
    return AGEING_BUCKETS[0][0]
