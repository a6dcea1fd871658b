"""The rate files shipped with the service (``ledger/data``), read as seed rows.

- ``rates.csv``: a copy of ``shared/domain/rates.csv`` (inkassosats, purregebyr,
  rettsgebyr, forsinkelsesrente, …) with a source for every confirmed row;
- ``fee_rules.csv``: the salær brackets as multiples of the inkassosats, the business
  factor, MVA, the rettsgebyr multiples of legal steps and the day limits of the fee rules.
"""

from __future__ import annotations

from importlib import resources

from ledger.domain.rates import SeedRate, parse_rate_csv

SEED_FILES = ("rates.csv", "fee_rules.csv")


def read_seed_rates() -> list[SeedRate]:
    """Every row of the shipped rate files (``_unconfirmed`` rows come back unconfirmed)."""
    rows: list[SeedRate] = []
    data = resources.files("ledger").joinpath("data")
    for name in SEED_FILES:
        rows.extend(parse_rate_csv(data.joinpath(name).read_text(encoding="utf-8")))
    return rows
