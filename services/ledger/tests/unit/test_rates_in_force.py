"""Every figure in force on a day (the public list): a bracketed kind's newest table, each
other kind and parameter's newest confirmed version."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from ledger.domain.rates import MissingRate, RateBook, RateRow


def _row(
    id_: int, kind: str, day: date, value: str, parameter: str = "", status: str = "confirmed"
) -> RateRow:
    return RateRow(id_, kind, day, Decimal(value), "NOK", parameter, None, status)  # type: ignore[arg-type]  # fmt: skip


def test_the_newest_table_and_the_newest_versions() -> None:
    old, new = date(2016, 1, 1), date(2020, 10, 1)
    book = RateBook(
        [
            # the 2016 table had a 2 500 bracket and a 500-less bottom; 2020's starts at 500
            _row(1, "salaer_lett", old, "0.5", "2500"),
            _row(2, "salaer_lett", old, "1", "10000"),
            _row(3, "salaer_lett", old, "8", "over"),
            _row(4, "salaer_lett", new, "0.25", "500"),
            _row(5, "salaer_lett", new, "7.2", "over"),
            _row(6, "rettsgebyr", date(2025, 1, 1), "1314"),
            _row(7, "rettsgebyr", date(2026, 1, 1), "1345", status="unconfirmed"),
            _row(8, "rettsgebyr", date(2027, 1, 1), "1400"),
            _row(9, "rettsgebyr_multiple", old, "1", "legal_step_forliksklage"),
            _row(10, "rettsgebyr_multiple", date(2022, 1, 1), "1.21", "legal_step_utlegg"),
            _row(11, "rettsgebyr_multiple", date(2030, 1, 1), "2", "legal_step_konkurs"),
        ]
    )
    found = book.everything_in_force(date(2026, 12, 6))
    assert [r.id for r in found] == [6, 9, 10, 4, 5]  # kinds by key; no 2016 bracket left
    assert [r.id for r in book.everything_in_force(date(2020, 9, 30))] == [9, 1, 2, 3]
    assert book.everything_in_force(date(2015, 12, 31)) == ()


def test_the_row_in_force_is_the_newest_version_dated_on_or_before_the_day() -> None:
    first, second = date(2024, 1, 1), date(2024, 7, 1)
    book = RateBook(
        [
            _row(1, "forsinkelsesrente", first, "12.25"),
            _row(2, "forsinkelsesrente", second, "12.5"),
            _row(3, "forsinkelsesrente", first, "12.5"),  # a correction of the first row
        ]
    )
    assert list(book.effective_dates("forsinkelsesrente")) == [first, second]
    assert book.in_force("forsinkelsesrente", first).id == 3
    assert book.in_force("forsinkelsesrente", date(2024, 6, 30)).id == 3
    assert book.in_force("forsinkelsesrente", second).id == 2
    assert book.in_force("forsinkelsesrente", date(2031, 1, 1)).id == 2
    with pytest.raises(MissingRate):
        book.in_force("forsinkelsesrente", date(2023, 12, 31))
    with pytest.raises(MissingRate):
        book.in_force("rettsgebyr", second)
