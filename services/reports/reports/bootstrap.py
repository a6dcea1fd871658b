"""Composition root of the reports service: the one place that picks concrete adapters."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import cast

from contracts import routing_keys
from contracts.auth import OrganisationDeactivated, OrganisationRegistered
from contracts.cases import BatchRegistered, CaseClosed, CaseRegistered, CaseStatusChanged
from contracts.ledger import CaseBalanceChanged, PaymentReceived, SettlementCompleted
from prometheus_client import Gauge
from servicekit.bus.consumer import BatchHandler, EventHandler, Handler
from servicekit.bus.topology import QueueSpec
from servicekit.replay import replay_queue
from servicekit.service import Service
from sqlalchemy import select

from reports.adapters.orm import inbox, outbox, projection_progress
from reports.adapters.rendering import PdfDocuments
from reports.entrypoints import consumers
from reports.service_layer.issuing import Issuer
from reports.service_layer.unit_of_work import ReportsUnitOfWork
from reports.settings import ReportsSettings

PROJECTION_LAG = Gauge(
    "reports_projection_lag_seconds",
    "How long after it occurred the newest applied event of a projection was applied",
    ["projection"],
)
PROJECTION_AGE = Gauge(
    "reports_projection_last_applied_age_seconds",
    "Seconds since a projection last applied an event",
    ["projection"],
)


PROJECTED = routing_keys(
    OrganisationRegistered,
    OrganisationDeactivated,
    CaseRegistered,
    BatchRegistered,
    CaseStatusChanged,
    CaseClosed,
    CaseBalanceChanged,
    PaymentReceived,
    SettlementCompleted,
)
"""The events the read model is built from (and a rebuild asks the producers to replay)."""


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class ReportsService(Service):
    settings: ReportsSettings
    issuer: Issuer

    def unit_of_work(self) -> ReportsUnitOfWork:
        return ReportsUnitOfWork(self.session_factory, self.outbox)

    async def refresh_metrics(self) -> None:
        """The shared metrics, and each projection's lag from its progress row."""
        async with self.session_factory() as session:
            rows = (await session.execute(select(projection_progress))).all()
        now = datetime.now(UTC)
        for row in rows:
            lag = (row.last_applied_at - row.last_occurred_at).total_seconds()
            PROJECTION_LAG.labels(row.projection).set(max(lag, 0.0))
            PROJECTION_AGE.labels(row.projection).set((now - row.last_applied_at).total_seconds())
        await super().refresh_metrics()


def bootstrap(settings: ReportsSettings | None = None) -> ReportsService:
    settings = settings or ReportsSettings()
    issuer = Issuer(
        renderer=PdfDocuments(),
        clock=SystemClock(),
        agency_name=settings.agency_name,
        agency_organisation_number=settings.agency_organisation_number,
    )
    documents = consumers.DocumentEvents(issuer)
    events = QueueSpec(
        name="reports.events",
        routing_keys=PROJECTED,
        retry_delays=settings.retry_delays_seconds,
    )
    # a rebuild's replays (reports.entrypoints.cli rebuild) arrive on a queue of their own
    replays = replay_queue("reports", PROJECTED, settings.retry_delays_seconds)
    handlers: Mapping[str, Handler] = {
        OrganisationRegistered.routing_key(): consumers.organisation_registered,
        OrganisationDeactivated.routing_key(): consumers.organisation_deactivated,
        CaseRegistered.routing_key(): BatchHandler(documents.cases_registered),
        BatchRegistered.routing_key(): documents.batch_registered,
        CaseStatusChanged.routing_key(): BatchHandler(consumers.statuses_changed),
        CaseClosed.routing_key(): consumers.case_closed,
        CaseBalanceChanged.routing_key(): BatchHandler(consumers.balances_changed),
        PaymentReceived.routing_key(): BatchHandler(consumers.payments_received),
        SettlementCompleted.routing_key(): documents.settlement_completed,
    }
    service = ReportsService(
        settings,
        outbox=outbox,
        inbox=inbox,
        # Service types its handlers as EventHandler; its Consumer takes BatchHandler too.
        consumers={
            events: cast(Mapping[str, EventHandler], handlers),
            replays: cast(Mapping[str, EventHandler], dict(handlers)),
        },
    )
    service.issuer = issuer
    return service
