"""The consumer of the cases service's events, on the real broker: duplicates (the same
event again, or the same fact under a new event id) change nothing, and events out of
order (a step or a closing before the case) end in the same books."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from contracts import Envelope
from contracts.cases import (
    CaseClosed,
    CaseRegistered,
    CaseStatusChanged,
    ClaimInterestStart,
    ClaimRegistered,
    ClaimTimeBarred,
)
from ledger.adapters.orm import journal_entries
from ledger.bootstrap import LedgerService
from servicekit.testing.bus import running_consumers
from sqlalchemy import func, select

from .books import Ledger, new_kid
from .outbox import events

pytestmark = pytest.mark.integration


def registered(creditor_id: uuid.UUID, principal: int = 1_000_000) -> CaseRegistered:
    return CaseRegistered(
        case_id=uuid.uuid4(),
        creditor_id=creditor_id,
        case_number=f"S-{uuid.uuid4().hex[:8]}",
        kid=new_kid(),
        creditor_reference=uuid.uuid4().hex[:10],
        batch_id=uuid.uuid4(),
        channel="api",
        debtor_kind="person",
        claims=[
            ClaimRegistered(
                claim_id=uuid.uuid4(),
                invoice_number="F-1",
                invoice_date=date(2025, 1, 1),
                due_date=date(2025, 1, 31),
                principal_ore=principal,
                reminder_fee_ore=0,
                limitation_date=date(2028, 1, 31),
            )
        ],
        registered_at=datetime.now(UTC),
    )


def step(case: CaseRegistered, name: str, on: date) -> CaseStatusChanged:
    return CaseStatusChanged(
        case_id=case.case_id,
        creditor_id=case.creditor_id,
        from_status="notice_sent",
        to_status="demand_sent",
        step=name,
        effective_date=on,
        rule_set="inkassoloven-1988",
        debtor_kind="person",
        actor="scheduler",
        changed_at=datetime.now(UTC),
    )


async def entry_count(service: LedgerService, case_id: uuid.UUID) -> int:
    async with service.session_factory() as session:
        count = await session.scalar(
            select(func.count()).where(journal_entries.c.case_id == case_id)
        )
    return int(count or 0)


async def test_a_registration_twice_books_the_claim_once(
    service: LedgerService, ledger: Ledger
) -> None:
    case = registered(ledger.creditor_id)
    envelope = Envelope.wrap(case)
    async with running_consumers(service) as run:
        await run.publish(envelope, times=2)  # a redelivery
        await run.publish(Envelope.wrap(case))  # the same fact, a new event id
        await run.settled(handled=2, duplicate=1)
    assert await entry_count(service, case.case_id) == 1
    economy = await ledger.economy(case.case_id, date(2025, 1, 31))
    assert economy.balance_ore == 1_000_000
    assert len(await events(service, "ledger.case.balance_changed", case.case_id)) == 1


async def test_steps_before_the_case_are_charged_when_it_arrives_and_only_once(
    service: LedgerService, ledger: Ledger
) -> None:
    case = registered(ledger.creditor_id)
    demand = step(case, "betalingsoppfordring_sent", date(2025, 3, 3))
    async with running_consumers(service) as run:
        await run.publish(Envelope.wrap(demand))  # before the case: kept
        await run.settled(handled=1)
        await run.publish(Envelope.wrap(case))
        await run.publish(Envelope.wrap(demand))  # again, under a new event id
        await run.publish(Envelope.wrap(step(case, "inkassovarsel_sent", date(2025, 2, 15))))
        await run.settled(handled=4)
    economy = await ledger.economy(case.case_id, date(2025, 3, 3))
    assert sorted((f["kind"], f["amount_ore"]) for f in economy.fees) == [
        ("inkassovarsel_fee", 3_500),
        ("salaer_lett", 56_000),
    ]
    assert await entry_count(service, case.case_id) == 3


async def test_a_case_closed_unpaid_is_written_off_whatever_the_order(
    service: LedgerService, ledger: Ledger
) -> None:
    early, late = registered(ledger.creditor_id), registered(ledger.creditor_id)

    def closed(case: CaseRegistered) -> CaseClosed:
        return CaseClosed(
            case_id=case.case_id,
            creditor_id=case.creditor_id,
            reason="withdrawn",
            closed_on=date(2025, 3, 2),
            actor="system",
            closed_at=datetime.now(UTC),
        )

    async with running_consumers(service) as run:
        await run.publish(Envelope.wrap(closed(early)))  # before the case
        await run.publish(Envelope.wrap(late))
        await run.settled(handled=2)
        await run.publish(Envelope.wrap(early))
        await run.publish(Envelope.wrap(closed(late)))
        await run.publish(Envelope.wrap(closed(late)))  # again: nothing more
        await run.settled(handled=5)
    for case in (early, late):
        economy = await ledger.economy(case.case_id, date(2025, 6, 30))
        assert economy.balance_ore == 0, case
        interest = next(line for line in economy.lines if line.component.value == "interest")
        # interest stopped at the closing: 1 Feb-2 Mar, 30 days at 12.50 %
        assert interest.charged_ore == interest.written_off_ore == 10_274
        assert economy.facts.close_reason == "withdrawn"


async def test_every_step_gets_a_balance_event_of_its_day_with_the_rate_and_interest(
    service: LedgerService, ledger: Ledger
) -> None:
    """Due Friday 31.01.2025 at 12,50 % (2025 H1, lovdata FOR-2024-12-19-3279). The
    inkassovarsel of 10.02 is sent under 14 days after the due date: no fee, but an event
    (cause ``step``) with the rate and the interest through the day: 01.02-10.02 is 10 days,
    1 000 000 x 0,125 x 10 / 365 = 3 424,66 → 3 425 øre. The betalingsoppfordring of 24.02
    charges lett salær 560,00 (bracket to 10 000: 0,8 x 700) and states 24 days:
    1 000 000 x 0,125 x 24 / 365 = 8 219,18 → 8 219 øre."""
    case = registered(ledger.creditor_id)
    async with running_consumers(service) as run:
        await run.publish(Envelope.wrap(case))
        await run.publish(Envelope.wrap(step(case, "inkassovarsel_sent", date(2025, 2, 10))))
        await run.settled(handled=2)
        await run.publish(Envelope.wrap(step(case, "betalingsoppfordring_sent", date(2025, 2, 24))))
        await run.settled(handled=3)
    registration, varsel, demand = await events(
        service, "ledger.case.balance_changed", case.case_id
    )
    assert registration["cause"] == "registered"
    assert registration["interest"]["accrued_ore"] == 0
    assert (varsel["cause"], varsel["effective_date"], varsel["costs_ore"]) == (
        "step",
        "2025-02-10",
        0,
    )
    assert Decimal(varsel["interest_rate_percent"]) == Decimal("12.50")
    assert (varsel["interest_rate_from"], varsel["interest_rate_to"]) == (
        "2025-01-01",
        "2025-06-30",
    )
    assert varsel["interest"]["accrued_ore"] == varsel["interest"]["outstanding_ore"] == 3_425
    assert varsel["interest"]["balance_ore"] == 1_003_425
    (period,) = varsel["interest"]["periods"]
    assert (period["first"], period["last"], period["days"]) == ("2025-02-01", "2025-02-10", 10)
    assert (demand["cause"], demand["effective_date"], demand["costs_ore"]) == (
        "fee",
        "2025-02-24",
        56_000,
    )
    assert demand["interest"]["accrued_ore"] == 8_219
    assert demand["interest"]["balance_ore"] == 1_000_000 + 56_000 + 8_219


def time_barred(case: CaseRegistered, on: date | None, limitation: date) -> ClaimTimeBarred:
    return ClaimTimeBarred(
        case_id=case.case_id,
        creditor_id=case.creditor_id,
        claim_id=case.claims[0].claim_id,
        limitation_date=limitation,
        time_barred_on=on,
        changed_at=datetime.now(UTC),
    )


async def test_a_time_barred_claim_stops_interest_and_fees_until_it_is_renewed(
    service: LedgerService, ledger: Ledger
) -> None:
    """NOK 10 000 due 31 Jan 2025 (12.50 %); the cases service says the claim is time-barred
    from 1 April 2025 (a date given to the ledger, however cases found it)."""
    case = registered(ledger.creditor_id)
    async with running_consumers(service) as run:
        await run.publish(Envelope.wrap(case))
        await run.settled(handled=1)
        await run.publish(Envelope.wrap(time_barred(case, date(2025, 4, 1), date(2025, 4, 1))))
        await run.settled(handled=2)
        # a step on the barred claim costs nothing
        await run.publish(Envelope.wrap(step(case, "inkassovarsel_sent", date(2025, 4, 2))))
        await run.settled(handled=3)
        assert run.outcomes()["dead_lettered"] == 0
    economy = await ledger.economy(case.case_id, date(2025, 6, 30))
    # 1 Feb-31 Mar, 59 days: 1 000 000 x 0.125 x 59 / 365 = 20 205.48 -> 20 205
    assert economy.interest.amount_ore == 20_205
    assert economy.fees == ()
    [balance] = [
        e
        for e in await events(service, "ledger.case.balance_changed", case.case_id)
        if e["cause"] == "time_barred"
    ]
    assert balance["interest"]["accrued_ore"] == 20_205

    # an interruption dated before the bar came in late: the claim runs again, and interest
    # is owed for every day: 1 Feb-30 Jun, 150 days: 51 369.86 -> 51 370
    async with running_consumers(service) as run:
        await run.publish(Envelope.wrap(time_barred(case, None, date(2028, 3, 1))))
        await run.settled(handled=1)
    economy = await ledger.economy(case.case_id, date(2025, 6, 30))
    assert economy.interest.amount_ore == 51_370


async def test_a_payment_after_the_bar_covers_the_interest_to_the_bar_only(
    service: LedgerService, ledger: Ledger
) -> None:
    case = registered(ledger.creditor_id)
    async with running_consumers(service) as run:
        await run.publish(Envelope.wrap(case))
        await run.settled(handled=1)
        await run.publish(Envelope.wrap(time_barred(case, date(2025, 4, 1), date(2025, 4, 1))))
        await run.settled(handled=2)
    # NOK 1 000 on 30 June: interest 20 205 (to 31 March), then principal 79 795
    await ledger.pay(case.kid, 100_000, date(2025, 6, 30))
    economy = await ledger.economy(case.case_id, date(2025, 6, 30))
    assert economy.interest.amount_ore == 20_205
    assert economy.balance_ore == 1_000_000 - 79_795


async def test_a_claim_without_an_agreed_due_date_accrues_from_thirty_days_after_the_demand(
    service: LedgerService, ledger: Ledger
) -> None:
    """The claim of ``registered`` (NOK 10 000, due 31 Jan 2025) had no due date agreed; the
    påkrav went out on 31 Jan 2025, so interest runs after 2 March 2025 (30 days later).
    As of 31 March: 3-31 March, 29 days at 12.50 %: 1 000 000 x 0.125 x 29 / 365
    = 9 931.51 -> 9 932 (from the due date it would be 59 days: 20 205)."""
    case = registered(ledger.creditor_id)
    case = case.model_copy(
        update={
            "interest_starts": [
                ClaimInterestStart(
                    claim_id=case.claims[0].claim_id,
                    demand_sent_on=date(2025, 1, 31),
                    interest_due_date=date(2025, 3, 2),
                )
            ]
        }
    )
    async with running_consumers(service) as run:
        await run.publish(Envelope.wrap(case))
        await run.settled(handled=1)
    assert (await ledger.economy(case.case_id, date(2025, 3, 2))).interest.amount_ore == 0
    economy = await ledger.economy(case.case_id, date(2025, 3, 31))
    assert economy.interest.amount_ore == 9_932
