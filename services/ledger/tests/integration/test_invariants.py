"""Hypothesis, stateful, against the real PostgreSQL: random sequences of registrations,
workflow steps, payments (also unmatched and retried), reversals and closings. After every
step: every entry balances, the trial balance is zero, no case owes less than nothing, the
control accounts agree with the cases, and every payment is accounted for to the øre. A
retried command changes nothing; replaying the whole sequence on new cases gives the same
books."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any, TypeVar

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from ledger.bootstrap import LedgerService, bootstrap
from ledger.domain.case_ledger import CaseFacts, Claim
from ledger.domain.fees import Step
from ledger.entrypoints import cli
from ledger.service_layer.cases import (
    CaseRegistration,
    StepTaken,
    close_case,
    record_steps,
    register_cases,
)
from ledger.service_layer.payments import PaymentIn, receive_payments
from ledger.service_layer.reversals import reverse_payment
from ledger.settings import LedgerSettings
from ledger.views.economy import case_economy
from sqlalchemy import text

from .books import new_kid
from .conftest import ALEMBIC_INI

pytestmark = pytest.mark.integration

T = TypeVar("T")
BASE = date(2025, 1, 1)
AS_OF = date(2025, 12, 31)
STEPS = ["inkassovarsel_sent", "betalingsoppfordring_sent", "legal_step_forliksklage"]


@dataclass(frozen=True)
class Register:
    case: int
    claims: tuple[tuple[int, int, int], ...]  # principal, due day, reminder fee


@dataclass(frozen=True)
class TakeStep:
    case: int
    step: str
    day: int


@dataclass(frozen=True)
class Pay:
    payment: int
    case: int | None  # None: a KID nobody has
    amount: int
    day: int


@dataclass(frozen=True)
class Reverse:
    payment: int


@dataclass(frozen=True)
class Close:
    case: int
    day: int


Command = Register | TakeStep | Pay | Reverse | Close


class Driver:
    """Runs commands on the service; logical numbers map to the ids of this run."""

    def __init__(self, service: LedgerService) -> None:
        self.service = service
        self.creditor = uuid.uuid4()
        self.cases: dict[int, CaseFacts] = {}
        self.payments: dict[int, uuid.UUID] = {}
        self.tx: dict[int, str] = {}

    async def apply(self, command: Command) -> None:
        async with self.service.unit_of_work() as uow:
            books, policy = uow.books, self.service.policy
            if isinstance(command, Register):
                facts = CaseFacts(
                    case_id=uuid.uuid4(),
                    creditor_id=self.creditor,
                    kid=new_kid(),
                    debtor_kind="person",
                    currency="NOK",
                    claims=tuple(
                        Claim(uuid.uuid4(), BASE + timedelta(days=due), principal, fee)
                        for principal, due, fee in command.claims
                    ),
                )
                self.cases[command.case] = facts
                registration = CaseRegistration(facts, "S", BASE)
                await register_cases(books, [registration], policy)
            elif isinstance(command, TakeStep):
                case_id = self.cases[command.case].case_id
                step = Step(command.step, BASE + timedelta(days=command.day))
                await record_steps(books, [StepTaken(case_id, step, uuid.uuid4())])
            elif isinstance(command, Pay):
                kid = self.cases[command.case].kid if command.case is not None else new_kid()
                self.tx.setdefault(command.payment, f"inv:{uuid.uuid4()}")
                summary = await receive_payments(
                    books,
                    [
                        PaymentIn(
                            transaction_id=self.tx[command.payment],
                            kid=kid,
                            amount_ore=command.amount,
                            value_date=BASE + timedelta(days=command.day),
                            source="manual",
                        )
                    ],
                    policy,
                )
                if summary.payment_ids:
                    self.payments[command.payment] = summary.payment_ids[0]
            elif isinstance(command, Reverse):
                await reverse_payment(
                    books, self.payments[command.payment], reason="test", policy=policy
                )
            else:
                case_id = self.cases[command.case].case_id
                on = BASE + timedelta(days=command.day)
                await close_case(books, case_id, on, "withdrawn", policy)
            await uow.commit()

    async def state(self) -> dict[int, tuple[Any, ...]]:
        """Each case's economy at the end of the year, by logical number."""
        found = {}
        async with self.service.session_factory() as session:
            for number, facts in self.cases.items():
                economy = await case_economy(
                    session, facts.case_id, AS_OF, day_count=self.service.policy.day_count
                )
                assert economy is not None
                found[number] = (
                    tuple((line.charged_ore, line.paid_ore, line.written_off_ore)
                          for line in economy.lines),
                    economy.overpaid_ore,
                    economy.balance_ore,
                    len(economy.payments),
                    len(economy.fees),
                )  # fmt: skip
        return found


INVARIANTS = {
    "unbalanced entries": """
        SELECT count(*) FROM (SELECT entry_id FROM postings GROUP BY entry_id, currency
                               HAVING sum(amount_ore) <> 0) e""",
    "trial balance": "SELECT coalesce(sum(amount_ore), 0) FROM postings",
    "cases owing less than nothing": """
        SELECT count(*) FROM (SELECT holder FROM postings WHERE account_kind LIKE 'case.%'
                               AND account_kind <> 'case.overpaid'
                               GROUP BY holder, account_kind HAVING sum(amount_ore) < 0) n""",
    "overpaid below zero": """
        SELECT count(*) FROM (SELECT holder FROM postings WHERE account_kind = 'case.overpaid'
                               GROUP BY holder HAVING sum(amount_ore) > 0) n""",
    "payments not accounted for": """
        SELECT count(*) FROM (
          SELECT a.payment_id FROM payment_allocations a JOIN payments p USING (payment_id)
           WHERE a.kind = 'payment'
           GROUP BY a.payment_id, p.amount_ore
          HAVING sum(a.principal_ore + a.interest_ore + a.reminder_fees_ore
                     + a.collection_fees_ore + a.court_fees_ore + a.overpaid_ore)
                 <> p.amount_ore) m""",
    "agency fee claims vs the cases' fees": """
        SELECT coalesce(sum(amount_ore), 0) FROM postings WHERE account_kind IN
          ('agency.fee_claims', 'case.collection_fees', 'case.court_fees')""",
}


class LedgerBooks(RuleBasedStateMachine):
    url: str = ""

    def __init__(self) -> None:
        super().__init__()
        self.loop = asyncio.new_event_loop()
        self.service = bootstrap(
            LedgerSettings(environment="test", database_url=self.url, db_pool_size=2)
        )
        self.driver = Driver(self.service)
        self.log: list[Command] = []
        self.case_count = 0
        self.payment_count = 0
        self.live_payments: list[int] = []

    def run(self, work: Callable[[], Awaitable[T]]) -> T:
        return self.loop.run_until_complete(work())

    def apply(self, command: Command) -> None:
        self.run(lambda: self.driver.apply(command))
        self.log.append(command)

    cases = Bundle("cases")

    @initialize(target=cases)
    def first_case(self) -> int:
        return self.register(((500_000, 10, 3_500),))

    @rule(
        target=cases,
        claims=st.lists(
            st.tuples(st.integers(1, 5_000_000), st.integers(0, 60), st.sampled_from([0, 3_500])),
            min_size=1,
            max_size=3,
        ),
    )
    def register(
        self, claims: list[tuple[int, int, int]] | tuple[tuple[int, int, int], ...]
    ) -> int:
        number = self.case_count
        self.case_count += 1
        self.apply(Register(number, tuple(claims)))
        return number

    @rule(case=cases, step=st.sampled_from(STEPS), day=st.integers(0, 200))
    def take_step(self, case: int, step: str, day: int) -> None:
        self.apply(TakeStep(case, step, day))

    @rule(
        case=st.one_of(cases, st.none()),
        amount=st.integers(1, 3_000_000),
        day=st.integers(0, 200),
    )
    def pay(self, case: int | None, amount: int, day: int) -> None:
        number = self.payment_count
        self.payment_count += 1
        self.apply(Pay(number, case, amount, day))
        if case is not None:
            self.live_payments.append(number)

    @precondition(lambda self: bool(self.log))
    @rule()
    def retry_the_last_command(self) -> None:
        """A command again (the same bank transaction, case id, step): nothing changes."""
        last = self.log[-1]
        if isinstance(last, Reverse | Close):
            return
        before = self.run(self.driver.state)
        self.run(lambda: self.driver.apply(last))
        assert self.run(self.driver.state) == before

    @precondition(lambda self: bool(self.live_payments))
    @rule(data=st.data())
    def reverse(self, data: st.DataObject) -> None:
        number = data.draw(st.sampled_from(self.live_payments))
        self.live_payments.remove(number)
        self.apply(Reverse(number))

    @rule(case=cases, day=st.integers(30, 200))
    def close(self, case: int, day: int) -> None:
        if any(isinstance(c, Close) and c.case == case for c in self.log):
            return
        self.apply(Close(case, day))

    @invariant()
    def the_books_hold(self) -> None:
        async def check() -> dict[str, int]:
            async with self.service.session_factory() as session:
                return {
                    name: int((await session.execute(text(sql))).scalar_one())
                    for name, sql in INVARIANTS.items()
                }

        found = self.run(check)
        assert found == dict.fromkeys(INVARIANTS, 0), (found, self.log)

    def teardown(self) -> None:
        try:
            original = self.run(self.driver.state)
            replay = Driver(self.service)
            for command in self.log:
                self.run(lambda c=command: replay.apply(c))  # type: ignore[misc]
            assert self.run(replay.state) == original
            assert self.run(lambda: cli.run(self.service, ["verify-chain"])) == 0
        finally:
            self.run(self.service.close)
            self.loop.close()


def test_the_books_hold_whatever_happens(
    service_database: Callable[[str, Path], Awaitable[str]],
) -> None:
    url = asyncio.run(service_database("ledger", ALEMBIC_INI))
    LedgerBooks.url = url
    run_state_machine_as_test(
        LedgerBooks,
        settings=settings(
            max_examples=10,
            stateful_step_count=25,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )
