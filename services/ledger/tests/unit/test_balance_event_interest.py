"""The balance event states the forsinkelsesrente in force and the interest by rate period.

Hand-worked example across the half-year boundary of 1 July 2023 (rates from
``shared/domain/rates.csv``: 10,75 % from 2023-01-01, 11,75 % from 2023-07-01; simple
interest, actual days, 1/365 of the yearly rate per day in 2023):

One claim of 10 000,00 kr due Monday 15.05.2023. Collection fees 35,00 (inkassovarsel,
05.06) and 560,00 (lett salær, 26.06). A payment of 4 000,00 kr with value date 01.08.2023,
covered costs, then interest, then principal.

  16.05-30.06  46 days x 1 000 000 øre x 10,75 % / 365 =  4 945 000 / 365 = 13 547,945 øre
  01.07-01.08  32 days x 1 000 000 øre x 11,75 % / 365 =  3 760 000 / 365 = 10 301,370 øre
  through 01.08: 8 705 000 / 365 = 23 849,315 → 23 849 øre (238,49 kr)
  the payment: costs 59 500, interest 23 849, principal 400 000 - 83 349 = 316 651
  principal left 1 000 000 - 316 651 = 683 349 øre
  02.08-31.08  30 days x 683 349 øre x 11,75 % / 365 = 240 880 522,5 / 36 500 = 6 599,466 øre
  through 31.08: 23 849,315 + 6 599,466 = 30 448,781 → 30 449 øre (304,49 kr)

By period (each rounded down, the øre left given to the largest fractions):
  through 01.08: 13 547 + 10 301 = 23 848, 1 øre left → the first (0,945): 13 548 + 10 301
  through 31.08: 13 547 + 10 301 + 6 599 = 30 447, 2 øre left → 0,945 and 0,466:
                 13 548 + 10 301 + 6 600 = 30 449
Outstanding on 31.08: interest 30 449 - 23 849 paid = 6 600; balance 683 349 + 6 600.
"""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
from ledger.domain.case_ledger import CaseFacts, CaseLedger, Claim, IncomingPayment
from ledger.domain.case_ledger import registration_entry as registration
from ledger.domain.components import DEFAULT_ORDER, Component, expand_order
from ledger.domain.fees import FeeCharge
from ledger.domain.rates import RateBook
from ledger.service_layer.events import balance_changed

from .rate_fixtures import shipped_book

pytestmark = pytest.mark.unit

RATES = shipped_book()


def fee(key: str, amount: int, on: date) -> FeeCharge:
    return FeeCharge(key, key, Component.COLLECTION_FEES, amount, on, key, ())


def example() -> CaseLedger:
    facts = CaseFacts(
        case_id=uuid.uuid4(),
        creditor_id=uuid.uuid4(),
        kid="1000170",
        debtor_kind="person",
        currency="NOK",
        claims=(Claim(uuid.uuid4(), date(2023, 5, 15), 1_000_000, 0),),
    )
    ledger = CaseLedger(facts=facts)
    ledger.apply(registration(facts))
    ledger.charge_fee(fee("inkassovarsel", 3_500, date(2023, 6, 5)))
    ledger.charge_fee(fee("salaer_lett", 56_000, date(2023, 6, 26)))
    ledger.take_payment(
        IncomingPayment(uuid.uuid4(), 400_000, date(2023, 8, 1)),
        RATES,
        expand_order(DEFAULT_ORDER),
        "actual/actual",
    )
    return ledger


def test_the_payments_event_states_the_rate_and_the_interest_to_its_day() -> None:
    event = balance_changed(
        example(),
        cause="payment",
        effective_date=date(2023, 8, 1),
        rates=RATES,
        day_count="actual/actual",
    )
    assert (event.principal_ore, event.interest_ore, event.costs_ore) == (683_349, 0, 0)
    assert event.interest_rate_percent == Decimal("11.75")
    assert (event.interest_rate_from, event.interest_rate_to) == (
        date(2023, 7, 1),
        date(2023, 12, 31),
    )
    assert event.interest is not None
    assert (event.interest.through, event.interest.accrued_ore) == (date(2023, 8, 1), 23_849)
    assert (event.interest.outstanding_ore, event.interest.balance_ore) == (0, 683_349)
    assert [
        (p.first, p.last, p.days, p.principal_ore, p.interest_ore) for p in event.interest.periods
    ] == [
        (date(2023, 5, 16), date(2023, 6, 30), 46, 1_000_000, 13_548),
        (date(2023, 7, 1), date(2023, 8, 1), 32, 1_000_000, 10_301),
    ]


def test_a_later_event_states_interest_accrued_since_though_not_booked() -> None:
    event = balance_changed(
        example(),
        cause="step",
        effective_date=date(2023, 8, 31),
        rates=RATES,
        day_count="actual/actual",
    )
    assert event.interest_ore == 0  # as booked: interest is booked at the next payment
    assert event.interest is not None
    assert (event.interest.accrued_ore, event.interest.outstanding_ore) == (30_449, 6_600)
    assert event.interest.balance_ore == 689_949
    assert [
        (p.first, p.last, p.rate_percent, p.rate_from, p.interest_ore)
        for p in event.interest.periods
    ] == [
        (date(2023, 5, 16), date(2023, 6, 30), Decimal("10.75"), date(2023, 1, 1), 13_548),
        (date(2023, 7, 1), date(2023, 8, 1), Decimal("11.75"), date(2023, 7, 1), 10_301),
        (date(2023, 8, 2), date(2023, 8, 31), Decimal("11.75"), date(2023, 7, 1), 6_600),
    ]
    wire = event.model_dump(mode="json")
    assert wire["interest_rate_percent"] == "11.75"


def test_a_case_closed_unpaid_counts_interest_to_its_closing_day() -> None:
    ledger = example()
    ledger.facts = replace(ledger.facts, closed_on=date(2023, 8, 1), close_reason="withdrawn")
    event = balance_changed(
        ledger,
        cause="closed",
        effective_date=date(2023, 9, 30),
        rates=RATES,
        day_count="actual/actual",
    )
    assert event.interest is not None
    assert (event.interest.through, event.interest.accrued_ore) == (date(2023, 8, 1), 23_849)


def test_without_a_confirmed_rate_the_interest_fields_are_left_out() -> None:
    event = balance_changed(
        example(),
        cause="step",
        effective_date=date(2023, 8, 31),
        rates=RateBook([]),
        day_count="actual/actual",
    )
    assert event.interest_rate_percent is None
    assert event.interest is None
    assert event.balance_ore == 683_349
