"""Composition root of the webhooks service: the one place that picks concrete adapters."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from functools import cached_property
from typing import cast

from contracts import routing_keys
from servicekit.bus.consumer import EventHandler, Handler
from servicekit.bus.topology import QueueSpec
from servicekit.crypto import Keyring
from servicekit.service import Service

from webhooks.adapters.guarded_network import Resolver, checked_address, resolve
from webhooks.adapters.orm import inbox, outbox
from webhooks.adapters.sender import WebhookSender
from webhooks.adapters.vault import SecretVault
from webhooks.domain.addresses import AddressPolicy, IPAddress
from webhooks.domain.catalogue import TRANSLATORS
from webhooks.domain.schedule import RetrySchedule
from webhooks.entrypoints.consumers import FORWARD
from webhooks.service_layer.delivery import DeliveryPolicy, DeliveryWorker
from webhooks.service_layer.endpoints import EndpointContext
from webhooks.service_layer.unit_of_work import WebhooksUnitOfWork
from webhooks.settings import WebhooksSettings


class WebhooksService(Service):
    settings: WebhooksSettings
    resolver: Resolver = staticmethod(resolve)
    """How host names are resolved (tests give a fake DNS to test the guard)."""

    def unit_of_work(self) -> WebhooksUnitOfWork:
        return WebhooksUnitOfWork(self.session_factory, self.outbox)

    @cached_property
    def vault(self) -> SecretVault:
        if not self.settings.data_keys:
            raise RuntimeError(
                "WEBHOOKS_DATA_KEYS must be set (`make up` generates it into var/local.env)"
            )
        return SecretVault(Keyring(self.settings.data_keys))

    @cached_property
    def address_policy(self) -> AddressPolicy:
        return AddressPolicy(self.settings.allowed_networks)

    async def check_address(self, host: str, port: int) -> IPAddress:
        return await checked_address(self.address_policy, host, port, self.resolver)

    def endpoint_context(self) -> EndpointContext:
        return EndpointContext(
            uow=self.unit_of_work,
            vault=self.vault,
            check_address=self.check_address,
            allow_http=self.settings.allow_http,
            rotation_overlap=timedelta(hours=self.settings.rotation_overlap_hours),
        )

    @cached_property
    def sender(self) -> WebhookSender:
        return WebhookSender(
            self.address_policy,
            timeout_seconds=self.settings.timeout_seconds,
            resolver=self.resolver,
            max_connections=self.settings.sender_max_connections,
        )

    def delivery_worker(self) -> DeliveryWorker:
        s = self.settings
        return DeliveryWorker(
            uow=self.unit_of_work,
            sender=self.sender,
            vault=self.vault,
            policy=DeliveryPolicy(
                schedule=RetrySchedule.of_seconds(s.retry_steps_seconds, s.max_retry_after_seconds),
                disable_after=timedelta(hours=s.disable_after_hours),
                batch_size=s.sender_batch_size,
                poll_seconds=s.sender_poll_seconds,
                lease=timedelta(seconds=s.timeout_seconds * 2 + 30),
            ),
        )

    async def run_sender(self, stop: asyncio.Event) -> None:
        await self.delivery_worker().run(stop)

    async def close(self) -> None:
        sender = self.__dict__.pop("sender", None)
        if isinstance(sender, WebhookSender):
            await sender.aclose()
        await super().close()


def bootstrap(settings: WebhooksSettings | None = None) -> WebhooksService:
    settings = settings or WebhooksSettings()
    events = QueueSpec(
        name="webhooks.events",
        routing_keys=routing_keys(*TRANSLATORS),
        retry_delays=settings.retry_delays_seconds,
    )
    handlers: dict[str, Handler] = {model.routing_key(): FORWARD for model in TRANSLATORS}
    return WebhooksService(
        settings,
        outbox=outbox,
        inbox=inbox,
        # the consumer takes batch handlers too; the Service signature names the plain kind
        consumers={events: cast(dict[str, EventHandler], handlers)},
    )
