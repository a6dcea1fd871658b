"""Composition root of the credit service: the one place that picks concrete adapters."""

from __future__ import annotations

from datetime import timedelta
from functools import cached_property

import httpx
from contracts import routing_keys
from contracts.auth import OrganisationDeactivated, OrganisationRegistered
from servicekit.bus.topology import QueueSpec
from servicekit.crypto import Keyring
from servicekit.service import Service

from credit.adapters.breaker import CircuitBreaker
from credit.adapters.experian.client import ExperianBureau
from credit.adapters.order_path import OrderPath
from credit.adapters.orm import inbox, outbox
from credit.adapters.sealing import Vault
from credit.entrypoints import consumers
from credit.service_layer.ordering import OrderingContext, OrderingPolicy
from credit.service_layer.ports import Bureau
from credit.service_layer.unit_of_work import CreditUnitOfWork
from credit.settings import CreditSettings


class CreditService(Service):
    settings: CreditSettings

    def unit_of_work(self) -> CreditUnitOfWork:
        return CreditUnitOfWork(self.session_factory, self.outbox)

    @cached_property
    def vault(self) -> Vault:
        """Seals national ids and bureau answers (needs CREDIT_DATA_KEYS, CREDIT_LOOKUP_KEY)."""
        if not self.settings.data_keys or not self.settings.lookup_key:
            raise RuntimeError(
                "CREDIT_DATA_KEYS and CREDIT_LOOKUP_KEY must be set (`make up` generates them "
                "into var/local.env)"
            )
        return Vault(Keyring(self.settings.data_keys), self.settings.lookup_key.encode())

    @cached_property
    def order_path(self) -> OrderPath:
        """The order path's statements on the driver (one per process)."""
        return OrderPath(self.engine)

    @cached_property
    def bureau(self) -> Bureau:
        """The bureau adapter, one per process (its token cache and circuit breaker)."""
        s = self.settings
        if s.bureau_client_secret is None:
            raise RuntimeError("CREDIT_BUREAU_CLIENT_SECRET must be set")
        return ExperianBureau(
            s.bureau_url,
            s.bureau_client_id,
            s.bureau_client_secret.get_secret_value(),
            timeout=httpx.Timeout(
                s.bureau_read_timeout_seconds,
                connect=s.bureau_connect_timeout_seconds,
                pool=s.bureau_connect_timeout_seconds,
            ),
            max_retries=s.bureau_max_retries,
            max_retry_wait=s.bureau_max_retry_wait_seconds,
            breaker=CircuitBreaker(s.bureau_breaker_threshold, s.bureau_breaker_cooldown_seconds),
        )

    def policy(self) -> OrderingPolicy:
        s = self.settings
        return OrderingPolicy(
            company_reuse_window=timedelta(hours=s.company_reuse_hours),
            raw_retention=timedelta(days=s.raw_retention_days),
            reconcile_after=timedelta(seconds=s.reconcile_after_seconds),
        )

    def ordering(self) -> OrderingContext:
        return OrderingContext(
            uow=self.unit_of_work,
            path=self.order_path,
            bureau=self.bureau,
            vault=self.vault,
            policy=self.policy(),
        )

    async def close(self) -> None:
        bureau = self.__dict__.pop("bureau", None)
        if isinstance(bureau, ExperianBureau):
            await bureau.aclose()
        await super().close()


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
