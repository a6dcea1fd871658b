"""The PromQL behind every ops dashboard, in one place (pure: no I/O, no dependencies).

The gateway's ``/ops`` pages draw these panels from Prometheus's HTTP API, and
``deploy/observability/grafana/generate.py`` writes the same panels as Grafana dashboards,
so a query fixed here is fixed on both. Recording and alert rules may reuse the
expressions (:func:`request_rate` …) rather than write their own.

The metric names are servicekit's (:mod:`servicekit.metrics`) and the Prometheus client's
process collector; every series carries the ``service`` label (servicekit sets it on its
own metrics; the scrape configuration sets it as a target label for the process metrics).
Labels are low-cardinality: ``service``, ``queue``, ``route``, ``status``, ``outcome``.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

SERVICES: tuple[str, ...] = (
    "auth",
    "cases",
    "ledger",
    "reports",
    "credit",
    "integrations",
    "webhooks",
    "gateway",
)
"""The processes with dashboards: the seven services and the gateway (same order as /ops)."""

WINDOW = "5m"
"""The rate window of every panel."""

QUANTILES: tuple[float, ...] = (0.5, 0.95, 0.99)


class Kind(StrEnum):
    TIMESERIES = "timeseries"
    """A line chart over the last hour (a range query)."""
    TABLE = "table"
    """One value per label set, now (an instant query): per queue, per service."""


class Unit(StrEnum):
    """Grafana's unit ids; the gateway formats values by them too."""

    PER_SECOND = "reqps"
    RATIO = "percentunit"
    SECONDS = "s"
    COUNT = "short"


@dataclass(frozen=True)
class Target:
    expr: str
    legend: str
    """What one series is called: fixed text, or ``{{label}}`` for a label's value."""
    unit: Unit | None = None
    """This target's unit when it is not the panel's (a table's column)."""
    alarm: bool = False
    """Any value above zero needs an operator (dead letters, a paused consumer)."""


@dataclass(frozen=True)
class Panel:
    key: str
    """Stable id (the gateway's anchor, Grafana's panel id is derived from the order)."""
    title: str
    kind: Kind
    unit: Unit
    targets: tuple[Target, ...]
    description: str = ""


def _sel(service: str, **labels: str) -> str:
    """A label selector: ``{service="cases",status=~"5.."}`` (values are ours, not input)."""
    if service not in SERVICES:
        raise ValueError(f"unknown service {service!r}")
    parts = [f'service="{service}"']
    for name, value in labels.items():
        op = "=~" if any(c in value for c in "|.*") else "="
        parts.append(f'{name}{op}"{value}"')
    return "{" + ",".join(parts) + "}"


def request_rate(service: str) -> str:
    return f"sum(rate(http_requests_total{_sel(service)}[{WINDOW}]))"


def error_ratio(service: str) -> str:
    """Share of requests answered 5xx (0 when there is traffic and no errors)."""
    errors = f"sum(rate(http_requests_total{_sel(service, status='5..')}[{WINDOW}]))"
    return f"({errors} or vector(0)) / {request_rate(service)}"


def latency_quantile(service: str, quantile: float) -> str:
    buckets = f"rate(http_request_duration_seconds_bucket{_sel(service)}[{WINDOW}])"
    return f"histogram_quantile({quantile}, sum by (le) ({buckets}))"


def outbox_backlog(service: str) -> str:
    return f"max(outbox_backlog{_sel(service)})"


def outbox_oldest_age(service: str) -> str:
    return f"max(outbox_oldest_age_seconds{_sel(service)})"


def queue_depth(service: str) -> str:
    return f"max by (queue) (queue_messages_ready{_sel(service)})"


def consumer_rate(service: str) -> str:
    """Messages finished per second (handled, duplicate or ignored), per queue."""
    done = _sel(service, outcome="handled|duplicate|ignored")
    return f"sum by (queue) (rate(consumer_messages_total{done}[{WINDOW}]))"


def consumer_lag(service: str) -> str:
    """Seconds the waiting messages take at the present consumption rate, per queue."""
    return f"{queue_depth(service)} / clamp_min({consumer_rate(service)}, 0.001)"


def dead_letters(service: str) -> str:
    return f"max by (queue) (dead_letters{_sel(service)})"


def consumer_paused(service: str) -> str:
    return f"max by (queue) (consumer_paused{_sel(service)})"


def restarts(service: str) -> str:
    """Process starts in the last hour beyond the first (a supervisor's restarts)."""
    return f"sum(changes(process_start_time_seconds{_sel(service)}[1h]))"


def up(service: str) -> str:
    return f"min(up{_sel(service)})"


def service_panels(service: str) -> tuple[Panel, ...]:
    """The panels of one service's dashboard, in page order."""
    panels = [
        Panel(
            "requests",
            "Forespørsler per sekund",
            Kind.TIMESERIES,
            Unit.PER_SECOND,
            (Target(request_rate(service), "forespørsler/s"),),
        ),
        Panel(
            "errors",
            "Feilandel (5xx)",
            Kind.TIMESERIES,
            Unit.RATIO,
            (Target(error_ratio(service), "5xx-andel"),),
        ),
        Panel(
            "latency",
            "Svartid p50/p95/p99",
            Kind.TIMESERIES,
            Unit.SECONDS,
            tuple(Target(latency_quantile(service, q), f"p{round(q * 100)}") for q in QUANTILES),
        ),
    ]
    if service == "gateway":
        return tuple(panels)
    panels += [
        Panel(
            "outbox",
            "Outbox: ventende hendelser",
            Kind.TIMESERIES,
            Unit.COUNT,
            (Target(outbox_backlog(service), "ventende"),),
        ),
        Panel(
            "outbox_age",
            "Outbox: alder på eldste hendelse",
            Kind.TIMESERIES,
            Unit.SECONDS,
            (Target(outbox_oldest_age(service), "eldste"),),
        ),
        Panel(
            "queues",
            "Køer nå",
            Kind.TABLE,
            Unit.COUNT,
            (
                Target(queue_depth(service), "dybde"),
                Target(consumer_rate(service), "meldinger/s", Unit.PER_SECOND),
                Target(consumer_lag(service), "etterslep", Unit.SECONDS),
                Target(dead_letters(service), "døde meldinger", alarm=True),
                Target(consumer_paused(service), "pauset", alarm=True),
            ),
            "Per kø: meldinger som venter, hvor fort konsumenten tar dem, omtrentlig "
            "tid til køen er tom, meldinger i dead-letter-køen og om konsumenten venter "
            "på databasen.",
        ),
    ]
    panels.append(
        Panel(
            "restarts",
            "Omstarter siste time",
            Kind.TABLE,
            Unit.COUNT,
            (Target(restarts(service), "omstarter"),),
        )
    )
    return tuple(panels)


def overview_panels() -> tuple[Panel, ...]:
    """The overview: every service side by side."""
    rate = f"sum by (service) (rate(http_requests_total[{WINDOW}]))"
    errors = f'sum by (service) (rate(http_requests_total{{status=~"5.."}}[{WINDOW}]))'
    p99 = (
        "histogram_quantile(0.99, sum by (service, le) "
        f"(rate(http_request_duration_seconds_bucket[{WINDOW}])))"
    )
    return (
        Panel(
            "overview",
            "Tjenestene nå",
            Kind.TABLE,
            Unit.COUNT,
            (
                Target(rate, "forespørsler", Unit.PER_SECOND),
                Target(f"({errors} or {rate} * 0) / {rate}", "5xx-andel", Unit.RATIO),
                Target(p99, "p99", Unit.SECONDS),
                Target("sum by (service) (dead_letters)", "døde meldinger", alarm=True),
                Target(
                    "max by (service) (outbox_oldest_age_seconds)", "eldste i outbox", Unit.SECONDS
                ),
            ),
        ),
        Panel(
            "overview_requests",
            "Forespørsler per sekund",
            Kind.TIMESERIES,
            Unit.PER_SECOND,
            (Target(rate, "{{service}}"),),
        ),
        Panel(
            "overview_errors",
            "Feilandel (5xx)",
            Kind.TIMESERIES,
            Unit.RATIO,
            (Target(f"({errors} or {rate} * 0) / {rate}", "{{service}}"),),
        ),
        Panel(
            "overview_p99",
            "Svartid p99",
            Kind.TIMESERIES,
            Unit.SECONDS,
            (Target(p99, "{{service}}"),),
        ),
    )
