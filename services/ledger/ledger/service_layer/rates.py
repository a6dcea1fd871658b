"""Rate maintenance: seeding from the shipped files, adding a version, confirming a row."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

from ledger.adapters.rate_files import read_seed_rates
from ledger.domain.errors import RateAlreadyConfirmed, RateNotFound
from ledger.domain.rates import RateRow, SeedRate, require_primary_source
from ledger.service_layer.books import Books


async def seed_rates(books: Books) -> int:
    """Load rows of the shipped files not loaded yet (``_unconfirmed`` ones unconfirmed)."""
    return await books.rates.seed(read_seed_rates())


async def add_rate(
    books: Books,
    *,
    kind: str,
    effective_from: date,
    value: Decimal,
    unit: str,
    parameter: str,
    source_url: str,
    by: uuid.UUID,
) -> RateRow:
    """A new confirmed version (an administrator vouches for it with a primary source)."""
    require_primary_source(source_url)
    row = SeedRate(
        kind=kind,
        effective_from=effective_from,
        value=value,
        unit=unit,
        parameter=parameter,
        source_url=source_url,
        status="confirmed",
    )
    return await books.rates.add(row, created_by=by)


async def confirm_rate(books: Books, rate_id: int, *, source_url: str, by: uuid.UUID) -> RateRow:
    """Confirm an unconfirmed row against its primary source; from now on it is used."""
    row = await books.rates.get(rate_id, lock=True)
    if row is None:
        raise RateNotFound("No such rate.")
    if row.status == "confirmed":
        raise RateAlreadyConfirmed("This rate is already confirmed.")
    require_primary_source(source_url)
    return await books.rates.confirm(rate_id, by=by, source_url=source_url)
