"""The route table: the explicit allow-list of what the gateway forwards, and to whom.

Only paths under one of these prefixes reach a service; anything else under ``/api``
is answered 404 by the gateway itself. The path is forwarded unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Route:
    prefix: str
    """Path prefix, matched on whole segments (never ``/api/v1/casesx`` for ``/api/v1/cases``)."""
    service: str
    """Name of the service that owns the prefix (a key of ``GatewaySettings.service_urls``)."""

    def matches(self, path: str) -> bool:
        return path == self.prefix or path.startswith(self.prefix + "/")


ROUTES: tuple[Route, ...] = (
    Route("/api/v1/auth", "auth"),
    Route("/api/v1/cases", "cases"),
    Route("/api/v1/ledger", "ledger"),
    Route("/api/v1/reports", "reports"),
    Route("/api/v1/credit", "credit"),
    Route("/api/v1/integrations", "integrations"),
    Route("/api/v1/webhooks", "webhooks"),
)

SERVICES: tuple[str, ...] = tuple(route.service for route in ROUTES)


def has_dot_segment(path: str) -> bool:
    """True when ``path`` has a ``.`` or ``..`` segment.

    HTTP clients (httpx among them) remove dot segments before sending, so
    ``/api/v1/auth/../cases/x`` would be routed to ``auth`` but arrive at ``auth`` as
    ``/api/v1/cases/x``. The gateway refuses such paths instead of guessing.
    """
    return any(segment in (".", "..") for segment in path.split("/"))


def resolve(path: str, raw_path: str | None = None) -> Route | None:
    """The route for a request path (decoded), or ``None`` when nothing may serve it.

    ``raw_path`` is the path as sent (still percent-encoded); it is checked for dot
    segments too because that is what gets forwarded.
    """
    if has_dot_segment(path) or (raw_path is not None and has_dot_segment(raw_path)):
        return None
    for route in ROUTES:
        if route.matches(path):
            return route
    return None


def route_for_service(service: str) -> Route:
    for route in ROUTES:
        if route.service == service:
            return route
    raise KeyError(service)
