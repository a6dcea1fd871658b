"""Composition root of the credit service: the one place that picks concrete adapters."""

from __future__ import annotations

from contracts import routing_keys
from contracts.auth import OrganisationDeactivated, OrganisationRegistered
from servicekit.bus.topology import QueueSpec
from servicekit.service import Service

from credit.adapters.orm import inbox, outbox
from credit.entrypoints import consumers
from credit.service_layer.unit_of_work import CreditUnitOfWork
from credit.settings import CreditSettings


class CreditService(Service):
    settings: CreditSettings

    def unit_of_work(self) -> CreditUnitOfWork:
        return CreditUnitOfWork(self.session_factory, self.outbox)


def bootstrap(settings: CreditSettings | None = None) -> CreditService:
    settings = settings or CreditSettings()
    events = QueueSpec(
        name="credit.events",
        routing_keys=routing_keys(OrganisationRegistered, OrganisationDeactivated),
        retry_delays=settings.retry_delays_seconds,
    )
    return CreditService(
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
