"""Retention: 5 years from the end of the accounting year (the Oslo date's year)."""

from datetime import UTC, date, datetime, timedelta

import pytest
from reports.domain.retention import accounting_year, past_retention, purge_cutoff, retained_until


def test_a_document_is_kept_through_the_fifth_year_after_its_accounting_year() -> None:
    assert retained_until(2026) == date(2031, 12, 31)
    issued = datetime(2026, 12, 31, 22, 59, tzinfo=UTC)  # 23:59 in Oslo
    assert accounting_year(issued) == 2026
    assert accounting_year(issued + timedelta(minutes=2)) == 2027  # 00:01 on 1 January
    assert not past_retention(issued, date(2031, 12, 30))
    assert not past_retention(issued, date(2031, 12, 31))
    assert past_retention(issued, date(2032, 1, 1))


@pytest.mark.parametrize("today", [date(2031, 12, 31), date(2032, 1, 1), date(2032, 7, 1)])
def test_the_cutoff_selects_exactly_what_is_past_retention(today: date) -> None:
    cutoff = purge_cutoff(today)
    for issued in (cutoff - timedelta(seconds=1), cutoff):
        assert past_retention(issued, today) == (issued < cutoff)
