"""The gateway's own Prometheus metrics (HTTP request metrics come from servicekit)."""

from __future__ import annotations

from prometheus_client import Counter, Histogram

UPSTREAM_REQUESTS = Counter(
    "gateway_upstream_requests_total",
    "Requests forwarded to a service, by outcome (HTTP status, unavailable, timeout, bad_gateway)",
    ["upstream", "method", "outcome"],
)
UPSTREAM_LATENCY = Histogram(
    "gateway_upstream_response_seconds",
    "Time from forwarding a request until the service's response headers arrive",
    ["upstream"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
ACCESS_REFUSED = Counter(
    "gateway_access_refused_total",
    "API requests the gateway refused itself (no token, invalid token, session ended, "
    "CSRF, identity service unavailable)",
    ["reason"],
)
