"""The shipped rate files as a rate book (ids in file order), for pure tests."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from ledger.adapters.rate_files import read_seed_rates, shipped_selection
from ledger.domain.rates import RateBook, RateRow


def shipped_rows() -> list[RateRow]:
    return [
        RateRow(
            id=number,
            kind=r.kind,
            effective_from=r.effective_from,
            value=r.value,
            unit=r.unit,
            parameter=r.parameter,
            source_url=r.source_url,
            status=r.status,
        )
        for number, r in enumerate(read_seed_rates(), start=1)
    ]


def shipped_book(*extra: RateRow) -> RateBook:
    return RateBook([*shipped_rows(), *extra], shipped_selection())


def row(kind: str, on: date, value: str, *, id: int = 10_000, parameter: str = "") -> RateRow:
    return RateRow(id, kind, on, Decimal(value), "x", parameter)
