"""Allocation of payments: the creditor's order, the debtor's designation, overpayment."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from ledger.domain.allocation import allocate
from ledger.domain.components import (
    DEFAULT_ORDER,
    Component,
    InvalidOrder,
    expand_designation,
    expand_order,
)

pytestmark = pytest.mark.unit

OWED = {
    Component.PRINCIPAL: 1_000_000,
    Component.INTEREST: 10_000,
    Component.REMINDER_FEES: 3_500,
    Component.COLLECTION_FEES: 56_000,
    Component.COURT_FEES: 0,
}


def test_default_order_is_costs_then_interest_then_principal() -> None:
    split = allocate(100_000, OWED, expand_order(DEFAULT_ORDER))
    assert split.covered == {
        Component.COLLECTION_FEES: 56_000,
        Component.REMINDER_FEES: 3_500,
        Component.INTEREST: 10_000,
        Component.PRINCIPAL: 30_500,
    }
    assert split.overpaid_ore == 0


def test_a_creditor_order_like_sveas_covers_principal_before_salaer() -> None:
    order = expand_order(
        ["court_fees", "principal", "collection_fees", "interest", "reminder_fees"]
    )
    split = allocate(1_050_000, OWED, order)
    assert split.covered == {Component.PRINCIPAL: 1_000_000, Component.COLLECTION_FEES: 50_000}


def test_the_debtors_designation_comes_first() -> None:
    split = allocate(20_000, OWED, expand_order(DEFAULT_ORDER), expand_designation(["principal"]))
    assert split.covered == {Component.PRINCIPAL: 20_000}


def test_what_is_left_is_an_overpayment() -> None:
    split = allocate(2_000_000, OWED, expand_order(DEFAULT_ORDER))
    assert sum(split.covered.values()) == sum(OWED.values())
    assert split.overpaid_ore == 2_000_000 - sum(OWED.values())


def test_an_order_must_name_every_component_once() -> None:
    with pytest.raises(InvalidOrder):
        expand_order(["costs", "interest"])
    with pytest.raises(InvalidOrder):
        expand_order(["costs", "interest", "principal", "court_fees"])
    with pytest.raises(InvalidOrder):
        expand_order(["bribes"])


@settings(max_examples=200, deadline=None)
@given(
    amount=st.integers(1, 10**10),
    owed=st.dictionaries(st.sampled_from(list(Component)), st.integers(0, 10**8)),
    designation=st.lists(st.sampled_from(list(Component)), unique=True),
    order=st.permutations(list(Component)),
)
def test_an_allocation_never_covers_more_than_owed_and_accounts_for_every_ore(
    amount: int,
    owed: dict[Component, int],
    designation: list[Component],
    order: list[Component],
) -> None:
    split = allocate(amount, owed, order, designation)
    assert all(0 < v <= owed.get(c, 0) for c, v in split.covered.items())
    assert sum(split.covered.values()) + split.overpaid_ore == amount
    if split.overpaid_ore:
        assert all(split.covered.get(c, 0) == v for c, v in owed.items())


def _cover_in_turn(
    owed: dict[Component, int], payments: list[tuple[int, tuple[Component, ...]]]
) -> tuple[dict[Component, int], int]:
    left, covered, overpaid = dict(owed), dict.fromkeys(Component, 0), 0
    for amount, designation in payments:
        split = allocate(amount, left, expand_order(DEFAULT_ORDER), designation)
        for component, part in split.covered.items():
            left[component] -= part
            covered[component] += part
        overpaid += split.overpaid_ore
    return covered, overpaid


@settings(max_examples=300)
@given(
    owed=st.fixed_dictionaries({c: st.integers(0, 200_000) for c in Component}),
    payments=st.lists(
        st.tuples(
            st.integers(1, 300_000),
            st.sampled_from([()] + [(c,) for c in Component]),
        ),
        min_size=2,
        max_size=5,
    ),
    data=st.data(),
)
def test_payments_of_one_day_cover_the_same_together_in_any_order(
    owed: dict[Component, int],
    payments: list[tuple[int, tuple[Component, ...]]],
    data: st.DataObject,
) -> None:
    """Payments of one value date are booked in the order they arrive (ADR 13): what they
    cover together does not depend on it when each names at most one component."""
    other = data.draw(st.permutations(payments))
    assert _cover_in_turn(owed, payments) == _cover_in_turn(owed, list(other))


def test_two_designated_components_can_make_one_days_order_matter() -> None:
    """Why ADR 13 names the exception: interest and principal 137 each, collection fees
    100; NOK 0.85 for interest, NOK 0.77 for principal then interest, NOK 0.77 for
    principal. Taken in that order interest gets 85 + 0 + 0 (principal 77 + 60, then the
    last 17 goes to costs); with the last two swapped interest gets 85 + 17."""
    owed = {
        Component.PRINCIPAL: 137,
        Component.INTEREST: 137,
        Component.REMINDER_FEES: 0,
        Component.COLLECTION_FEES: 100,
        Component.COURT_FEES: 0,
    }
    p, i = Component.PRINCIPAL, Component.INTEREST
    one = _cover_in_turn(owed, [(85, (i,)), (77, (p, i)), (77, (p,))])
    two = _cover_in_turn(owed, [(85, (i,)), (77, (p,)), (77, (p, i))])
    assert (one[0][i], one[0][Component.COLLECTION_FEES]) == (85, 17)
    assert (two[0][i], two[0][Component.COLLECTION_FEES]) == (102, 0)
