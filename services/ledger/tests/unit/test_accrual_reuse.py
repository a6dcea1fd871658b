"""A case ledger computes an accrual once for the same inputs (a payment's interest and its
balance event are both to the value date), and again whenever an input changes."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import date

import pytest
from ledger.domain.case_ledger import CaseFacts, CaseLedger, Claim, IncomingPayment
from ledger.domain.case_ledger import registration_entry as registration
from ledger.domain.components import DEFAULT_ORDER, expand_order
from ledger.domain.interest import accrue

from .rate_fixtures import shipped_book

pytestmark = pytest.mark.unit

RATES = shipped_book()
DUE = date(2024, 1, 31)


def ledger() -> CaseLedger:
    facts = CaseFacts(
        case_id=uuid.uuid4(),
        creditor_id=uuid.uuid4(),
        kid="1000170",
        debtor_kind="person",
        currency="NOK",
        claims=(Claim(uuid.uuid4(), DUE, 1_000_000, 0),),
    )
    case = CaseLedger(facts=facts)
    case.apply(registration(facts))
    return case


def fresh(case: CaseLedger, on: date) -> int:
    """The accrual computed from scratch (no reuse)."""
    return accrue(
        case.facts.claim_principals(),
        case.principal_movements,
        RATES,
        on,
        stop=case.facts.interest_stops,
        day_count="actual/actual",
    ).amount_ore


def test_the_same_inputs_give_the_accrual_computed_before() -> None:
    case = ledger()
    first = case.accrual(RATES, date(2024, 4, 15), "actual/actual")
    assert case.accrual(RATES, date(2024, 4, 15), "actual/actual") is first


def test_a_payment_a_date_rates_or_a_day_count_compute_it_again() -> None:
    case = ledger()
    on = date(2024, 4, 15)
    before = case.accrual(RATES, on, "actual/actual")
    case.take_payment(
        IncomingPayment(uuid.uuid4(), 300_000, on),
        RATES,
        expand_order(DEFAULT_ORDER),
        "actual/actual",
    )
    later = date(2024, 6, 1)
    after = case.accrual(RATES, later, "actual/actual")
    assert after.amount_ore == fresh(case, later)
    assert after is not before
    # the principal paid on 15 April counts from 16 April: the accrual to the day is the same
    assert case.accrual(RATES, on, "actual/actual").amount_ore == before.amount_ore
    other_rates = shipped_book()
    assert case.accrual(other_rates, later, "actual/actual") is not after
    assert case.accrual(other_rates, later, "actual/365").amount_ore == (
        accrue(
            case.facts.claim_principals(),
            case.principal_movements,
            other_rates,
            later,
            day_count="actual/365",
        ).amount_ore
    )


def test_a_case_closed_unpaid_stops_the_accrual_it_reuses() -> None:
    case = ledger()
    on = date(2024, 6, 1)
    running = case.accrual(RATES, on, "actual/actual")
    case.facts = replace(case.facts, closed_on=date(2024, 3, 1), close_reason="withdrawn")
    stopped = case.accrual(RATES, on, "actual/actual")
    assert stopped.amount_ore == fresh(case, on) < running.amount_ore
