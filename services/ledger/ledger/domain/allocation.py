"""Allocation of a payment to a case's components (dekningsrekkefølge).

There is no statutory order: the debtor may designate what a voluntary payment covers, and
otherwise the creditor's agreement decides (default: costs, then interest, then principal).
What is left when everything is covered is an overpayment, refundable to the debtor.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ledger.domain.components import Component


@dataclass(frozen=True, slots=True)
class Allocation:
    """How one payment was split; ``order`` is the order actually used."""

    amount_ore: int
    covered: Mapping[Component, int]
    overpaid_ore: int
    order: tuple[Component, ...]

    def __post_init__(self) -> None:
        if sum(self.covered.values()) + self.overpaid_ore != self.amount_ore:
            raise AssertionError("an allocation must account for the whole payment")


def allocate(
    amount_ore: int,
    outstanding: Mapping[Component, int],
    order: Sequence[Component],
    designation: Sequence[Component] = (),
) -> Allocation:
    """Split ``amount_ore`` over the outstanding components.

    Designated components are covered first (in the debtor's order), then the rest in
    ``order``; nothing is covered beyond what is outstanding.
    """
    if amount_ore <= 0:
        raise ValueError("only a positive payment is allocated")
    sequence = list(designation) + [c for c in order if c not in designation]
    left = amount_ore
    covered: dict[Component, int] = {}
    for component in sequence:
        due = max(outstanding.get(component, 0), 0)
        take = min(due, left)
        if take:
            covered[component] = take
            left -= take
        if not left:
            break
    return Allocation(amount_ore, covered, left, tuple(sequence))
