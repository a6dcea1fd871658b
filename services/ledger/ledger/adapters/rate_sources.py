"""Confirmed rate rows cite primary sources: a correction by new versions (issue 16 § 6).

The seed files once cited agencies', competitors' and blogs' pages for figures the law,
the government or the courts set. The files now cite the primary source of each; a
database seeded before keeps its rows (a rate row never changes but from unconfirmed to
confirmed, ADR 0012) and gets a **new version** of each such row instead: the same kind,
date, parameter, value and unit, confirmed, citing the shipped file's primary source.
Within a date the newest version wins, so what is in force keeps its value; fees already
charged keep the ids of the rows they used.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection, text

from ledger.adapters.rate_files import read_seed_rates
from ledger.domain.rates import SeedRate, is_primary_source

CORRECTION_ORIGIN = "correction"
"""``rates.origin`` of a version added to cite a primary source (besides seed, admin)."""

_NEWEST_CONFIRMED = text(
    "SELECT DISTINCT ON (kind, parameter, effective_from) "
    "kind, parameter, effective_from, value, unit, source_url "
    "FROM rates WHERE status = 'confirmed' "
    "ORDER BY kind, parameter, effective_from, id DESC"
)
_ADD_VERSION = text(
    "INSERT INTO rates (kind, effective_from, parameter, value, unit, source_url, status, "
    "origin, confirmed_at) VALUES (:kind, :effective_from, :parameter, :value, :unit, "
    ":source_url, 'confirmed', :origin, now())"
)


def correct_sources(connection: Connection, shipped: Sequence[SeedRate] | None = None) -> int:
    """Add a version citing the shipped primary source for every figure whose newest
    confirmed version cites another (same value only: a figure an administrator changed
    is left to them); how many versions were added."""
    by_key = {
        (r.kind, r.parameter, r.effective_from): r
        for r in (read_seed_rates() if shipped is None else shipped)
        if r.status == "confirmed" and is_primary_source(r.source_url)
    }
    added = []
    for row in connection.execute(_NEWEST_CONFIRMED).mappings():
        if is_primary_source(row["source_url"]):
            continue
        seed = by_key.get((row["kind"], row["parameter"], row["effective_from"]))
        if seed is None or seed.value != row["value"]:
            continue
        added.append(
            {
                "kind": row["kind"],
                "effective_from": row["effective_from"],
                "parameter": row["parameter"],
                "value": row["value"],
                "unit": row["unit"],
                "source_url": seed.source_url,
                "origin": CORRECTION_ORIGIN,
            }
        )
    if added:
        connection.execute(_ADD_VERSION, added)
    return len(added)
