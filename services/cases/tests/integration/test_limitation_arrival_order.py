"""Limitation is a function of the payments, not of the order the ledger's events arrive in
(issue 13 §§ 4, 7; ADR 0068), through the consumer with real PostgreSQL and RabbitMQ.

Hand-worked (foreldelsesloven §§ 2, 3 nr. 1, 14, 29; docs/money-rules.md § 7): a claim due
Tue 10 Jan 2023 has its last day on Mon 12 Jan 2026 (10 Jan 2026 a Saturday) and is barred
from 13 Jan 2026. A part payment on Mon 1 Dec 2025 starts a new period: last day Fri
1 Dec 2028. One on Tue 30 Jun 2026 comes after the first bar but before that one: a new
period, 30 Jun 2029 a Saturday, last day Mon 2 Jul 2029, barred from **3 Jul 2029**, whichever
payment the ledger told of first. Take the 1 December payment back, and the 30 June one
comes after the bar again: barred from **13 Jan 2026**, whether the reversal comes before
or after the payment it takes back.
"""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from cases.bootstrap import CasesService
from contracts import Envelope
from contracts.ledger import PaymentReceived, PaymentReversed
from servicekit.testing.bus import running_consumers

from .workflow_support import FixedClock, case, claim_rows, events_of, register_cases, timeline_of

pytestmark = pytest.mark.integration

DUE = date(2023, 1, 10)
DECEMBER, JUNE = date(2025, 12, 1), date(2026, 6, 30)
TODAY = date(2026, 7, 10)


def received(
    case_id: uuid.UUID, creditor_id: uuid.UUID, payment_id: uuid.UUID, on: date
) -> Envelope:
    return Envelope.wrap(
        PaymentReceived(
            payment_id=payment_id,
            case_id=case_id,
            creditor_id=creditor_id,
            amount_ore=10_000,
            value_date=on,
            principal_ore=10_000,
            interest_ore=0,
            costs_ore=0,
            overpaid_ore=0,
            received_at=FixedClock(TODAY).now(),
        )
    )


def reversed_(
    case_id: uuid.UUID, creditor_id: uuid.UUID, payment_id: uuid.UUID, on: date
) -> Envelope:
    return Envelope.wrap(
        PaymentReversed(
            payment_id=payment_id,
            case_id=case_id,
            creditor_id=creditor_id,
            amount_ore=10_000,
            value_date=on,
            reversed_at=FixedClock(TODAY).now(),
        )
    )


async def limitation_notes(
    service: CasesService, case_id: uuid.UUID
) -> list[tuple[str, date, str | None]]:
    """The case's timeline after its registration: (kind, day, limitation date set)."""
    return [
        (e["kind"], e["effective_date"], (e["detail"] or {}).get("limitation_date"))
        for e in await timeline_of(service, case_id)
        if e["kind"] != "registered"
    ]


async def deliver_one_by_one(service: CasesService, envelopes: list[Envelope]) -> None:
    """Each event applied before the next is published: this arrival order exactly."""
    async with running_consumers(service) as run:
        for handled, envelope in enumerate(envelopes, start=1):
            await run.publish(envelope)
            await run.settled(handled=handled)
        assert run.outcomes()["dead_lettered"] == 0
        assert run.outcomes()["retried"] == 0


async def test_two_payments_give_the_same_limitation_in_either_order(
    service: CasesService,
) -> None:
    service.clock = FixedClock(date(2025, 11, 3))
    creditor_id, (in_order, late_first) = await register_cases(service, count=2, due_date=DUE)
    assert (await case(service, in_order))["limitation_date"] == date(2026, 1, 13)
    service.clock = FixedClock(TODAY)
    december, june = uuid.uuid4(), uuid.uuid4()
    await deliver_one_by_one(
        service,
        [
            received(in_order, creditor_id, december, DECEMBER),
            received(in_order, creditor_id, june, JUNE),
            received(late_first, creditor_id, june, JUNE),
            received(late_first, creditor_id, december, DECEMBER),
            received(late_first, creditor_id, june, JUNE),  # the ledger said it again
        ],
    )
    for case_id in (in_order, late_first):
        assert (await case(service, case_id))["limitation_date"] == date(2029, 7, 3)
        assert [c["limitation_date"] for c in await claim_rows(service, case_id)] == [
            date(2029, 7, 3)
        ]
    assert await limitation_notes(service, in_order) == [
        ("limitation_interrupted", DECEMBER, "2028-12-02"),
        ("limitation_interrupted", JUNE, "2029-07-03"),
    ]
    assert await limitation_notes(service, late_first) == [
        ("limitation_not_revived", JUNE, None),  # as known then: after the bar
        ("limitation_interrupted", DECEMBER, "2029-07-03"),  # with December's, June's counts
    ]  # and the redelivery changed nothing


async def test_a_payment_taken_back_no_longer_interrupts_whenever_it_arrives(
    service: CasesService,
) -> None:
    service.clock = FixedClock(date(2025, 11, 3))
    creditor_id, (reversed_last, reversed_first) = await register_cases(
        service, count=2, due_date=DUE
    )
    service.clock = FixedClock(TODAY)
    ids = {c: (uuid.uuid4(), uuid.uuid4()) for c in (reversed_last, reversed_first)}

    def history(case_id: uuid.UUID) -> tuple[Envelope, Envelope, Envelope]:
        december, june = ids[case_id]
        return (
            received(case_id, creditor_id, december, DECEMBER),
            received(case_id, creditor_id, june, JUNE),
            reversed_(case_id, creditor_id, december, DECEMBER),
        )

    paid_december, paid_june, taken_back = history(reversed_last)
    first = [paid_december, paid_june, taken_back]
    paid_december, paid_june, taken_back = history(reversed_first)
    second = [taken_back, paid_june, paid_december]
    await deliver_one_by_one(service, first + second)

    for case_id in (reversed_last, reversed_first):
        row = await case(service, case_id)
        assert row["limitation_date"] == date(2026, 1, 13)
        assert row["limitation_check_on"] == TODAY  # the scheduler finds it barred today
        assert await events_of(service, case_id, "cases.claim.time_barred") == []
    assert await limitation_notes(service, reversed_last) == [
        ("limitation_interrupted", DECEMBER, "2028-12-02"),
        ("limitation_interrupted", JUNE, "2029-07-03"),
        ("limitation_recomputed", DECEMBER, "2026-01-13"),  # December's taken back
    ]
    assert await limitation_notes(service, reversed_first) == [
        ("limitation_not_revived", JUNE, None),  # and the taken-back receipt adds nothing
    ]


async def test_a_payment_and_its_reversal_in_one_batch(service: CasesService) -> None:
    """Published at once, so the consumer may take them in one batch (one statement per
    case): the same result as one by one."""
    service.clock = FixedClock(date(2025, 11, 3))
    creditor_id, (case_id,) = await register_cases(service, due_date=DUE)
    service.clock = FixedClock(TODAY)
    december, june = uuid.uuid4(), uuid.uuid4()
    envelopes = [
        received(case_id, creditor_id, june, JUNE),
        reversed_(case_id, creditor_id, december, DECEMBER),
        received(case_id, creditor_id, december, DECEMBER),
        received(case_id, creditor_id, december, DECEMBER),  # the ledger said it again
    ]
    async with running_consumers(service) as run:
        for envelope in envelopes:
            await run.publish(envelope)
        await run.settled(handled=len(envelopes))
        assert run.outcomes()["dead_lettered"] == 0
    assert (await case(service, case_id))["limitation_date"] == date(2026, 1, 13)
