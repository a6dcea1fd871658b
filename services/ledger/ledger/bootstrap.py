"""Composition root of the ledger service: the one place that picks concrete adapters."""

from __future__ import annotations

from collections.abc import Mapping
from typing import cast

from contracts import routing_keys
from contracts.auth import OrganisationDeactivated, OrganisationRegistered
from contracts.cases import CaseClosed, CaseRegistered, CaseStatusChanged, ClaimTimeBarred
from contracts.credit import CreditReportPurchased
from contracts.reports import ReplayRequested
from prometheus_client import Gauge
from servicekit.bus.consumer import BatchHandler, EventHandler, Handler
from servicekit.bus.topology import QueueSpec
from servicekit.replay import replay_handler
from servicekit.service import Service

from ledger.adapters.bankfiles.camt054 import parse_camt054
from ledger.adapters.bankfiles.ocr import parse_ocr
from ledger.adapters.bankfiles.pain001 import parse_pain002, write_pain001
from ledger.adapters.orm import inbox, outbox
from ledger.adapters.settlement_store import unconfirmed_settlements
from ledger.entrypoints import consumers
from ledger.service_layer.policy import LedgerPolicy, PayoutWriter
from ledger.service_layer.unit_of_work import LedgerUnitOfWork
from ledger.settings import LedgerSettings

SETTLEMENTS_UNCONFIRMED = Gauge(
    "ledger_settlements_unconfirmed", "Settlements pending: the bank has not confirmed the payout"
)
SETTLEMENT_UNCONFIRMED_AGE = Gauge(
    "ledger_settlement_unconfirmed_oldest_age_seconds",
    "Age of the oldest settlement still waiting for the bank's confirmation (0: none)",
)


class LedgerService(Service):
    settings: LedgerSettings
    policy: LedgerPolicy
    write_payouts: PayoutWriter

    def unit_of_work(self) -> LedgerUnitOfWork:
        return LedgerUnitOfWork(self.session_factory, self.outbox)

    async def refresh_metrics(self) -> None:
        """The shared metrics, and the settlements the bank has not confirmed yet."""
        async with self.engine.connect() as conn:
            count, oldest_age = await unconfirmed_settlements(conn)
        SETTLEMENTS_UNCONFIRMED.set(count)
        SETTLEMENT_UNCONFIRMED_AGE.set(oldest_age)
        await super().refresh_metrics()

    parse_ocr = staticmethod(parse_ocr)
    parse_camt054 = staticmethod(parse_camt054)
    parse_pain002 = staticmethod(parse_pain002)


def policy_of(settings: LedgerSettings) -> LedgerPolicy:
    return LedgerPolicy(
        day_count=settings.interest_day_count,
        client_funds_account=settings.client_funds_account,
        agency_name=settings.agency_name,
        agency_organisation_number=settings.agency_organisation_number,
    )


def bootstrap(settings: LedgerSettings | None = None) -> LedgerService:
    settings = settings or LedgerSettings()
    policy = policy_of(settings)
    case_events = consumers.CaseEvents(outbox, policy)
    events = QueueSpec(
        name="ledger.events",
        routing_keys=routing_keys(
            OrganisationRegistered,
            OrganisationDeactivated,
            CaseRegistered,
            CaseStatusChanged,
            CaseClosed,
            ClaimTimeBarred,
            CreditReportPurchased,
            ReplayRequested,
        ),
        retry_delays=settings.retry_delays_seconds,
    )
    handlers: Mapping[str, Handler] = {
        OrganisationRegistered.routing_key(): consumers.organisation_registered,
        OrganisationDeactivated.routing_key(): consumers.organisation_deactivated,
        CaseRegistered.routing_key(): BatchHandler(case_events.registered),
        CaseStatusChanged.routing_key(): BatchHandler(case_events.status_changed),
        CaseClosed.routing_key(): case_events.closed,
        ClaimTimeBarred.routing_key(): case_events.time_barred,
        CreditReportPurchased.routing_key(): consumers.credit_report_purchased,
        # a consumer rebuilding a projection: re-publish the outbox history to it
        ReplayRequested.routing_key(): replay_handler(outbox),
    }
    service = LedgerService(
        settings,
        outbox=outbox,
        inbox=inbox,
        # Service types its handlers as EventHandler; its Consumer takes BatchHandler too.
        consumers={events: cast(Mapping[str, EventHandler], handlers)},
    )
    service.policy = policy
    service.write_payouts = write_pain001
    return service
