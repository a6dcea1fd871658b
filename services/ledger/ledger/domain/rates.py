"""Rate tables with effective dates: the figures every fee and interest amount is made of.

A rate row is one figure (``kind``, optionally a ``parameter`` such as a salær bracket)
in force from ``effective_from`` until the next row of the same kind and parameter. Rows
are versioned by their id: a correction is a new row, and the newest confirmed row for a
date wins. Only *confirmed* rows are ever used; a row loaded from a source marked
``_unconfirmed`` waits for an agency administrator to confirm it. Nothing here is a
constant of the law: every figure comes from the table (``data/rates.csv``,
``data/fee_rules.csv`` and what administrators add).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Literal

RateStatus = Literal["confirmed", "unconfirmed"]

UNCONFIRMED_SUFFIX = "_unconfirmed"


class RateKind:
    """The kinds of figures the ledger knows (Norwegian where that is the precise name)."""

    INKASSOSATS = "inkassosats"
    """The collection rate (inkassoforskriften § 1-1) that fees are fractions/multiples of."""
    PURREGEBYR = "purregebyr"
    """Reminder fee (purring) and inkassovarsel fee: 1/20 of the inkassosats since 1 Oct 2020."""
    RETTSGEBYR = "rettsgebyr"
    """Court fee base R; court and enforcement fees are multiples of it."""
    FORSINKELSESRENTE = "forsinkelsesrente"
    """Late-payment interest, percent per year, set per half-year."""
    SALAER_LETT = "salaer_lett"
    """Light collection fee (lett salær): multiple of the inkassosats by principal bracket."""
    SALAER_TUNGT = "salaer_tungt"
    """Heavy collection fee (tungt salær): multiple of the inkassosats by principal bracket."""
    SALAER_BUSINESS_FACTOR = "salaer_business_factor"
    """Factor on salær for debtors outside a consumer relationship (næringsdrivende)."""
    MVA = "mva"
    """VAT percent added to salær when the creditor cannot deduct input VAT."""
    RETTSGEBYR_MULTIPLE = "rettsgebyr_multiple"
    """Multiple of R a legal step costs; ``parameter`` names the step."""
    INKASSOVARSEL_FEE_MIN_DAYS = "inkassovarsel_fee_min_days"
    """Days after the due date before an inkassovarsel may carry a fee."""
    SALAER_TUNGT_MIN_DAYS = "salaer_tungt_min_days"
    """Days after the betalingsoppfordring after which tungt salær applies (strictly more)."""


OVER = "over"
"""The bracket parameter of the open top bracket."""


class MissingRate(LookupError):
    """No confirmed rate of a kind is in force on a date."""

    def __init__(self, kind: str, on: date, parameter: str = "") -> None:
        what = f"{kind}[{parameter}]" if parameter else kind
        super().__init__(f"no confirmed {what} in force on {on.isoformat()}")
        self.kind = kind
        self.on = on
        self.parameter = parameter


@dataclass(frozen=True, slots=True)
class RateRow:
    """One versioned figure. ``id`` is the version a fee records."""

    id: int
    kind: str
    effective_from: date
    value: Decimal
    unit: str
    parameter: str = ""
    source_url: str | None = None
    status: RateStatus = "confirmed"


@dataclass(frozen=True, slots=True)
class SeedRate:
    """A row as a seed file gives it (no version yet)."""

    kind: str
    effective_from: date
    value: Decimal
    unit: str
    parameter: str
    source_url: str | None
    status: RateStatus


class RateFileError(ValueError):
    """A seed file row that cannot be read."""


def parse_rate_csv(text: str) -> list[SeedRate]:
    """Rows of a rate file (``kind,effective_from,[parameter,]value,unit,source_url``).

    A kind ending in ``_unconfirmed`` gives an *unconfirmed* row of the base kind.
    """
    rows: list[SeedRate] = []
    for number, record in enumerate(csv.DictReader(io.StringIO(text)), start=2):
        try:
            raw_kind = (record["kind"] or "").strip()
            unconfirmed = raw_kind.endswith(UNCONFIRMED_SUFFIX)
            kind = raw_kind.removesuffix(UNCONFIRMED_SUFFIX)
            value = Decimal((record["value"] or "").strip())
            if not kind or not value.is_finite():
                raise ValueError("kind and a finite value are required")
            rows.append(
                SeedRate(
                    kind=kind,
                    effective_from=date.fromisoformat((record["effective_from"] or "").strip()),
                    value=value,
                    unit=(record["unit"] or "").strip(),
                    parameter=(record.get("parameter") or "").strip(),
                    source_url=(record.get("source_url") or "").strip() or None,
                    status="unconfirmed" if unconfirmed else "confirmed",
                )
            )
        except (KeyError, ValueError, InvalidOperation) as exc:
            raise RateFileError(f"line {number}: {exc}") from exc
    return rows


def half_year_start(day: date) -> date:
    """1 January or 1 July: the start of the half-year ``day`` falls in."""
    return date(day.year, 1 if day.month <= 6 else 7, 1)


def half_year_end(day: date) -> date:
    """30 June or 31 December: the last day of the half-year ``day`` falls in."""
    return date(day.year, 6, 30) if day.month <= 6 else date(day.year, 12, 31)


class RateBook:
    """The confirmed rows, with lookups by date (unconfirmed rows are never given to it)."""

    def __init__(self, rows: Iterable[RateRow]) -> None:
        self._by_kind: dict[tuple[str, str], list[RateRow]] = {}
        for row in rows:
            if row.status != "confirmed":
                continue
            self._by_kind.setdefault((row.kind, row.parameter), []).append(row)
        self._current: dict[tuple[str, str], tuple[RateRow, ...]] = {}
        for key, versions in self._by_kind.items():
            versions.sort(key=lambda r: (r.effective_from, r.id))
            newest: dict[date, RateRow] = {}
            for row in versions:
                newest[row.effective_from] = row  # sorted by id within a date: last wins
            self._current[key] = tuple(newest[d] for d in sorted(newest))

    def rows(self, kind: str, parameter: str = "") -> Sequence[RateRow]:
        """The rows of one kind and parameter in force at some time, oldest first.

        Of several rows with the same effective date only the newest version is kept.
        """
        return self._current.get((kind, parameter), ())

    def in_force(self, kind: str, on: date, parameter: str = "") -> RateRow:
        """The row of ``kind`` (and ``parameter``) in force on ``on``."""
        found: RateRow | None = None
        for row in self.rows(kind, parameter):
            if row.effective_from > on:
                break
            found = row
        if found is None:
            raise MissingRate(kind, on, parameter)
        return found

    def table_in_force(self, kind: str, on: date) -> tuple[RateRow, ...]:
        """Every row of a bracketed kind from its newest table in force on ``on``.

        A table is the set of rows (one per parameter) that share an effective date.
        """
        parameters = [p for (k, p) in self._by_kind if k == kind]
        dates = {r.effective_from for p in parameters for r in self.rows(kind, p)}
        current = max((d for d in dates if d <= on), default=None)
        if current is None:
            raise MissingRate(kind, on)
        return tuple(
            r for p in parameters for r in self.rows(kind, p) if r.effective_from == current
        )
