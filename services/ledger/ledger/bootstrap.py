"""Composition root of the ledger service: the one place that picks concrete adapters."""

from __future__ import annotations

from contracts import routing_keys
from contracts.auth import OrganisationDeactivated, OrganisationRegistered
from servicekit.bus.topology import QueueSpec
from servicekit.service import Service

from ledger.adapters.orm import inbox, outbox
from ledger.entrypoints import consumers
from ledger.service_layer.unit_of_work import LedgerUnitOfWork
from ledger.settings import LedgerSettings


class LedgerService(Service):
    settings: LedgerSettings

    def unit_of_work(self) -> LedgerUnitOfWork:
        return LedgerUnitOfWork(self.session_factory, self.outbox)


def bootstrap(settings: LedgerSettings | None = None) -> LedgerService:
    settings = settings or LedgerSettings()
    events = QueueSpec(
        name="ledger.events",
        routing_keys=routing_keys(OrganisationRegistered, OrganisationDeactivated),
        retry_delays=settings.retry_delays_seconds,
    )
    return LedgerService(
        settings,
        outbox=outbox,
        inbox=inbox,
        consumers={
            events: {
                OrganisationRegistered.routing_key(): consumers.organisation_registered,
                OrganisationDeactivated.routing_key(): consumers.organisation_deactivated,
            }
        },
    )
