"""The ledger's rates as people read them: human names, the rates in force on a day,
the history by kind (pure).

A kind's name is ``rate.kind.<kind>`` in the messages (``Inkassosats``, ``Salær, lett
inkasso``); a parameter is a legal step (``rate.parameter.<parameter>``) or, for the salær
tables, a bracket's upper limit in kroner (``Krav til og med kr 2 500``; ``over`` is the
bracket above the highest limit). A kind an administrator added that has no name yet is
shown as «Annen sats (key)», never silently as a bare key.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from gateway.portal import formatting
from gateway.portal.i18n import Translator

KIND_ORDER = (
    "inkassosats",
    "purregebyr",
    "purregebyr_fraction",
    "forsinkelsesrente",
    "standardkompensasjon",
    "rettsgebyr",
    "rettsgebyr_multiple",
    "salaer_lett",
    "salaer_tungt",
    "salaer_business_factor",
    "salaer_tungt_min_days",
    "inkassovarsel_fee_min_days",
    "avdragsgebyr_multiple",
    "avdragsgebyr_min_instalments",
    "betalingsoppfordring_egeninkasso_gebyr",
    "mva",
)
"""The order the page lists kinds in (the everyday rates first); others after, by key."""

FRONT_PAGE_KINDS = (
    "inkassosats",
    "purregebyr",
    "forsinkelsesrente",
    "rettsgebyr",
    "salaer_lett",
    "salaer_tungt",
)
"""The rates the public front page shows («Satser for 2026»)."""


def kind_name(kind: str, t: Translator) -> str:
    key = f"rate.kind.{kind}"
    return t(key) if t.has(key) else t("rate.unknown_kind", name=kind)


def _limit(parameter: str) -> Decimal | None:
    try:
        value = Decimal(parameter)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def parameter_name(kind: str, parameter: str, t: Translator, highest: Decimal | None = None) -> str:
    """``Forliksklage``, ``Krav til og med kr 2 500``, ``Krav over kr 250 000``; ``""`` for
    none. ``highest`` is the kind's highest bracket limit (for ``over``)."""
    if not parameter:
        return ""
    key = f"rate.parameter.{parameter}"
    if t.has(key):
        return t(key)
    limit = _limit(parameter)
    if limit is not None:
        return t("rate.bracket.up_to", amount=_kroner(limit, t))
    if parameter == "over":
        if highest is None:
            return t("rate.bracket.over_any")
        return t("rate.bracket.over", amount=_kroner(highest, t))
    return parameter  # an administrator's own parameter: shown as typed


def _kroner(value: Decimal, t: Translator) -> str:
    return t("rates.value.nok", n=formatting.decimal_number(value, t.lang))


def highest_limits(rows: Iterable[dict[str, Any]]) -> dict[str, Decimal]:
    """Each kind's highest numeric parameter (the salær brackets' top limit)."""
    highest: dict[str, Decimal] = {}
    for row in rows:
        limit = _limit(str(row.get("parameter") or ""))
        kind = str(row["kind"])
        if limit is not None and (kind not in highest or limit > highest[kind]):
            highest[kind] = limit
    return highest


def _kind_key(kind: str) -> tuple[int, str]:
    return (KIND_ORDER.index(kind), "") if kind in KIND_ORDER else (len(KIND_ORDER), kind)


def _parameter_key(parameter: str) -> tuple[int, Decimal, str]:
    """Numbers in order (``500`` before ``2500``), words after them."""
    limit = _limit(parameter)
    return (0, limit, "") if limit is not None else (1, Decimal(0), parameter)


def in_force(rows: Iterable[dict[str, Any]], on: date) -> list[dict[str, Any]]:
    """The confirmed rows in force on ``on``: for each kind and parameter the newest one
    from that day or before (the last version of a day), everyday kinds first."""
    chosen: dict[tuple[str, str], dict[str, Any]] = {}
    for row in rows:
        if row.get("status", "confirmed") != "confirmed":
            continue
        if str(row["effective_from"]) > on.isoformat():
            continue
        key = (str(row["kind"]), str(row.get("parameter") or ""))
        order = (str(row["effective_from"]), int(row.get("id") or 0))
        held = chosen.get(key)
        if held is None or order > (str(held["effective_from"]), int(held.get("id") or 0)):
            chosen[key] = row
    return sorted(
        chosen.values(),
        key=lambda r: (_kind_key(str(r["kind"])), _parameter_key(str(r.get("parameter") or ""))),
    )


def by_kind(rows: Iterable[dict[str, Any]]) -> list[tuple[str, list[dict[str, Any]]]]:
    """The history: each kind (in page order) with its rows, newest first."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        groups.setdefault(str(row["kind"]), []).append(row)
    ordered: list[tuple[str, list[dict[str, Any]]]] = []
    for kind in sorted(groups, key=_kind_key):
        kind_rows = sorted(groups[kind], key=lambda r: int(r.get("id") or 0), reverse=True)
        kind_rows = sorted(kind_rows, key=lambda r: _parameter_key(str(r.get("parameter") or "")))
        kind_rows = sorted(kind_rows, key=lambda r: str(r["effective_from"]), reverse=True)
        ordered.append((kind, kind_rows))
    return ordered
