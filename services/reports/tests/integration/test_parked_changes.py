"""Changes to a case the read model does not know yet (a backfill or replay delivers them
before the case's registration) are parked, not retried nor dead-lettered, and applied in
the transaction that adds the case."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from contracts.cases import CaseClosed
from contracts.ledger import PaymentReceived
from reports.adapters.orm import case_balances, cases, parked_case_events, payments
from reports.bootstrap import ReportsService
from servicekit.testing.bus import running_consumers
from sqlalchemy import func, select

from .events import Batch, organisation, wrap
from .test_catalogue import balance, status

pytestmark = pytest.mark.integration

T0 = datetime(2026, 4, 1, 10, tzinfo=UTC)


async def _count(service: ReportsService, table: object, case_id: uuid.UUID) -> int:
    async with service.session_factory() as session:
        return int(
            await session.scalar(
                select(func.count()).select_from(table).where(table.c.case_id == case_id)  # type: ignore[attr-defined]
            )
            or 0
        )


async def test_changes_before_their_case_are_parked_then_applied_when_it_arrives(
    service: ReportsService,
) -> None:
    creditor = organisation("creditor")
    a = creditor.organisation_id
    batch = Batch(a)
    case = batch.case(300_000, "Kari Nordmann")
    c = case.case_id
    payment = PaymentReceived(
        payment_id=uuid.uuid4(), case_id=c, creditor_id=a, amount_ore=300_000,
        value_date=date(2026, 4, 2), principal_ore=300_000, interest_ore=0, costs_ore=0,
        overpaid_ore=0, received_at=T0 + timedelta(1),
    )  # fmt: skip
    closed = CaseClosed(
        case_id=c, creditor_id=a, reason="paid", closed_on=date(2026, 4, 3), actor="system",
        closed_at=T0 + timedelta(2),
    )  # fmt: skip
    early = [
        status(c, a, "demand_sent", T0 + timedelta(2)),
        status(c, a, "notice_sent", T0),
        balance(c, a, 300_000, T0),
        balance(c, a, 0, T0 + timedelta(1)),
        payment,
        closed,
    ]
    async with running_consumers(service) as run:
        await run.publish(wrap(creditor))
        for event in early:
            await run.publish(wrap(event))

        async def all_parked() -> bool:
            return await _count(service, parked_case_events, c) == len(early)

        await run.wait_for(all_parked, what="the early changes to be parked")
        await run.publish(wrap(case))

        async def applied() -> bool:
            return await _count(service, parked_case_events, c) == 0

        await run.wait_for(applied, what="the parked changes to be applied")
        outcomes = run.outcomes()
        assert outcomes["retried"] == 0
        assert outcomes["dead_lettered"] == 0

    async with service.session_factory() as session:
        row = (await session.execute(select(cases).where(cases.c.case_id == c))).one()
    assert row.status == "demand_sent"  # the newest, whatever the order parked
    assert row.balance_ore == 7_100
    assert row.principal_outstanding_ore == 0
    assert row.closed_on == date(2026, 4, 3)
    assert row.close_reason == "paid"
    assert await _count(service, payments, c) == 1
    assert await _count(service, case_balances, c) == 2
