"""The ledger writes its events to the outbox as the envelope models write them."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, date, datetime

import pytest
from contracts import Envelope
from ledger.domain.case_ledger import IncomingPayment
from ledger.domain.components import DEFAULT_ORDER, expand_order
from ledger.service_layer.books import serialised
from ledger.service_layer.events import balance_changed, payment_received, settled_in_full
from servicekit import context

from .test_balance_event_interest import RATES, example

pytestmark = pytest.mark.unit


@pytest.mark.parametrize("microsecond", [0, 1, 500_000, 999_999])
def test_each_event_is_the_envelope_the_models_write(microsecond: int) -> None:
    ledger = example()
    booking = ledger.take_payment(
        IncomingPayment(uuid.uuid4(), 2_000_000, date(2023, 9, 1)),
        RATES,
        expand_order(DEFAULT_ORDER),
        "actual/actual",
    )
    events = [
        payment_received(ledger, booking),
        balance_changed(
            ledger,
            cause="payment",
            effective_date=date(2023, 9, 1),
            rates=RATES,
            day_count="actual/actual",
        ),
        settled_in_full(ledger, settled_on=date(2023, 9, 1), total_paid_ore=2_400_000),
    ]
    assert events[1].interest is not None
    assert events[1].interest.periods
    now = datetime(2026, 12, 7, 6, 30, 1, microsecond, tzinfo=UTC)
    correlation = context.correlation_id.set(uuid.uuid4())
    try:
        written = serialised(events, now)
        models = [
            Envelope.wrap(
                event,
                event_id=row.event_id,
                occurred_at=now,
                correlation_id=context.correlation_id.get(),
            )
            for event, row in zip(events, written, strict=True)
        ]
    finally:
        context.correlation_id.reset(correlation)
    assert [row.body for row in written] == [m.model_dump_json() for m in models]
    assert [(row.event_type, row.routing_key) for row in written] == [
        (m.event_type, m.routing_key) for m in models
    ]
    assert len({row.event_id for row in written}) == len(events)
    assert Envelope.model_validate(json.loads(written[1].body)) == models[1]
