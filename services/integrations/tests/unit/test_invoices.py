"""What the connector makes of an ERP's invoices (pure)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest
from integrations.domain.invoices import (
    ErpAddress,
    ErpCustomer,
    ErpInvoice,
    Seen,
    creditor_reference,
    is_overdue,
    ore,
    read_change,
    registration,
    split_drop,
)

pytestmark = pytest.mark.unit

TODAY = date(2026, 12, 6)
INVOICE = ErpInvoice(
    invoice_id=900_001,
    version=3,
    invoice_number="10001",
    invoice_date=date(2026, 10, 1),
    due_date=date(2026, 10, 15),
    customer_id=7,
    amount_ore=125_050,
    outstanding_ore=125_050,
    credit_note=False,
    credited_invoice=None,
    currency="NOK",
)
SEEN = Seen(
    erp_version=3,
    due_date=date(2026, 10, 15),
    outstanding_ore=125_050,
    reported_ore=0,
    handed_over_ore=125_050,
)


@pytest.mark.parametrize(
    ("kroner", "expected"),
    [(1250.5, 125_050), (0.1 + 0.2, 30), ("99.995", 10_000), (-100, -10_000), (0, 0)],
)
def test_kroner_become_ore_rounded_once_half_up(kroner: float | str, expected: int) -> None:
    assert ore(kroner) == expected


def test_only_open_ordinary_nok_invoices_past_the_grace_days_are_overdue() -> None:
    assert is_overdue(INVOICE, today=TODAY, grace_days=14)
    due_in_grace = replace(INVOICE, due_date=TODAY - timedelta(days=14))
    assert not is_overdue(due_in_grace, today=TODAY, grace_days=14)
    assert not is_overdue(replace(INVOICE, outstanding_ore=0), today=TODAY, grace_days=14)
    assert not is_overdue(replace(INVOICE, credit_note=True), today=TODAY, grace_days=14)
    assert not is_overdue(replace(INVOICE, currency="EUR"), today=TODAY, grace_days=14)


def test_the_reference_is_stable_and_names_the_erp_company_and_invoice() -> None:
    assert creditor_reference("tripletex", "4711", 900_001) == "TTX-4711-900001"


def test_a_private_individual_is_a_person_and_empty_values_are_left_out() -> None:
    customer = ErpCustomer(
        customer_id=7,
        name="Ola Nordmann",
        organisation_number="",
        private_individual=True,
        address=ErpAddress("Skogveien 8", " ", "1360", "Fornebu", "NO"),
        email="",
    )
    body = registration("TTX-4711-900001", INVOICE, customer)
    debtor = body["debtor"]
    assert isinstance(debtor, dict)
    assert debtor["kind"] == "person"
    assert debtor["organisation_number"] is None
    assert debtor["email"] is None
    assert debtor["address"]["lines"] == ["Skogveien 8"]
    assert body["claims"] == [
        {
            "invoice_number": "10001",
            "invoice_date": "2026-10-01",
            "due_date": "2026-10-15",
            "principal_ore": 125_050,
            "reminder_fee_ore": 0,
        }
    ]


def test_the_same_or_an_older_version_means_nothing() -> None:
    assert read_change(SEEN, INVOICE) is None
    assert read_change(SEEN, replace(INVOICE, version=2, outstanding_ore=0)) is None


def test_a_lower_outstanding_amount_is_a_direct_payment_reported_once() -> None:
    paid = replace(INVOICE, version=5, outstanding_ore=100_000)  # versions may skip
    reading = read_change(SEEN, paid)
    assert reading is not None
    assert (reading.paid_directly_ore, reading.conflicts) == (25_050, ())
    again = replace(SEEN, erp_version=5, outstanding_ore=100_000, reported_ore=25_050)
    more = read_change(again, replace(paid, version=6, outstanding_ore=90_000))
    assert more is not None
    assert more.paid_directly_ore == 10_000


def test_a_moved_due_date_or_a_higher_amount_is_a_conflict_not_a_payment() -> None:
    changed = replace(INVOICE, version=4, due_date=date(2026, 11, 1), outstanding_ore=130_000)
    reading = read_change(SEEN, changed)
    assert reading is not None
    assert reading.conflicts == ("due_date_changed", "amount_increased")
    assert reading.paid_directly_ore == 0


@pytest.mark.parametrize(
    ("drop", "credited", "expected"),
    [(40_000, 0, (40_000, 0)), (40_000, 10_000, (30_000, 10_000)), (5_000, 10_000, (0, 5_000))],
)
def test_credit_notes_explain_what_they_can_of_a_drop(
    drop: int, credited: int, expected: tuple[int, int]
) -> None:
    assert split_drop(drop, credited) == expected
