"""Composition root of the reports service: the one place that picks concrete adapters."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import cast

from contracts import routing_keys
from contracts.auth import OrganisationDeactivated, OrganisationRegistered
from contracts.cases import (
    BatchRegistered,
    CaseClosed,
    CaseRegistered,
    CaseStatusChanged,
    DebtorLetterRequested,
)
from contracts.ledger import CaseBalanceChanged, PaymentReceived, SettlementCompleted
from prometheus_client import Gauge
from servicekit.bus.consumer import BatchHandler, EventHandler, Handler
from servicekit.bus.topology import QueueSpec
from servicekit.replay import replay_queue
from servicekit.service import Service
from sqlalchemy import select

from reports.adapters.document_jobs import DocumentJobs
from reports.adapters.held_letters import HeldLetters
from reports.adapters.letter_dispatches import LetterDispatches
from reports.adapters.mail import SmtpReadyNotifier
from reports.adapters.orm import inbox, outbox, projection_progress
from reports.adapters.post import HttpPost
from reports.adapters.rendering import PdfDocuments
from reports.entrypoints import consumers
from reports.service_layer import letters
from reports.service_layer.issuing import Issuer
from reports.service_layer.renderer import RendererConfig, RenderWorker
from reports.service_layer.report_runs import ReportWorker, WorkerConfig
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


LETTERS_UNSENT = Gauge(
    "reports_letters_unsent",
    "Letters to debtors issued and not yet taken by the post (retried until they are)",
)
DOCUMENT_JOBS_WAITING = Gauge(
    "reports_document_jobs_waiting",
    "Documents recorded for the renderer and not issued yet (queued or rendering)",
)
DOCUMENT_JOBS_OLDEST = Gauge(
    "reports_document_jobs_oldest_age_seconds",
    "Seconds the oldest document job not issued yet has waited",
)
DOCUMENT_JOBS_FAILED = Gauge(
    "reports_document_jobs_given_up",
    "Document jobs given up and kept for ops (refused by their data, or out of attempts)",
)
LETTERS_HELD = Gauge(
    "reports_letters_held",
    "Letters to debtors held until the ledger states the forsinkelsesrente of their day",
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

    def report_worker(self) -> ReportWorker:
        """The background runs' worker (the ``reports-worker`` process; tests run it in-process)."""
        s = self.settings
        return ReportWorker(
            session_factory=self.session_factory,
            notifier=SmtpReadyNotifier(
                host=s.smtp_host, port=s.smtp_port, sender=s.mail_from, portal_url=s.portal_base_url
            ),
            config=WorkerConfig(
                lease_seconds=s.worker_lease_seconds,
                poll_seconds=s.worker_poll_seconds,
                max_attempts=s.worker_max_attempts,
                chunk_rows=s.run_chunk_rows,
            ),
        )

    def render_worker(self) -> RenderWorker:
        """The renderer of document jobs (the ``reports-renderer`` process; tests run it
        in-process)."""
        s = self.settings
        return RenderWorker(
            session_factory=self.session_factory,
            issuer=self.issuer,
            config=RendererConfig(
                lease_seconds=s.renderer_lease_seconds,
                poll_seconds=s.renderer_poll_seconds,
                max_attempts=s.renderer_max_attempts,
                letters_per_job=s.renderer_letters_per_job,
                retry_seconds=s.renderer_retry_seconds,
            ),
        )

    async def run_poster(self, stop: asyncio.Event) -> None:
        """The poster worker: hand issued letters to the post until ``stop``."""
        post = HttpPost(self.settings.post_url, timeout_seconds=self.settings.post_timeout_seconds)
        await letters.run_poster(
            self.session_factory,
            post,
            SystemClock(),
            stop,
            poll_seconds=self.settings.poster_poll_seconds,
        )

    def unit_of_work(self) -> ReportsUnitOfWork:
        return ReportsUnitOfWork(self.session_factory, self.outbox)

    async def refresh_metrics(self) -> None:
        """The shared metrics, and each projection's lag from its progress row."""
        async with self.session_factory() as session:
            rows = (await session.execute(select(projection_progress))).all()
            LETTERS_UNSENT.set(await LetterDispatches(session).unsent())
            LETTERS_HELD.set(await HeldLetters(session).count())
            waiting, oldest, failed = await DocumentJobs(session).backlog()
        DOCUMENT_JOBS_WAITING.set(waiting)
        DOCUMENT_JOBS_OLDEST.set(oldest)
        DOCUMENT_JOBS_FAILED.set(failed)
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
        client_account=settings.client_account,
    )
    documents = consumers.DocumentEvents(issuer)
    events = QueueSpec(
        name="reports.events",
        routing_keys=(*PROJECTED, *routing_keys(DebtorLetterRequested)),
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
        CaseClosed.routing_key(): BatchHandler(consumers.cases_closed),
        CaseBalanceChanged.routing_key(): BatchHandler(documents.balances_changed),
        PaymentReceived.routing_key(): BatchHandler(consumers.payments_received),
        SettlementCompleted.routing_key(): documents.settlement_completed,
        DebtorLetterRequested.routing_key(): documents.debtor_letter_requested,
    }
    service = ReportsService(
        settings,
        outbox=outbox,
        inbox=inbox,
        # Service types its handlers as EventHandler; its Consumer takes BatchHandler too.
        consumers={
            events: cast(Mapping[str, EventHandler], handlers),
            replays: cast(
                Mapping[str, EventHandler], {k: h for k, h in handlers.items() if k in PROJECTED}
            ),
        },
    )
    service.issuer = issuer
    return service
