"""Composition root of the integrations service: the one place that picks concrete adapters."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from functools import cached_property
from typing import cast

from contracts import routing_keys
from contracts.cases import BatchRegistered, CaseRegistered
from contracts.reports import PostingProposalIssued
from servicekit.bus.consumer import EventHandler, Handler
from servicekit.bus.topology import QueueSpec
from servicekit.crypto import Keyring
from servicekit.service import Service

from integrations.adapters.orm import inbox, outbox
from integrations.adapters.tripletex import TripletexErp
from integrations.adapters.vault import CredentialVault
from integrations.entrypoints import consumers
from integrations.service_layer.ports import Credentials, Erp
from integrations.service_layer.sync import SyncContext, SyncPolicy
from integrations.service_layer.vouchers import VoucherContext
from integrations.settings import IntegrationsSettings


class IntegrationsService(Service):
    settings: IntegrationsSettings

    @cached_property
    def vault(self) -> CredentialVault:
        """Seals the ERP credentials (needs INTEGRATIONS_DATA_KEYS)."""
        if not self.settings.data_keys:
            raise RuntimeError(
                "INTEGRATIONS_DATA_KEYS must be set (`make up` generates it into var/local.env)"
            )
        return CredentialVault(Keyring(self.settings.data_keys))

    def erp_for(self, base_url: str, company_id: str, credentials: Credentials) -> Erp:
        s = self.settings
        return TripletexErp(
            base_url,
            company_id,
            credentials,
            timeout=s.erp_timeout_seconds,
            page_size=s.erp_page_size,
            max_retries=s.erp_max_retries,
            max_retry_wait=s.erp_max_retry_wait_seconds,
        )

    def policy(self) -> SyncPolicy:
        s = self.settings
        return SyncPolicy(
            every=timedelta(seconds=s.sync_every_seconds),
            retry_after_failure=timedelta(seconds=min(s.sync_every_seconds, 300.0)),
            lease=timedelta(seconds=s.lease_seconds),
            grace_days=s.overdue_grace_days,
            lookback_days=s.lookback_days,
        )

    def sync_context(self) -> SyncContext:
        return SyncContext(
            uow=self.unit_of_work,
            vault=self.vault,
            erp_for=self.erp_for,
            policy=self.policy(),
            now=lambda: datetime.now(UTC),
        )


def bootstrap(settings: IntegrationsSettings | None = None) -> IntegrationsService:
    settings = settings or IntegrationsSettings()
    events = QueueSpec(
        name="integrations.events",
        routing_keys=routing_keys(CaseRegistered, BatchRegistered, PostingProposalIssued),
        retry_delays=settings.retry_delays_seconds,
    )
    handlers: dict[str, Handler] = {
        CaseRegistered.routing_key(): consumers.cases_registered,
        BatchRegistered.routing_key(): consumers.batch_registered,
    }
    service = IntegrationsService(
        settings,
        outbox=outbox,
        inbox=inbox,
        # Service types its handlers as EventHandler; its Consumer takes BatchHandler too.
        consumers={events: cast(Mapping[str, EventHandler], handlers)},
    )
    # the handler needs the service's vault and ERP factory: asked of the service when used
    handlers[PostingProposalIssued.routing_key()] = consumers.posting_proposal_issued(
        lambda: VoucherContext(vault=service.vault, erp_for=service.erp_for)
    )
    return service
