"""Prometheus and the PostgreSQL exporter of one stack, and the config they run with.

:func:`monitoring_table` gives their two processes (they run under the same supervisor as
the rest, only when Debian's ``prometheus`` and ``prometheus-postgres-exporter`` are
installed: ``deploy/local/install.sh --observability``). :func:`write_prometheus_config`
renders ``deploy/observability/prometheus.yml.in`` with the stack's real ports: one job per
service listing its processes (API on its HTTP port, the others on their metrics port)
with the service's metrics token, the gateway, RabbitMQ and the exporter.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from string import Template
from urllib.parse import urlsplit

RABBITMQ_PROMETHEUS_PORT = 15692
"""Where RabbitMQ's ``rabbitmq_prometheus`` plugin answers (``/metrics``)."""
JOBS: tuple[str, ...] = (
    "auth",
    "cases",
    "ledger",
    "reports",
    "credit",
    "integrations",
    "webhooks",
    "gateway",
)
"""The scrape jobs that list processes of the stack (targets files, one per job)."""
PROMETHEUS_BINARY = "prometheus"
EXPORTER_BINARY = "prometheus-postgres-exporter"


@dataclass(frozen=True)
class Target:
    """One process Prometheus scrapes: its job (service), address and labels."""

    job: str
    address: str
    process: str
    kind: str


@dataclass(frozen=True)
class PrometheusLayout:
    """Where one stack's Prometheus keeps its config, tokens, targets and data."""

    home: Path

    @property
    def config_file(self) -> Path:
        return self.home / "prometheus.yml"

    @property
    def tokens_dir(self) -> Path:
        return self.home / "tokens"

    @property
    def targets_dir(self) -> Path:
        return self.home / "targets"

    @property
    def extra_rules_dir(self) -> Path:
        """Rules of this stack only (a test's rule with a short ``for``), beside the shared."""
        return self.home / "rules.d"

    @property
    def data_dir(self) -> Path:
        return self.home / "data"


def template_path(root: Path) -> Path:
    return root / "deploy" / "observability" / "prometheus.yml.in"


def rules_dir(root: Path) -> Path:
    return root / "deploy" / "observability" / "rules"


def installed(binary: str) -> bool:
    return shutil.which(binary) is not None


def rabbitmq_address(amqp_url: str) -> str:
    """The broker's ``rabbitmq_prometheus`` endpoint (same host as AMQP)."""
    return f"{urlsplit(amqp_url).hostname or '127.0.0.1'}:{RABBITMQ_PROMETHEUS_PORT}"


def exporter_dsn(pg_admin_url: str) -> str:
    """The exporter's connection (the admin role: it reads the cluster's statistics)."""
    parts = urlsplit(pg_admin_url)
    query = parts.query + ("&" if parts.query else "") + "sslmode=disable"
    return parts._replace(query=query).geturl()


def render_config(
    root: Path,
    layout: PrometheusLayout,
    *,
    stack: str,
    scrape_interval: str,
    prometheus_address: str,
    rabbitmq: str,
    postgres_exporter: str,
) -> str:
    """The template with this stack's values (every ``${…}`` field must be given)."""
    seconds = float(scrape_interval.rstrip("s"))
    return Template(template_path(root).read_text(encoding="utf-8")).substitute(
        stack=stack,
        scrape_interval=scrape_interval,
        scrape_timeout=f"{int(min(seconds * 0.8, 10.0) * 1000)}ms",
        rules_dir=rules_dir(root),
        extra_rules_dir=layout.extra_rules_dir,
        tokens_dir=layout.tokens_dir,
        targets_dir=layout.targets_dir,
        prometheus_address=prometheus_address,
        rabbitmq_address=rabbitmq,
        postgres_exporter_address=postgres_exporter,
    )


def write_targets(layout: PrometheusLayout, targets: Iterable[Target]) -> None:
    """One file_sd file per job (an empty list for a job without processes)."""
    layout.targets_dir.mkdir(parents=True, exist_ok=True)
    by_job: dict[str, list[dict[str, object]]] = {job: [] for job in JOBS}
    for target in targets:
        by_job.setdefault(target.job, []).append(
            {
                "targets": [target.address],
                "labels": {"process": target.process, "kind": target.kind},
            }
        )
    for job, entries in by_job.items():
        _write(layout.targets_dir / f"{job}.json", json.dumps(entries, indent=2) + "\n")


def write_tokens(layout: PrometheusLayout, tokens: Mapping[str, str]) -> None:
    """Each job's metrics token in a file only this user reads (``credentials_file``)."""
    layout.tokens_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    for job in JOBS:
        _write(layout.tokens_dir / f"{job}.token", tokens.get(job, ""), private=True)


def _write(path: Path, text: str, *, private: bool = False) -> None:
    """Write atomically (Prometheus re-reads targets files as they change)."""
    partial = path.with_suffix(path.suffix + ".tmp")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600 if private else 0o644)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text)
    partial.replace(path)
