"""The rules of saved reports: when a schedule is next due, what a definition may name."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from reports.domain.errors import InvalidSavedReport, ReportNotFound
from reports.domain.saved_reports import definition, next_run


def test_schedules_are_due_at_0600_oslo_after_now() -> None:
    at = datetime(2026, 1, 31, 10, 0, tzinfo=UTC)  # 11:00 in Oslo
    assert next_run("daily", at) == datetime(2026, 2, 1, 5, 0, tzinfo=UTC)
    assert next_run("weekly", at) == datetime(2026, 2, 7, 5, 0, tzinfo=UTC)
    assert next_run("monthly", at) == datetime(2026, 2, 28, 5, 0, tzinfo=UTC)  # short month
    early = datetime(2026, 6, 1, 3, 0, tzinfo=UTC)  # 05:00 in Oslo (summer time)
    assert next_run("daily", early) == datetime(2026, 6, 1, 4, 0, tzinfo=UTC)
    exactly = datetime(2026, 6, 1, 4, 0, tzinfo=UTC)  # 06:00: the next one is tomorrow's
    assert next_run("daily", exactly) == datetime(2026, 6, 2, 4, 0, tzinfo=UTC)
    assert next_run("monthly", datetime(2026, 12, 15, 12, tzinfo=UTC)) == datetime(
        2027, 1, 15, 5, 0, tzinfo=UTC
    )


def test_a_definition_names_the_reports_own_columns_and_filters() -> None:
    d = definition(
        "saksliste", {"status": "registered", "period_to": ""}, ["saldo", "skyldner"], "csv"
    )
    assert d.filters == {"status": "registered"}
    assert [(i, c.code) for i, c in d.selected()] == [(9, "saldo"), (2, "skyldner")]
    assert len(definition("saksliste", {}, [], "xlsx").selected()) == 12
    with pytest.raises(ReportNotFound):
        definition("finnes_ikke", {}, [], "csv")
    for columns, filters in ((["nope"], {}), (["saldo", "saldo"], {}), ([], {"x": "1"})):
        with pytest.raises(InvalidSavedReport):
            definition("saksliste", filters, columns, "csv")
