"""The rate table's confirmed figures cite primary sources; a figure whose newest version
cites another page gets a new version citing the primary one, its history untouched
(migration ``ledger_0012_primary_rate_sources``, ADR 0012)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from ledger.adapters.orm import rates
from ledger.adapters.rate_sources import CORRECTION_ORIGIN, correct_sources
from ledger.bootstrap import LedgerService
from ledger.domain.rates import RateKind, SeedRate, is_primary_source
from sqlalchemy import insert, select

pytestmark = pytest.mark.integration

SECONDARY = "https://www.sticos.no/fagstoff/satser/purring-og-inkasso"
PRIMARY = "https://lovdata.no/dokument/SF/forskrift/2002-12-13-1641"


async def test_every_figure_in_force_cites_a_primary_source(service: LedgerService) -> None:
    async with service.session_factory() as session:
        rows = await session.execute(
            select(rates.c.kind, rates.c.parameter, rates.c.effective_from, rates.c.source_url)
            # in force: not the rows other tests add in years of their own (2041, 2043, …)
            .where(rates.c.status == "confirmed", rates.c.effective_from <= date.today())
            .order_by(rates.c.kind, rates.c.parameter, rates.c.effective_from, rates.c.id)
        )
        newest: dict[tuple[str, str, date], str | None] = {}
        for r in rows:
            newest[(r.kind, r.parameter, r.effective_from)] = r.source_url  # the last id wins
    assert len(newest) > 100, "the migrated table holds the shipped figures"
    assert sorted(k for k, url in newest.items() if not is_primary_source(url)) == []


async def test_a_figure_citing_another_page_gets_a_new_version_citing_the_primary_one(
    service: LedgerService,
) -> None:
    day = date(2099, 1, 1)  # a figure of its own, far from every other test's dates
    shipped = [
        SeedRate(RateKind.INKASSOSATS, day, Decimal("700"), "NOK", "", PRIMARY, "confirmed"),
        SeedRate(RateKind.RETTSGEBYR, day, Decimal("1314"), "NOK", "", PRIMARY, "confirmed"),
    ]
    async with service.engine.connect() as connection:
        transaction = await connection.begin()
        try:
            old = await connection.execute(
                insert(rates).returning(rates.c.id),
                [
                    {
                        "kind": RateKind.INKASSOSATS,
                        "effective_from": day,
                        "value": Decimal("700"),
                        "unit": "NOK",
                        "source_url": SECONDARY,
                        "status": "confirmed",
                        "origin": "admin",
                    },
                    {  # an administrator's other value: left to them
                        "kind": RateKind.RETTSGEBYR,
                        "effective_from": day,
                        "value": Decimal("1400"),
                        "unit": "NOK",
                        "source_url": SECONDARY,
                        "status": "confirmed",
                        "origin": "admin",
                    },
                ],
            )
            old_ids = sorted(old.scalars())
            added = await connection.run_sync(correct_sources, shipped)
            again = await connection.run_sync(correct_sources, shipped)
            versions = (
                await connection.execute(
                    select(rates.c.id, rates.c.kind, rates.c.value, rates.c.source_url)
                    .where(rates.c.effective_from == day)
                    .order_by(rates.c.id)
                )
            ).all()
            origins = (
                await connection.execute(
                    select(rates.c.origin, rates.c.status).where(rates.c.id > old_ids[-1])
                )
            ).all()
        finally:
            await transaction.rollback()
    assert (added, again) == (1, 0)  # once: the newest version now cites the primary source
    assert [(v.kind, v.value, v.source_url) for v in versions] == [
        (RateKind.INKASSOSATS, Decimal("700"), SECONDARY),  # history kept as it was
        (RateKind.RETTSGEBYR, Decimal("1400"), SECONDARY),
        (RateKind.INKASSOSATS, Decimal("700"), PRIMARY),
    ]
    assert [v.id for v in versions][:2] == old_ids
    assert origins == [(CORRECTION_ORIGIN, "confirmed")]
