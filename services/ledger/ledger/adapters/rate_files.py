"""The rate files shipped with the service (``ledger/data``), read as seed rows.

- ``rates.csv``: a copy of ``shared/domain/rates.csv`` (inkassosats, purregebyr,
  rettsgebyr, forsinkelsesrente, …) with a source for every confirmed row;
- ``fee_rules.csv``: the salær brackets as multiples of the inkassosats, the business
  factor, MVA, the purregebyr fraction, the rettsgebyr multiples of legal steps and the
  day limits of the fee rules;
- ``rate_selection.csv``: which date decides which version of a kind applies (the step's
  date or the claim's due date), dated (not rate rows: read from the file, not the table).
"""

from __future__ import annotations

from functools import cache
from importlib import resources

from ledger.domain.rates import (
    SeedRate,
    SelectionRule,
    VersionSelection,
    parse_rate_csv,
    parse_selection_csv,
)

SEED_FILES = ("rates.csv", "fee_rules.csv")
SELECTION_FILE = "rate_selection.csv"


def read_seed_rates() -> list[SeedRate]:
    """Every row of the shipped rate files (``_unconfirmed`` rows come back unconfirmed)."""
    rows: list[SeedRate] = []
    data = resources.files("ledger").joinpath("data")
    for name in SEED_FILES:
        rows.extend(parse_rate_csv(data.joinpath(name).read_text(encoding="utf-8")))
    return rows


def read_selection_rules() -> list[SelectionRule]:
    """The shipped rules for which date decides which rate version applies."""
    data = resources.files("ledger").joinpath("data")
    return parse_selection_csv(data.joinpath(SELECTION_FILE).read_text(encoding="utf-8"))


@cache
def shipped_selection() -> VersionSelection:
    """The shipped rules, read once (the file is part of the release)."""
    return VersionSelection(read_selection_rules())
