"""Errors of the webhooks service, with stable codes the portal translates."""

from __future__ import annotations

from servicekit.errors import DomainError, NotFound


class InvalidInput(DomainError):
    """A field the service cannot use; ``errors`` names the field and its code."""

    status, type, title = 422, "validation-error", "Invalid request"

    def __init__(self, field: str, code: str) -> None:
        super().__init__(
            f"{field}: {code}", errors=[{"field": field, "reason": code, "code": code}]
        )


class EndpointNotFound(NotFound):
    """No endpoint of the caller's organisation has that id (another's is never hinted at)."""

    def __init__(self) -> None:
        super().__init__("No such webhook endpoint.")
