"""The ledger's stores and journal on one transaction, and the events it will publish.

Handlers take a :class:`Books` whether they run in an API request (through
:class:`ledger.service_layer.unit_of_work.LedgerUnitOfWork`) or in the event consumer's
transaction; :meth:`Books.flush` books the journal and writes the events to the outbox,
last, just before the commit.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime

from contracts import EventData
from servicekit.outbox import SerialisedEvent, add_to_outbox, json_time, serialised_event
from sqlalchemy import Table
from sqlalchemy.ext.asyncio import AsyncSession

from ledger.adapters.agreements import AgreementStore
from ledger.adapters.case_store import CaseStore
from ledger.adapters.journal import Journal
from ledger.adapters.payment_store import PaymentStore
from ledger.adapters.rate_store import RateStore
from ledger.adapters.settlement_store import SettlementStore


def serialised(events: Sequence[EventData], occurred_at: datetime) -> list[SerialisedEvent]:
    """The events' envelopes as :meth:`contracts.Envelope.wrap` makes them (each payload
    validated when it was made, and dumped once), without building an envelope model per
    event: a bank file publishes two events per payment."""
    at = json_time(occurred_at)
    return [
        serialised_event(type(e), e.model_dump(mode="json"), event_id=uuid.uuid4(), occurred_at=at)
        for e in events
    ]


class Books:
    def __init__(self, session: AsyncSession, outbox: Table) -> None:
        self.session = session
        self.outbox = outbox
        self.journal = Journal(session)
        self.cases = CaseStore(session)
        self.rates = RateStore(session)
        self.agreements = AgreementStore(session)
        self.payments = PaymentStore(session)
        self.settlements = SettlementStore(session)
        self._events: list[EventData] = []

    def emit(self, event: EventData) -> None:
        self._events.append(event)

    async def flush(self) -> None:
        """Book the journal (the chain lock is taken last), then write the events."""
        await self.journal.flush()
        self.rates.forget()  # the next transaction reads the rates again
        events, self._events = self._events, []
        await add_to_outbox(self.session, self.outbox, serialised(events, datetime.now(UTC)))
