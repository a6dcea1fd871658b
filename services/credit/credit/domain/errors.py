"""Errors the credit service answers on purpose, each with a stable ``type`` code.

Rendered as problem+json; the portal translates the codes (and the field codes in
``errors``), so no English sentence here is meant for a Norwegian page.
"""

from __future__ import annotations

from typing import Any

from servicekit.errors import DomainError


class InvalidInput(DomainError):
    """A field the service cannot use; ``errors`` names the field and its code."""

    status, type, title = 422, "validation-error", "Invalid request"

    def __init__(self, field: str, code: str) -> None:
        super().__init__(
            f"{field}: {code}", errors=[{"field": field, "reason": code, "code": code}]
        )


class PriceChanged(DomainError):
    status, type, title = 409, "price-changed", "The price has changed"


class ProductNotOffered(DomainError):
    status, type, title = 422, "product-not-offered", "The product is not offered"


class OutsideAgreementProblem(DomainError):
    """The order uses a product or purpose the creditor's agreement does not allow;
    ``errors`` names the field (``product-not-in-agreement``, ``purpose-not-in-agreement``)."""

    status, type, title = 422, "outside-agreement", "Not in the creditor's agreement"

    def __init__(self, field: str, code: str) -> None:
        super().__init__(
            "The agency's agreement with your organisation does not allow this order.",
            errors=[{"field": field, "reason": code, "code": code}],
        )


class ReportNotAvailable(DomainError):
    status, type, title = 409, "report-not-available", "The order has no report"


class CreditorNotEnabled(DomainError):
    status, type, title = 403, "creditor-not-enabled", "The creditor cannot order credit reports"


class OrderProblem(DomainError):
    """An order that failed or is in doubt: the problem names the order and its state."""

    def __init__(
        self,
        status: int,
        code: str,
        title: str,
        detail: str,
        extensions: dict[str, Any],
        headers: dict[str, str] | None = None,
        errors: list[dict[str, Any]] | None = None,
    ) -> None:
        super().__init__(detail, errors=errors)
        self.status = status
        self.type = code
        self.title = title
        self.extensions = extensions
        self.headers = headers
