"""The documents and reports pages' words and filters: every reports problem code has its
sentence, and the documents filter reads what a person types (and nothing a creditor may
not ask)."""

from __future__ import annotations

import uuid

from gateway.portal.api import ApiProblem
from gateway.portal.documents import read_filter
from gateway.portal.i18n import Translator
from gateway.portal.problems import REPORT_PROBLEMS, message
from starlette.datastructures import QueryParams


def test_the_reports_services_problem_codes_are_said_in_the_pages_language() -> None:
    nb = Translator("nb")
    for code, key in REPORT_PROBLEMS.items():
        refusal = ApiProblem(
            status=422, type=f"https://infocenter.example/problems/{code}", detail="English."
        )
        assert message(refusal, nb) == nb(key)
        assert "English" not in message(refusal, nb)


def test_the_documents_filter_reads_dates_kinds_and_creditors() -> None:
    nb = Translator("nb")
    creditor = str(uuid.uuid4())
    query = QueryParams(
        [
            ("slag", "settlement_statement"),
            ("fra", "1.11.2026"),
            ("til", "30.11.2026"),
            ("oppdragsgiver", creditor),
        ]
    )
    agency = read_filter(query, nb, agency=True)
    assert agency.errors == {}
    assert agency.params == [
        ("kind", "settlement_statement"),
        ("period_from", "2026-11-01"),
        ("period_to", "2026-11-30"),
        ("creditor_id", creditor),
    ]
    assert ("oppdragsgiver", creditor) in agency.query()
    own = read_filter(query, nb, agency=False)
    assert all(name != "creditor_id" for name, _ in own.params)

    wrong = read_filter(
        QueryParams([("slag", "letters"), ("fra", "31.02.2026"), ("oppdragsgiver", "x")]),
        nb,
        agency=True,
    )
    assert wrong.params == []
    assert set(wrong.errors) == {"fra", "oppdragsgiver"}
    assert wrong.values["slag"] == ""
