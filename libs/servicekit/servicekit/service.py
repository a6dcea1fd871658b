"""One service's infrastructure, composed once per process by its ``bootstrap``.

A :class:`Service` owns the database engine, the broker connection and the topology of its
consumer queues, and builds the three kinds of process every service runs: the HTTP API
(:meth:`create_app`), the outbox relay (:meth:`run_relay`) and the event consumers
(:meth:`run_consumers`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path

from aio_pika.abc import AbstractRobustConnection
from fastapi import APIRouter, FastAPI, Request, Response
from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import Table, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from servicekit import heap, heartbeat, idempotency_retention, metrics, statistics
from servicekit.body_limit import BodyLimitMiddleware, BodyLimits
from servicekit.bus import topology as bus_topology
from servicekit.bus.connection import connect
from servicekit.bus.consumer import Consumer, EventHandler
from servicekit.bus.topology import QueueSpec, Topology
from servicekit.db import make_engine, make_read_session_factory, make_session_factory
from servicekit.health import Check, broker_check, database_check, health_router
from servicekit.http import EdgeApp, bearer_matches
from servicekit.internal import InternalCallers, ServiceCredential
from servicekit.metrics_server import serve_metrics
from servicekit.openapi import document_problems
from servicekit.ops import dead_letter_router
from servicekit.outbox import relay_waker
from servicekit.pool_metrics import watch_pool
from servicekit.problems import install_problem_handlers
from servicekit.relay import OutboxRelay
from servicekit.sessions import IdentityServiceSessions, SessionStates
from servicekit.settings import ServiceSettings
from servicekit.telemetry import (
    instrument_sqlalchemy,
    remember_route_names,
    setup_logging,
    setup_tracing,
)
from servicekit.tokens import TokenVerifier
from servicekit.uow import UnitOfWork

log = logging.getLogger(__name__)

_BACKLOG = text(
    "SELECT count(*), coalesce(extract(epoch FROM now() - min(created_at)), 0) "
    "FROM outbox WHERE sent_at IS NULL"
)


READY_CHECK_SECONDS = 2.0
"""How long one readiness check may take (as ``/health/ready``'s)."""


class Service:
    """Infrastructure of one service: database, broker, topology, process builders."""

    def __init__(
        self,
        settings: ServiceSettings,
        *,
        outbox: Table,
        inbox: Table,
        consumers: Mapping[QueueSpec, Mapping[str, EventHandler]] | None = None,
        engine: AsyncEngine | None = None,
    ) -> None:
        self.settings = settings
        self.name = settings.service_name
        self.outbox = outbox
        self.inbox = inbox
        self.consumers = dict(consumers or {})
        self.topology = Topology(settings.bus_namespace, tuple(self.consumers))
        self.engine = engine or make_engine(
            settings.database_url, pool_size=settings.db_pool_size, application_name=self.name
        )
        watch_pool(self.engine, self.name)
        self.session_factory: async_sessionmaker[AsyncSession] = make_session_factory(self.engine)
        self.read_sessions: async_sessionmaker[AsyncSession] = make_read_session_factory(
            self.engine
        )
        """Sessions for reads only (no ``BEGIN``/``ROLLBACK`` round trips; never write)."""
        self.connection: AbstractRobustConnection | None = None
        self.session_source = IdentityServiceSessions(
            settings.auth_url,
            self.credential(),
            timeout=settings.auth_check_timeout,
        )
        self.token_verifier = TokenVerifier(
            jwks_url=settings.jwks_url,
            issuer=settings.token_issuer,
            audience=settings.token_audience,
            sessions=self.session_states(self.session_source),
        )

    def credential(self) -> ServiceCredential | None:
        """How this service authenticates at another's internal endpoints (if configured)."""
        secret = self.settings.internal_secret
        return None if secret is None else ServiceCredential(self.name, secret.get_secret_value())

    def session_states(self, ask: Callable[[uuid.UUID], Awaitable[bool]]) -> SessionStates:
        """The session check every token verification of this service goes through."""
        return SessionStates(
            ask,
            active_ttl=self.settings.session_cache_seconds,
            ended_ttl=self.settings.ended_session_cache_seconds,
        )

    def unit_of_work(self) -> UnitOfWork:
        return UnitOfWork(self.session_factory, self.outbox)

    def setup_observability(self, process: str) -> None:
        setup_logging(f"{self.name}-{process}", self.settings.log_level)
        setup_tracing(self.name, otlp_endpoint=self.settings.otlp_endpoint, process=process)
        instrument_sqlalchemy(self.engine)

    async def connect_broker(self, process: str) -> AbstractRobustConnection:
        if self.connection is None or self.connection.is_closed:
            self.connection = await connect(self.settings.amqp_url, name=f"{self.name}-{process}")
            async with self.connection.channel() as channel:
                await bus_topology.declare(channel, self.topology)
        return self.connection

    async def close(self) -> None:
        if self.connection is not None:
            with contextlib.suppress(Exception):
                await self.connection.close()
            self.connection = None
        await self.session_source.aclose()
        await relay_waker(self.engine).drain()  # the last commits' wake-up, then the pool
        await self.engine.dispose()

    # -- HTTP API ----------------------------------------------------------------------

    def create_app(
        self,
        *,
        title: str,
        description: str,
        version: str = "1.0.0",
        routers: Sequence[APIRouter] = (),
        observe: bool = True,
        uploads: Mapping[tuple[str, str], int] | None = None,
    ) -> FastAPI:
        """The service's FastAPI app with health, metrics, problem+json and tracing.

        Every request body is bounded (``settings.max_request_body_bytes``) as it streams
        in; ``uploads`` names the operations that take files, ``(method, path)`` → bytes.
        """

        @asynccontextmanager
        async def lifespan(app: FastAPI) -> AsyncIterator[None]:
            try:
                await self.connect_broker("api")
            except Exception as exc:  # ready stays false until the broker answers
                log.warning("broker not reachable at start: %s", type(exc).__name__)
            heap.freeze_startup_heap()
            yield
            await self.close()

        if observe:
            self.setup_observability("api")
        app = EdgeApp(
            service=self.name,
            title=title,
            description=description,
            version=version,
            lifespan=lifespan,
        )
        app.state.token_verifier = self.token_verifier
        app.state.internal_callers = InternalCallers(
            {n: s.get_secret_value() for n, s in self.settings.internal_callers.items()}
        )
        install_problem_handlers(app)
        app.add_middleware(
            BodyLimitMiddleware,
            limits=BodyLimits(self.settings.max_request_body_bytes, dict(uploads or {})),
        )
        app.include_router(health_router(self.readiness_checks()))
        app.add_api_route("/metrics", self._metrics_endpoint, include_in_schema=False)
        if self.consumers:
            app.include_router(
                dead_letter_router(
                    service=self.name,
                    topology=self.topology,
                    engine=self.engine,
                    connection=lambda: self.connect_broker("api"),
                )
            )
        for router in routers:
            app.include_router(router)
        document_problems(app)
        remember_route_names()
        # No span per ASGI message ("http send"/"http receive"): noise that cost ~10 % of
        # a request's CPU (bench/README.md, api_reads); the request's span stays.
        FastAPIInstrumentor.instrument_app(
            app, excluded_urls="health/.*,metrics", exclude_spans=["receive", "send"]
        )
        return app

    def readiness_checks(self) -> dict[str, Check]:
        """What ``/health/ready`` (and the ``service_ready`` metric) require."""
        return {
            "database": database_check(self.engine),
            "broker": broker_check(lambda: self.connection),
        }

    async def _metrics_endpoint(self, request: Request) -> Response:
        """Prometheus metrics, for the scraper holding ``metrics_token`` only."""
        if not bearer_matches(request, self.settings.metrics_token):
            return Response(status_code=401, headers={"WWW-Authenticate": "Bearer"})
        ready = await self._ready()
        metrics.SERVICE_READY.labels(self.name).set(1 if ready else 0)
        with contextlib.suppress(Exception):  # what can be read is still worth reporting
            await self.refresh_metrics()
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    async def _ready(self) -> bool:
        try:
            for check in self.readiness_checks().values():
                await asyncio.wait_for(check(), timeout=READY_CHECK_SECONDS)
        except Exception:
            return False
        return True

    async def refresh_metrics(self) -> None:
        """Outbox backlog and age from the database; queue and dead-letter depth from the broker."""
        async with self.engine.connect() as conn:
            count, age = (await conn.execute(_BACKLOG)).one()
        metrics.OUTBOX_BACKLOG.labels(self.name).set(count)
        metrics.OUTBOX_OLDEST_AGE.labels(self.name).set(float(age))
        if self.connection is None or self.connection.is_closed or not self.consumers:
            return
        async with self.connection.channel() as channel:
            for spec in self.consumers:
                queue = await channel.declare_queue(self.topology.queue_name(spec), passive=True)
                dlq = await channel.declare_queue(self.topology.dlq_name(spec), passive=True)
                metrics.QUEUE_DEPTH.labels(self.name, spec.name).set(
                    queue.declaration_result.message_count or 0
                )
                metrics.DEAD_LETTERS.labels(self.name, spec.name).set(
                    dlq.declaration_result.message_count or 0
                )

    # -- workers -----------------------------------------------------------------------

    async def run_relay(self, stop: asyncio.Event) -> None:
        connection = await self.connect_broker("relay")
        relay = OutboxRelay(
            service=self.name,
            engine=self.engine,
            connection=connection,
            topology=self.topology,
            batch_size=self.settings.relay_batch_size,
            poll_seconds=self.settings.relay_poll_seconds,
            pack_size=self.settings.relay_pack_size,
            linger=self.settings.relay_linger_seconds,
        )
        await relay.run(stop)

    def build_consumers(self, connection: AbstractRobustConnection) -> list[Consumer]:
        return [
            Consumer(
                service=self.name,
                connection=connection,
                topology=self.topology,
                spec=spec,
                handlers=handlers,
                session_factory=self.session_factory,
                inbox_table=self.inbox,
                prefetch=self.settings.consumer_prefetch,
                batch_size=self.settings.consumer_batch_size,
            )
            for spec, handlers in self.consumers.items()
        ]

    async def run_consumers(self, stop: asyncio.Event) -> None:
        connection = await self.connect_broker("consumer")
        consumers = self.build_consumers(connection)
        interval = self.settings.statistics_interval_seconds
        work: list[Awaitable[None]] = [c.run(stop) for c in consumers]
        if interval > 0:  # the planner's statistics after bulk changes (ADR 0072)
            work.append(statistics.keep_statistics(self.engine, stop, interval=interval))
        if (purge_every := self.settings.idempotency_purge_interval_seconds) > 0:
            retention = timedelta(hours=self.settings.idempotency_retention_hours)
            work.append(
                idempotency_retention.keep_keys_purged(
                    self.engine, stop, retention=retention, interval=purge_every
                )
            )
        if not consumers:
            log.info("no queues to consume; idle")
        await asyncio.gather(*work, stop.wait())


def run_worker(
    service: Service, process: str, work: Callable[[asyncio.Event], Awaitable[None]]
) -> None:
    """Run a worker process until SIGTERM/SIGINT, then stop gracefully.

    With ``metrics_port`` set it serves its metrics there (:mod:`servicekit.metrics_server`).
    """

    async def main() -> None:
        service.setup_observability(process)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        heartbeat_file = service.settings.heartbeat_file
        beating = (
            asyncio.create_task(heartbeat.beat(Path(heartbeat_file), stop))
            if heartbeat_file
            else None
        )
        settings = service.settings
        listener = None
        if settings.metrics_port is not None:
            listener = await serve_metrics(
                settings.http_host, settings.metrics_port, settings.metrics_token
            )
        heap.freeze_startup_heap()
        try:
            while not stop.is_set():
                try:
                    await work(stop)
                except Exception:  # broker unreachable at start: retry, never crash-loop
                    log.exception("%s failed; restarting in 2s", process)
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(stop.wait(), timeout=2)
        finally:
            if beating is not None:
                beating.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await beating
            if listener is not None:
                listener.close()
            await service.close()

    asyncio.run(main())
