"""Composition root of the cases service: the one place that picks concrete adapters."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cached_property
from typing import cast

from contracts import routing_keys
from contracts.auth import OrganisationDeactivated, OrganisationRegistered
from contracts.integrations import DirectPaymentNoticed, InvoicesHandedOver
from contracts.ledger import (
    CaseBalanceChanged,
    CaseSettledInFull,
    PaymentReceived,
    PaymentReversed,
)
from contracts.reports import ReplayRequested
from servicekit.bus.consumer import BatchHandler, EventHandler, Handler
from servicekit.bus.topology import QueueSpec
from servicekit.crypto import Keyring
from servicekit.replay import replay_handler
from servicekit.service import Service

from cases.adapters.clamd import ClamdScanner, Scanner
from cases.adapters.national_ids import NationalIdVault
from cases.adapters.orm import inbox, outbox
from cases.adapters.rule_files import load_rule_book
from cases.domain.rules import RuleBook
from cases.entrypoints import consumers
from cases.service_layer.clock import Clock, SystemClock
from cases.service_layer.registration import RegistrationContext
from cases.service_layer.unit_of_work import CasesUnitOfWork
from cases.service_layer.workflow import WorkflowContext
from cases.settings import CasesSettings


class CasesService(Service):
    settings: CasesSettings

    def unit_of_work(self) -> CasesUnitOfWork:
        return CasesUnitOfWork(self.session_factory, self.outbox)

    @cached_property
    def vault(self) -> NationalIdVault:
        """Seals debtors' national id numbers (needs CASES_DATA_KEYS and CASES_LOOKUP_KEY)."""
        if not self.settings.data_keys or not self.settings.lookup_key:
            raise RuntimeError(
                "CASES_DATA_KEYS and CASES_LOOKUP_KEY must be set (`make up` generates them "
                "into var/local.env)"
            )
        return NationalIdVault(Keyring(self.settings.data_keys), self.settings.lookup_key.encode())

    @cached_property
    def attachment_keyring(self) -> Keyring:
        """Seals the files attached to notes (the same CASES_DATA_KEYS, bound to each file)."""
        if not self.settings.data_keys:
            raise RuntimeError("CASES_DATA_KEYS must be set (`make up` generates it)")
        return Keyring(self.settings.data_keys)

    @cached_property
    def scanner(self) -> Scanner:
        """ClamAV's daemon, which every attached file passes before it may be downloaded."""
        return ClamdScanner(
            self.settings.clamd_address, timeout_seconds=self.settings.clamd_timeout_seconds
        )

    @property
    def fingerprint_secret(self) -> bytes:
        """Keys the digests of requests stored for Idempotency-Key (they hold personal data)."""
        if not self.settings.lookup_key:
            raise RuntimeError("CASES_LOOKUP_KEY must be set")
        return self.settings.lookup_key.encode()

    @cached_property
    def rule_book(self) -> RuleBook:
        return load_rule_book()

    clock: Clock = SystemClock()

    def registration(self) -> RegistrationContext:
        return RegistrationContext(vault=self.vault, rule_book=self.rule_book, clock=self.clock)

    def workflow(self) -> WorkflowContext:
        return WorkflowContext(rule_book=self.rule_book, clock=self.clock)


def bootstrap(settings: CasesSettings | None = None) -> CasesService:
    settings = settings or CasesSettings()
    events = QueueSpec(
        name="cases.events",
        routing_keys=routing_keys(
            OrganisationRegistered,
            OrganisationDeactivated,
            CaseSettledInFull,
            PaymentReceived,
            PaymentReversed,
            CaseBalanceChanged,
            ReplayRequested,
            InvoicesHandedOver,
            DirectPaymentNoticed,
        ),
        retry_delays=settings.retry_delays_seconds,
    )
    handlers: dict[str, Handler] = {
        OrganisationRegistered.routing_key(): consumers.organisation_registered,
        OrganisationDeactivated.routing_key(): consumers.organisation_deactivated,
        CaseSettledInFull.routing_key(): consumers.case_settled_in_full(lambda: service.workflow()),
        PaymentReceived.routing_key(): consumers.payments_received(lambda: service.workflow()),
        PaymentReversed.routing_key(): consumers.payments_reversed(lambda: service.workflow()),
        CaseBalanceChanged.routing_key(): BatchHandler(consumers.balances_changed),
        ReplayRequested.routing_key(): replay_handler(outbox),
        InvoicesHandedOver.routing_key(): consumers.invoices_handed_over(
            lambda: service.registration()
        ),
        DirectPaymentNoticed.routing_key(): consumers.direct_payment_noticed,
    }
    service = CasesService(
        settings,
        outbox=outbox,
        inbox=inbox,
        consumers={events: cast(Mapping[str, EventHandler], handlers)},
    )
    return service
