"""The command line: verify-chain finds a booked entry changed behind the ledger's back
(with the database's guards switched off), seed-rates is idempotent."""

from __future__ import annotations

import asyncio
import os
import sys
import uuid
from datetime import date

import pytest
from ledger.bootstrap import LedgerService
from ledger.domain.components import Component
from ledger.domain.fees import FeeCharge, FeeKind, Step
from ledger.entrypoints import cli
from ledger.service_layer.cases import close_case
from sqlalchemy import text

from .books import Ledger

pytestmark = pytest.mark.integration


async def _cli(service: LedgerService, *args: str) -> tuple[int, str, str]:
    """Run the real command in a process of its own, on the test database."""
    env = {**os.environ, "LEDGER_DATABASE_URL": service.settings.database_url}
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "ledger.entrypoints.cli",
        *args,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout=120)
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


async def test_verify_chain_and_seed_rates_as_commands(
    service: LedgerService, ledger: Ledger
) -> None:
    await ledger.case((10_000, date(2025, 7, 1)))
    status, out, err = await _cli(service, "verify-chain")
    assert (status, err) == (0, ""), err
    assert out.rstrip().endswith("entries checked: OK")
    status, out, _ = await _cli(service, "seed-rates")
    assert (status, out.strip()) == (0, "0 rate row(s) added")
    status, out, _ = await _cli(service, "unconfirmed-rates")
    assert status == 0
    assert "forsinkelsesrente" in out


async def test_verify_chain_finds_an_entry_changed_behind_its_back(
    service: LedgerService, ledger: Ledger, capsys: pytest.CaptureFixture[str]
) -> None:
    case = await ledger.case((10_000, date(2025, 7, 2)))
    tamper = text(
        "UPDATE postings SET amount_ore = amount_ore * :factor WHERE entry_id ="
        " (SELECT entry_id FROM journal_entries WHERE case_id = :case LIMIT 1)"
    )
    guards = ("postings_append_only", "postings_balance")
    async with service.session_factory() as session, session.begin():
        for guard in guards:
            await session.execute(text(f"ALTER TABLE postings DISABLE TRIGGER {guard}"))
        await session.execute(tamper, {"factor": 2, "case": case.case_id})
        for guard in guards:
            await session.execute(text(f"ALTER TABLE postings ENABLE TRIGGER {guard}"))
    try:
        assert await cli.run(service, ["verify-chain"]) == 1
        err = capsys.readouterr().err
        assert "hash does not match the entry" in err
        assert "creditor claims vs the creditor's cases" not in err  # still consistent
    finally:
        async with service.session_factory() as session, session.begin():
            for guard in guards:
                await session.execute(text(f"ALTER TABLE postings DISABLE TRIGGER {guard}"))
            await session.execute(
                text(
                    "UPDATE postings SET amount_ore = amount_ore / 2 WHERE entry_id ="
                    " (SELECT entry_id FROM journal_entries WHERE case_id = :case LIMIT 1)"
                ),
                {"case": case.case_id},
            )
            for guard in guards:
                await session.execute(text(f"ALTER TABLE postings ENABLE TRIGGER {guard}"))
    assert await cli.run(service, ["verify-chain"]) == 0


async def book_as_before(
    service: LedgerService, case_id: uuid.UUID, steps: list[Step], fees: list[FeeCharge]
) -> None:
    """Steps kept and fees booked as an earlier version of the ledger booked them."""
    async with service.unit_of_work() as uow:
        books = uow.books
        await books.cases.record_steps([(case_id, s, uuid.uuid4()) for s in steps])
        case_ledger = (await books.cases.load([case_id]))[case_id]
        booked = []
        for fee in fees:
            entry = books.journal.add(case_ledger.charge_fee(fee))
            booked.append((case_id, fee, entry.entry_id))
        await books.cases.add_fees(booked)
        await uow.commit()


def fee_then(key: str, amount_ore: int, step: Step) -> FeeCharge:
    return FeeCharge(
        key=key,
        kind=key,
        component=Component.COLLECTION_FEES,
        amount_ore=amount_ore,
        effective_date=step.effective_date,
        step=step.step,
        rate_ids=(),
    )


async def test_fee_differences_lists_fees_booked_under_the_old_rules(
    service: LedgerService, ledger: Ledger
) -> None:
    """A case booked as the ledger did before the fee rates were chosen by the due date and
    before the court fees went back to 2016; the dry run names every fee the rules now set
    apart, hand-worked (docs/money-rules.md): claim due 30 Sep 2020 (old rules), principal
    10 000, inkassosats 700:
    varsel 2 Nov 2020: 1/10 x 700 = 70.00 (booked 35.00);
    BO 1 Mar 2021: lett 1 x 700 = 700.00 (booked 0.8 x 700 = 560.00);
    forliksklage 1 Jun 2021 (more than 42 days after the BO): tungt 2 x 700 - 700 = 700.00
    (booked 1.6 x 700 - 560 = 560.00); court fee 1.15 x R 1 199 = 1 378.85 -> 1 378.00
    (booked none). Net 35 + 140 + 140 + 1 378 = 1 693.00."""
    case = await ledger.case((1_000_000, date(2020, 9, 30)))
    varsel = Step("inkassovarsel_sent", date(2020, 11, 2))
    demand = Step("betalingsoppfordring_sent", date(2021, 3, 1))
    legal = Step("legal_step_forliksklage", date(2021, 6, 1))
    await book_as_before(
        service,
        case.case_id,
        [varsel, demand, legal],
        [
            fee_then(FeeKind.INKASSOVARSEL, 3_500, varsel),
            fee_then(FeeKind.SALAER_LETT, 56_000, demand),
            fee_then(FeeKind.SALAER_TUNGT, 56_000, legal),
        ],
    )
    status, out, err = await _cli(service, "fee-differences")
    assert status == 0, err
    ours = sorted(line for line in out.splitlines() if line.startswith(str(case.case_id)))
    prefix = str(case.case_id)
    assert ours == [
        f"{prefix} court_fee:legal_step_forliksklage:2021-06-01 booked - now 1378.00 (1378.00)",
        f"{prefix} inkassovarsel_fee booked 35.00 now 70.00 (35.00)",
        f"{prefix} salaer_lett booked 560.00 now 700.00 (140.00)",
        f"{prefix} salaer_tungt booked 560.00 now 700.00 (140.00)",
    ]
    assert out.rstrip().endswith("(dry run: nothing booked)")
    async with service.engine.connect() as conn:
        count = await conn.scalar(
            text("SELECT count(*) FROM journal_entries WHERE case_id = :c"), {"c": case.case_id}
        )
    assert count == 4  # the claim and the three fees booked then: the dry run booked nothing


async def test_fee_differences_apply_books_each_difference_once(
    service: LedgerService, ledger: Ledger
) -> None:
    """A case whose inkassovarsel fee was booked by the letter's date (35.00, as the ledger
    did before) although the claim fell due on 30 Sep 2020 (1/10 x 700 = 70.00): --apply
    books the difference of 35.00 as a correction (the old entry stays), once."""
    case = await ledger.case((1_000_000, date(2020, 9, 30)))
    varsel = Step("inkassovarsel_sent", date(2020, 11, 2))
    await book_as_before(
        service, case.case_id, [varsel], [fee_then(FeeKind.INKASSOVARSEL, 3_500, varsel)]
    )

    closed = await ledger.case((1_000_000, date(2020, 9, 30)))  # the same, then withdrawn
    await book_as_before(
        service, closed.case_id, [varsel], [fee_then(FeeKind.INKASSOVARSEL, 3_500, varsel)]
    )
    async with service.unit_of_work() as uow:
        await close_case(uow.books, closed.case_id, date(2021, 1, 4), "withdrawn", service.policy)
        await uow.commit()

    status, out, err = await _cli(service, "fee-differences", "--apply")
    assert status == 0, err
    ours = [line for line in out.splitlines() if line.startswith(str(case.case_id))]
    assert ours == [f"{case.case_id} inkassovarsel_fee booked 35.00 now 70.00 (35.00) booked"]
    theirs = [line for line in out.splitlines() if line.startswith(str(closed.case_id))]
    assert theirs == [
        f"{closed.case_id} inkassovarsel_fee booked 35.00 now 70.00 (35.00)"
        " left: the case is closed or settled"
    ]
    status, out, err = await _cli(service, "fee-differences", "--apply")
    assert status == 0, err
    assert str(case.case_id) not in out
    assert f"{closed.case_id} inkassovarsel_fee booked 35.00 now 70.00 (35.00) left" in out

    sums = text(
        "SELECT e.kind, sum(p.amount_ore) FROM journal_entries e JOIN postings p"
        " ON p.entry_id = e.entry_id WHERE e.case_id = :c AND p.account_kind ="
        " 'case.collection_fees' GROUP BY e.kind ORDER BY e.kind"
    )
    async with service.engine.connect() as conn:
        booked = [tuple(r) for r in await conn.execute(sums, {"c": case.case_id})]
    assert booked == [("fee_charged", 3_500), ("fee_corrected", 3_500)]
    economy = await ledger.economy(case.case_id, date(2020, 11, 2))
    assert [(f["kind"], f["amount_ore"]) for f in economy.fees] == [("inkassovarsel_fee", 7_000)]
