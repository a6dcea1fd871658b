"""The Tripletex connector end to end: ERP simulator → handover → cases → answers back."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from cases.adapters.orm import cases as cases_table
from cases.adapters.orm import timeline
from integrations.adapters.orm import erp_invoices, outbox
from integrations.service_layer import connections
from integrations.service_layer.connections import Connect, ErpRefused
from integrations.service_layer.sync import SyncOutcome, sync_due
from servicekit.testing.data import organisation_number
from servicekit.testing.wait import wait_for
from simulators.tripletex import Customer, TripletexSimulator
from sqlalchemy import func, select

from .conftest import Stack

pytestmark = pytest.mark.integration

TODAY = date.today()


def business(erp: TripletexSimulator, n: int) -> Customer:
    return erp.add_customer(
        name=f"Kunde {n} AS",
        organization_number=organisation_number(),
        is_private_individual=False,
        address_line1=f"Gate {n}",
        postal_code="0155",
        city="Oslo",
    )


def overdue(erp: TripletexSimulator, customer: Customer, amount: float, days: int = 60) -> int:
    day = TODAY - timedelta(days=days)
    return erp.add_invoice(customer, amount, invoice_date=day, due_date=day + timedelta(days=14)).id


async def connect(stack: Stack, erp: TripletexSimulator) -> None:
    await connections.connect(
        stack.integrations.sync_context(),
        erp.url,
        Connect(
            creditor_id=stack.creditor_id,
            user_id=None,
            consumer_token=erp.config.consumer_token,
            employee_token=erp.config.employee_token,
        ),
    )


async def sync(stack: Stack) -> SyncOutcome:
    await connections.sync_now(stack.integrations.sync_context(), stack.creditor_id)
    outcome = await sync_due(stack.integrations.sync_context())
    assert outcome is not None
    return outcome


async def case_count(stack: Stack) -> int:
    async with stack.cases.session_factory() as session:
        return int(
            await session.scalar(
                select(func.count())
                .select_from(cases_table)
                .where(cases_table.c.creditor_id == stack.creditor_id)
            )
            or 0
        )


async def states(stack: Stack) -> dict[str, int]:
    async with stack.integrations.session_factory() as session:
        rows = await session.execute(
            select(erp_invoices.c.state, func.count())
            .where(erp_invoices.c.creditor_id == stack.creditor_id)
            .group_by(erp_invoices.c.state)
        )
        return {state: int(n) for state, n in rows}


async def settled(stack: Stack, total: int) -> dict[str, int] | None:
    """The states once the cases service has answered for all ``total`` invoices."""
    now = await states(stack)
    return now if now.get("handed_over", 0) == 0 and sum(now.values()) == total else None


async def test_100_invoices_become_100_cases_once_across_two_syncs_and_a_change(
    stack: Stack, tripletex: TripletexSimulator
) -> None:
    customers = [business(tripletex, n) for n in range(7)]
    ids = [overdue(tripletex, customers[n % 7], 1000.0 + n) for n in range(100)]
    tripletex.add_invoice(  # not yet due: stays in the ERP
        customers[0], 500.0, invoice_date=TODAY, due_date=TODAY + timedelta(days=14)
    )
    await connect(stack, tripletex)

    first = await sync(stack)
    assert (first.outcome, first.invoices_read, first.handed_over) == ("ok", 101, 100)
    await wait_for(lambda: settled(stack, 100), what="cases to answer the handover", seconds=120)
    assert await states(stack) == {"registered": 100}
    assert await case_count(stack) == 100

    second = await sync(stack)
    assert (second.outcome, second.handed_over, second.changed) == ("ok", 0, 0)

    tripletex.change_due_date(ids[0], TODAY - timedelta(days=10))
    tripletex.register_payment(ids[1], 400.0)
    tripletex.create_credit_note(ids[2], 100.0, on=TODAY)
    third = await sync(stack)
    assert (third.handed_over, third.changed, third.payments_noticed) == (0, 3, 2)
    fourth = await sync(stack)  # nothing new: nothing reported twice
    assert (fourth.handed_over, fourth.changed, fourth.payments_noticed) == (0, 0, 0)
    assert await case_count(stack) == 100

    async with stack.integrations.session_factory() as session:
        conflict = await session.scalar(
            select(erp_invoices.c.conflict).where(erp_invoices.c.invoice_id == ids[0])
        )
        noticed = [
            row.body
            for row in await session.execute(
                select(outbox.c.body).where(
                    outbox.c.event_type == "integrations.direct_payment.noticed"
                )
            )
        ]
    assert conflict == "due_date_changed"
    assert len(noticed) == 2

    async def on_the_timeline() -> list[tuple[str, int]] | None:
        async with stack.cases.session_factory() as session:
            rows = await session.execute(
                select(timeline.c.kind, timeline.c.detail).where(
                    timeline.c.kind.in_(("paid_directly", "credited_directly"))
                )
            )
            found = sorted((kind, detail["amount_ore"]) for kind, detail in rows)
        return found if len(found) == 2 else None

    assert await wait_for(on_the_timeline, what="the timeline", seconds=120) == [
        ("credited_directly", 10_000),
        ("paid_directly", 40_000),
    ]
    assert any('"kind":"payment"' in b and '"amount_ore":40000' in b for b in noticed)
    assert any('"kind":"credit_note"' in b and '"amount_ore":10000' in b for b in noticed)


async def test_bad_erp_data_is_refused_per_invoice_and_the_rest_goes_through(
    stack: Stack, tripletex: TripletexSimulator
) -> None:
    good = overdue(tripletex, business(tripletex, 1), 1200.0)
    swedish = tripletex.add_customer(
        name="Göteborgs Fisk AB",
        organization_number="5560360793",
        is_private_individual=False,
        address_line1="Hamngatan 2",
        postal_code="411 06",
        city="Göteborg",
        country="SE",
    )
    nameless = tripletex.add_customer(
        name="Ukjent Handel",
        organization_number="",
        is_private_individual=False,
        address_line1="Torget 5",
        postal_code="3015",
        city="Drammen",
    )
    private = tripletex.add_customer(
        name="Ola Nordmann",
        organization_number="",
        is_private_individual=True,
        address_line1="Skogveien 8",
        postal_code="1360",
        city="Fornebu",
    )
    bad = [overdue(tripletex, c, 2500.0) for c in (swedish, nameless, private)]
    await connect(stack, tripletex)

    outcome = await sync(stack)
    assert (outcome.outcome, outcome.handed_over) == ("ok", 4)
    await wait_for(lambda: settled(stack, 4), what="cases to answer", seconds=120)
    async with stack.integrations.session_factory() as session:
        rows = {
            r.invoice_id: (r.state, r.error_fields)
            for r in await session.execute(
                select(erp_invoices.c.invoice_id, erp_invoices.c.state, erp_invoices.c.error_fields)
            )
            if r.invoice_id in (good, *bad)
        }
    assert rows[good] == ("registered", None)
    assert rows[bad[0]][0] == "refused"
    assert "debtor.organisation_number" in (rows[bad[0]][1] or "")
    assert rows[bad[1]] == ("refused", "debtor.organisation_number")
    assert rows[bad[2]] == ("refused", "debtor.national_id")
    assert await case_count(stack) == 1


async def test_rate_limit_429_is_waited_out(stack: Stack, tripletex: TripletexSimulator) -> None:
    customer = business(tripletex, 1)
    for n in range(90):
        overdue(tripletex, customer, 100.0 + n)
    await connect(stack, tripletex)
    tripletex.set_rate_limit(2, window_seconds=1.0)  # 3 pages + customers: must wait

    outcome = await sync(stack)

    assert (outcome.outcome, outcome.handed_over) == ("ok", 90)
    assert tripletex.rate_limited > 0


async def test_wrong_keys_are_refused_at_connect(
    stack: Stack, tripletex: TripletexSimulator
) -> None:
    with pytest.raises(ErpRefused) as refused:
        await connections.connect(
            stack.integrations.sync_context(),
            tripletex.url,
            Connect(stack.creditor_id, None, "wrong", tripletex.config.employee_token),
        )
    assert refused.value.extensions == {"erp_code": "erp_unauthorised"}
