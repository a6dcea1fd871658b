"""A rate row confirmed after money was booked on the carried-forward figure: the figures
are marked provisional until then, and ``rate-recompute`` moves the affected cases by
journal entries, dry run first (issue 13 point 5, ADR 0057).

Hand-worked, in a year of this test's own (2043, not a leap year; other tests add rows in
2041): forsinkelsesrente 10.00 % confirmed from 1 Jan 2043, 20.00 % *unconfirmed* from
1 Jul 2043. NOK 10 000 due 31 May 2043 (interest from 1 Jun), NOK 1 000 paid 31 Aug 2043
(92 days). Carried 10 %: 1 000 000 x 0.10 x 92 / 365 = 25 205.48 → 25 205; the payment
covers interest 25 205 and principal 74 795, principal left 925 205. Confirmed 20 % from
1 Jul: 1 000 000 x 0.10 x 30 / 365 = 8 219.18 plus 1 000 000 x 0.20 x 62 / 365 = 33 972.60,
42 191.78 → 42 192; principal covered 57 808, left 942 192 (+16 987).

Inkassosats 600 confirmed from 1 Jan 2043, 900 *unconfirmed* from 1 Mar 2043: an
inkassovarsel on 20 Jun 2043 of a claim due 31 May (20 days) costs 1/20 x 600 = 30.00
(provisional); once 900 is confirmed, 1/20 x 900 = 45.00 (+15.00).
"""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

import pytest
from ledger.bootstrap import LedgerService
from ledger.domain.components import Component
from ledger.domain.rates import SeedRate
from ledger.entrypoints import cli
from ledger.service_layer.rates import add_rate, confirm_rate

from .books import Ledger

pytestmark = pytest.mark.integration

SOURCE = "https://lovdata.no/test-rate"


async def rows(service: LedgerService, kind: str, confirmed: str, pending: str) -> int:
    """A confirmed row from 1 Jan 2043 and an unconfirmed one (its id) later that year."""
    unit = "percent_pa" if kind == "forsinkelsesrente" else "NOK"
    pending_from = date(2043, 7, 1) if kind == "forsinkelsesrente" else date(2043, 3, 1)
    async with service.unit_of_work() as uow:
        await add_rate(
            uow.books,
            kind=kind,
            effective_from=date(2043, 1, 1),
            value=Decimal(confirmed),
            unit=unit,
            parameter="",
            source_url=SOURCE,
            by=uuid.uuid4(),
        )
        await uow.books.rates.seed(
            [SeedRate(kind, pending_from, Decimal(pending), unit, "", SOURCE, "unconfirmed")]
        )
        await uow.commit()
        found = await uow.books.rates.list(kind=kind, status="unconfirmed")
    return next(r.id for r in found if r.effective_from == pending_from)


async def confirm(service: LedgerService, rate_id: int) -> None:
    async with service.unit_of_work() as uow:
        await confirm_rate(uow.books, rate_id, source_url=SOURCE, by=uuid.uuid4())
        await uow.commit()


async def test_a_confirmed_half_year_rate_moves_the_cases_booked_on_the_carried_one(
    service: LedgerService, ledger: Ledger, capsys: pytest.CaptureFixture[str]
) -> None:
    rate_id = await rows(service, "forsinkelsesrente", "10.00", "20.00")
    case = await ledger.case((1_000_000, date(2043, 5, 31)))
    await ledger.pay(case.kid, 100_000, date(2043, 8, 31))
    economy = await ledger.economy(case.case_id, date(2043, 8, 31))
    assert any(p.carried_forward for p in economy.interest.periods)  # provisional
    owed = {line.component: line.outstanding_ore for line in economy.lines}
    assert owed[Component.PRINCIPAL] == 925_205

    assert await cli.run(service, ["rate-recompute", "--rate", str(rate_id)]) == 2  # confirm first
    await confirm(service, rate_id)
    args = ["rate-recompute", "--rate", str(rate_id), "--case", str(case.case_id)]
    capsys.readouterr()
    assert await cli.run(service, args) == 0
    out = capsys.readouterr().out
    assert f"{case.case_id}: principal 925205 → 942192" in out
    assert "1 would move (dry run, nothing kept)" in out
    still = await ledger.economy(case.case_id, date(2043, 8, 31))
    kept = {line.component: line.outstanding_ore for line in still.lines}
    # nothing kept: the payment's split is as before (the view already reads the interest
    # owed with the confirmed rate: 42 192 - 25 205 = 16 987 more)
    assert (kept[Component.PRINCIPAL], kept[Component.INTEREST]) == (925_205, 16_987)

    assert await cli.run(service, [*args, "--apply"]) == 0
    after = await ledger.economy(case.case_id, date(2043, 8, 31))
    assert not any(p.carried_forward for p in after.interest.periods)
    moved = {line.component: line.outstanding_ore for line in after.lines}
    assert (moved[Component.PRINCIPAL], moved[Component.INTEREST]) == (942_192, 0)
    assert [p["covered"]["interest"] for p in after.payments if p["kind"] == "rebooked"] == [42_192]
    capsys.readouterr()
    assert await cli.run(service, args) == 0  # a second run moves nothing
    assert "0 would move" in capsys.readouterr().out
    _, problems = await cli.verify(service)
    assert problems == []  # test_journal_guards takes its entries beside the chain out again


async def test_a_fee_on_a_carried_inkassosats_is_provisional_and_corrected_when_confirmed(
    service: LedgerService, ledger: Ledger, capsys: pytest.CaptureFixture[str]
) -> None:
    rate_id = await rows(service, "inkassosats", "600", "900")
    case = await ledger.case((1_000_000, date(2043, 5, 31)))
    await ledger.steps(case.case_id, ("inkassovarsel_sent", date(2043, 6, 20)))
    economy = await ledger.economy(case.case_id, date(2043, 6, 20))
    assert [(f["amount_ore"], f["provisional"]) for f in economy.fees] == [(3_000, True)]

    await confirm(service, rate_id)
    args = ["rate-recompute", "--rate", str(rate_id), "--case", str(case.case_id), "--apply"]
    capsys.readouterr()
    assert await cli.run(service, args) == 0
    out = capsys.readouterr().out
    assert f"{case.case_id}: collection_fees 3000 → 4500" in out
    assert "fees inkassovarsel_fee 3000 → 4500" in out
    after = await ledger.economy(case.case_id, date(2043, 6, 20))
    assert [(f["amount_ore"], f["provisional"]) for f in after.fees] == [(4_500, False)]
