"""Prometheus metrics shared by every service (one registry per process)."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

HTTP_REQUESTS = Counter(
    "http_requests_total", "HTTP requests handled", ["service", "method", "route", "status"]
)
HTTP_LATENCY = Histogram(
    "http_request_duration_seconds",
    "HTTP request latency",
    ["service", "method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
OUTBOX_BACKLOG = Gauge("outbox_backlog", "Events in the outbox not yet published", ["service"])
OUTBOX_OLDEST_AGE = Gauge(
    "outbox_oldest_age_seconds", "Age of the oldest unpublished outbox event", ["service"]
)
OUTBOX_PUBLISHED = Counter(
    "outbox_published_total", "Events published and confirmed by the broker", ["service"]
)
OUTBOX_PUBLISH_FAILURES = Counter(
    "outbox_publish_failures_total", "Outbox publish attempts that failed", ["service"]
)
CONSUMER_MESSAGES = Counter(
    "consumer_messages_total",
    "Messages consumed, by outcome (handled, duplicate, retried, dead_lettered, ignored)",
    ["service", "queue", "outcome"],
)
CONSUMER_PAUSED = Gauge(
    "consumer_paused", "1 while the consumer waits for its database to return", ["service", "queue"]
)
QUEUE_DEPTH = Gauge("queue_messages_ready", "Messages waiting in a queue", ["service", "queue"])
DEAD_LETTERS = Gauge("dead_letters", "Messages in a dead-letter queue", ["service", "queue"])
CONSUMER_EVENT_AGE = Histogram(
    "consumer_event_age_seconds",
    "Consumer lag: time from an event's occurrence until its consumer applied it",
    ["service", "queue"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600),
)
SERVICE_READY = Gauge(
    "service_ready", "1 while every dependency of the service answers (/health/ready)", ["service"]
)
WORKER_LAST_RUN = Gauge(
    "worker_last_run_timestamp_seconds",
    "Unix time a background worker last finished a pass (scheduler, importer, …)",
    ["service", "worker"],
)
WORKER_ITEMS = Counter(
    "worker_items_total",
    "Items a background worker handled (cases advanced, rows imported, letters posted, …)",
    ["service", "worker"],
)


def worker_pass(service: str, worker: str, items: int = 0) -> None:
    """Record one finished pass of a background worker and what it handled."""
    WORKER_LAST_RUN.labels(service, worker).set_to_current_time()
    if items:
        WORKER_ITEMS.labels(service, worker).inc(items)
