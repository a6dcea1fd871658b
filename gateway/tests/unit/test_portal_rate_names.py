"""The rates' human names: every kind and parameter the ledger ships has one in both
languages, and the rates in force on a day are picked as the law's tables read."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest
from gateway.portal import rate_names
from gateway.portal.i18n import CATALOGUES, Translator

SEED = Path(__file__).resolve().parents[3] / "services" / "ledger" / "ledger" / "data"
SUFFIX = "_unconfirmed"


def _seeded() -> tuple[set[str], set[str]]:
    kinds: set[str] = set()
    parameters: set[str] = set()
    for name in ("rates.csv", "fee_rules.csv", "rate_selection.csv"):
        with (SEED / name).open(encoding="utf-8") as file:
            for row in csv.DictReader(file):
                kinds.add(row["kind"].removesuffix(SUFFIX))
                if row.get("parameter"):
                    parameters.add(row["parameter"])
    return kinds, parameters


def test_the_seed_files_are_read() -> None:
    kinds, parameters = _seeded()
    assert {"inkassosats", "salaer_lett", "rettsgebyr_multiple"} <= kinds
    assert {"legal_step_forliksklage", "2500", "over"} <= parameters


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_every_seeded_kind_and_parameter_has_a_name(lang: str) -> None:
    t = Translator(lang)
    kinds, parameters = _seeded()
    for kind in kinds:
        assert f"rate.kind.{kind}" in CATALOGUES[lang].keys, kind
        assert t(f"rate.kind.{kind}").strip(), kind
        assert kind not in rate_names.kind_name(kind, t)
    for parameter in parameters:
        name = rate_names.parameter_name("salaer_lett", parameter, t)
        assert name, parameter
        assert name != parameter, parameter
        if parameter.startswith("legal_step_"):  # a key, never shown
            assert parameter not in name, parameter
    for kind in rate_names.KIND_ORDER:
        assert kind in kinds, f"{kind} is ordered but not shipped"


def test_names_as_read() -> None:
    nb, en = Translator("nb"), Translator("en")
    assert rate_names.kind_name("salaer_lett", nb) == "Salær, lett inkasso"
    assert rate_names.kind_name("rettsgebyr", nb) == "Rettsgebyr (R)"
    assert rate_names.kind_name("purregebyr_fraction", nb) == (
        "Purregebyr (andel av inkassosatsen)"
    )
    assert rate_names.parameter_name("rettsgebyr_multiple", "legal_step_forliksklage", nb) == (
        "Forliksklage"
    )
    assert (
        rate_names.parameter_name("salaer_lett", "2500", nb) == "Krav til og med kr\u00a02\u00a0500"
    )
    assert rate_names.parameter_name("salaer_lett", "2500", en) == (
        "Claims up to and including NOK\u00a02,500"
    )
    assert (
        rate_names.parameter_name(
            "salaer_lett",
            "over",
            nb,
            rate_names.highest_limits(
                [
                    {"kind": "salaer_lett", "parameter": "250000"},
                    {"kind": "salaer_lett", "parameter": "500"},
                ]
            )["salaer_lett"],
        )
        == "Krav over kr\u00a0250\u00a0000"
    )
    assert rate_names.parameter_name("mva", "", nb) == ""
    # an administrator's own kind is named as such, with its key (no silent bare key)
    assert rate_names.kind_name("test_sats", nb) == "Annen sats (test_sats)"


def _row(
    id_: int, kind: str, day: str, value: str, *, parameter: str = "", status: str = "confirmed"
) -> dict[str, object]:
    return {"id": id_, "kind": kind, "effective_from": day, "parameter": parameter,
            "value": value, "unit": "NOK", "status": status, "source_url": None}  # fmt: skip


def test_in_force_is_the_newest_confirmed_version_from_the_day_or_before() -> None:
    rows = [
        _row(1, "rettsgebyr", "2025-01-01", "1314"),
        _row(2, "rettsgebyr", "2026-01-01", "1345"),
        _row(3, "rettsgebyr", "2027-01-01", "1400"),  # not yet in force
        _row(4, "inkassosats", "2026-01-01", "750", status="unconfirmed"),  # not used
        _row(5, "inkassosats", "2017-01-01", "700"),
        _row(6, "salaer_lett", "2020-10-01", "0.15", parameter="500"),
        _row(7, "salaer_lett", "2020-10-01", "0.25", parameter="over"),
        _row(8, "salaer_lett", "2020-10-01", "0.5", parameter="2500"),
        _row(9, "rettsgebyr", "2026-01-01", "1350"),  # a correction of the same day
    ]
    chosen = rate_names.in_force(rows, date(2026, 12, 6))
    assert [(r["kind"], r["parameter"], r["value"]) for r in chosen] == [
        ("inkassosats", "", "700"),
        ("rettsgebyr", "", "1350"),
        ("salaer_lett", "500", "0.15"),
        ("salaer_lett", "2500", "0.5"),
        ("salaer_lett", "over", "0.25"),
    ]
    assert rate_names.in_force(rows, date(2016, 1, 1)) == []


def test_the_history_goes_by_kind_newest_first() -> None:
    rows = [
        _row(1, "rettsgebyr", "2025-01-01", "1314"),
        _row(5, "inkassosats", "2017-01-01", "700"),
        _row(2, "rettsgebyr", "2026-01-01", "1345"),
        _row(3, "zz_egen", "2026-01-01", "1"),
    ]
    history = rate_names.by_kind(rows)
    assert [(k, [r["id"] for r in g]) for k, g in history] == [
        ("inkassosats", [5]),
        ("rettsgebyr", [2, 1]),
        ("zz_egen", [3]),
    ]
