"""The rate tables' page (pure): a new version read from the form into the ledger's body, a
confirmation's source, a rate's value as people read it, the order of the rows."""

from __future__ import annotations

from decimal import Decimal

import pytest
from gateway.portal import rate_form
from gateway.portal.api import ApiProblem, FieldProblem
from gateway.portal.i18n import Translator
from gateway.portal.pages.rates import _valid_id
from gateway.portal.problems import field_errors
from starlette.datastructures import FormData

NB = Translator("nb")
EN = Translator("en")
NBSP = "\u00a0"


def _form(**values: str) -> FormData:
    base = {
        "kind": "rettsgebyr",
        "effective_from": "01.01.2027",
        "value": "1 345",
        "unit": "NOK",
        "parameter": "",
        "source_url": "https://lovdata.no/forskrift/2026-12-01-1",
        "idempotency_key": "k",
        "csrf_token": "c",
    }
    base.update(values)
    return FormData(list(base.items()))


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("1 277", Decimal("1277")),
        (f"1{NBSP}277", Decimal("1277")),
        ("1277", Decimal("1277")),
        ("12,25", Decimal("12.25")),
        ("12.25", Decimal("12.25")),
        ("12,25 %", Decimal("12.25")),
        ("kr 1 277,50", Decimal("1277.50")),
        ("0", Decimal("0")),
        ("0,000001", Decimal("0.000001")),
        ("0.125", Decimal("0.125")),
        ("1 000 000 000", Decimal("1000000000")),
    ],
)
def test_a_value_is_read_as_people_write_it(typed: str, expected: Decimal) -> None:
    assert rate_form.parse_value(typed) == expected


@pytest.mark.parametrize(
    "typed",
    ["", "tolv", "12,5,0", "-1", "1e3", "12,1234567", "1 000 000 000,01", "1.277", "12 34", "NaN"],
)
def test_a_value_that_is_no_rate_is_refused(typed: str) -> None:
    with pytest.raises(rate_form.InvalidValue):
        rate_form.parse_value(typed)


def test_a_comma_between_thousands_is_refused_on_an_english_page_only() -> None:
    assert rate_form.parse_value("1,277", "nb") == Decimal("1.277")
    with pytest.raises(rate_form.InvalidValue):
        rate_form.parse_value("1,277", "en")
    assert rate_form.parse_value("1,5", "en") == Decimal("1.5")
    assert rate_form.read(_form(value="1,277"), EN).errors == {"value": EN("rates.error.value")}


def test_a_good_form_becomes_the_ledgers_body() -> None:
    typed = rate_form.read(_form(parameter=" 2500 ", kind=" Salaer_lett "), NB)
    assert typed.errors == {}
    assert typed.body == {
        "kind": "salaer_lett",
        "effective_from": "2027-01-01",
        "value": "1345",
        "unit": "NOK",
        "parameter": "2500",
        "source_url": "https://lovdata.no/forskrift/2026-12-01-1",
    }


def test_a_percentage_per_year_with_a_decimal_comma() -> None:
    typed = rate_form.read(_form(value="12,25", unit="percent_pa", effective_from="2027-07-01"), NB)
    assert typed.body is not None
    assert (typed.body["value"], typed.body["unit"], typed.body["effective_from"]) == (
        "12.25",
        "percent_pa",
        "2027-07-01",
    )


def test_every_field_wrong_is_said_next_to_it_and_what_was_typed_is_kept() -> None:
    typed = rate_form.read(
        _form(
            kind="Rettsgebyr!", effective_from="31.02.2027", value="mye", unit="kr", source_url=""
        ),
        NB,
    )
    assert typed.body is None
    assert typed.errors == {
        "kind": NB("rates.error.kind"),
        "effective_from": NB("form.date_invalid"),
        "value": NB("rates.error.value"),
        "unit": NB("rates.error.unit"),
        "source_url": NB("reason.is_required"),
    }
    assert typed.values["value"] == "mye"
    assert typed.values["kind"] == "Rettsgebyr!"


def test_the_required_fields_are_required() -> None:
    typed = rate_form.read(_form(kind="", effective_from="", value=""), EN)
    assert set(typed.errors) == {"kind", "effective_from", "value"}
    assert set(typed.errors.values()) == {"Is required"}


def test_the_source_address_itself_is_the_ledgers_to_check() -> None:
    typed = rate_form.read(_form(source_url="lovdata"), NB)
    assert typed.errors == {}
    problem = ApiProblem(
        422,
        "Invalid",
        errors=[
            FieldProblem("source_url", "Input should be a valid URL, relative URL without a base")
        ],
    )
    assert field_errors(problem, NB, set(rate_form.FIELDS)) == {
        "source_url": "Er ikke en nettadresse (skriv hele adressen, med https://)"
    }


@pytest.mark.parametrize(
    ("code", "nb", "en"),
    [
        (
            "source-not-primary",
            "sergel.no er ikke en primærkilde. Bruk en side hos lovdata.no, regjeringen.no",
            "sergel.no is not a primary source. Use a page on lovdata.no, regjeringen.no",
        ),
        (
            "source-not-https",
            "Skriv hele adressen til en https-side hos lovdata.no, regjeringen.no",
            "Write the whole address of an https page on lovdata.no, regjeringen.no",
        ),
    ],
)
def test_the_ledgers_refusal_of_a_source_is_said_from_its_code(code: str, nb: str, en: str) -> None:
    values = (("host", "sergel.no"), ("allowed", "lovdata.no, regjeringen.no"))
    problem = ApiProblem(
        422,
        "https://infocenter.example/problems/validation-error",
        errors=[FieldProblem("source_url", "not an https page of a primary source", code, values)],
    )
    assert field_errors(problem, NB, {"source_url"}) == {"source_url": nb}
    assert field_errors(problem, EN, {"source_url"}) == {"source_url": en}
    bare = ApiProblem(422, "x", errors=[FieldProblem("source_url", "whatever", code)])
    assert "{" not in field_errors(bare, NB, {"source_url"})["source_url"]


def test_a_confirmation_needs_its_source() -> None:
    assert rate_form.read_confirmation(FormData([("source_url", " ")]), NB).errors == {
        "source_url": NB("reason.is_required")
    }
    typed = rate_form.read_confirmation(FormData([("source_url", " https://x.no/a ")]), NB)
    assert (typed.errors, typed.body) == ({}, {"source_url": "https://x.no/a"})


@pytest.mark.parametrize(
    ("value", "unit", "nb", "en"),
    [
        ("1277.000000", "NOK", f"kr{NBSP}1{NBSP}277", f"NOK{NBSP}1,277"),
        ("1277.5", "NOK", f"kr{NBSP}1{NBSP}277,5", f"NOK{NBSP}1,277.5"),
        ("12.250000", "percent_pa", f"12,25{NBSP}% p.a.", "12.25% p.a."),
        ("25", "percent", f"25{NBSP}%", "25%"),
        ("0.4", "multiple", "0,4 ganger", "0.4 times"),
        ("1.5", "factor", "faktor 1,5", "factor 1.5"),
        ("14", "days", "14 dager", "14 days"),
        ("3", "parsec", "3 parsec", "3 parsec"),
        (
            Decimal("1000000000"),
            "NOK",
            f"kr{NBSP}1{NBSP}000{NBSP}000{NBSP}000",
            f"NOK{NBSP}1,000,000,000",
        ),
    ],
)
def test_a_value_is_written_with_its_unit_as_people_read_it(
    value: str | Decimal, unit: str, nb: str, en: str
) -> None:
    assert rate_form.value_text(value, unit, NB) == nb
    assert rate_form.value_text(value, unit, EN) == en


def test_rows_by_kind_then_newest_first() -> None:
    def row(id_: int, kind: str, day: str, parameter: str = "") -> dict[str, object]:
        return {"id": id_, "kind": kind, "effective_from": day, "parameter": parameter}

    rows = [
        row(1, "rettsgebyr", "2024-01-01"),
        row(2, "inkassosats", "2025-01-01"),
        row(3, "rettsgebyr", "2026-01-01"),
        row(4, "salaer_lett", "2020-10-01", "2500"),
        row(5, "salaer_lett", "2020-10-01", "500"),
        row(6, "salaer_lett", "2020-10-01", "over"),
        row(7, "rettsgebyr", "2026-01-01"),  # a correction: the newer version first
    ]
    assert [r["id"] for r in rate_form.ordered(rows)] == [2, 7, 3, 1, 5, 4, 6]


def test_a_source_is_a_link_only_when_it_is_a_web_address() -> None:
    assert rate_form.source_link("https://www.lovdata.no/x") == {
        "href": "https://www.lovdata.no/x",
        "text": "lovdata.no",
    }
    assert rate_form.source_link(None) is None
    assert rate_form.source_link("javascript:alert(1)") is None
    assert rate_form.source_link("lovdata.no") is None


@pytest.mark.parametrize(
    ("text", "valid"),
    [
        ("1", True),
        ("42", True),
        (str(2**63 - 1), True),
        (str(2**63), False),
        ("0", False),
        ("-1", False),
        ("01", False),
        ("abc", False),
        ("1.5", False),
        ("\u0661", False),
        ("", False),
    ],
)
def test_a_rate_id_in_the_path_is_a_positive_integer(text: str, valid: bool) -> None:
    assert _valid_id(text) is valid
