"""The creditor agreement form (pure): what is typed, read into the ledger's body, and the
stored agreement shown again; whether a creditor has an agreement a settlement can use."""

from __future__ import annotations

from decimal import Decimal

import pytest
from gateway.portal import agreement_form
from gateway.portal.api import ApiProblem, FieldProblem
from gateway.portal.i18n import Translator
from gateway.portal.pages.creditors import agreement_state
from gateway.portal.problems import field_errors
from starlette.datastructures import FormData

NB = Translator("nb")
ORDERS = agreement_form.order_choices(None)


def _form(**values: str) -> FormData:
    base = {
        "commission_percent": "12,5",
        "allocation_order": "costs,interest,principal",
        "vat_deductible": "ja",
        "payout_account": "1234.56.78903",
        "payout_name": "Nordlys Energi AS",
    }
    base.update(values)
    return FormData(list(base.items()))


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("12,5", Decimal("12.5")),
        ("12.5 %", Decimal("12.5")),
        ("0", Decimal("0")),
        ("100", Decimal("100")),
        (" 7,2500 ", Decimal("7.25")),
    ],
)
def test_a_commission_is_read_as_people_write_it(typed: str, expected: Decimal) -> None:
    assert agreement_form.parse_percent(typed) == expected


@pytest.mark.parametrize("typed", ["", "-1", "100,01", "12,34567", "ti", "1e2", "12,5,0"])
def test_a_commission_that_is_not_a_percentage_is_refused(typed: str) -> None:
    with pytest.raises(agreement_form.InvalidPercent):
        agreement_form.parse_percent(typed)


def test_a_good_form_becomes_the_ledgers_body() -> None:
    typed = agreement_form.read(_form(), NB, allowed_orders=ORDERS)
    assert typed.errors == {}
    assert typed.body == {
        "commission_percent": "12.5",
        "allocation_order": ["costs", "interest", "principal"],
        "vat_deductible": True,
        "claims_standardkompensasjon": False,
        "payout_account": "1234.56.78903",
        "payout_name": "Nordlys Energi AS",
    }
    without_payout = agreement_form.read(
        _form(payout_account="", payout_name="", vat_deductible="nei"), NB, allowed_orders=ORDERS
    )
    assert without_payout.body is not None
    assert without_payout.body["payout_account"] is None
    assert without_payout.body["vat_deductible"] is False


def test_errors_are_found_before_asking_the_ledger() -> None:
    typed = agreement_form.read(
        _form(
            commission_percent="mye",
            allocation_order="principal,principal,costs",
            vat_deductible="kanskje",
            payout_name="",
        ),
        NB,
        allowed_orders=ORDERS,
    )
    assert typed.body is None
    assert set(typed.errors) == {
        "commission_percent",
        "allocation_order",
        "vat_deductible",
        "payout_name",
    }
    assert typed.values["commission_percent"] == "mye"  # shown again as typed
    only_name = agreement_form.read(_form(payout_account=""), NB, allowed_orders=ORDERS)
    assert set(only_name.errors) == {"payout_account"}
    empty = agreement_form.read(_form(commission_percent=""), NB, allowed_orders=ORDERS)
    assert empty.errors == {"commission_percent": "Må fylles ut"}


def test_an_order_set_through_the_api_stays_a_choice() -> None:
    five = ["court_fees", "collection_fees", "reminder_fees", "interest", "principal"]
    choices = agreement_form.order_choices(five)
    assert len(choices) == 7
    assert choices[0] == ("costs", "interest", "principal")
    assert tuple(five) in choices
    assert agreement_form.order_choices(["interest", "costs", "principal"]) == ORDERS
    typed = agreement_form.read(
        _form(allocation_order=agreement_form.order_value(five)), NB, allowed_orders=choices
    )
    assert typed.body is not None
    assert typed.body["allocation_order"] == five


def test_the_stored_agreement_is_shown_as_people_read_it() -> None:
    values = agreement_form.values_of(
        {
            "commission_percent": "12.5000",
            "allocation_order": ["principal", "interest", "costs"],
            "vat_deductible": False,
            "payout_account": "12345678903",
            "payout_name": "Nordlys Energi AS",
        }
    )
    assert values == {
        "commission_percent": "12,5",
        "allocation_order": "principal,interest,costs",
        "vat_deductible": "nei",
        "claims_standardkompensasjon": "nei",
        "payout_account": "1234.56.78903",
        "payout_name": "Nordlys Energi AS",
    }
    assert agreement_form.percent_text("0.0000") == "0"
    assert agreement_form.percent_text("100.0000") == "100"
    assert agreement_form.percent_text("7.2500", "en") == "7.25"
    assert agreement_form.format_account("NO9386011117947") == "NO93 8601 1117 947"
    assert agreement_form.format_account(None) == ""


def test_the_ledgers_field_errors_land_next_to_the_fields() -> None:
    problem = ApiProblem(
        422,
        errors=[
            FieldProblem("payout_account", "not a valid account number or IBAN"),
            FieldProblem("commission_percent", "Input should be less than or equal to 100"),
        ],
    )
    errors = field_errors(problem, NB, set(agreement_form.FIELDS))
    assert errors == {
        "payout_account": "Er ikke et gyldig kontonummer eller IBAN",
        "commission_percent": "Kan ikke være mer enn 100",
    }


def test_a_creditor_without_a_payout_account_is_skipped_by_settlements() -> None:
    assert agreement_state(None) == "none"
    assert agreement_state({"updated_at": None, "payout_account": None}) == "none"
    stored = {"updated_at": "2026-11-25T10:00:00+00:00", "payout_account": "12345678903"}
    assert agreement_state({**stored, "payout_name": None}) == "no_payout"
    assert agreement_state({**stored, "payout_name": "Nordlys AS"}) == "ready"


def test_standardkompensasjon_is_claimed_only_when_chosen_and_shown_as_stored() -> None:
    chosen = agreement_form.read(_form(claims_standardkompensasjon="ja"), NB, allowed_orders=ORDERS)
    assert chosen.body is not None
    assert chosen.body["claims_standardkompensasjon"] is True
    odd = agreement_form.read(_form(claims_standardkompensasjon="x"), NB, allowed_orders=ORDERS)
    assert odd.body is not None
    assert odd.body["claims_standardkompensasjon"] is False
    stored = {"commission_percent": "10", "claims_standardkompensasjon": True}
    assert agreement_form.values_of(stored)["claims_standardkompensasjon"] == "ja"
    assert agreement_form.values_of({})["claims_standardkompensasjon"] == "nei"
