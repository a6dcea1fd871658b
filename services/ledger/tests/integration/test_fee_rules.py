"""The fee rules on the real database: the rate rows seeded by the migrations and the
shipped rule for which date decides (``docs/money-rules.md``), hand-worked figures."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

import pytest
from ledger.bootstrap import LedgerService
from ledger.service_layer.rates import add_rate

from .books import Ledger, new_kid

pytestmark = pytest.mark.integration


async def fees(ledger: Ledger, case_id: uuid.UUID, as_of: date) -> dict[str, int]:
    economy = await ledger.economy(case_id, as_of)
    return {f["kind"]: f["amount_ore"] for f in economy.fees}


async def test_a_claim_due_before_1_october_2020_keeps_the_old_figures(ledger: Ledger) -> None:
    # due 30 Sep 2020, principal 10 000: varsel 1/10 x 700 = 70.00; lett (old table,
    # <= 10 000) 1 x 700 = 700.00; forliksklage 1 Jun 2021: 1.15 x R 1 199 = 1 378.85 -> 1 378
    old = await ledger.case((1_000_000, date(2020, 9, 30)))
    # due 1 Oct 2020: 1/20 x 700 = 35.00; lett 0.8 x 700 = 560.00
    new = await ledger.case((1_000_000, date(2020, 10, 1)))
    for case in (old, new):
        await ledger.steps(
            case.case_id,
            ("inkassovarsel_sent", date(2020, 11, 2)),
            ("betalingsoppfordring_sent", date(2021, 3, 1)),
            ("legal_step_forliksklage", date(2021, 4, 1)),  # day 31: lett only
        )
    assert await fees(ledger, old.case_id, date(2021, 4, 1)) == {
        "inkassovarsel_fee": 7_000,
        "salaer_lett": 70_000,
        "court_fee": 137_800,
    }
    assert await fees(ledger, new.case_id, date(2021, 4, 1)) == {
        "inkassovarsel_fee": 3_500,
        "salaer_lett": 56_000,
        "court_fee": 137_800,
    }


async def test_a_new_inkassosats_moves_the_varsel_fee(
    service: LedgerService, ledger: Ledger
) -> None:
    # A year of this test's own (other tests of the session add inkassosats rows of their
    # own, which a carried figure would pick up): 700 from 1 Jan 2041, 800 from 1 Feb 2041.
    async def sats(effective_from: date, value: str) -> None:
        async with service.unit_of_work() as uow:
            await add_rate(
                uow.books,
                kind="inkassosats",
                effective_from=effective_from,
                value=Decimal(value),
                unit="NOK",
                parameter="",
                source_url="https://lovdata.no/test-only",
                by=uuid.uuid4(),
            )
            await uow.commit()

    await sats(date(2041, 1, 1), "700")
    # the varsel on 3 Feb 2041 under 700: 1/20 x 700 = 35.00
    before = await ledger.case((500_000, date(2041, 1, 15)))
    await ledger.steps(before.case_id, ("inkassovarsel_sent", date(2041, 2, 3)))
    assert await fees(ledger, before.case_id, date(2041, 2, 3)) == {"inkassovarsel_fee": 3_500}

    await sats(date(2041, 2, 1), "800")
    # the administrator's 800 from 1 Feb 2041 decides by the varsel's date: 1/20 x 800 =
    # 40.00, no purregebyr row needed (the fraction, by the claim's due date, is 1/20)
    after = await ledger.case((500_000, date(2041, 1, 15)))
    await ledger.steps(after.case_id, ("inkassovarsel_sent", date(2041, 2, 3)))
    assert await fees(ledger, after.case_id, date(2041, 2, 3)) == {"inkassovarsel_fee": 4_000}


async def test_standardkompensasjon_is_the_creditors_and_comes_off_the_salaer(
    service: LedgerService, ledger: Ledger
) -> None:
    # ADR 0056. B2B, NOK 10 000 due 1 Mar 2025 (interest from 2 Mar 2025: 470 for 2025 H1);
    # varsel 17 Mar (35 gross, absorbed), BO 1 Apr (lett 0.8 x 700 x 1.5 = 840, less 435).
    from ledger.domain.agreements import CreditorAgreement
    from sqlalchemy import text

    creditor = uuid.uuid4()
    async with service.unit_of_work() as uow:
        await uow.books.agreements.put(
            CreditorAgreement(creditor_id=creditor, claims_standardkompensasjon=True)
        )
        await uow.commit()
    case = await ledger.case(
        (1_000_000, date(2025, 3, 1)), creditor_id=creditor, debtor_kind="business"
    )
    for _ in range(2):  # a step again charges nothing again
        await ledger.steps(
            case.case_id,
            ("inkassovarsel_sent", date(2025, 3, 17)),
            ("betalingsoppfordring_sent", date(2025, 4, 1)),
        )
    assert await fees(ledger, case.case_id, date(2025, 4, 1)) == {
        "standardkompensasjon": 47_000,
        "salaer_lett": 40_500,
    }
    economy = await ledger.economy(case.case_id, date(2025, 4, 1))
    owed = {line.component.value: line.outstanding_ore for line in economy.lines}
    assert (owed["reminder_fees"], owed["collection_fees"]) == (47_000, 40_500)
    async with service.session_factory() as session:
        creditor_claims = await session.scalar(
            text(
                "SELECT sum(amount_ore) FROM postings WHERE account_kind = 'creditor.claims'"
                " AND holder = :creditor"
            ),
            {"creditor": creditor},
        )
    assert creditor_claims == -(1_000_000 + 47_000)  # the creditor's: principal and SK


async def test_reminders_given_as_events_are_kept_and_counted(
    service: LedgerService, ledger: Ledger
) -> None:
    # issue 13 point 3: due 1 Oct 2020, one purring of 70 on 20 Oct (an event): the varsel
    # of 2 Nov carries 1/20 x 700 = 35.00 (the total alone, 70 >= 2 x 35, would block it)
    from datetime import UTC, datetime

    from contracts.cases import CaseRegistered, ClaimRegistered, ClaimReminder
    from ledger.entrypoints.consumers import registration
    from ledger.service_layer.cases import register_cases

    claim_id = uuid.uuid4()
    event = CaseRegistered(
        case_id=uuid.uuid4(),
        creditor_id=ledger.creditor_id,
        case_number=f"S-{uuid.uuid4().hex[:8]}",
        kid=new_kid(),
        creditor_reference="rem",
        batch_id=uuid.uuid4(),
        channel="api",
        debtor_kind="person",
        claims=[
            ClaimRegistered(
                claim_id=claim_id,
                invoice_number="F-1",
                invoice_date=date(2020, 9, 1),
                due_date=date(2020, 10, 1),
                principal_ore=500_000,
                reminder_fee_ore=7_000,
                limitation_date=date(2023, 10, 3),
            )
        ],
        registered_at=datetime.now(UTC),
        reminders=[ClaimReminder(claim_id=claim_id, sent_on=date(2020, 10, 20), fee_ore=7_000)],
    )
    found = registration(event)
    async with service.unit_of_work() as uow:
        await register_cases(uow.books, [found], service.policy)
        await uow.commit()
    async with service.unit_of_work() as uow:
        loaded = (await uow.books.cases.load([event.case_id], lock=False))[event.case_id]
    assert loaded.facts.claims[0].reminders is not None
    assert [(r.sent_on, r.fee_ore) for r in loaded.facts.claims[0].reminders] == [
        (date(2020, 10, 20), 7_000)
    ]
    await ledger.steps(event.case_id, ("inkassovarsel_sent", date(2020, 11, 2)))
    assert await fees(ledger, event.case_id, date(2020, 11, 2)) == {"inkassovarsel_fee": 3_500}
