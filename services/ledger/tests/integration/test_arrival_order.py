"""Hypothesis, against the real PostgreSQL: for any set of payments and reversals on a case,
every order in which they arrive gives the same economy (issue 13 point 4).

For each example the same facts (a case, a fee, payments with value dates and
designations, some taken back) are booked twice, on two new cases, in two arrival orders
(a reversal always after its payment). Then:

- the final economy is the same: every component, interest, paid, overpaid and balance as
  known now on every value date and at the year's end, the case's and the creditor's
  account balances, and what the payments in force cover on each value date;
- the journal still balances (every entry; the trial balance) and the hash chain holds;
- no entry is edited: every entry of a case seen after one arrival is there unchanged
  (same hash) after the next;
- balances as of every past value date are reproducible: the economy read as booked then
  (``known_at`` = the moment after an arrival) equals what was read at that moment.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ledger.bootstrap import LedgerService, bootstrap
from ledger.domain.case_ledger import CaseFacts, Claim
from ledger.domain.components import Component
from ledger.domain.fees import Step
from ledger.entrypoints import cli
from ledger.service_layer.cases import CaseRegistration, StepTaken, record_steps, register_cases
from ledger.service_layer.payments import PaymentIn, receive_payments
from ledger.service_layer.reversals import reverse_payment
from ledger.settings import LedgerSettings
from ledger.views.economy import KNOWN_NOW, case_economy
from sqlalchemy import text

from .books import new_kid
from .conftest import ALEMBIC_INI

pytestmark = pytest.mark.integration

BASE = date(2025, 1, 1)
YEAR_END = date(2025, 12, 31)
DESIGNATIONS: list[tuple[Component, ...]] = [(), (), (Component.PRINCIPAL,), (Component.INTEREST,)]
"""None, or one component: payments of one value date then cover the same together in any
order (two or more designated components may not; ADR 13)."""


@dataclass(frozen=True)
class PaymentFact:
    amount_ore: int
    day: int
    designation: tuple[Component, ...]


@dataclass(frozen=True)
class Facts:
    claims: tuple[tuple[int, int], ...]  # principal, due day
    reminder_fee_ore: int
    demand_day: int | None  # betalingsoppfordring (lett salær), booked before any payment
    payments: tuple[PaymentFact, ...]
    reversed: frozenset[int]


Event = tuple[str, int]  # ("pay" | "reverse", payment index)


@st.composite
def facts_and_orders(draw: st.DrawFn) -> tuple[Facts, list[Event], list[Event]]:
    payments = draw(
        st.lists(
            st.builds(
                PaymentFact,
                st.integers(1, 600_000),
                st.one_of(st.integers(0, 180), st.sampled_from([45, 90])),  # same days too
                st.sampled_from(DESIGNATIONS),
            ),
            min_size=1,
            max_size=5,
        )
    )
    facts = Facts(
        claims=tuple(
            draw(
                st.lists(
                    st.tuples(st.integers(1, 1_500_000), st.integers(0, 40)), min_size=1, max_size=2
                )
            )
        ),
        reminder_fee_ore=draw(st.sampled_from([0, 3_500])),
        demand_day=draw(st.one_of(st.none(), st.integers(20, 120))),
        payments=tuple(payments),
        reversed=frozenset(
            draw(st.sets(st.integers(0, len(payments) - 1), max_size=len(payments)))
        ),
    )
    events: list[Event] = [("pay", i) for i in range(len(payments))]
    events += [("reverse", i) for i in sorted(facts.reversed)]

    def arrival() -> list[Event]:
        order = draw(st.permutations(events))
        fixed: list[Event] = []
        for event in order:  # a reversal comes after its payment
            if event[0] == "pay":
                fixed.append(event)
                if ("reverse", event[1]) in order and order.index(
                    ("reverse", event[1])
                ) < order.index(event):
                    fixed.append(("reverse", event[1]))
            elif order.index(("pay", event[1])) < order.index(event):
                fixed.append(event)
        return fixed

    return facts, arrival(), arrival()


class Run:
    """One arrival order of the facts, on a case and creditor of its own."""

    def __init__(self, service: LedgerService, facts: Facts) -> None:
        self.service = service
        self.facts = facts
        self.prefix = uuid.uuid4().hex
        self.case = CaseFacts(
            case_id=uuid.uuid4(),
            creditor_id=uuid.uuid4(),
            kid=new_kid(),
            debtor_kind="person",
            currency="NOK",
            claims=tuple(
                Claim(uuid.uuid4(), BASE + timedelta(days=due), principal, facts.reminder_fee_ore)
                for principal, due in facts.claims
            ),
        )
        self.payment_ids: dict[int, uuid.UUID] = {}
        self.snapshots: list[tuple[datetime, dict[date, tuple[Any, ...]]]] = []
        self.entries: dict[uuid.UUID, bytes] = {}

    @property
    def dates(self) -> list[date]:
        days = {p.day for p in self.facts.payments}
        return sorted({BASE + timedelta(days=d) for d in days} | {YEAR_END})

    async def register(self) -> None:
        async with self.service.unit_of_work() as uow:
            registration = CaseRegistration(self.case, "P", datetime.now(UTC))
            await register_cases(uow.books, [registration], self.service.policy)
            await uow.commit()
        if self.facts.demand_day is not None:
            step = Step("betalingsoppfordring_sent", BASE + timedelta(days=self.facts.demand_day))
            async with self.service.unit_of_work() as uow:
                await record_steps(uow.books, [StepTaken(self.case.case_id, step, uuid.uuid4())])
                await uow.commit()

    async def arrive(self, event: Event) -> None:
        kind, index = event
        async with self.service.unit_of_work() as uow:
            if kind == "pay":
                fact = self.facts.payments[index]
                summary = await receive_payments(
                    uow.books,
                    [
                        PaymentIn(
                            transaction_id=f"{self.prefix}:{index:02d}",
                            kid=self.case.kid,
                            amount_ore=fact.amount_ore,
                            value_date=BASE + timedelta(days=fact.day),
                            source="manual",
                            designation=fact.designation,
                        )
                    ],
                    self.service.policy,
                )
                assert summary.allocated == 1
                self.payment_ids[index] = summary.payment_ids[0]
            else:
                await reverse_payment(
                    uow.books, self.payment_ids[index], reason="test", policy=self.service.policy
                )
            await uow.commit()
        await self.check_nothing_edited()
        self.snapshots.append((datetime.now(UTC), await self.economies(KNOWN_NOW)))

    async def check_nothing_edited(self) -> None:
        async with self.service.session_factory() as session:
            rows = await session.execute(
                text("SELECT entry_id, hash FROM journal_entries WHERE case_id = :case"),
                {"case": self.case.case_id},
            )
            now = {entry_id: bytes(digest) for entry_id, digest in rows}
        assert {k: now.get(k) for k in self.entries} == self.entries
        self.entries = now

    async def economies(self, known_at: datetime) -> dict[date, tuple[Any, ...]]:
        found = {}
        async with self.service.session_factory() as session:
            for on in self.dates:
                economy = await case_economy(
                    session,
                    self.case.case_id,
                    on,
                    day_count=self.service.policy.day_count,
                    known_at=known_at,
                )
                assert economy is not None
                found[on] = (
                    tuple((line.charged_ore, line.paid_ore, line.written_off_ore)
                          for line in economy.lines),
                    economy.interest.amount_ore,
                    economy.overpaid_ore,
                    economy.balance_ore,
                )  # fmt: skip
        return found

    async def accounts(self) -> dict[tuple[str, str], int]:
        async with self.service.session_factory() as session:
            rows = await session.execute(
                text(
                    "SELECT CASE WHEN holder = :case THEN 'case' ELSE 'creditor' END,"
                    " account_kind, sum(amount_ore) FROM postings"
                    " WHERE holder IN (:case, :creditor) GROUP BY 1, 2"
                ),
                {"case": self.case.case_id, "creditor": self.case.creditor_id},
            )
            return {(who, kind): int(total) for who, kind, total in rows if total}

    async def splits(self) -> dict[date, tuple[int, ...]]:
        """What the payments in force cover, per value date (one date's payments together:
        they are taken in the order they were booked)."""
        found: dict[date, tuple[int, ...]] = {}
        async with self.service.unit_of_work() as uow:
            for payment_id in self.payment_ids.values():
                record = await uow.books.payments.get(payment_id)
                allocation = await uow.books.payments.allocation_of(payment_id)
                assert record is not None
                assert allocation is not None
                if record.status == "allocated":
                    split = (*(allocation.amounts[c] for c in Component), allocation.overpaid_ore)
                    before = found.get(record.value_date, (0,) * len(split))
                    found[record.value_date] = tuple(
                        a + b for a, b in zip(before, split, strict=True)
                    )
        return found

    async def play(self, order: list[Event]) -> dict[str, Any]:
        await self.register()
        for event in order:
            await self.arrive(event)
        for known_at, seen in self.snapshots:  # as booked then, read later: the same
            assert await self.economies(known_at) == seen
        return {
            "economy": self.snapshots[-1][1],
            "accounts": await self.accounts(),
            "splits": await self.splits(),
        }


async def journal_holds(service: LedgerService) -> None:
    async with service.session_factory() as session:
        unbalanced = await session.scalar(
            text(
                "SELECT count(*) FROM (SELECT entry_id FROM postings GROUP BY entry_id, currency"
                " HAVING sum(amount_ore) <> 0) e"
            )
        )
        trial = await session.scalar(text("SELECT coalesce(sum(amount_ore), 0) FROM postings"))
    assert (unbalanced, trial) == (0, 0)
    assert await cli.run(service, ["verify-chain"]) == 0


def test_the_economy_does_not_depend_on_the_arrival_order(
    service_database: Callable[[str, Path], Awaitable[str]],
) -> None:
    url = asyncio.run(service_database("ledger", ALEMBIC_INI))
    loop = asyncio.new_event_loop()
    service = bootstrap(LedgerSettings(environment="test", database_url=url, db_pool_size=2))

    @settings(
        max_examples=25,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(facts_and_orders())
    def same_economy(drawn: tuple[Facts, list[Event], list[Event]]) -> None:
        facts, first, second = drawn
        one = loop.run_until_complete(Run(service, facts).play(first))
        two = loop.run_until_complete(Run(service, facts).play(second))
        assert one == two, (first, second)
        loop.run_until_complete(journal_holds(service))

    try:
        same_economy()
    finally:
        loop.run_until_complete(service.close())
        loop.close()
