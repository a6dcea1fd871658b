"""Composition root of the reports service: the one place that picks concrete adapters."""

from __future__ import annotations

from contracts import routing_keys
from contracts.auth import OrganisationDeactivated, OrganisationRegistered
from servicekit.bus.topology import QueueSpec
from servicekit.service import Service

from reports.adapters.orm import inbox, outbox
from reports.entrypoints import consumers
from reports.service_layer.unit_of_work import ReportsUnitOfWork
from reports.settings import ReportsSettings


class ReportsService(Service):
    settings: ReportsSettings

    def unit_of_work(self) -> ReportsUnitOfWork:
        return ReportsUnitOfWork(self.session_factory, self.outbox)


def bootstrap(settings: ReportsSettings | None = None) -> ReportsService:
    settings = settings or ReportsSettings()
    events = QueueSpec(
        name="reports.events",
        routing_keys=routing_keys(OrganisationRegistered, OrganisationDeactivated),
        retry_delays=settings.retry_delays_seconds,
    )
    return ReportsService(
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
