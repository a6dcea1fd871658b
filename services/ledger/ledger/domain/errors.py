"""Errors of the ledger a caller can act on (rendered as problem+json)."""

from __future__ import annotations

from servicekit.errors import Conflict, DomainError, NotFound


class CaseNotFound(NotFound):
    type, title = "case-not-found", "No such case"


class PaymentNotFound(NotFound):
    type, title = "payment-not-found", "No such payment"


class SettlementNotFound(NotFound):
    type, title = "settlement-not-found", "No such settlement"


class RateNotFound(NotFound):
    type, title = "rate-not-found", "No such rate"


class UnmatchedAlreadyResolved(Conflict):
    type, title = "already-resolved", "Already resolved"


class WrongPaymentState(Conflict):
    type, title = "payment-state", "Not possible for this payment"


class SettlementStateConflict(Conflict):
    type, title = "settlement-state", "Not possible for this settlement"


class RateAlreadyConfirmed(Conflict):
    type, title = "rate-confirmed", "Rate already confirmed"


class InvalidInput(DomainError):
    """A value the ledger cannot use; ``errors`` names the field and why."""

    status, type, title = 422, "validation-error", "Invalid request"

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}", errors=[{"field": field, "reason": reason}])


class RateSourceRefused(DomainError):
    """A confirmed figure's source that is not a primary one (``code``
    ``source-not-primary``) or not an https address (``source-not-https``); the field error
    names the ``host`` given and the hosts ``allowed``, for the portal's words."""

    status, type, title = 422, "validation-error", "Invalid request"

    def __init__(self, code: str, host: str, allowed: str) -> None:
        reason = f"not an https page of a primary source ({allowed})"
        super().__init__(
            f"source_url: {reason}",
            errors=[
                {
                    "field": "source_url",
                    "reason": reason,
                    "code": code,
                    "host": host,
                    "allowed": allowed,
                }
            ],
        )


class BankFileRejected(DomainError):
    """A bank file that cannot be imported (every problem is listed)."""

    status, type, title = 422, "bank-file-rejected", "Bank file rejected"
