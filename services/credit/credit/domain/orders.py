"""A credit report order and the states it goes through (pure).

``pending`` (recorded, on its way to the bureau) → ``completed`` (a report came back) or
``failed`` (the bureau refused or failed: nothing was bought) or ``unknown`` (the order
reached the bureau but no answer came back: a timeout, a reset, a broken body). An
``unknown`` order is never ordered again (a person report twice would charge twice and
send a second copy letter); it is reconciled by its reference at the bureau, to
``completed`` or ``failed``. Only a ``completed`` order is charged.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Final


class OrderStatus(StrEnum):
    PENDING = "pending"
    COMPLETED = "completed"
    FAILED = "failed"
    UNKNOWN = "unknown"


TRANSITIONS: Final[dict[OrderStatus, frozenset[OrderStatus]]] = {
    OrderStatus.PENDING: frozenset(
        {OrderStatus.COMPLETED, OrderStatus.FAILED, OrderStatus.UNKNOWN}
    ),
    OrderStatus.UNKNOWN: frozenset({OrderStatus.COMPLETED, OrderStatus.FAILED}),
    OrderStatus.COMPLETED: frozenset(),
    OrderStatus.FAILED: frozenset(),
}


class FailureCode(StrEnum):
    """Why an order failed or is in doubt (stored on the order, answered as a problem code)."""

    NO_MATCH = "no-match"
    SUBJECT_BLOCKED = "subject-blocked"
    PRODUCT_NOT_IN_CONTRACT = "product-not-in-contract"
    BUREAU_UNAVAILABLE = "bureau-unavailable"
    BUREAU_ERROR = "bureau-error"
    BUREAU_TIMEOUT = "bureau-timeout"
    NOT_RECEIVED = "not-received-by-bureau"


class IllegalTransition(Exception):
    def __init__(self, current: OrderStatus, wanted: OrderStatus) -> None:
        super().__init__(f"an order cannot go from {current} to {wanted}")
        self.current = current
        self.wanted = wanted


def transition(current: OrderStatus, wanted: OrderStatus) -> OrderStatus:
    if wanted not in TRANSITIONS[current]:
        raise IllegalTransition(current, wanted)
    return wanted


def is_settled(status: OrderStatus) -> bool:
    """Whether the order's outcome is final (completed or failed)."""
    return not TRANSITIONS[status]
