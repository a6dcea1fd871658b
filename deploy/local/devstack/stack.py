"""The stack: every process, its command, environment and port, in one table.

:func:`process_table` is the single list of what runs (the local supervisor, the
pytest fixtures and the Compose/Kubernetes consistency tests all read it).
:class:`Stack` provisions, migrates, starts, watches and stops one stack; a
:class:`StackConfig` makes a stack isolated (ports, database names, bus namespace), so a
test run can start a second stack beside the developer's own::

    stack = Stack(StackConfig.for_tests())
    stack.provision()
    stack.migrate()
    stack.start()
    stack.wait_ready(timeout=90)
    ...
    stack.kill("cases-relay")          # SIGKILL; it stays down
    stack.start_process("cases-relay")
    ...
    stack.teardown()                   # stop, drop databases and roles, delete queues
"""

from __future__ import annotations

import atexit
import contextlib
import importlib.util
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit, urlunsplit

from devstack import database, localenv, observability
from devstack.supervisor import Supervisor, read_state

SERVICES: tuple[str, ...] = (
    "auth",
    "cases",
    "ledger",
    "reports",
    "credit",
    "integrations",
    "webhooks",
)
"""Every service, in start order. Each runs an API, an outbox relay and a consumer."""

GATEWAY = "gateway"
MAIL_SINK = "mail-sink"
"""The local stand-in for the SMTP relay (``simulators.mail``): real SMTP, a read API."""
BUREAU = "bureau-simulator"
"""The local stand-in for the credit bureau (``simulators.bureau``): an Experian-like API."""
POST = "post-simulator"
"""The local stand-in for the print house / digital mailbox (``simulators.post``)."""
TRIPLETEX = "tripletex-simulator"
"""The local stand-in for the demo creditor's ERP (``simulators.tripletex``): Tripletex API v2."""
WEBHOOK_RECEIVER = "webhook-receiver"
"""The local stand-in for a creditor's system that receives webhooks
(``simulators.webhook_receiver``)."""
BUREAU_CLIENT_ID = "infocenter"
BUREAU_LATENCY_MS = 150
"""Median latency of the local bureau's report orders (its tail is long, as a real one's)."""
PROCESS_KINDS: tuple[str, ...] = ("api", "relay", "consumer")

TEST_STACK_READY_SECONDS = 300.0
"""How long a test waits for its stack: 37 processes start at once, and on a two-core
machine that is also running the other half of the suite they need well over a minute;
a process that exits is reported at once, so a long wait costs only a stuck start."""

PATIENT_AUTH_CHECKS: dict[str, str] = {
    f"{prefix}_AUTH_CHECK_TIMEOUT": "10"
    for prefix in ("GATEWAY", *(service.upper() for service in SERVICES))
}
"""A test stack's session checks wait 10 s for the identity service, not 2 s: they fail
closed (503), and on two cores shared by two stacks and the rest of the suite a page once
did at a moment of load. The fail-closed answer itself is tested in the gateway's and
servicekit's own tests."""

WORKERS: Mapping[str, tuple[str, ...]] = {
    "cases": ("scheduler", "importer"),
    "credit": ("reconciler",),
    "reports": ("worker", "poster", "renderer"),
    "integrations": ("connector",),
    "webhooks": ("sender",),
}
"""Background workers a service runs besides the three (``python -m <svc>.entrypoints.<w>``):
the cases workflow scheduler and the file-import worker; the credit reconciler (orders in
doubt settled with the bureau, old reports redacted); the reports poster (letters to debtors
handed to the post, retried until taken) and renderer (documents rendered out of the
consumer's transaction, ADR 0066); the integrations connector (creditors' ERPs
synced); the webhooks sender (signed deliveries, retried)."""
PROMETHEUS = "prometheus"
"""Prometheus of the stack (Debian's ``prometheus``): scrapes every process, evaluates the
rules of ``deploy/observability/rules``."""
POSTGRES_EXPORTER = "postgres-exporter"
"""Debian's ``prometheus-postgres-exporter``: the PostgreSQL cluster's statistics."""
METRICS_PROCESSES: tuple[str, ...] = tuple(
    f"{service}-{kind}"
    for service in SERVICES
    for kind in ("relay", "consumer", *WORKERS.get(service, ()))
)
"""Processes without an API: each serves ``/metrics`` on a port of its own
(``<PREFIX>_METRICS_PORT``, servicekit.metrics_server)."""
PORT_OFFSETS: Mapping[str, int] = {
    GATEWAY: 0,
    "auth": 1,
    "cases": 2,
    "ledger": 3,
    "reports": 4,
    "credit": 5,
    "integrations": 9,
    "webhooks": 6,
    "mail-smtp": 25,
    "mail-http": 26,
    "bureau": 27,
    "post": 28,
    "tripletex": 29,
    "webhook-receiver": 30,
    **{name: 40 + index for index, name in enumerate(METRICS_PROCESSES)},
    PROMETHEUS: 90,
    POSTGRES_EXPORTER: 91,
}
JWKS_PATH = "/api/v1/auth/.well-known/jwks.json"

ProcessKind = Literal["api", "relay", "consumer", "worker", "simulator", "monitor"]


def repo_root() -> Path:
    """The repository this package lives in (``INFOCENTER_ROOT`` overrides)."""
    override = os.environ.get("INFOCENTER_ROOT")
    if override:
        return Path(override).resolve()
    return Path(__file__).resolve().parents[3]


def env_prefix(service: str) -> str:
    """``cases`` → ``CASES_``: every setting of a service carries its prefix."""
    return f"{service.upper()}_"


@dataclass(frozen=True)
class ProcessSpec:
    """One process of the stack.

    ``command`` starts with ``python``: the supervisor runs it with its own interpreter
    (the workspace's virtual environment, as ``uv run --no-sync`` would); containers run
    it with the image's ``python``.
    """

    name: str
    service: str
    kind: ProcessKind
    command: tuple[str, ...]
    env: Mapping[str, str]
    port: int | None = None
    """The HTTP port (health checks go there)."""
    host: str = "127.0.0.1"
    source: str = ""
    """Directory (from the repository root) of the project holding the code it runs."""
    extra_ports: tuple[int, ...] = ()
    """Other ports it listens on (SMTP of the mail sink)."""
    health_path: str = "/health/ready"
    metrics_port: int | None = None
    """Where a process without an API serves ``/metrics`` (an API serves it on ``port``)."""

    def argv(self, python: str | None = None) -> list[str]:
        head, *rest = self.command
        if head == "python":
            head = python or sys.executable
        return [head, *rest]

    @property
    def module(self) -> str:
        """The module (``cases.entrypoints.relay``) or app (``cases.entrypoints.api:…``);
        for a program that is not Python (Prometheus), the program."""
        if self.command[0] != "python":
            return self.command[0]
        return self.command[3] if self.command[2] == "uvicorn" else self.command[2]

    @property
    def health_url(self) -> str | None:
        return f"http://{self.host}:{self.port}{self.health_path}" if self.port else None

    @property
    def ports(self) -> tuple[int, ...]:
        own = (self.port,) if self.port else ()
        metrics = (self.metrics_port,) if self.metrics_port else ()
        return own + self.extra_ports + metrics


@dataclass(frozen=True)
class StackConfig:
    """Everything that makes one stack distinct from another on the same machine."""

    name: str = "local"
    port_base: int = 8000
    db_prefix: str = "infocenter"
    bus_namespace: str = ""
    otlp_endpoint: str | None = None
    amqp_url: str = "amqp://guest:guest@127.0.0.1:5672/"
    pg_admin_url: str = "postgresql://postgres@127.0.0.1:5432/postgres"
    log_dir: Path = field(default_factory=lambda: repo_root() / "var" / "log")
    run_dir: Path = field(default_factory=lambda: repo_root() / "var" / "run")
    env_file: Path | None = field(default_factory=lambda: repo_root() / "var" / "local.env")
    """Where secrets persist; ``None``: generated in memory for this stack only."""
    environment: Literal["development", "test", "production"] = "development"
    host: str = "127.0.0.1"
    services: tuple[str, ...] = SERVICES
    root: Path = field(default_factory=repo_root)
    extra_env: Mapping[str, str] = field(default_factory=dict)
    """Set for every process, over the table's values (for example a test stack's looser
    rate limits); each process reads only the settings with its own prefix."""
    scrape_interval: str = "15s"
    """How often Prometheus scrapes and evaluates its rules (a test stack: every 5 s)."""

    @classmethod
    def local(cls) -> StackConfig:
        """The developer's stack (``make up``); infrastructure URLs may come from the env."""
        env = os.environ
        config = cls()
        return replace(
            config,
            port_base=int(env.get("INFOCENTER_PORT_BASE", config.port_base)),
            pg_admin_url=env.get("INFOCENTER_PG_ADMIN_URL", config.pg_admin_url),
            amqp_url=env.get("INFOCENTER_AMQP_URL", config.amqp_url),
            otlp_endpoint=env.get("INFOCENTER_OTLP_ENDPOINT") or None,
        )

    @classmethod
    def for_tests(
        cls,
        name: str | None = None,
        *,
        port_base: int | None = None,
        log_dir: Path | None = None,
        services: tuple[str, ...] = SERVICES,
    ) -> StackConfig:
        """An isolated stack: its own ports, database names, namespace and secrets.

        PostgreSQL and RabbitMQ come from ``INFOCENTER_TEST_PG_ADMIN_URL`` and
        ``INFOCENTER_TEST_AMQP_URL`` (as for servicekit's test fixtures).
        """
        run_id = uuid.uuid4().hex[:8]
        name = name or f"e2e-{run_id}"
        root = repo_root()
        env = os.environ
        return cls(
            name=name,
            port_base=port_base if port_base is not None else free_port_base(),
            db_prefix=f"ic_e2e_{run_id}",
            bus_namespace=f"e2e{run_id}.",
            amqp_url=env.get("INFOCENTER_TEST_AMQP_URL", cls.amqp_url),
            pg_admin_url=env.get("INFOCENTER_TEST_PG_ADMIN_URL", cls.pg_admin_url),
            log_dir=log_dir or root / "var" / "e2e" / name,
            run_dir=(log_dir or root / "var" / "e2e" / name) / "run",
            env_file=None,
            environment="test",
            services=services,
            root=root,
            # every 5 s, not 1 s: a test stack's Prometheus, its exporter and the 37
            # processes it scrapes took ~0.4 of a core of two at 1 s, for a few tests
            scrape_interval="5s",
        )

    @property
    def log_file(self) -> Path:
        return self.log_dir / "infocenter.log"

    @property
    def state_file(self) -> Path:
        return self.run_dir / "supervisor.json"

    @property
    def pid_file(self) -> Path:
        return self.run_dir / "supervisor.pid"

    def port(self, service: str) -> int:
        return self.port_base + PORT_OFFSETS[service]

    def database_name(self, service: str) -> str:
        """Database and owning role of a service (``infocenter_cases``)."""
        return f"{self.db_prefix}_{service}"

    @property
    def gateway_url(self) -> str:
        return f"http://{self.host}:{self.port(GATEWAY)}"

    @property
    def prometheus_url(self) -> str:
        return f"http://{self.host}:{self.port(PROMETHEUS)}"

    @property
    def prometheus_layout(self) -> observability.PrometheusLayout:
        """Config, tokens, targets and data of the stack's Prometheus (``var/prometheus``
        for ``make up``; beside the logs for a test stack)."""
        return observability.PrometheusLayout(self.run_dir.parent / "prometheus")

    @property
    def mail_dir(self) -> Path:
        """Where the mail sink keeps what it receives (relative to the root when inside)."""
        path = self.log_dir.parent / "mail"
        with contextlib.suppress(ValueError):
            return path.relative_to(self.root)
        return path


def free_port_base(start: int = 20000, stop: int = 32700, step: int = 100) -> int:
    """A base port such that every port of a stack (gateway, services, mail sink) is free.

    Blocks are ``step`` wide (more than a stack's span of ports) and each process starts
    from its own, so stacks started at the same moment by two processes (pytest-xdist
    workers) do not pick overlapping blocks before either has bound its ports. They stay
    below the kernel's ephemeral ports (``net.ipv4.ip_local_port_range``, 32768-60999 on
    Linux): an outgoing connection of any process may take one of those between the
    choice and the stack's start (a CI run lost its shared stack so, to port 39790)."""
    first = start + (os.getpid() * step) % (stop - start)
    candidates: list[int] = [*range(first, stop, step), *range(start, first, step)]
    for base in candidates:
        if all(port_free(base + offset) for offset in PORT_OFFSETS.values()):
            return base
    raise RuntimeError("no free block of ports for a test stack")


def port_free(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def _with_credentials(url: str, user: str, password: str, database: str, scheme: str) -> str:
    parts = urlsplit(url)
    netloc = f"{user}:{password}@{parts.hostname or '127.0.0.1'}:{parts.port or 5432}"
    return urlunsplit((scheme, netloc, f"/{database}", "", ""))


def database_url(
    config: StackConfig, secrets: localenv.Secrets, service: str, *, driver: str = "asyncpg"
) -> str:
    """SQLAlchemy URL of a service's own database, as its own role."""
    name = config.database_name(service)
    scheme = f"postgresql+{driver}" if driver else "postgresql"
    return _with_credentials(config.pg_admin_url, name, secrets.db_password(service), name, scheme)


def service_env(config: StackConfig, secrets: localenv.Secrets, service: str) -> dict[str, str]:
    """The ``<PREFIX>_*`` settings of one service (servicekit.settings.ServiceSettings)."""
    p = env_prefix(service)
    env = {
        f"{p}DATABASE_URL": database_url(config, secrets, service),
        f"{p}AMQP_URL": config.amqp_url,
        f"{p}BUS_NAMESPACE": config.bus_namespace,
        f"{p}HTTP_HOST": config.host,
        f"{p}HTTP_PORT": str(config.port(service)),
        f"{p}ENVIRONMENT": config.environment,
    }
    if config.otlp_endpoint:
        env[f"{p}OTLP_ENDPOINT"] = config.otlp_endpoint
    env[f"{p}JWKS_URL"] = f"http://{config.host}:{config.port('auth')}{JWKS_PATH}"
    # every service asks the identity service whether a token's session still lives
    env[f"{p}AUTH_URL"] = f"http://{config.host}:{config.port('auth')}"
    if service == "auth":
        env.update(
            {
                "AUTH_SMTP_HOST": config.host,
                "AUTH_SMTP_PORT": str(config.port("mail-smtp")),
                "AUTH_PORTAL_BASE_URL": config.gateway_url,
                "AUTH_INTERNAL_CALLERS": secrets.internal_callers(config.services),
            }
        )
    if service == "reports":
        env.update(
            {
                "REPORTS_SMTP_HOST": config.host,
                "REPORTS_SMTP_PORT": str(config.port("mail-smtp")),
                "REPORTS_PORTAL_BASE_URL": config.gateway_url,
            }
        )
        env["REPORTS_POST_URL"] = f"http://{config.host}:{config.port('post')}"
    if service == "credit":
        env.update(
            {
                "CREDIT_BUREAU_URL": f"http://{config.host}:{config.port('bureau')}",
                "CREDIT_BUREAU_CLIENT_ID": BUREAU_CLIENT_ID,
            }
        )
    if service == "integrations":
        env["INTEGRATIONS_TRIPLETEX_URL"] = f"http://{config.host}:{config.port('tripletex')}/v2"
    if service == "webhooks":
        env["WEBHOOKS_PORTAL_BASE_URL"] = config.gateway_url
        if config.environment != "production":
            # the local receiver simulator listens on loopback, which the guard refuses
            env["WEBHOOKS_ALLOWED_NETWORKS"] = f"{config.host}/32"
    env.update(secrets.service_secrets(service))
    return env


def gateway_env(config: StackConfig, secrets: localenv.Secrets) -> dict[str, str]:
    """The ``GATEWAY_*`` settings (gateway.settings.GatewaySettings)."""
    env = {
        "GATEWAY_HTTP_HOST": config.host,
        "GATEWAY_HTTP_PORT": str(config.port(GATEWAY)),
        "GATEWAY_ENVIRONMENT": config.environment,
        # No proxy in front of the local gateway: the connecting address is the client.
        # Behind a TLS proxy or an ingress, name its addresses here (Compose, Kubernetes).
        "GATEWAY_FORWARDED_ALLOW_IPS": "",
    }
    for service in SERVICES:
        env[f"GATEWAY_{service.upper()}_URL"] = f"http://{config.host}:{config.port(service)}"
    if config.otlp_endpoint:
        env["GATEWAY_OTLP_ENDPOINT"] = config.otlp_endpoint
    # the ops pages draw their charts from the stack's Prometheus (its HTTP API)
    env["GATEWAY_PROMETHEUS_URL"] = config.prometheus_url
    env.update(secrets.service_secrets(GATEWAY))
    return env


UVICORN_HARDENING: tuple[str, ...] = ("--no-proxy-headers", "--no-server-header")
"""uvicorn trusts X-Forwarded-For from loopback by default (a local client would choose
its own address: rate limits, audit) and names itself in a ``Server`` header; neither.
The gateway trusts only the proxies in ``GATEWAY_FORWARDED_ALLOW_IPS`` itself."""


def _uvicorn(app: str, host: str, port: int) -> tuple[str, ...]:
    return (
        *("python", "-m", "uvicorn", app, "--factory", "--host", host, "--port", str(port)),
        *UVICORN_HARDENING,
    )


def process_table(
    config: StackConfig, secrets: localenv.Secrets, services: Iterable[str] = SERVICES
) -> list[ProcessSpec]:
    """Every process of a stack: per service API, relay, consumer and workers; then the gateway."""
    common = {"PYTHONUNBUFFERED": "1", "INFOCENTER_STACK": config.name, **config.extra_env}
    smtp, http = config.port("mail-smtp"), config.port("mail-http")
    specs: list[ProcessSpec] = [
        ProcessSpec(
            name=MAIL_SINK,
            service="mail",
            kind="simulator",
            command=(
                *("python", "-m", "simulators.mail", "--host", config.host),
                *("--smtp-port", str(smtp), "--http-port", str(http)),
                *("--dir", str(config.mail_dir)),
            ),
            env=common,
            port=http,
            host=config.host,
            source="libs/simulators",
            extra_ports=(smtp,),
            health_path="/health",
        ),
        ProcessSpec(
            name=BUREAU,
            service="bureau",
            kind="simulator",
            command=(
                *("python", "-m", "simulators.bureau", "--host", config.host),
                *("--port", str(config.port("bureau")), "--client-id", BUREAU_CLIENT_ID),
                *("--latency-ms", str(BUREAU_LATENCY_MS)),
            ),
            env={
                **common,
                "BUREAU_CLIENT_SECRET": secrets.extra.get("CREDIT_BUREAU_CLIENT_SECRET", ""),
            },
            port=config.port("bureau"),
            host=config.host,
            source="libs/simulators",
            health_path="/health",
        ),
        ProcessSpec(
            name=POST,
            service="post",
            kind="simulator",
            command=(
                *("python", "-m", "simulators.post", "--host", config.host),
                *("--port", str(config.port("post"))),
            ),
            env=common,
            port=config.port("post"),
            host=config.host,
            source="libs/simulators",
            health_path="/health",
        ),
        ProcessSpec(
            name=TRIPLETEX,
            service="tripletex",
            kind="simulator",
            command=(
                *("python", "-m", "simulators.tripletex", "--host", config.host),
                *("--port", str(config.port("tripletex"))),
            ),
            env=common,
            port=config.port("tripletex"),
            host=config.host,
            source="libs/simulators",
            health_path="/health",
        ),
        ProcessSpec(
            name=WEBHOOK_RECEIVER,
            service="webhook-receiver",
            kind="simulator",
            command=(
                *("python", "-m", "simulators.webhook_receiver", "--host", config.host),
                *("--port", str(config.port("webhook-receiver"))),
            ),
            env=common,
            port=config.port("webhook-receiver"),
            host=config.host,
            source="libs/simulators",
            health_path="/health",
        ),
    ]
    for service in services:
        env = {**common, **service_env(config, secrets, service), **config.extra_env}
        port = config.port(service)
        source = f"services/{service}"
        metrics_key = f"{env_prefix(service)}METRICS_PORT"

        def background(name: str, kind: ProcessKind, module: str) -> ProcessSpec:
            metrics_port = config.port(name)
            return ProcessSpec(
                name=name,
                service=service,  # noqa: B023 (called at once, in this iteration)
                kind=kind,
                command=("python", "-m", module),
                env={**env, metrics_key: str(metrics_port)},  # noqa: B023
                host=config.host,
                source=source,  # noqa: B023
                metrics_port=metrics_port,
            )

        specs += [
            ProcessSpec(
                name=f"{service}-api",
                service=service,
                kind="api",
                command=_uvicorn(f"{service}.entrypoints.api:create_app", config.host, port),
                # the API serves /metrics on its own port
                env={**env, metrics_key: str(port)},
                port=port,
                host=config.host,
                source=source,
            ),
            background(f"{service}-relay", "relay", f"{service}.entrypoints.relay"),
            background(f"{service}-consumer", "consumer", f"{service}.entrypoints.consumer"),
        ]
        specs += [
            background(f"{service}-{worker}", "worker", f"{service}.entrypoints.{worker}")
            for worker in WORKERS.get(service, ())
        ]
    port = config.port(GATEWAY)
    specs.append(
        ProcessSpec(
            name=GATEWAY,
            service=GATEWAY,
            kind="api",
            command=_uvicorn("gateway.app:create_app", config.host, port),
            env={**common, **gateway_env(config, secrets), **config.extra_env},
            port=port,
            host=config.host,
            source="gateway",
        )
    )
    return specs


def monitoring_table(config: StackConfig) -> list[ProcessSpec]:
    """Prometheus and the PostgreSQL exporter of a stack (config: :meth:`Stack.start`)."""
    layout = config.prometheus_layout
    prometheus, exporter = config.port(PROMETHEUS), config.port(POSTGRES_EXPORTER)
    common = {"INFOCENTER_STACK": config.name}
    return [
        ProcessSpec(
            name=POSTGRES_EXPORTER,
            service="postgresql",
            kind="monitor",
            command=(
                observability.EXPORTER_BINARY,
                f"--web.listen-address={config.host}:{exporter}",
                "--log.level=warn",
            ),
            env={**common, "DATA_SOURCE_NAME": observability.exporter_dsn(config.pg_admin_url)},
            port=exporter,
            host=config.host,
            health_path="/metrics",
        ),
        ProcessSpec(
            name=PROMETHEUS,
            service=PROMETHEUS,
            kind="monitor",
            command=(
                observability.PROMETHEUS_BINARY,
                f"--config.file={layout.config_file}",
                f"--storage.tsdb.path={layout.data_dir}",
                "--storage.tsdb.retention.time=7d",
                f"--web.listen-address={config.host}:{prometheus}",
                "--web.enable-lifecycle",
                "--log.level=warn",
            ),
            env=common,
            port=prometheus,
            host=config.host,
            health_path="/-/ready",
        ),
    ]


def scrape_targets(processes: Iterable[ProcessSpec]) -> list[observability.Target]:
    """What Prometheus scrapes: every API, relay, consumer and worker, and the gateway."""
    targets = []
    for spec in processes:
        if spec.kind in {"simulator", "monitor"}:
            continue
        port = spec.metrics_port or spec.port
        if port is None:
            continue
        targets.append(
            observability.Target(
                job=spec.service, address=f"{spec.host}:{port}", process=spec.name, kind=spec.kind
            )
        )
    return targets


def module_present(root: Path, spec: ProcessSpec) -> bool:
    """Whether the code a process runs exists in this checkout and is installed in this
    environment (services land over time; ``uv sync --all-packages`` installs them); for
    a program that is not Python (Prometheus), whether it is installed."""
    if spec.command[0] != "python":
        return observability.installed(spec.command[0])
    module = spec.module.split(":", 1)[0]
    package_dir = root / spec.source
    relative = Path(*module.split("."))
    exists = (package_dir / f"{relative}.py").exists() or (
        package_dir / relative / "__main__.py"
    ).exists()
    return exists and importlib.util.find_spec(module.split(".", 1)[0]) is not None


@dataclass(frozen=True)
class ProcessStatus:
    name: str
    state: str
    """``running``, ``backoff`` (waiting to restart), ``stopped``, ``exited`` or ``absent``."""
    pid: int | None
    restarts: int
    started_at: str | None
    port: int | None
    ready: bool | None
    """For processes with a port: whether ``/health/ready`` answers 200."""
    exit_code: int | None = None


class StackNotReady(RuntimeError):
    """Some processes did not become ready in time (the message names them)."""


class MigrationFailed(RuntimeError):
    pass


def http_ready(url: str, timeout: float = 2.0) -> bool:
    """``GET url`` answered 200."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 (http only)
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError, ValueError):
        return False


def pid_alive(pid: int | None) -> bool:
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    with contextlib.suppress(OSError), open(f"/proc/{pid}/stat", encoding="ascii") as f:
        if f.read().split(") ", 1)[1].startswith("Z"):
            return False  # a zombie: exited, not yet reaped
    return True


class Stack:
    """One stack of processes: provision → migrate → start → wait_ready → stop/teardown."""

    def __init__(self, config: StackConfig | None = None) -> None:
        self.config = config or StackConfig.local()
        if self.config.env_file is not None:
            self.secrets = localenv.load_or_create(self.config.env_file, self.config.services)
        else:
            self.secrets = localenv.Secrets.generate(self.config.services)
        self.supervisor: Supervisor | None = None
        self._lock = threading.Lock()

    # -- what runs ---------------------------------------------------------------------

    @property
    def url(self) -> str:
        """The gateway: the one public entry of the stack."""
        return self.config.gateway_url

    def service_url(self, service: str) -> str:
        return f"http://{self.config.host}:{self.config.port(service)}"

    def all_processes(self) -> list[ProcessSpec]:
        return [
            *process_table(self.config, self.secrets, self.config.services),
            *monitoring_table(self.config),
        ]

    @property
    def prometheus_url(self) -> str:
        return self.config.prometheus_url

    def write_prometheus_config(self) -> Path:
        """Render the stack's Prometheus config, targets files and token files."""
        layout = self.config.prometheus_layout
        layout.extra_rules_dir.mkdir(parents=True, exist_ok=True)
        layout.data_dir.mkdir(parents=True, exist_ok=True)
        observability.write_tokens(
            layout,
            {
                job: self.secrets.extra.get(f"{job.upper()}_METRICS_TOKEN", "")
                for job in observability.JOBS
            },
        )
        observability.write_targets(layout, scrape_targets(self.processes))
        host = self.config.host
        text = observability.render_config(
            self.config.root,
            layout,
            stack=self.config.name,
            scrape_interval=self.config.scrape_interval,
            prometheus_address=f"{host}:{self.config.port(PROMETHEUS)}",
            rabbitmq=observability.rabbitmq_address(self.config.amqp_url),
            postgres_exporter=f"{host}:{self.config.port(POSTGRES_EXPORTER)}",
        )
        layout.config_file.write_text(text, encoding="utf-8")
        return layout.config_file

    @property
    def processes(self) -> list[ProcessSpec]:
        """The processes whose code exists in this checkout."""
        return [p for p in self.all_processes() if module_present(self.config.root, p)]

    def missing_processes(self) -> list[str]:
        """Processes not started: code not in this checkout yet, or a monitoring program
        not installed (``deploy/local/install.sh --observability``)."""
        return [p.name for p in self.all_processes() if not module_present(self.config.root, p)]

    def _missing_services(self) -> list[str]:
        return [
            p.name
            for p in self.all_processes()
            if p.service in self.config.services and not module_present(self.config.root, p)
        ]

    def process(self, name: str) -> ProcessSpec:
        for spec in self.all_processes():
            if spec.name == name:
                return spec
        raise KeyError(f"no process {name!r}; known: {[p.name for p in self.all_processes()]}")

    def service_env(self, service: str) -> dict[str, str]:
        if service == GATEWAY:
            return gateway_env(self.config, self.secrets)
        return service_env(self.config, self.secrets, service)

    def database_url(self, service: str, *, driver: str = "asyncpg") -> str:
        return database_url(self.config, self.secrets, service, driver=driver)

    def databases(self) -> list[database.ServiceDatabase]:
        return [
            database.ServiceDatabase(
                service=s,
                name=self.config.database_name(s),
                role=self.config.database_name(s),
                password=self.secrets.db_password(s),
            )
            for s in self.config.services
        ]

    def write_env_file(self) -> None:
        """Persist secrets plus every process's environment (local stack only)."""
        if self.config.env_file is None:
            return
        derived: dict[str, str] = {}
        for service in self.config.services:
            derived.update(self.service_env(service))
        derived.update(self.service_env(GATEWAY))
        localenv.write_env_file(self.config.env_file, self.secrets, derived=derived)

    # -- lifecycle ---------------------------------------------------------------------

    def check_infrastructure(self) -> None:
        database.check_reachable(self.config.pg_admin_url, self.config.amqp_url)

    def provision(self) -> None:
        """One role and one database per service; idempotent."""
        self.check_infrastructure()
        database.provision(self.config.pg_admin_url, self.databases())
        self.write_env_file()

    def alembic_ini(self, service: str) -> Path:
        return self.config.root / "services" / service / "alembic.ini"

    def migrate(self, services: Sequence[str] | None = None) -> list[str]:
        """``alembic upgrade head`` of every service (as the service's role), in parallel.

        Returns the services migrated; services without ``alembic.ini`` are skipped.
        """
        wanted = [s for s in (services or self.config.services) if self.alembic_ini(s).exists()]
        with ThreadPoolExecutor(max_workers=3) as pool:
            list(pool.map(self._migrate_one, wanted))
        return wanted

    def _migrate_one(self, service: str) -> None:
        ini = self.alembic_ini(service)
        url = self.database_url(service)
        env = {**os.environ, **self.service_env(service), "PYTHONUNBUFFERED": "1"}
        argv = [sys.executable, "-m", "alembic", "-c", str(ini), "-x", f"url={url}"]
        result = subprocess.run(  # noqa: S603 (our own interpreter and arguments)
            [*argv, "upgrade", "head"],
            cwd=ini.parent,
            env=env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        if result.returncode != 0:
            output = f"{result.stdout}{result.stderr}"
            hint = ""
            if "Can't locate revision" in output:
                hint = (
                    f"\nThe migration history of {service} changed under this database. "
                    f"Locally: `make reset SERVICES={service}` drops and recreates it (its "
                    "data is lost), then `make up`."
                )
            raise MigrationFailed(
                f"{service}: alembic upgrade head failed (exit {result.returncode})\n{output}{hint}"
            )

    def make_supervisor(self, *, autorestart: bool, echo: bool) -> Supervisor:
        if any(p.name == PROMETHEUS for p in self.processes):
            self.write_prometheus_config()
        return Supervisor(
            self.processes,
            root=self.config.root,
            log_file=self.config.log_file,
            state_file=self.config.state_file,
            stack_name=self.config.name,
            autorestart=autorestart,
            echo=sys.stdout if echo else None,
        )

    def start(self, *, autorestart: bool = False, echo: bool = False) -> None:
        """Start every process as a child of this process (returns at once).

        Without ``autorestart`` a process that dies stays down (fault tests decide).
        """
        with self._lock:
            if self.supervisor is not None and self.supervisor.running:
                raise RuntimeError(f"stack {self.config.name!r} is already running")
            busy = [
                f"{p.name} (port {port})"
                for p in self.processes
                for port in p.ports
                if not port_free(port, self.config.host)
            ]
            if busy:
                raise RuntimeError(
                    "ports already in use: " + ", ".join(busy) + " (another stack running? "
                    "`make down`, or give this stack another port_base)"
                )
            self.supervisor = self.make_supervisor(autorestart=autorestart, echo=echo)
            self.supervisor.start()
            # children run in their own sessions: never leave them behind when the
            # owner (a pytest run, a script) exits without calling stop()
            atexit.register(self.stop, 5.0)

    def ready_url(self, spec: ProcessSpec) -> str | None:
        """``/health/ready`` of an API; for the gateway ``/health/live`` while some service
        is not in this checkout yet (its readiness needs every service)."""
        if spec.service == GATEWAY and spec.port and self._missing_services():
            return f"http://{spec.host}:{spec.port}/health/live"
        return spec.health_url

    def is_ready(self, spec: ProcessSpec, timeout: float = 2.0) -> bool:
        if not pid_alive(self._pid(spec.name)):
            return False
        url = self.ready_url(spec)
        return http_ready(url, timeout) if url else True

    def wait_ready(self, timeout: float = 90.0, *, poll: float = 0.25) -> None:
        """Wait until every API (gateway included) answers ``/health/ready`` with 200 and
        every relay and consumer runs; raise :class:`StackNotReady` naming the rest."""
        deadline = time.monotonic() + timeout
        pending = {p.name: p for p in self.processes}
        stopped = threading.Event()
        while True:
            for name, spec in list(pending.items()):
                if self.is_ready(spec):
                    del pending[name]
            if not pending:
                return
            dead = [n for n in pending if self._given_up(n)]
            if dead or time.monotonic() >= deadline:
                names = dead or sorted(pending)
                raise StackNotReady(
                    f"stack {self.config.name!r}: not ready after "
                    f"{timeout - max(0.0, deadline - time.monotonic()):.0f}s: "
                    f"{', '.join(sorted(pending))}"
                    + ("" if not dead else f" (exited: {', '.join(dead)})")
                    + "\n"
                    + self.log_tail(names, lines=15)
                )
            stopped.wait(poll)

    def _given_up(self, name: str) -> bool:
        """A process that exited and will not be restarted (so waiting is pointless)."""
        if self.supervisor is None:
            return False
        child = self.supervisor.children.get(name)
        return child is not None and child.state in {"exited", "stopped"}

    def _pid(self, name: str) -> int | None:
        if self.supervisor is not None:
            child = self.supervisor.children.get(name)
            return child.pid if child is not None else None
        state = read_state(self.config.state_file)
        entry = state.get("processes", {}).get(name, {}) if state else {}
        pid = entry.get("pid")
        return int(pid) if pid else None

    def kill(self, name: str, sig: int = signal.SIGKILL, *, wait: float = 10.0) -> None:
        """Kill one process (SIGKILL unless told) and wait up to ``wait`` seconds until it
        has exited. It stays down until :meth:`start_process`; under the ``make up``
        daemon it is restarted with back-off."""
        self.process(name)
        if self.supervisor is not None:
            self.supervisor.kill(name, sig)
            if wait and not self.supervisor.wait_exit(name, wait):
                raise RuntimeError(f"{name} still runs {wait:g}s after {signal.Signals(sig).name}")
            return
        pid = self._pid(name)
        if pid_alive(pid):
            assert pid is not None
            os.kill(pid, sig)

    def crash(self, name: str, sig: int = signal.SIGKILL) -> int:
        """Kill one process as a fault would (SIGKILL unless told): unlike :meth:`kill` the
        supervisor is not told, so with ``autorestart`` it restarts the process with
        back-off, as the ``make up`` daemon does. The pid killed."""
        self.process(name)
        if self.supervisor is None:
            raise RuntimeError("crash needs a stack started by this Stack (start())")
        pid = self.supervisor.crash(name, sig)
        if pid is None:
            raise RuntimeError(f"{name} is not running")
        return pid

    def restarts(self) -> dict[str, int]:
        """How often the supervisor has started each process again."""
        if self.supervisor is None:
            return {}
        return {name: int(entry["restarts"]) for name, entry in self.supervisor.snapshot().items()}

    def start_process(self, name: str) -> None:
        """Start one process again (after :meth:`kill` or a crash)."""
        self.process(name)
        if self.supervisor is None:
            raise RuntimeError("start_process needs a stack started by this Stack (start())")
        self.supervisor.start_process(name)

    def stop(self, grace: float = 10.0) -> None:
        """SIGTERM to every process, SIGKILL after ``grace`` seconds."""
        with self._lock:
            if self.supervisor is not None:
                self.supervisor.stop(grace)
                self.supervisor = None
                atexit.unregister(self.stop)

    def status(self) -> list[ProcessStatus]:
        """State of every process (this Stack's children, else the daemon's state file)."""
        if self.supervisor is not None:
            snapshot = self.supervisor.snapshot()
        else:
            state = read_state(self.config.state_file) or {}
            snapshot = state.get("processes", {}) if pid_alive(state.get("supervisor_pid")) else {}
        result = []
        for spec in self.all_processes():
            entry: Mapping[str, object] = snapshot.get(spec.name, {})
            pid = entry.get("pid")
            pid_int = int(pid) if isinstance(pid, int) else None
            state_name = str(entry.get("state", "absent"))
            if state_name == "running" and not pid_alive(pid_int):
                state_name = "exited"
            ready = None
            url = self.ready_url(spec)
            if url is not None and state_name == "running":
                ready = http_ready(url, timeout=1.0)
            restarts = entry.get("restarts", 0)
            exit_code = entry.get("exit_code")
            result.append(
                ProcessStatus(
                    name=spec.name,
                    state=state_name,
                    pid=pid_int,
                    restarts=restarts if isinstance(restarts, int) else 0,
                    started_at=str(entry["started_at"]) if entry.get("started_at") else None,
                    port=spec.port,
                    ready=ready,
                    exit_code=exit_code if isinstance(exit_code, int) else None,
                )
            )
        return result

    def log_tail(self, names: Iterable[str] = (), lines: int = 40) -> str:
        """The last log lines (of the named processes only, when given)."""
        path = self.config.log_file
        if not path.exists():
            return f"(no log at {path})"
        wanted = set(names)
        with path.open("rb") as f:
            f.seek(0, os.SEEK_END)
            f.seek(max(0, f.tell() - 512 * 1024))
            raw = f.read().decode("utf-8", errors="replace").splitlines()
        if wanted:
            raw = [line for line in raw if _line_process(line) in wanted]
        return "\n".join(raw[-lines:])

    def seed_demo(self) -> list[dict[str, Any]] | None:
        """Seed the identity service's demo organisations and users (idempotent; refused
        in production); their logins (``email``, ``password``, ``roles``, ``organisation``,
        ``totp_secret``), or ``None`` when this checkout has no ``seed-demo``."""
        from devstack.demo import seed_demo

        return seed_demo(self)

    def teardown(self, *, force: bool = False) -> None:
        """Stop, then drop the stack's databases and roles and delete its queues.

        For test stacks; the developer's own stack is kept unless ``force``.
        """
        if self.config.env_file is not None and not force:
            raise RuntimeError("refusing to drop the local stack's databases without force=True")
        self.stop()
        errors: list[str] = []
        try:
            self.delete_bus_namespace()
        except Exception as exc:  # best effort: databases are dropped regardless
            errors.append(f"bus: {exc}")
        database.drop(self.config.pg_admin_url, self.databases())
        if errors:
            raise RuntimeError("; ".join(errors))

    def reset(self, services: Sequence[str] | None = None) -> None:
        """Drop and recreate (empty) the databases of ``services`` (default: all)."""
        wanted = set(services or self.config.services)
        unknown = wanted - set(self.config.services)
        if unknown:
            raise KeyError(f"unknown services: {sorted(unknown)}")
        dbs = [d for d in self.databases() if d.service in wanted]
        database.drop(self.config.pg_admin_url, dbs)
        database.provision(self.config.pg_admin_url, dbs)

    def delete_bus_namespace(self) -> None:
        """Delete the exchanges and queues of this stack's namespace (test stacks)."""
        if not self.config.bus_namespace:
            raise RuntimeError("refusing to delete the unnamespaced (shared) topology")
        present = sorted({p.service for p in self.processes if p.service in self.config.services})
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        for service in present:
            env.update(self.service_env(service))
        result = subprocess.run(  # noqa: S603
            [sys.executable, "-m", "devstack.buscleanup", *present],
            cwd=self.config.root,
            env=env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        if result.returncode != 0:
            raise RuntimeError(f"bus cleanup failed: {result.stdout}{result.stderr}")

    def state(self) -> dict[str, object]:
        return dict(read_state(self.config.state_file) or {})

    def __repr__(self) -> str:
        return json.dumps({"stack": self.config.name, "url": self.url})


def _line_process(line: str) -> str:
    """The process name of a prefixed log line (colour codes removed)."""
    head = line.split("|", 1)[0]
    for code in ("\x1b[0m", "\x1b[1m"):
        head = head.replace(code, "")
    if head.startswith("\x1b["):
        head = head.split("m", 1)[-1]
    return head.strip()
