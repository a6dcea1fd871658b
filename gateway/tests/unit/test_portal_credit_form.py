"""Reading the credit report order form: what the page tells before asking the service."""

from __future__ import annotations

import pytest
from gateway.portal import credit_form
from gateway.portal.i18n import Translator
from starlette.datastructures import FormData

PRODUCTS = {"COMPANY_STANDARD": "company", "PERSON_STANDARD": "person"}
T = Translator("nb")
WIDE = "".join(chr(0xFF10 + int(d)) for d in "999100007")
"""An organisation number in full-width digits (``str.isdigit`` says yes)."""


def _form(**values: str) -> FormData:
    base = {
        "subject.kind": "company",
        "subject.organisation_number": "999 100 007",
        "product_code": "COMPANY_STANDARD",
        "purpose.code": "CASE_ASSESSMENT",
        "purpose.text": "  Vurdering av inndriving i saken  ",
        "purpose.case_id": "IC-1",
    }
    base.update(values)
    return FormData([(k, v) for k, v in base.items()])


def test_a_good_form_is_the_order_body_with_the_number_compact() -> None:
    typed = credit_form.read(_form(), T, PRODUCTS)
    assert typed.errors == {}
    assert typed.body == {
        "product_code": "COMPANY_STANDARD",
        "subject": {"kind": "company", "organisation_number": "999100007"},
        "purpose": {
            "code": "CASE_ASSESSMENT",
            "text": "Vurdering av inndriving i saken",
            "case_id": "IC-1",
            "relationship_declared": False,
        },
    }


def test_a_person_is_asked_by_national_id_and_the_other_number_is_not_sent() -> None:
    typed = credit_form.read(
        _form(
            **{
                "subject.kind": "person",
                "subject.national_id": "150382 40045",
                "product_code": "PERSON_STANDARD",
            }
        ),
        T,
        PRODUCTS,
    )
    assert typed.body is not None
    assert typed.body["subject"] == {"kind": "person", "national_id": "15038240045"}


def test_every_error_at_once() -> None:
    typed = credit_form.read(
        _form(
            **{
                "subject.kind": "person",
                "subject.national_id": "1503824004",
                "purpose.code": "CREDITOR_CREDIT_DECISION",
                "purpose.text": "kort",
            }
        ),
        T,
        PRODUCTS,
    )
    assert typed.body is None
    assert set(typed.errors) == {
        "subject.national_id",
        "product_code",
        "purpose.text",
        "purpose.relationship_declared",
    }


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"subject.kind": "firma"}, "subject.kind"),
        ({"subject.organisation_number": "99910000"}, "subject.organisation_number"),
        ({"subject.organisation_number": WIDE}, "subject.organisation_number"),
        ({"product_code": "GOLD"}, "product_code"),
        ({"purpose.code": "CURIOSITY"}, "purpose.code"),
        ({"purpose.case_id": ""}, "purpose.case_id"),
        ({"purpose.case_id": "x" * 65}, "purpose.case_id"),
        ({"purpose.text": "x" * 501}, "purpose.text"),
    ],
)
def test_what_the_page_refuses(values: dict[str, str], field: str) -> None:
    typed = credit_form.read(_form(**values), T, PRODUCTS)
    assert field in typed.errors
    assert typed.body is None


def test_the_creditors_own_decision_needs_no_case_but_a_declared_customer() -> None:
    typed = credit_form.read(
        _form(
            **{
                "purpose.code": "CREDITOR_CREDIT_DECISION",
                "purpose.case_id": "",
                "purpose.relationship_declared": "1",
            }
        ),
        T,
        PRODUCTS,
    )
    assert typed.errors == {}
    assert typed.body is not None
    assert typed.body["purpose"]["relationship_declared"] is True
    assert typed.body["purpose"]["case_id"] is None


@pytest.mark.parametrize(
    ("text", "price"), [("12500", 12500), ("0", 0), ("-1", None), ("1,5", None), ("9" * 11, None)]
)
def test_the_accepted_price_is_a_whole_number_of_ore(text: str, price: int | None) -> None:
    assert credit_form.accepted_price(FormData([("accepted_price_ore", text)])) == price
