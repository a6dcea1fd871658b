"""Composition root of the cases service: the one place that picks concrete adapters."""

from __future__ import annotations

from contracts import routing_keys
from contracts.auth import OrganisationDeactivated, OrganisationRegistered
from servicekit.bus.topology import QueueSpec
from servicekit.service import Service

from cases.adapters.orm import inbox, outbox
from cases.entrypoints import consumers
from cases.service_layer.unit_of_work import CasesUnitOfWork
from cases.settings import CasesSettings


class CasesService(Service):
    settings: CasesSettings

    def unit_of_work(self) -> CasesUnitOfWork:
        return CasesUnitOfWork(self.session_factory, self.outbox)


def bootstrap(settings: CasesSettings | None = None) -> CasesService:
    settings = settings or CasesSettings()
    events = QueueSpec(
        name="cases.events",
        routing_keys=routing_keys(OrganisationRegistered, OrganisationDeactivated),
        retry_delays=settings.retry_delays_seconds,
    )
    return CasesService(
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
