"""Normalisation of every simulator subject into our own report (no I/O: the simulator's
report builder is called in-process)."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
from credit.adapters.experian.normalise import MalformedReport, normalise
from credit.domain.reports import summary_document, to_document
from credit.domain.subjects import SubjectKind
from simulators import bureau_subjects as s
from simulators.bureau import BureauSimulator

pytestmark = pytest.mark.unit


def bureau_report(kind: str, identifier: str, purpose: str = "CASE_ASSESSMENT") -> Any:
    field = "organisationNumber" if kind == "company" else "nationalId"
    product = "COMPANY_STANDARD" if kind == "company" else "PERSON_STANDARD"
    made = BureauSimulator().make_report(
        kind, {field: identifier, "product": product, "clientReference": "r", "purpose": purpose}
    )
    assert isinstance(made, dict), made
    return json.loads(json.dumps(made))  # as it crosses the wire


@pytest.mark.parametrize(
    ("number", "expected"),
    [
        (
            s.AS_HEALTHY,
            {
                "score": 95,
                "risk_class": "AAA",
                "credit_limit_ore": 50_000_000,
                "remarks_count": 0,
                "subject_status": "active",
            },
        ),
        (
            s.AS_NEW,
            {"score": None, "risk_class": "AN", "credit_limit_ore": None, "remarks_count": 0},
        ),
        (
            s.AS_RISKY,
            {
                "score": 28,
                "risk_class": "B",
                "credit_limit_ore": 2_000_000,
                "remarks_count": 3,
                "remarks_total_ore": 4_800_000,
            },
        ),
        (s.AS_NO_CREDIT, {"risk_class": "C", "credit_limit_ore": 0, "remarks_count": 1}),
        (s.AS_BANKRUPT, {"score": None, "subject_status": "bankrupt", "flags": ["bankrupt"]}),
        (s.ENK_WITH_OWNER, {"copy_letter_expected": True, "risk_class": "A"}),
        (s.NUF_FOREIGN, {"score": None, "risk_class": None, "copy_letter_expected": False}),
    ],
)
def test_each_company_subject(number: str, expected: dict[str, Any]) -> None:
    report = normalise(bureau_report("company", number), SubjectKind.COMPANY)
    document = to_document(report)
    assert {k: document[k] for k in expected} == expected
    assert report.as_of == date.today()
    assert report.company is not None
    assert report.company.organisation_number == number


def test_a_company_reports_details_are_in_ore_and_our_words() -> None:
    report = normalise(bureau_report("company", s.AS_HEALTHY), SubjectKind.COMPANY)
    assert report.company is not None
    assert report.company.share_capital_ore == 100_000_000
    assert report.company.key_figures[0].revenue_ore == 4_820_000_000
    assert [r.role for r in report.company.roles] == ["ceo", "board-chair"]
    enk = normalise(bureau_report("company", s.ENK_WITH_OWNER), SubjectKind.COMPANY)
    assert enk.company is not None
    assert enk.company.owner_name == "Ola Olsen"
    nuf = normalise(bureau_report("company", s.NUF_FOREIGN), SubjectKind.COMPANY)
    assert nuf.company is not None
    assert nuf.company.foreign_parent == "Foreign Parent Ltd"
    risky = normalise(bureau_report("company", s.AS_RISKY), SubjectKind.COMPANY)
    assert [(r.kind, r.amount_ore) for r in risky.remarks][-1] == ("utlegg", 1_750_000)


@pytest.mark.parametrize(
    ("number", "expected"),
    [
        (s.PERSON_CLEAN, {"score": 80, "risk_class": "very-low", "remarks_count": 0}),
        (
            s.PERSON_REMARKS,
            {
                "score": 12,
                "risk_class": "very-high",
                "remarks_count": 3,
                "remarks_total_ore": 2_665_000,
            },
        ),
        (s.PERSON_BLOCKED, {"credit_block": True, "flags": ["credit-block"]}),
        (
            s.PERSON_DECEASED,
            {
                "subject_status": "deceased",
                "score": None,
                "deceased_on": "2026-07-30",
                "address": None,
            },
        ),
        (s.PERSON_DNUMMER, {"score": 55, "risk_class": "low"}),
        (s.PERSON_FNR_2032, {"score": 77, "birth_date": None}),
    ],
)
def test_each_person_subject(number: str, expected: dict[str, Any]) -> None:
    report = normalise(bureau_report("person", number), SubjectKind.PERSON)
    document = to_document(report)
    assert {k: document[k] for k in expected} == expected
    assert document["copy_letter_expected"] is True
    assert number not in json.dumps(document)  # the national id is not kept in the report


def test_a_summary_keeps_score_and_remark_totals_only() -> None:
    document = to_document(normalise(bureau_report("person", s.PERSON_REMARKS), SubjectKind.PERSON))
    kept = summary_document(document)
    assert (kept["score"], kept["remarks_count"], kept["remarks_total_ore"]) == (12, 3, 2_665_000)
    assert (kept["remarks"], kept["address"], kept["birth_date"]) == ([], None, None)
    assert "redacted" in kept["flags"]


@pytest.mark.parametrize(
    "broken",
    [
        {},
        {"asOf": "2026-12-06"},
        {"asOf": "not a date", "company": {}},
        {"asOf": "2026-12-06", "company": {"organisationNumber": 999}},
        {
            "asOf": "2026-12-06",
            "company": {
                "organisationNumber": "999100007",
                "name": "x" * 400,
                "organisationForm": "AS",
                "status": "ACTIVE",
            },
        },
    ],
)
def test_a_malformed_company_report_is_refused(broken: dict[str, Any]) -> None:
    with pytest.raises(MalformedReport):
        normalise(broken, SubjectKind.COMPANY)


def test_a_malformed_person_report_is_refused() -> None:
    good = bureau_report("person", s.PERSON_CLEAN)
    good["person"]["creditBlock"] = "yes"
    with pytest.raises(MalformedReport):
        normalise(good, SubjectKind.PERSON)
    good = bureau_report("person", s.PERSON_CLEAN)
    good["paymentRemarks"]["items"] = [{"type": "INKASSO", "amount": "12"}]
    with pytest.raises(MalformedReport):
        normalise(good, SubjectKind.PERSON)
