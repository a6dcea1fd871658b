"""The agreement rules, the «no match» charging rule, the search answer's checks and the
report's printable HTML (no I/O)."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from credit.adapters import report_pdf
from credit.adapters.experian.client import MAX_CANDIDATES, _candidates
from credit.adapters.experian.normalise import normalise
from credit.domain import agreements, products
from credit.domain.orders import FailureCode, OrderStatus
from credit.domain.reports import to_document
from credit.domain.subjects import SubjectKind
from credit.service_layer.ordering import Outcome, charges_no_match
from credit.service_layer.ports import BureauFailed
from simulators import bureau_subjects as s
from simulators.bureau import BureauSimulator, search_companies

pytestmark = pytest.mark.unit

CREDITOR = uuid.uuid4()


def test_no_agreement_allows_every_product_and_purpose() -> None:
    agreements.Agreement(CREDITOR).check("PERSON_STANDARD", "CREDITOR_CREDIT_DECISION")


def test_an_agreement_refuses_what_it_does_not_name_by_field() -> None:
    agreement = agreements.Agreement(
        CREDITOR, frozenset({"COMPANY_STANDARD"}), frozenset({"CASE_ASSESSMENT"})
    )
    agreement.check("COMPANY_STANDARD", "CASE_ASSESSMENT")
    with pytest.raises(agreements.OutsideAgreement) as product:
        agreement.check("PERSON_STANDARD", "CASE_ASSESSMENT")
    with pytest.raises(agreements.OutsideAgreement) as purpose:
        agreement.check("COMPANY_STANDARD", "LEGAL_STEP_ASSESSMENT")
    assert (product.value.field, product.value.code) == ("product_code", "product-not-in-agreement")
    assert (purpose.value.field, purpose.value.code) == ("purpose.code", "purpose-not-in-agreement")


def test_an_empty_agreement_allows_nothing() -> None:
    nothing = agreements.make(CREDITOR, [], [], products.CATALOGUE)
    with pytest.raises(agreements.OutsideAgreement):
        nothing.check("COMPANY_STANDARD", "CASE_ASSESSMENT")


@pytest.mark.parametrize(
    ("chosen_products", "chosen_purposes", "field", "code"),
    [
        (["GOLD"], None, "products", "unknown-product"),
        (None, ["CURIOSITY"], "purposes", "unknown-purpose"),
    ],
)
def test_an_agreement_names_only_known_codes(
    chosen_products: list[str] | None, chosen_purposes: list[str] | None, field: str, code: str
) -> None:
    with pytest.raises(agreements.InvalidAgreement) as error:
        agreements.make(CREDITOR, chosen_products, chosen_purposes, products.CATALOGUE)
    assert (error.value.field, error.value.code) == (field, code)


@pytest.mark.parametrize(
    ("term", "outcome", "charged"),
    [
        (True, Outcome(OrderStatus.FAILED, FailureCode.NO_MATCH), True),
        (False, Outcome(OrderStatus.FAILED, FailureCode.NO_MATCH), False),
        (True, Outcome(OrderStatus.FAILED, FailureCode.BUREAU_ERROR), False),
        (True, Outcome(OrderStatus.FAILED, FailureCode.SUBJECT_BLOCKED), False),
        (True, Outcome(OrderStatus.UNKNOWN, FailureCode.BUREAU_TIMEOUT), False),
    ],
)
def test_no_match_is_charged_only_under_the_orders_term(
    term: bool, outcome: Outcome, charged: bool
) -> None:
    assert charges_no_match({"charge_no_match": term}, outcome) is charged


def test_the_simulators_name_search_finds_by_every_word_and_leaves_out_the_dissolved() -> None:
    assert [c["organisationNumber"] for c in search_companies("handel fjellvind")] == [s.AS_HEALTHY]
    everyone = {c["organisationNumber"] for c in search_companies("a")}
    assert s.AS_DISSOLVED not in everyone
    assert search_companies("finnes ikke") == []


def test_search_candidates_are_checked_and_bounded() -> None:
    good = {
        "organisationNumber": s.AS_HEALTHY,
        "name": "Fjellvind Handel AS",
        "organisationForm": "AS",
        "status": "ACTIVE",
        "city": "Oslo",
    }
    assert len(_candidates({"candidates": [good] * (MAX_CANDIDATES + 10)})) == MAX_CANDIDATES
    for broken in (
        [],
        {"candidates": "x"},
        {"candidates": [{**good, "organisationNumber": "12"}]},
        {"candidates": [{**good, "name": None}]},
        {"candidates": ["x"]},
    ):
        with pytest.raises(BureauFailed):
            _candidates(broken)


def _order(kind: str, identifier: str) -> dict[str, Any]:
    field = "organisationNumber" if kind == "company" else "nationalId"
    product = "COMPANY_STANDARD" if kind == "company" else "PERSON_STANDARD"
    made = BureauSimulator().make_report(
        kind, {field: identifier, "product": product, "clientReference": "r", "purpose": "x"}
    )
    raw = json.loads(json.dumps(made))  # as it crosses the wire
    report = normalise(raw, SubjectKind.COMPANY if kind == "company" else SubjectKind.PERSON)
    return {
        "product_code": product,
        "subject": {"kind": kind, "display": identifier if kind == "company" else "150382*****"},
        "purpose": {"code": "CASE_ASSESSMENT", "text": "Vurdering i saken", "case_id": "C-1"},
        "created_at": "2026-12-06T10:00:00+00:00",
        "price": {"unit_price_ore": 4_900, "total_ore": 6_125},
        "report": to_document(report),
    }


def test_the_printed_company_report_has_the_pages_content() -> None:
    page = report_pdf.html(_order("company", s.AS_RISKY), printed_at=datetime.now(UTC))
    assert "Vaklevik Bygg AS" in page
    assert "B \u2013 Kreditt mot sikkerhet" in page
    assert "3, til sammen kr 48\u202f000,00" in page  # the remarks in total
    assert "Daglig leder" in page
    assert "Driftsinntekter" in page


def test_the_printed_person_report_shows_the_number_masked_only() -> None:
    page = report_pdf.html(_order("person", s.PERSON_REMARKS), printed_at=datetime.now(UTC))
    assert "150382*****" in page
    assert s.PERSON_REMARKS not in page
    assert "Lønnstrekk" in page
    assert "av 100" in page


@pytest.mark.parametrize(("ore", "text"), [(0, "kr 0,00"), (123456, "kr 1\u202f234,56")])
def test_kroner(ore: int, text: str) -> None:
    assert report_pdf.kroner(ore) == text
