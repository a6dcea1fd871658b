"""Rate tables with effective dates: the figures every fee and interest amount is made of.

A rate row is one figure (``kind``, optionally a ``parameter`` such as a salær bracket)
in force from ``effective_from`` until the next row of the same kind and parameter. Rows
are versioned by their id: a correction is a new row, and the newest confirmed row for a
date wins. Only *confirmed* rows are ever used; a row loaded from a source marked
``_unconfirmed`` waits for an agency administrator to confirm it. Nothing here is a
constant of the law: every figure comes from the table (``data/rates.csv``,
``data/fee_rules.csv`` and what administrators add).

*Which date decides* which version applies is dated configuration too
(``data/rate_selection.csv``, :class:`VersionSelection`): the versions of a kind from a
date on are chosen by the step's own date (the letter sent, the legal step taken) or by
the claim's due date. The salær tables and the purregebyr fraction of 1 Oct 2020 apply to
claims *due* on or after that date, while the inkassosats is the one in force when the
letter is sent (inkassoforskriften § 1-2 last paragraph); see ``docs/money-rules.md``.
"""

from __future__ import annotations

import contextlib
import csv
import io
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Literal
from urllib.parse import urlsplit

from ledger.domain.errors import RateSourceRefused

RateStatus = Literal["confirmed", "unconfirmed"]

UNCONFIRMED_SUFFIX = "_unconfirmed"

PRIMARY_SOURCE_HOSTS = frozenset(
    {
        "lovdata.no",
        "regjeringen.no",
        "finanstilsynet.no",
        "domstol.no",
        "norges-bank.no",
        "stortinget.no",
        "skatteetaten.no",
    }
)
"""Where a confirmed figure's source may be (the one list; a subdomain counts): the law
and its regulations (Lovdata), the government (regjeringen.no), the supervisor
(Finanstilsynet), the courts' administration (Domstoladministrasjonen, domstol.no), the
central bank whose policy rate the forsinkelsesrente follows (Norges Bank), the
parliament's decisions and preparatory works (stortinget.no) and the tax administration's
VAT rates (skatteetaten.no) — never an agency's, a competitor's or a blog's page restating
them (issue 16 § 6)."""

SOURCE_NOT_HTTPS = "source-not-https"
"""A source that is not an ``https://`` address (a plain ``http`` page can be altered on
its way; anything else is no web page)."""
SOURCE_NOT_PRIMARY = "source-not-primary"
"""A source on a host that is not one of :data:`PRIMARY_SOURCE_HOSTS`."""


def source_host(url: str | None) -> str:
    """The host of a source address, lower case without ``www.`` (``""`` if none)."""
    host = (urlsplit((url or "").strip()).hostname or "").lower()
    return host.removeprefix("www.")


def source_problem(url: str | None) -> str | None:
    """Why ``url`` cannot be the source of a confirmed figure (:data:`SOURCE_NOT_HTTPS`,
    :data:`SOURCE_NOT_PRIMARY`), or ``None`` when it is an https page on a primary host
    or a subdomain of one (``cms12.regjeringen.no``; not ``lovdata.no.example.com``)."""
    if not url:
        return SOURCE_NOT_HTTPS
    parsed = urlsplit(url.strip())
    host = (parsed.hostname or "").lower()
    if parsed.scheme.lower() != "https" or not host:
        return SOURCE_NOT_HTTPS
    if any(host == h or host.endswith("." + h) for h in PRIMARY_SOURCE_HOSTS):
        return None
    return SOURCE_NOT_PRIMARY


def is_primary_source(url: str | None) -> bool:
    """Whether ``url`` is an https page on a primary host (or a subdomain of one)."""
    return source_problem(url) is None


def require_primary_source(url: str) -> None:
    """Raise :class:`~ledger.domain.errors.RateSourceRefused` unless ``url`` may be the
    source of a confirmed row (adding a version, confirming a seeded one)."""
    problem = source_problem(url)
    if problem is not None:
        allowed = ", ".join(sorted(PRIMARY_SOURCE_HOSTS))
        raise RateSourceRefused(problem, source_host(url), allowed)


class RateKind:
    """The kinds of figures the ledger knows (Norwegian where that is the precise name)."""

    INKASSOSATS = "inkassosats"
    """The collection rate (inkassoforskriften § 1-1) that fees are fractions/multiples of."""
    PURREGEBYR = "purregebyr"
    """The published reminder fee in NOK (reference only: fees use the fraction below)."""
    PURREGEBYR_FRACTION = "purregebyr_fraction"
    """Reminder and inkassovarsel fee as a fraction of the inkassosats (forskrift § 1-2):
    1/10 for claims due before 1 Oct 2020, 1/20 for claims due on or after it."""
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
    AVDRAGSGEBYR_MULTIPLE = "avdragsgebyr_multiple"
    """Multiple of the inkassosats an avdragsordning of many instalments adds (§ 2-4)."""
    AVDRAGSGEBYR_MIN_INSTALMENTS = "avdragsgebyr_min_instalments"
    """An avdragsordning of more instalments than this carries the avdragsgebyr."""
    STANDARDKOMPENSASJON = "standardkompensasjon"
    """Compensation for collection costs on business-to-business claims, NOK per claim, set
    per half-year (forsinkelsesrenteloven § 3a: 40 euro)."""


OVER = "over"
"""The bracket parameter of the open top bracket."""


DecidedBy = Literal["step_date", "due_date"]
"""The date a rate version is chosen by: the step's (letter's) date or the claim's due date."""

DECIDED_BY: tuple[DecidedBy, ...] = ("step_date", "due_date")


@dataclass(frozen=True, slots=True)
class Occasion:
    """The dates a fee's rates may be chosen by."""

    step_date: date
    due_date: date

    def date_for(self, decided_by: DecidedBy) -> date:
        return self.due_date if decided_by == "due_date" else self.step_date


@dataclass(frozen=True, slots=True)
class SelectionRule:
    """Versions of ``kind`` in force from ``effective_from`` on are chosen by ``decided_by``."""

    kind: str
    effective_from: date
    decided_by: DecidedBy
    source_url: str | None = None


class VersionSelection:
    """Which date decides, per kind, dated. A kind without a rule: the step's date."""

    def __init__(self, rules: Iterable[SelectionRule] = ()) -> None:
        self._rules: dict[str, list[SelectionRule]] = {}
        for rule in sorted(rules, key=lambda r: r.effective_from):
            self._rules.setdefault(rule.kind, []).append(rule)

    def decided_by(self, kind: str, version_from: date) -> DecidedBy:
        """How a version of ``kind`` in force from ``version_from`` is chosen."""
        found: DecidedBy = "step_date"
        for rule in self._rules.get(kind, ()):
            if rule.effective_from > version_from:
                break
            found = rule.decided_by
        return found


def parse_selection_csv(text: str) -> list[SelectionRule]:
    """Rows of a selection file (``kind,effective_from,decided_by,source_url``)."""
    rules: list[SelectionRule] = []
    for number, record in enumerate(csv.DictReader(io.StringIO(text)), start=2):
        try:
            decided_by = (record["decided_by"] or "").strip()
            if decided_by not in DECIDED_BY:
                raise ValueError(f"decided_by must be one of {', '.join(DECIDED_BY)}")
            kind = (record["kind"] or "").strip()
            if not kind:
                raise ValueError("kind is required")
            rules.append(
                SelectionRule(
                    kind=kind,
                    effective_from=date.fromisoformat((record["effective_from"] or "").strip()),
                    decided_by=decided_by,
                    source_url=(record.get("source_url") or "").strip() or None,
                )
            )
        except (KeyError, ValueError) as exc:
            raise RateFileError(f"line {number}: {exc}") from exc
    return rules


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


def _bracket_order(row: RateRow) -> Decimal:
    """A bracket's upper limit (``over``: above every limit)."""
    try:
        return Decimal(row.parameter)
    except InvalidOperation:
        return Decimal("Infinity")  # ``over``


class RateBook:
    """The confirmed rows, with lookups by date (unconfirmed rows are never given to it)."""

    def __init__(self, rows: Iterable[RateRow], selection: VersionSelection | None = None) -> None:
        self.selection = selection or VersionSelection()
        self._by_kind: dict[tuple[str, str], list[RateRow]] = {}
        for row in rows:
            if row.status != "confirmed":
                continue
            self._by_kind.setdefault((row.kind, row.parameter), []).append(row)
        self._current: dict[tuple[str, str], tuple[RateRow, ...]] = {}
        self._dates: dict[tuple[str, str], tuple[date, ...]] = {}
        for key, versions in self._by_kind.items():
            versions.sort(key=lambda r: (r.effective_from, r.id))
            newest: dict[date, RateRow] = {}
            for row in versions:
                newest[row.effective_from] = row  # sorted by id within a date: last wins
            self._current[key] = tuple(newest[d] for d in sorted(newest))
            self._dates[key] = tuple(sorted(newest))

    def rows(self, kind: str, parameter: str = "") -> Sequence[RateRow]:
        """The rows of one kind and parameter in force at some time, oldest first.

        Of several rows with the same effective date only the newest version is kept.
        """
        return self._current.get((kind, parameter), ())

    def effective_dates(self, kind: str, parameter: str = "") -> Sequence[date]:
        """The dates :meth:`rows` come into force, in order (one per row)."""
        return self._dates.get((kind, parameter), ())

    def in_force(self, kind: str, on: date, parameter: str = "") -> RateRow:
        """The row of ``kind`` (and ``parameter``) in force on ``on``."""
        key = (kind, parameter)
        index = bisect_right(self._dates.get(key, ()), on) - 1
        if index < 0:
            raise MissingRate(kind, on, parameter)
        return self._current[key][index]

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

    def everything_in_force(self, on: date) -> tuple[RateRow, ...]:
        """Every confirmed figure in force on ``on``, by kind and parameter: a bracketed
        kind's (one with an ``over`` row) newest table, each other parameter's newest row."""
        found: list[RateRow] = []
        for kind in sorted({k for k, _ in self._by_kind}):
            parameters = sorted(p for k, p in self._by_kind if k == kind)
            if OVER in parameters:
                with contextlib.suppress(MissingRate):
                    found.extend(sorted(self.table_in_force(kind, on), key=_bracket_order))
                continue
            for parameter in parameters:
                with contextlib.suppress(MissingRate):
                    found.append(self.in_force(kind, on, parameter))
        return tuple(found)

    def for_occasion(self, kind: str, when: Occasion, parameter: str = "") -> RateRow:
        """The version of ``kind`` that applies to a step: the newest whose effective date
        is on or before the date that decides for it (:class:`VersionSelection`)."""
        for row in reversed(self.rows(kind, parameter)):
            decided_by = self.selection.decided_by(kind, row.effective_from)
            if row.effective_from <= when.date_for(decided_by):
                return row
        raise MissingRate(kind, when.step_date, parameter)

    def table_for_occasion(self, kind: str, when: Occasion) -> tuple[RateRow, ...]:
        """The newest table of a bracketed kind that applies to a step (as
        :meth:`for_occasion`, per table)."""
        parameters = [p for (k, p) in self._by_kind if k == kind]
        dates = sorted({r.effective_from for p in parameters for r in self.rows(kind, p)})
        for table_from in reversed(dates):
            decided_by = self.selection.decided_by(kind, table_from)
            if table_from <= when.date_for(decided_by):
                return tuple(
                    r
                    for p in parameters
                    for r in self.rows(kind, p)
                    if r.effective_from == table_from
                )
        raise MissingRate(kind, when.step_date)


def rests_on_unconfirmed(used: Iterable[int], on: date, rows: Sequence[RateRow]) -> bool:
    """Whether a figure computed on ``on`` from the rows ``used`` rests on a carried-forward
    figure: a newer *unconfirmed* row of the same kind and parameter is dated after the row
    used and on or before ``on`` (issue 13 point 5: the figure is provisional until the row
    is confirmed or rejected)."""
    by_id = {r.id: r for r in rows}
    pending = [r for r in rows if r.status == "unconfirmed"]
    for rate_id in used:
        row = by_id.get(rate_id)
        if row is None:
            continue
        if any(
            p.kind == row.kind
            and p.parameter == row.parameter
            and row.effective_from < p.effective_from <= on
            for p in pending
        ):
            return True
    return False
