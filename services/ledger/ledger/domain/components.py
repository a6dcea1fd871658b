"""What a debtor owes on a case, by component, and who each component belongs to."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from enum import StrEnum


class Component(StrEnum):
    """A part of a case's debt; each is an account of the case."""

    PRINCIPAL = "principal"
    """Hovedstol: the claims' unpaid principal (the creditor's)."""
    INTEREST = "interest"
    """Forsinkelsesrente accrued (the creditor's)."""
    REMINDER_FEES = "reminder_fees"
    """Purregebyr the creditor charged before handing the case over (the creditor's)."""
    COLLECTION_FEES = "collection_fees"
    """Inkassovarsel fee and inkassosalær (the agency's)."""
    COURT_FEES = "court_fees"
    """Rettsgebyr for legal steps, advanced by the agency (offentlige gebyrer; the agency's)."""


COSTS = "costs"
"""The group name for every fee component in an allocation order."""

COST_COMPONENTS: tuple[Component, ...] = (
    Component.COURT_FEES,
    Component.COLLECTION_FEES,
    Component.REMINDER_FEES,
)
"""Costs in the order they are covered inside the group ``costs`` (public fees first)."""

CREDITOR_COMPONENTS = frozenset({Component.PRINCIPAL, Component.INTEREST, Component.REMINDER_FEES})
AGENCY_COMPONENTS = frozenset({Component.COLLECTION_FEES, Component.COURT_FEES})

DEFAULT_ORDER: tuple[str, ...] = (COSTS, Component.INTEREST.value, Component.PRINCIPAL.value)
"""The industry default (dekningsrekkefølge): costs, then interest, then principal."""


class InvalidOrder(ValueError):
    """An allocation order that does not name every component exactly once."""


def expand_order(order: Iterable[str]) -> tuple[Component, ...]:
    """Components in the order ``order`` names them (``costs`` stands for all fees).

    Every component must appear exactly once.
    """
    expanded: list[Component] = []
    for name in order:
        if name == COSTS:
            expanded.extend(COST_COMPONENTS)
            continue
        try:
            expanded.append(Component(name))
        except ValueError as exc:
            raise InvalidOrder(f"unknown component {name!r}") from exc
    if len(set(expanded)) != len(expanded) or set(expanded) != set(Component):
        raise InvalidOrder(
            "the order must name every component exactly once "
            f"({', '.join(c.value for c in Component)}, or 'costs' for the three fees)"
        )
    return tuple(expanded)


def expand_designation(names: Iterable[str]) -> tuple[Component, ...]:
    """Components a debtor designated, in order (``costs`` for all fees); no repeats."""
    expanded: list[Component] = []
    for name in names:
        group = COST_COMPONENTS if name == COSTS else (Component(name),)
        expanded.extend(c for c in group if c not in expanded)
    return tuple(expanded)


def creditor_share(amounts: Mapping[Component, int]) -> int:
    return sum(v for c, v in amounts.items() if c in CREDITOR_COMPONENTS)


def agency_share(amounts: Mapping[Component, int]) -> int:
    return sum(v for c, v in amounts.items() if c in AGENCY_COMPONENTS)
